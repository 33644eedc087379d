"""New task / edit task: title, practice, day, due, estimate, tags, and the practice's templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from planner.dates import DateError, format_minutes, parse_minutes, resolve_day
from planner.model import Board, ModelError, Task, edit_task, normalise_tags


def apply_form(task: Task, values: dict[str, Any], now: datetime, board: Board) -> Task:
    """The task with the form's values; a day also sets the week, clearing it keeps the week."""
    changes = dict(values)
    if changes.get("day") is None and "day" in changes:
        changes["week"] = task.week
    return edit_task(task, now, board, **changes)


def edit_with_form(app, task: Task) -> None:
    """Open the form on `task`; what the user saves is applied to the task as it is on disk then."""

    def edited(values: dict | None) -> None:
        if values:
            app.change_task(task.id, lambda current, now, board: apply_form(current, values, now, board),
                            f"edit {task.title!r}")

    app.push_screen(TaskForm(task), edited)


class TaskForm(ModalScreen[dict | None]):
    """Returns the parsed field values, or None when cancelled."""

    DEFAULT_CSS = """
    TaskForm { align: center middle; }
    TaskForm > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    TaskForm Grid { grid-size: 2; grid-columns: 10 1fr; grid-rows: 1; height: auto; grid-gutter: 1 1;
                    margin: 1 0; }
    TaskForm Input, TaskForm Select { width: 1fr; }
    TaskForm #templates { height: auto; max-height: 7; border: round $panel; }
    TaskForm #error { color: $error; height: auto; }
    TaskForm Horizontal { height: auto; align-horizontal: right; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "save", "Save", id="form.save"),
    ]

    def __init__(self, task: Task | None) -> None:
        super().__init__()
        self.task_being_edited = task

    def compose(self) -> ComposeResult:
        task = self.task_being_edited
        practices = [(Content(f"{p.label}  {p.name}"), p.id) for p in self.app.session.host.practices.values()]
        with Vertical():
            yield Static(Content("Edit task" if task else "New task").stylize("bold"))
            with Grid():
                yield Label("Title")
                yield Input(task.title if task else "", id="title", placeholder="what to do", compact=True)
                yield Label("Practice")
                yield Select(practices, value=task.practice if task and task.practice else Select.NULL,
                             id="practice", prompt="none", compact=True)
                yield Label("Day")
                yield Input(f"{task.day}" if task and task.day else "", id="day",
                            placeholder="today, fri, next mon, 2026-12-01", compact=True)
                yield Label("Due")
                yield Input(f"{task.due}" if task and task.due else "", id="due", placeholder="same forms", compact=True)
                yield Label("Estimate")
                yield Input(format_minutes(task.estimate) if task else "", id="estimate", placeholder="45m, 1h30m", compact=True)
                yield Label("Tags")
                yield Input(" ".join(task.tags) if task else "", id="tags", placeholder="sql @maria self-started", compact=True)
            yield OptionList(id="templates", markup=False)
            yield Static(id="error")
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Save", id="save", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()
        self.show_templates()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.show_templates()

    def show_templates(self) -> None:
        listing = self.query_one("#templates", OptionList)
        practice = self.query_one("#practice", Select).value
        listing.clear_options()
        if practice is Select.NULL or self.task_being_edited is not None:
            listing.display = False
            return
        session = self.app.session
        templates = session.host.templates(str(practice), session.board)
        self.templates = {template.id: template for template in templates}
        listing.add_options(Option(Content(f"{template.title}  ({format_minutes(template.estimate)})"), id=template.id)
                            for template in templates)
        listing.border_title = "Templates: Enter fills the form"
        listing.display = bool(templates)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        template = self.templates.get(event.option.id or "")
        if template is None:
            return
        self.query_one("#title", Input).value = template.title
        self.query_one("#estimate", Input).value = format_minutes(template.estimate)
        self.query_one("#tags", Input).value = " ".join(template.tags)
        self.query_one("#title", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def on_input_submitted(self) -> None:
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        try:
            values = self.read_values()
        except (DateError, ModelError) as error:
            self.query_one("#error", Static).update(Content(str(error)))
            return
        self.dismiss(values)

    def read_values(self) -> dict[str, Any]:
        def text(field_id: str) -> str:
            return self.query_one(f"#{field_id}", Input).value.strip()

        if not text("title"):
            raise ModelError("a task needs a title")
        today = self.app.today()
        practice = self.query_one("#practice", Select).value
        return {
            "title": text("title"),
            "practice": None if practice is Select.NULL else str(practice),
            "day": resolve_day(text("day"), today) if text("day") else None,
            "due": resolve_day(text("due"), today) if text("due") else None,
            "estimate": parse_minutes(text("estimate")) if text("estimate") else None,
            "tags": normalise_tags(text("tags").replace(",", " ").split()),
        }

