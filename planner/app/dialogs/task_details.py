"""Everything about one task, read-only, with keys to act on it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from planner.text import printable, shown_title, tag_label
from planner.dates import format_minutes
from planner.report import describe_id


class TaskDetails(ModalScreen[None]):
    DEFAULT_CSS = """
    TaskDetails { align: center middle; }
    TaskDetails > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    /* Long notes scroll; the keys stay docked under them, in view. */
    TaskDetails #details-body { height: auto; max-height: 100%; }
    TaskDetails #notes { margin-top: 1; }
    TaskDetails #keys { dock: bottom; color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape,enter,q", "dismiss", "Close", id="details.close"),
        Binding("e", "edit", "Edit", id="details.edit"),
        Binding("o", "notes", "Notes", id="details.notes"),
    ]

    def __init__(self, task_id: str) -> None:
        super().__init__()
        self.task_id = task_id

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll(id="details-body"):
                yield Static(id="summary")
                yield Static(id="notes")
            yield Static(Content("e edit · o notes in $EDITOR · Esc close"), id="keys")

    def on_mount(self) -> None:
        self.app.plan_changed.subscribe(self, lambda _: self.show())
        self.show()

    def show(self) -> None:
        task = self.app.tasks.get(self.task_id)
        if task is None:
            self.dismiss()
            return
        practice = self.app.practice(task.practice)
        board = self.app.session.board
        columns = {column.id: column.title for column in board.columns}
        rows = [
            ("Column", columns.get(task.column, task.column)),
            ("Status", task.status),
            ("Practice", printable(practice.name if practice else (task.practice or "-"))),
            ("Week", task.week or ""),
            ("Day", f"{task.day:%a %d %b %Y}" if task.day else ""),
            ("Due", f"{task.due:%a %d %b %Y}" if task.due else ""),
            ("Estimate", format_minutes(task.estimate)),
            ("Spent", format_minutes(task.spent)),
            ("Tags", " ".join(tag_label(tag) for tag in task.tags)),
            ("Created", f"{task.created:%Y-%m-%d %H:%M}"),
            ("Done", f"{task.done_at:%Y-%m-%d %H:%M}" if task.done_at else ""),
            ("Id", describe_id(task.id, self.app.session.short_ids()[task.id])),
        ]
        lines = [Content(shown_title(task.title)).stylize("bold"), Content("")]
        lines += [Content.assemble((f"{name:<9}", "dim"), value) for name, value in rows if value]
        self.query_one("#summary", Static).update(Content("\n").join(lines))
        self.query_one("#notes", Static).update(Content(printable(task.notes, multiline=True)) if task.notes
                                                else Content("No notes.").stylize("dim"))

    def action_edit(self) -> None:
        from planner.app.dialogs.task_form import edit_with_form

        task = self.app.tasks.get(self.task_id)
        if task is None:
            return
        edit_with_form(self.app, task)

    def action_notes(self) -> None:
        from planner.app.dialogs.notes import edit_notes

        task = self.app.tasks.get(self.task_id)
        if task is not None:
            edit_notes(self.app, task)
