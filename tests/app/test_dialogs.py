"""Every dialog at 80x24: its buttons, keys hint and the control in use are on screen, whole, and not
drawn over; the notes editor hands $EDITOR a file that ends in a newline."""

from __future__ import annotations

import contextlib
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from textual.widget import Widget
from textual.widgets import Button, Input, Static, TextArea

from planner.app.app import PlannerApp
from planner.app.dialogs.notes import NotesEditor
from planner.app.dialogs.prompt_flow import IntentionDialog
from planner.app.dialogs.schedule import ScheduleDialog
from planner.app.dialogs.task_details import TaskDetails
from planner.app.dialogs.task_form import TaskForm
from planner.app.screens.help import HelpScreen
from planner.app.widgets.card_list import CardList

from planner.store import PlanStore

SMALL = (80, 24)
NOTEBOOKS = "Rehearse the 10-minute churn walkthrough out loud, timed"  # open, in the demo's "Doing"


def fully_shown(app: PlannerApp, widget: Widget) -> bool:
    """The whole of `widget` is on the screen, inside what its containers show, and nothing else is
    drawn over any of its corners."""
    screen = app.screen
    geometry = screen.find_widget(widget)
    region = geometry.region
    if not region or not screen.region.contains_region(region) or not geometry.clip.contains_region(region):
        return False
    for x, y in ((region.x, region.y), (region.right - 1, region.bottom - 1)):
        found, _ = screen.get_widget_at(x, y)
        if found is not widget and widget not in found.ancestors:
            return False
    return True


def assert_shown(app: PlannerApp, *widgets: Widget) -> None:
    hidden = [f"{widget!r} at {widget.region}" for widget in widgets if not fully_shown(app, widget)]
    assert not hidden, f"not fully on the {SMALL} screen: {hidden}"


def task_titled(store: PlanStore, title: str) -> str:
    """The open task called `title` (the demo's ids are not for tests to spell out)."""
    [task_id] = [task.id for task in store.read_tasks()[0].values() if task.title == title and task.is_open]
    return task_id


def text_of(widget: Static) -> str:
    return " ".join(widget.visual.plain.split())


async def open_on_board(pilot, app: PlannerApp, column: str, index: int = 0) -> None:
    await pilot.pause()
    cards = app.screen.query_one(f"#cards-{column}", CardList)
    cards.focus()
    cards.highlighted = index
    await pilot.pause()


async def test_the_task_form_keeps_its_buttons_in_view_with_a_practice_and_tab_reaches_every_field(
        app: PlannerApp) -> None:
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, TaskForm)
        form.query_one("#practice").value = "skills"  # its templates appear under the fields
        await pilot.pause()
        assert form.query_one("#templates").display
        assert_shown(app, form.query_one("#cancel", Button), form.query_one("#save", Button))
        assert "ctrl+s" in text_of(form.query_one("#form-keys", Static))
        # Tab visits every field, then the templates and the buttons; each one it reaches is in view.
        reached = []
        for _ in range(12):
            await pilot.press("tab")
            await pilot.pause()
            focused = app.focused
            assert focused is not None
            assert_shown(app, focused)
            reached.append(focused.id)
            assert_shown(app, form.query_one("#cancel", Button), form.query_one("#save", Button))
        assert reached[:10] == ["practice", "day", "due", "estimate", "tags", "repeat", "templates", "cancel", "save",
                                "title"]
        # An error is said above the buttons, on screen.
        form.query_one("#title", Input).value = "Mock interview"
        form.query_one("#due", Input).value = "someday"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "not a date" in text_of(form.query_one("#error", Static))
        assert_shown(app, form.query_one("#error", Static), form.query_one("#save", Button))


async def test_the_edit_form_fits(app: PlannerApp) -> None:
    async with app.run_test(size=SMALL) as pilot:
        await open_on_board(pilot, app, "this-week")
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, TaskForm)
        assert_shown(app, form.query_one("#title", Input), form.query_one("#save", Button),
                     form.query_one("#form-keys", Static))


async def test_details_with_long_notes_keep_their_keys_in_view(app: PlannerApp, store: PlanStore) -> None:
    task_id = task_titled(store, NOTEBOOKS)
    store.update_task(task_id, lambda task: replace(task, notes="\n".join(f"Note line {n}" for n in range(60))))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        cards = app.screen.query_one("#cards-doing", CardList)
        await open_on_board(pilot, app, "doing", cards.task_ids.index(task_id))
        await pilot.press("enter")
        await pilot.pause()
        details = app.screen
        assert isinstance(details, TaskDetails)
        keys = details.query_one("#keys", Static)
        assert_shown(app, keys)
        assert "Esc close" in text_of(keys)


async def test_notes_schedule_intention_and_help_fit(app: PlannerApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    async with app.run_test(size=SMALL) as pilot:
        await open_on_board(pilot, app, "this-week")
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, NotesEditor)
        assert_shown(app, app.screen.query_one(TextArea), app.screen.query_one("#hint", Static))
        await pilot.press("escape", "s")
        await pilot.pause()
        assert isinstance(app.screen, ScheduleDialog)
        assert_shown(app, app.screen.query_one("#when", Input))
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert_shown(app, app.screen.query_one("#bindings").parent)
        await pilot.press("escape", "2")
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, IntentionDialog)
        assert_shown(app, app.screen.query_one("#intention-text", Input), app.screen.query_one("#intention-keys"))


# --- notes in $EDITOR --------------------------------------------------------------------------------

APPEND_A_LINE = """
import sys
with open(sys.argv[1], "a", encoding="utf-8") as notes:
    notes.write("Appended by a script\\n")
"""


async def test_the_editor_gets_notes_ending_in_a_newline(app: PlannerApp, store: PlanStore, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """An editor (or a script) that appends a line must not glue it to the last line of the notes."""
    script = tmp_path / "append.py"
    script.write_text(APPEND_A_LINE, encoding="utf-8")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    task_id = task_titled(store, NOTEBOOKS)
    store.update_task(task_id, lambda task: replace(task, notes="First line\n  indented [b]second[/b] line"))
    # A headless test cannot hand the terminal over; running the editor in place is the same to it.
    monkeypatch.setattr(PlannerApp, "suspend", lambda self: contextlib.nullcontext())
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        cards = app.screen.query_one("#cards-doing", CardList)
        await open_on_board(pilot, app, "doing", cards.task_ids.index(task_id))
        await pilot.press("o")
        await pilot.pause()
    assert store.read_task(task_id).notes == "First line\n  indented [b]second[/b] line\nAppended by a script"
