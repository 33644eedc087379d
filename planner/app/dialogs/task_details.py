"""Everything about one task, read-only, with keys to act on it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from planner.dates import format_minutes
from planner.merge import Conflict, field_group, resolve_task, task_conflicts
from planner.model import ModelError, Task, one_line
from planner.report import describe_id
from planner.text import printable, shown_title, tag_label


def shown_value(value: Any) -> str:
    """A conflicting value as the details show it: quoted text, or the date, or "(none)"."""
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(printable(str(item)) for item in value) or "(none)"
    return shown_title(value) if isinstance(value, str) else printable(str(value))


#: How a conflict on fields that are settled together reads (planner.merge.FIELD_GROUPS).
GROUP_TITLES = {"column": "moved differently on two machines", "week": "scheduled differently on two machines"}


class ConflictRow(Vertical):
    """A field (or fields that go together) a sync found changed on two machines: both values, and
    the two ways to settle it."""

    DEFAULT_CSS = """
    ConflictRow { height: auto; margin-top: 1; }
    ConflictRow Horizontal { height: auto; }
    ConflictRow Button { margin-right: 2; min-width: 16; }
    """

    def __init__(self, entries: list[tuple[Conflict, Any]], index: int) -> None:
        super().__init__()
        self.entries = entries
        self.conflict = entries[0][0]  # resolving one field of a group resolves the group
        self.index = index

    def compose(self) -> ComposeResult:
        group = field_group(self.conflict.field)
        title = GROUP_TITLES[group[0]] if group else "was changed on two machines"
        subject = "The task was" if group else printable(self.conflict.field)
        updated = self.conflict.updated
        parts: list[Any] = [("⚠ ", "bold"), (subject, "bold"), f" {title}",
                            (f" (the other change: {updated:%a %d %b %H:%M})" if updated else "", "dim")]
        width = max(len(conflict.field) for conflict, _ in self.entries) if group else 0
        for conflict, current in self.entries:
            label = f"{conflict.field:<{width}} " if group else ""
            parts += ["\n", (f"  {label}current ", "dim"), shown_value(current),
                      "\n", (f"  {label}other   ", "dim"), shown_value(conflict.value)]
        yield Static(Content.assemble(*parts))
        with Horizontal():
            yield Button("Keep current", id=f"keep-{self.index}", compact=True)
            yield Button("Take other", id=f"take-{self.index}", compact=True, variant="warning")


def grouped(task: Task) -> list[list[tuple[Conflict, Any]]]:
    """The task's conflicts with their current values, fields that are settled together as one."""
    rows: list[list[tuple[Conflict, Any]]] = []
    by_group: dict[tuple[str, ...], list[tuple[Conflict, Any]]] = {}
    for conflict in task_conflicts(task):
        entry = (conflict, getattr(task, conflict.field, task.extra.get(conflict.field)))
        group = field_group(conflict.field)
        if not group:
            rows.append([entry])
        elif group in by_group:
            by_group[group].append(entry)
        else:
            by_group[group] = [entry]
            rows.append(by_group[group])
    return rows


class TaskDetails(ModalScreen[None]):
    DEFAULT_CSS = """
    TaskDetails { align: center middle; }
    TaskDetails > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    /* Long notes scroll; the keys stay docked under them, in view. */
    TaskDetails #details-body { height: auto; max-height: 100%; }
    TaskDetails #conflicts { height: auto; }
    TaskDetails #notes { margin-top: 1; }
    TaskDetails #keys { dock: bottom; color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape,enter,q", "dismiss", "Close", id="details.close"),
        Binding("e", "edit", "Edit", id="details.edit"),
        Binding("o", "notes", "Notes", id="details.notes"),
        Binding("O", "outcome", "Outcome", id="details.outcome"),
    ]

    def __init__(self, task_id: str) -> None:
        super().__init__()
        self.task_id = task_id

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll(id="details-body"):
                yield Static(id="summary")
                yield Vertical(id="conflicts")
                yield Static(id="notes")
            yield Static(Content("e edit · o notes in $EDITOR · O outcome · Esc close"), id="keys")

    def on_mount(self) -> None:
        self.app.plan_changed.subscribe(self, lambda _: self.show())
        self.show()

    def show_conflicts(self, task: Task) -> None:
        wanted = grouped(task)
        if [row.entries for row in self.query(ConflictRow)] == wanted:
            return
        box = self.query_one("#conflicts", Vertical)
        box.remove_children()
        box.mount_all(ConflictRow(entries, index) for index, entries in enumerate(wanted))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        action, _, index = (event.button.id or "").partition("-")
        rows = list(self.query(ConflictRow))
        if action not in ("keep", "take") or not index.isdigit() or int(index) >= len(rows):
            return
        event.stop()
        field = rows[int(index)].conflict.field
        zone = self.app.session.store.zone

        def settle(task: Task, now: datetime, board: object) -> Task:
            try:
                return resolve_task(task, field, action == "take", now, zone)
            except ValueError as error:  # resolved meanwhile elsewhere, or the other value no longer fits
                raise ModelError(str(error)) from None

        self.app.change_task(self.task_id, settle, f"resolve {field}")

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
            ("Repeats", printable(task.repeat)),
            ("Outcome", printable(one_line(task.outcome))),
            ("Impact", printable(", ".join(f"{metric} {value:g}" for metric, value in task.impact.items()))),
            ("Id", describe_id(task.id, self.app.session.short_ids()[task.id])),
        ]
        lines = [Content(shown_title(task.title)).stylize("bold"), Content("")]
        lines += [Content.assemble((f"{name:<9}", "dim"), value) for name, value in rows if value]
        self.query_one("#summary", Static).update(Content("\n").join(lines))
        self.show_conflicts(task)
        self.query_one("#notes", Static).update(Content(printable(task.notes, multiline=True)) if task.notes
                                                else Content("No notes.").stylize("dim"))

    def action_edit(self) -> None:
        from planner.app.dialogs.task_form import edit_with_form

        task = self.app.tasks.get(self.task_id)
        if task is None:
            return
        edit_with_form(self.app, task)

    def action_outcome(self) -> None:
        from planner.app.dialogs.outcome import ask_outcome

        ask_outcome(self.app, self.task_id, just_done=False)

    def action_notes(self) -> None:
        from planner.app.dialogs.notes import edit_notes

        task = self.app.tasks.get(self.task_id)
        if task is not None:
            edit_notes(self.app, task)
