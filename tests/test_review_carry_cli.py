"""`planner review WEEK --carry next|backlog`: the week's open tasks carried over from the command
line, as the review flow's last page does in the app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_runner import PlannerRunner

MONDAY_AFTER = "2026-11-30T09:00:00+00:00"  # in W49, with W48 not reviewed yet


def on_monday(*runners: PlannerRunner) -> None:
    """The tasks were made on Thursday of W48 (the runner's clock); the review comes on Monday."""
    for runner in runners:
        runner.env["PLANNER_NOW"] = MONDAY_AFTER


@pytest.fixture
def planner(tmp_path: Path) -> PlannerRunner:
    planner = PlannerRunner(tmp_path)
    planner.ok("init")
    return planner


def add(planner: PlannerRunner, title: str, *args: str) -> str:
    return json.loads(planner.ok("add", title, *args, "--json").stdout)["id"]


def task(planner: PlannerRunner, task_id: str) -> dict:
    return json.loads(planner.ok("show", task_id, "--json").stdout)


def test_review_says_how_to_carry_and_carry_next_moves_the_open_tasks(planner: PlannerRunner) -> None:
    open_one = add(planner, "Draft the SLA summary", "--day", "fri")
    open_two = add(planner, "Ask Maria about joins", "--week", "this")
    done = add(planner, "Practise window functions", "--day", "thu")
    planner.ok("done", done)
    later = add(planner, "Next week's thing", "--week", "next")
    on_monday(planner)

    reviewed = planner.ok("review").stdout
    assert reviewed.startswith("Reviewing last week (2026-W48)") and "Reviewed 2026-W48" in reviewed
    assert ("2 open tasks left in 2026-W48: `planner review 2026-W48 --carry next` moves them to 2026-W49, "
            "`--carry backlog` puts them back in Backlog") in reviewed
    assert task(planner, open_one)["week"] == "2026-W48"  # nothing moves without --carry

    carried = planner.ok("review", "2026-W48", "--carry", "next").stdout
    assert carried.rstrip().endswith("2 open tasks moved to 2026-W49")
    for task_id in (open_one, open_two):
        moved = task(planner, task_id)
        assert (moved["week"], moved["day"], moved["status"]) == ("2026-W49", None, "open")
    assert task(planner, done)["week"] == "2026-W48" and task(planner, later)["week"] == "2026-W49"
    # Each move is undone on its own, as in the app.
    planner.ok("undo")
    assert sorted(task(planner, task_id)["week"] for task_id in (open_one, open_two)) == ["2026-W48", "2026-W49"]


def test_carry_backlog_unschedules_and_keeps_what_another_writer_changed(planner: PlannerRunner,
                                                                          tmp_path: Path) -> None:
    first = add(planner, "Redraw the volume chart", "--day", "2026-11-27", "--tag", "charts")
    # A second writer (another process on the same folder) edits the task before the carry.
    other = PlannerRunner(tmp_path)
    on_monday(planner, other)
    other.ok("edit", first, "--title", "Redraw the volume chart, one question")
    result = planner.ok("review", "2026-W48", "--carry", "backlog").stdout
    assert result.rstrip().endswith("1 open task put back in Backlog")
    back = task(planner, first)
    assert (back["week"], back["day"], back["column"], back["status"]) == (None, None, "backlog", "open")
    assert back["title"] == "Redraw the volume chart, one question" and back["tags"] == ["charts"]


def test_no_open_tasks_no_carry_line_and_a_bad_choice_is_one_line(planner: PlannerRunner) -> None:
    done = add(planner, "Practise window functions", "--day", "thu")
    planner.ok("done", done)
    on_monday(planner)
    assert "open task" not in planner.ok("review", "2026-W48").stdout
    wrong = planner("review", "--carry", "drop")
    assert wrong.returncode == 1 and len(wrong.stderr.strip().splitlines()) == 1
    assert "invalid choice: 'drop'" in wrong.stderr
