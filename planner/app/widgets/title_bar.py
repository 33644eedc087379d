"""The line at the top: plan title, the week, its value score so far, and the app's status (a sync
under way, plan files that cannot be read).

The score asks every plugin, over every task of the week, so it is worked out in a thread after
the screen is drawn and the plan loaded, and after each change (a burst of changes costs one computation), never in the
path of a key press.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static
from textual.worker import get_current_worker

from planner.model import make_week_view
from planner.text import printable

DEBOUNCE_SECONDS = 0.25


class TitleBar(Static):
    DEFAULT_CSS = """
    TitleBar { height: 1; background: $primary 30%; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.value: float | None = None
        self._timer = None

    def on_mount(self) -> None:
        self.app.status_changed.subscribe(self, lambda _: self.show_title())
        self.show_title()
        if self.app.session.is_loaded:
            self.call_after_refresh(self.refresh_score)
        else:
            # The first screen: score once the whole plan is read, not while its first frame is
            # being drawn (a thread computing now would share the interpreter with that frame).
            self.app.plan_loaded.subscribe(self, lambda _: self.refresh_score())

    def refresh_title(self) -> None:
        """Redraw now with the score as last computed, and compute it again shortly."""
        self.show_title()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_SECONDS, self.refresh_score)

    def on_resize(self) -> None:
        self.show_title()

    def show_title(self) -> None:
        session = self.app.session
        screen_name = getattr(self.screen, "TITLE", "")
        brand: list[str | tuple[str, str]] = [("Value Planner", "bold"), " · " if screen_name else "  "]
        parts: list[str | tuple[str, str]] = [(screen_name, "bold"), "  "] if screen_name else []
        parts.append(session.current_week())
        if self.value is not None:
            parts += ["  value ", (f"{self.value:.0f}", "bold")]
        status = self.app.header_status()
        if status:  # before the plan's title: the likelier to stay in view on a narrow terminal
            parts += ["  ", (status, "bold $warning")]
        parts += ["  ", (printable(session.board.title), "italic")]
        title = Content.assemble(*brand, *parts)
        width = self.content_region.width  # 0 before the first layout
        if width and title.cell_length > width:
            # The app's name is what a narrow terminal can best spare (80 columns cut the plan's title);
            # a plan title still too long ends in an ellipsis.
            title = Content.assemble(*parts)
        self.update(title, layout=False)  # always one line: no layout pass needed

    def refresh_score(self) -> None:
        self.run_worker(self._compute_score, thread=True, exclusive=True, group="title-score", exit_on_error=False)

    def _compute_score(self) -> None:
        from planner.scoring import score_week

        session = self.app.session
        label = session.current_week()
        week = make_week_view(label, session.week_plan(label), session.board.week_start, session.today())
        value = score_week(session.host, session.board, week, list(session.tasks.values())).value
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_value, value)

    def _show_value(self, value: float | None) -> None:
        self.value = value
        self.show_title()
        self.app._tell_plugin_warnings()
