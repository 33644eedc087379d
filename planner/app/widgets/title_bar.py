"""The line at the top: plan title, the week, and its value score so far."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from planner.model import make_week_view


class TitleBar(Static):
    DEFAULT_CSS = """
    TitleBar { height: 1; background: $primary 30%; padding: 0 1; }
    """

    def on_mount(self) -> None:
        self.refresh_title()

    def refresh_title(self) -> None:
        app = self.app
        session = app.session
        label = session.current_week()
        parts = [("Value Planner", "bold"), "  ", session.board.title, "  ", f"{label}"]
        value = self.week_value(label)
        if value is not None:
            parts += ["  value ", (f"{value:.0f}", "bold")]
        screen_name = getattr(self.screen, "TITLE", "")
        if screen_name:
            parts += ["  ", (screen_name, "italic")]
        self.update(Content.assemble(*parts))

    def week_value(self, label: str) -> float | None:
        from planner.scoring import score_week

        session = self.app.session
        week = make_week_view(label, session.week_plan(label), session.board.week_start, session.today())
        return score_week(session.host, session.board, week, session.tasks.values()).value
