"""Outcomes in the app: asked the moment a task is done, in its practice's words; Enter without text
or Esc skips; the details show the outcome and edit it (`O`). Every test checks the task file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from planner.app.app import PlannerApp
from planner.app.dialogs.outcome import OutcomeDialog
from planner.app.dialogs.task_details import TaskDetails
from planner.session import Session
from planner.store import PlanStore

from test_board import cards, focus_column, selected  # noqa: E402  (tests/app is on sys.path)


async def done_on_the_board(pilot, app: PlannerApp):
    await focus_column(pilot, app, "this-week")
    task = selected(app)
    await pilot.press("x")
    await pilot.pause()
    return task


async def test_done_asks_the_practices_question_and_saves_the_answer(app: PlannerApp, store: PlanStore) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        task = await done_on_the_board(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, OutcomeDialog)
        question = dialog.query_one("#outcome-question", Static).visual.plain
        expected = app.session.host.outcome_prompt(task, app.session.board)
        assert question == expected and question != "What did this change, and for whom?"
        assert store.read_task(task.id).status == "done"  # saved before the question
        await pilot.press(*"Saved @anna a day a week [bold]x[/bold]", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, OutcomeDialog)
    saved = store.read_task(task.id)
    assert saved.outcome == "Saved @anna a day a week [bold]x[/bold]"
    assert saved.outcome_people == ("anna",)


@pytest.mark.parametrize("key", ["enter", "escape"])
async def test_an_empty_enter_or_esc_skips_and_writes_nothing_more(app: PlannerApp, store: PlanStore,
                                                                   key: str) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        task = await done_on_the_board(pilot, app)
        before = (store.root / "tasks" / f"{task.id}.toml").read_bytes()
        await pilot.press(key)
        await pilot.pause()
        assert not isinstance(app.screen, OutcomeDialog)
        assert (store.root / "tasks" / f"{task.id}.toml").read_bytes() == before
    assert store.read_task(task.id).outcome == ""


async def test_the_details_show_the_outcome_and_O_edits_it(app: PlannerApp, store: PlanStore) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        task = await done_on_the_board(pilot, app)
        await pilot.press(*"First words", "enter")
        await pilot.pause()
        await focus_column(pilot, app, app.session.board.done_column)
        done = cards(app, app.session.board.done_column)
        done.select_task(task.id)
        await pilot.press("enter")
        await pilot.pause()
        details = app.screen
        assert isinstance(details, TaskDetails)
        assert "Outcome  First words" in details.query_one("#summary", Static).visual.plain
        await pilot.press("O")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, OutcomeDialog) and dialog.query_one(Input).value == "First words"
        await pilot.press("ctrl+u", *"Better words", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TaskDetails)
        assert "Outcome  Better words" in app.screen.query_one("#summary", Static).visual.plain
    assert store.read_task(task.id).outcome == "Better words"


async def test_an_outcome_given_by_the_cli_while_the_question_is_open_is_not_lost(
        app: PlannerApp, store: PlanStore) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        task = await done_on_the_board(pilot, app)
        env = {**os.environ, "PLANNER_NOW": "2026-11-26T17:31:00+00:00"}
        result = subprocess.run([sys.executable, "-m", "planner", "--plans", str(store.root), "edit", task.id,
                                 "--impact", "minutes_saved_per_week=110"], env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        await pilot.press(*"From the app", "enter")
        await pilot.pause()
    saved = store.read_task(task.id)
    assert saved.outcome == "From the app" and dict(saved.impact) == {"minutes_saved_per_week": 110}


async def test_on_the_real_clock_an_outcome_survives_restarts(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLANNER_NOW", raising=False)
    folder = tmp_path / "plans"
    session = Session(folder)
    session.ensure_plan()
    task = session.add_task("Automate the weekly report", practice="skills")
    for run in range(3):
        app = PlannerApp(Session(folder), watch=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            if run == 0:
                await focus_column(pilot, app, "backlog")
                await pilot.press("x")
                await pilot.pause()
                await pilot.press(*"Report in 10 min", "enter")
                await pilot.pause()
            assert app.tasks[task.id].outcome == "Report in 10 min"
        assert PlanStore(folder).read_task(task.id).outcome == "Report in 10 min"
