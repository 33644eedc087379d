"""New task / edit task: title, practice, day, due, estimate, tags, repeat, and the practice's templates.

ctrl+t goes straight to the chosen practice's templates (first asking for a practice when none is
chosen), and Enter on a template saves the task it describes: two keys from `n` to a saved task.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from planner.api import TaskTemplate
from planner.app.keymap import key_label
from planner.dates import DateError, format_minutes, parse_minutes, resolve_day
from planner.model import ModelError, Task, TaskChanges, normalise_tags
from planner.repeat import normalise_repeat
from planner.text import printable


#: The fields the form shows, as read_values returns them.
FORM_FIELDS = ("title", "practice", "day", "due", "estimate", "tags", "repeat")


def form_values(task: Task) -> dict[str, Any]:
    """A task's fields as the form holds them."""
    return {field: getattr(task, field) for field in FORM_FIELDS}


def form_changes(opened: dict[str, Any], typed: dict[str, Any]) -> TaskChanges:
    """Only what the person changed in the form, as operations: fields they edited, and tags added
    or removed (so tags another writer added meanwhile stay)."""
    fields = {field: typed[field] for field in FORM_FIELDS if field != "tags" and typed[field] != opened[field]}
    added = tuple(tag for tag in typed["tags"] if tag not in opened["tags"])
    removed = tuple(tag for tag in opened["tags"] if tag not in typed["tags"])
    return TaskChanges(fields, added, removed)


def conflicts(opened: dict[str, Any], typed: dict[str, Any], saved: Task) -> dict[str, Any]:
    """The fields the person changed that someone else also changed since the form opened, to
    another value: each with what the file holds now."""
    now = form_values(saved)
    return {field: now[field] for field in FORM_FIELDS if field != "tags"
            and typed[field] != opened[field] and now[field] != opened[field] and now[field] != typed[field]}


def shown_value(value: Any) -> str:
    """A field's value as the form's inputs show it."""
    if value is None:
        return "empty"
    if isinstance(value, int):
        return format_minutes(value)
    return str(value)


def edit_with_form(app, task: Task) -> None:
    """Open the form on `task`; only what the user changed is applied, to the task as it is on
    disk then (another writer's changes to other fields stay)."""

    def edited(changes: TaskChanges | None) -> None:
        if changes:
            app.change_task(task.id, changes.apply, f"edit {task.title!r}")

    app.push_screen(TaskForm(task), edited)


class TaskForm(ModalScreen[dict | TaskChanges | None]):
    """A new task's parsed field values; for a task being edited, only what the person changed
    (TaskChanges); None when cancelled. A field changed here that another writer also changed since
    the form opened is shown before saving: save again to keep yours, or take theirs."""

    #: Below 32 lines the fields go without blank lines between them, so a practice's templates and the
    #: buttons fit an 80x24 terminal without scrolling.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    DEFAULT_CSS = """
    TaskForm { align: center middle; }
    TaskForm > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    /* The heading and the buttons are docked, so the fields between them scroll when the terminal is
       too short for them all (a practice's templates add up to 9 lines): Save stays in view. */
    TaskForm #form-heading { dock: top; text-style: bold; }
    TaskForm #form-body { height: auto; max-height: 100%; }
    TaskForm #form-foot { dock: bottom; height: auto; }
    TaskForm Grid { grid-size: 2; grid-columns: 10 1fr; grid-rows: 1; height: auto; grid-gutter: 1 1;
                    margin: 1 0; }
    TaskForm.-short Grid { grid-gutter: 0 1; }
    TaskForm Input, TaskForm Select { width: 1fr; }
    /* Compact fields have no border, and an ANSI theme cannot tint a background: without this a
       focused field looks like the others (an empty one shows only a blinking cursor). */
    TaskForm Input:focus:ansi, TaskForm Select:focus:ansi > SelectCurrent { background: ansi_bright_black; }
    TaskForm #templates { height: auto; max-height: 7; border: round $panel; }
    TaskForm #error { color: $error; height: auto; display: none; }  /* shown with an error */
    TaskForm #form-buttons { height: auto; }
    TaskForm #form-keys { width: 1fr; height: 3; content-align: left middle; color: $text-muted; }
    TaskForm #form-buttons Button { margin-left: 1; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "save", "Save", id="form.save"),
        # Not plain "t": that is typed into the title. The app's ctrl+t (theme) never reaches a modal.
        Binding("ctrl+t", "templates", "Templates", id="form.templates"),
    ]

    def __init__(self, task: Task | None) -> None:
        super().__init__()
        self.task_being_edited = task
        #: The fields as the form opened with them: the base for what the person changed.
        self.opened = form_values(task) if task else {}
        #: Conflicts shown once: a second save with the same ones keeps the person's values.
        self.shown_conflicts: dict[str, Any] = {}
        #: The shown practice's templates by id, and the one whose fields fill the form, if any.
        self.templates: dict[str, TaskTemplate] = {}
        self.chosen_template: TaskTemplate | None = None
        #: Set by ctrl+t with no practice chosen: once one is chosen, its templates get the focus.
        self.templates_wanted = False

    def compose(self) -> ComposeResult:
        task = self.task_being_edited
        practices = [(Content(printable(f"{p.label}  {p.name}")), p.id) for p in self.app.session.host.practices.values()]
        with Vertical():
            yield Static(Content("Edit task" if task else "New task"), id="form-heading")
            with VerticalScroll(id="form-body") as body:
                body.can_focus = False  # Tab goes field to field, each scrolled into view
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
                    yield Label("Repeat")
                    yield Input(task.repeat if task else "", id="repeat",
                                placeholder="every week, every 2 weeks on tue, every weekday", compact=True)
                yield OptionList(id="templates", markup=False)
            with Vertical(id="form-foot"):
                yield Static(id="error")
                with Horizontal(id="form-buttons"):
                    save = key_label(self.app, "form.save", "ctrl+s")
                    keys = (f"{save} saves · {key_label(self.app, 'form.cancel', 'Esc')} cancels" if task
                            else f"{key_label(self.app, 'form.templates', 'ctrl+t')} templates · {save} saves")
                    yield Static(Content(keys), id="form-keys")
                    yield Button("Take theirs", id="theirs")
                    yield Button("Cancel", id="cancel")
                    yield Button("Save", id="save", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()
        self.query_one("#theirs", Button).display = False
        self.show_templates()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.chosen_template = None
        self.show_templates()
        if self.templates_wanted:
            self.templates_wanted = False
            self.focus_templates()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # An edited task keeps its fields: the templates are for new tasks only.
        return not (action == "templates" and self.task_being_edited is not None)

    def action_templates(self) -> None:
        practice = self.query_one("#practice", Select)
        if practice.value is Select.NULL:
            self.templates_wanted = True
            practice.focus()
            practice.action_show_overlay()
            return
        self.focus_templates()

    def focus_templates(self) -> None:
        listing = self.query_one("#templates", OptionList)
        if not listing.option_count:
            name = self.app.session.host.practices[str(self.query_one("#practice", Select).value)].name
            self.say(f"{name} has no templates")
            return
        listing.focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # A list reached by Tab or ctrl+t shows a highlighted row at once, the one Enter saves.
        listing = event.widget
        if isinstance(listing, OptionList) and listing.id == "templates" and listing.highlighted is None \
                and listing.option_count:
            listing.highlighted = 0

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
        listing.add_options(Option(Content(printable(f"{template.title}  ({format_minutes(template.estimate)})")), id=template.id)
                            for template in templates)
        listing.border_title = "Templates: Enter saves the task"
        listing.display = bool(templates)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        template = self.templates.get(event.option.id or "")
        if template is None:
            return
        self.query_one("#title", Input).value = template.title
        self.query_one("#estimate", Input).value = format_minutes(template.estimate)
        self.query_one("#tags", Input).value = " ".join(template.tags)
        self.query_one("#repeat", Input).value = template.repeat
        self.chosen_template = template
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "theirs":
            self.take_theirs()
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
            self.say(str(error))
            return
        task = self.task_being_edited
        if task is None:
            if self.chosen_template is not None and self.chosen_template.notes:
                values["notes"] = self.chosen_template.notes  # as `planner add --template` keeps them
            self.dismiss(values)
            return
        saved = self.app.session.store.read_task(task.id)
        clashes = conflicts(self.opened, values, saved) if isinstance(saved, Task) else {}
        if clashes and clashes != self.shown_conflicts:
            self.shown_conflicts = clashes
            self.say("Changed elsewhere since you opened this: "
                     + "; ".join(f"{field} is now {shown_value(value)}" for field, value in clashes.items())
                     + ". ctrl+s keeps yours, Take theirs shows theirs.")
            self.query_one("#theirs", Button).display = True
            return
        self.dismiss(form_changes(self.opened, values))

    def take_theirs(self) -> None:
        """Put the other writer's values in the clashing fields (and take them as the new base)."""
        for field, value in self.shown_conflicts.items():
            self.opened[field] = value
            if field == "practice":
                self.query_one("#practice", Select).value = value if value else Select.NULL
            else:
                self.query_one(f"#{field}", Input).value = shown_value(value) if value is not None else ""
        self.shown_conflicts = {}
        self.query_one("#theirs", Button).display = False
        self.query_one("#error", Static).display = False

    def say(self, message: str) -> None:
        said = self.query_one("#error", Static)
        said.update(Content(printable(message)))
        said.display = True

    def read_values(self) -> dict[str, Any]:
        """The fields as typed, parsed (FORM_FIELDS); DateError or ModelError when one is not valid."""
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
            "repeat": normalise_repeat(text("repeat")),
        }

