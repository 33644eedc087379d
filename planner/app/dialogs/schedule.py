"""Schedule a task onto a day (or just into a week), or unschedule it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from planner.dates import DateError, resolve_day, resolve_week
from planner.model import Task, schedule_task
from planner.text import shown_title


class ScheduleDialog(ModalScreen[None]):
    DEFAULT_CSS = """
    ScheduleDialog { align: center middle; }
    ScheduleDialog > Vertical { width: 64; max-width: 100%; height: auto; border: thick $primary;
                                background: $surface; padding: 0 1; }
    ScheduleDialog #error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "dismiss", "Cancel", id="schedule.cancel")]

    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task_id = task.id
        self.task_title = task.title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.assemble(("Schedule: ", "bold"), shown_title(self.task_title)))
            yield Static(Content("A day (today, fri, next mon, 2026-12-01), a week (this, next, 2026-W49), "
                                 "or none to unschedule."))
            yield Input(id="when", placeholder="fri")
            yield Static(id="error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip().lower()
        app = self.app
        today = app.today()
        week_start = app.session.board.week_start
        try:
            if text in ("", "none", "-"):
                day, week = None, None
            elif text in ("this", "next", "last") or "w" in text and text[:4].isdigit():
                day, week = None, resolve_week(text, today, week_start)
            else:
                day, week = resolve_day(text, today), None
        except DateError as error:
            self.query_one("#error", Static).update(Content(str(error)))
            return
        app.change_task(self.task_id, lambda current, now, board: schedule_task(current, now, board, week=week, day=day),
                        f"schedule {self.task_title!r}")
        self.dismiss()
