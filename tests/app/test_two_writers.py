"""The app and the CLI writing the same plan at once: neither loses what the other saved."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from cli_runner import planner_command
from textual.widgets import Input, Static

from planner.app.app import PlannerApp
from planner.app.dialogs.task_form import TaskForm
from planner.app.widgets.card_list import CardList
from planner.store import PlanStore


def cli(plans: Path, *args: str) -> str:
    """The real console script on the same plan, clock and user folders as the app under test."""
    result = subprocess.run([*planner_command(), "--plans", str(plans), *args], capture_output=True, text=True,
                            env={**os.environ, "PYTHONUTF8": "1"}, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_the_undo_history_is_shared_by_the_app_and_the_cli(app: PlannerApp, plans: Path,
                                                                  store: PlanStore) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        column = app.screen.query_one("#cards-this-week", CardList)
        column.focus()
        column.highlighted = 0
        await pilot.pause()
        moved = app.screen.selected_task
        await pilot.press("greater_than_sign")  # the app: this week -> doing
        await pilot.pause()
        other = next(task for task in store.read_tasks()[0].values() if task.is_open and task.id != moved.id)
        cli(plans, "edit", other.id, "--title", "Renamed by the CLI")
        await pilot.press("less_than_sign")  # the app again: doing -> this week
        await pilot.pause()
        await pilot.press("q")
    # Newest first: the app's move back, the CLI's edit, the app's first move.
    assert "Undid move" in cli(plans, "undo")
    assert "Undid edit" in cli(plans, "undo")
    assert store.read_task(other.id).title == other.title
    assert "Undid move" in cli(plans, "undo")
    assert store.read_task(moved.id).column == "this-week"


async def open_form_on_first_card(app: PlannerApp, pilot) -> str:
    column = app.screen.query_one("#cards-this-week", CardList)
    column.focus()
    column.highlighted = 0
    await pilot.pause()
    task_id = app.screen.selected_task.id
    await pilot.press("e")
    await pilot.pause()
    return task_id


async def test_saving_the_form_untouched_keeps_what_another_writer_saved(app: PlannerApp, plans: Path,
                                                                         store: PlanStore) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        task_id = await open_form_on_first_card(app, pilot)
        cli(plans, "edit", task_id, "--add-tag", "outside", "--due", "2026-12-24", "--estimate", "90m")
        await pilot.press("ctrl+s")
        await pilot.pause()
    saved = store.read_task(task_id)
    assert "outside" in saved.tags and str(saved.due) == "2026-12-24" and saved.estimate == 90


async def test_a_form_save_and_an_outside_edit_of_other_fields_both_stay(app: PlannerApp, plans: Path,
                                                                         store: PlanStore) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        task_id = await open_form_on_first_card(app, pilot)
        cli(plans, "edit", task_id, "--add-tag", "outside", "--due", "2026-12-24")
        app.screen.query_one("#title", Input).value = "Renamed in the app"
        app.screen.query_one("#tags", Input).value += " mine"
        await pilot.press("ctrl+s")
        await pilot.pause()
    saved = store.read_task(task_id)
    assert saved.title == "Renamed in the app" and str(saved.due) == "2026-12-24"
    assert {"outside", "mine"} <= set(saved.tags)


async def test_a_field_changed_on_both_sides_is_shown_and_the_person_chooses(app: PlannerApp, plans: Path,
                                                                             store: PlanStore) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        task_id = await open_form_on_first_card(app, pilot)
        cli(plans, "edit", task_id, "--due", "2026-12-24")
        app.screen.query_one("#due", Input).value = "2026-12-20"
        await pilot.press("ctrl+s")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, TaskForm), "the form closed over a conflict"
        message = str(form.query_one("#error", Static).render())
        assert "Changed elsewhere since you opened this: due is now 2026-12-24" in message
        assert str(store.read_task(task_id).due) == "2026-12-24"  # nothing written yet
        await pilot.click("#theirs")
        await pilot.pause()
        assert form.query_one("#due", Input).value == "2026-12-24"
        form.query_one("#due", Input).value = "2026-12-22"  # and then they change it again: no new clash
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, TaskForm)
        assert str(store.read_task(task_id).due) == "2026-12-22"
        # Keep mine: a second ctrl+s over the same clash saves what the person typed.
        await pilot.press("e")
        await pilot.pause()
        cli(plans, "edit", task_id, "--due", "2026-12-31")
        app.screen.query_one("#due", Input).value = "2027-01-04"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, TaskForm)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, TaskForm)
    assert str(store.read_task(task_id).due) == "2027-01-04"
