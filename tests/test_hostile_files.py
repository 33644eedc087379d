"""Files that can arrive by git or by hand: each is a located problem, everything else keeps working,
and nothing crashes, hangs, or reads or writes outside the plan folder."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from cli_runner import PlannerRunner
from planner.store import MAX_FILE_BYTES, MAX_NESTING, PlanStore

GOOD = 'schema = 1\nid = "{id}"\ntitle = "Good {id}"\ncreated = 2026-11-20T09:00:00Z\n'


@pytest.fixture
def plan(run: PlannerRunner) -> PlannerRunner:
    run.ok("init")
    for name in ("good1", "good2"):
        (run.plans / "tasks" / f"{name}.toml").write_text(GOOD.format(id=name))
    return run


def titles(run: PlannerRunner, incomplete: bool = True) -> list[str]:
    """The tasks listed while some file is a problem: a task file makes `list` exit 2 after its
    answer; a week file does not concern it."""
    return sorted(task["title"] for task in run.json("list", "--all", "--json", incomplete=incomplete))


def problems(run: PlannerRunner) -> list[str]:
    result = run("check")
    assert result.returncode == 2, result.stdout + result.stderr
    return result.stdout.splitlines()


# --- what is read -----------------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["tasks/deep.toml", "weeks/2026-W48.toml"])
def test_nesting_thousands_deep_is_a_located_problem(plan: PlannerRunner, where: str) -> None:
    depth = 5_000
    (plan.plans / where).write_text(f'id = "deep"\ntitle = "t"\nweek = "2026-W48"\ndeep = {"[" * depth}{"]" * depth}\n')
    assert titles(plan, incomplete=where.startswith("tasks")) == ["Good good1", "Good good2"]
    [problem] = problems(plan)
    assert problem.startswith(f"plans/{where}:") and f"nested more than {MAX_NESTING} deep" in problem
    assert "RecursionError" not in plan("week", "--json").stderr


def test_a_deep_board_is_reported_not_a_recursion_error(plan: PlannerRunner) -> None:
    board = plan.plans / "board.toml"
    board.write_text(board.read_text() + "deep = " + "{ a = " * 3000 + "1" + " }" * 3000 + "\n")
    result = plan("list")
    assert result.returncode == 2 and "plans/board.toml:" in result.stderr and "Traceback" not in result.stderr


def test_a_fifo_a_device_and_links_are_left_alone_quickly(plan: PlannerRunner, tmp_path: Path) -> None:
    tasks = plan.plans / "tasks"
    os.mkfifo(tasks / "fifo.toml")  # reading it would wait forever for a writer
    (tasks / "zero.toml").symlink_to("/dev/zero")  # reading it would never end
    (tasks / "loop.toml").symlink_to(tasks / "loop.toml")
    outside = tmp_path / "outside.toml"
    outside.write_text(GOOD.format(id="outside"))
    (tasks / "outside.toml").symlink_to(outside)
    (tasks / "huge.toml").write_bytes(b'title = "' + b"x" * (MAX_FILE_BYTES + 10) + b'"\n')
    started = time.monotonic()
    assert titles(plan) == ["Good good1", "Good good2"]
    found = problems(plan)
    assert time.monotonic() - started < 10
    named = {line.split(":")[0].removeprefix("plans/tasks/"): line for line in found}
    assert set(named) == {"fifo.toml", "zero.toml", "loop.toml", "outside.toml", "huge.toml"}
    assert "a symbolic link, not a plan file" in named["zero.toml"] and "a symbolic link" in named["loop.toml"]
    assert "not a plain file" in named["fifo.toml"] and "more than a plan file may hold" in named["huge.toml"]
    assert "not a plain file" in plan("edit", "fifo", "--title", "x").stderr


# --- what is written ----------------------------------------------------------------------------------

def test_no_write_goes_through_a_linked_tasks_folder(plan: PlannerRunner, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    tasks = plan.plans / "tasks"
    for path in tasks.iterdir():
        path.rename(elsewhere / path.name)
    tasks.rmdir()
    tasks.symlink_to(elsewhere)
    before = sorted(path.name for path in elsewhere.iterdir())
    result = plan("add", "Through the link")
    assert result.returncode == 2 and "a symbolic link" in result.stderr and "nothing was read or written" in result.stderr
    assert plan("edit", "good1", "--title", "x").returncode == 2
    assert sorted(path.name for path in elsewhere.iterdir()) == before  # no temp file, no rename there
    assert any("plans/tasks:1:1: a symbolic link" in line for line in problems(plan))


def test_a_linked_lock_file_creates_nothing_elsewhere(plan: PlannerRunner, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "f"
    target.parent.mkdir()
    lock = plan.plans / ".planner.lock"
    lock.unlink(missing_ok=True)
    lock.symlink_to(target)
    result = plan("add", "Locked out")
    assert result.returncode == 2 and "symbolic link" in result.stderr
    assert not target.exists()
    assert any(".planner.lock:1:1: a symbolic link" in line for line in problems(plan))


@pytest.mark.parametrize("board", ["missing", "empty"])
def test_a_plan_without_a_usable_board_is_reported_not_replaced(plan: PlannerRunner, board: str) -> None:
    path = plan.plans / "board.toml"
    if board == "missing":
        path.unlink()
    else:
        path.write_text("")
    for arguments in (["list", "--json"], ["add", "x"], ["week"], ["check"], []):
        result = plan(*arguments)
        assert result.returncode == 2, (arguments, result.stdout, result.stderr)
        assert "board.toml" in result.stdout + result.stderr and "Traceback" not in result.stderr
    assert path.exists() is (board == "empty") and (not path.exists() or path.read_text() == "")
    assert not (plan.data / "demo-plan").exists()  # the app did not open the demo instead


def test_stale_temporary_files_are_cleaned_up_on_the_next_write(plan: PlannerRunner) -> None:
    tasks = plan.plans / "tasks"
    stale, fresh = tasks / ".good1.toml.ab12cd.tmp", tasks / ".good2.toml.ef34gh.tmp"
    stale.write_text("half a fi")
    fresh.write_text("half a fi")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    plan.ok("edit", "good1", "--title", "Edited")
    assert not stale.exists() and fresh.exists()  # a fresh one may be another writer's, mid-save


# --- values ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("rank", ["~", "ZZZ", ""])
def test_a_bad_rank_is_a_located_problem_and_new_tasks_still_go_in(plan: PlannerRunner, rank: str) -> None:
    (plan.plans / "tasks" / "ranked.toml").write_text(GOOD.format(id="ranked") + f'column = "backlog"\nrank = "{rank}"\n')
    plan.ok("add", "After it", "--column", "backlog")
    [problem] = problems(plan)
    assert problem.startswith("plans/tasks/ranked.toml:6:8: rank:")
    assert "After it" in titles(plan)


def test_an_infinite_weight_is_refused_and_json_is_always_json(plan: PlannerRunner) -> None:
    board = plan.plans / "board.toml"
    text = board.read_text()
    board.write_text(re.sub(r"(\[practices\.skills\]\nweight = )[0-9.]+", r"\1inf", text, count=1))
    assert "weight = inf" in board.read_text()
    result = plan("score", "--json")
    assert result.returncode == 2 and "practices.skills.weight: inf is not a weight" in result.stderr
    assert "NaN" not in result.stdout


def test_an_upper_case_id_can_be_addressed(plan: PlannerRunner) -> None:
    (plan.plans / "tasks" / "UPPER1.toml").write_text(GOOD.format(id="UPPER1"))
    assert plan.json("show", "upper1", "--json")["id"] == "UPPER1"
    assert plan.json("show", "UPP", "--json")["id"] == "UPPER1"
    plan.ok("done", "upper1")
    assert json.loads(plan.ok("show", "UPPER1", "--json").stdout)["status"] == "done"


def test_end_of_document_errors_point_at_the_last_line(plan: PlannerRunner) -> None:
    (plan.plans / "tasks" / "cut.toml").write_text('id = "cut"\ntitle = "Cut short"\ntags = ["a",')
    [problem] = problems(plan)
    assert problem == "plans/tasks/cut.toml:3:13: not valid TOML: Invalid value (at the end of the file)"


def test_many_broken_files_are_summed_up_not_listed_one_by_one(plan: PlannerRunner) -> None:
    for number in range(40):
        (plan.plans / "tasks" / f"broken{number:02d}.toml").write_text("not = [valid")
    result = plan.incomplete("list")
    notices = [line for line in result.stderr.splitlines() if line.startswith("planner: ")]
    assert len(notices) == 7 and "40 task files could not be read" in notices[0] and "35 more files have problems" in notices[-1]
    assert len(problems(plan)) == 40


def test_store_reads_nothing_through_a_linked_weeks_folder(tmp_path: Path) -> None:
    store = PlanStore(tmp_path / "plans")
    store.create()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "2026-W48.toml").write_text('schema = 1\nweek = "2026-W48"\nnotes = "secret"\n')
    store.weeks_dir.rmdir()
    store.weeks_dir.symlink_to(elsewhere)
    assert store.week_labels() == []
    result = store.read_week("2026-W48")
    assert not hasattr(result, "notes") and "a symbolic link" in str(result)


# --- found by benchmarks/probe_robustness.py -------------------------------------------------------

def test_a_change_that_would_make_a_file_too_big_to_read_is_refused(plan: PlannerRunner) -> None:
    """Saving a file the next read would refuse would lose the whole task (or week) afterwards."""
    big = plan.plans / "tasks" / "big1.toml"
    big.write_text(GOOD.format(id="big1") + 'notes = """\n' + "n" * 940_000 + '"""\n')
    before = big.read_bytes()
    result = plan("edit", "big1", "--title", "t" * 120_000)
    assert result.returncode == 1 and "more than a plan file may" in result.stderr
    assert big.read_bytes() == before
    answer = plan("answer", "skills.focus", "-", "--week", "2026-W48", input="a" * 1_200_000)
    assert answer.returncode == 1 and "not saved" in answer.stderr
    assert not (plan.plans / "weeks" / "2026-W48.toml").exists()
    assert "Good big1" in titles(plan, incomplete=False)


def test_an_error_about_an_unreadable_file_is_told_once(plan: PlannerRunner) -> None:
    (plan.plans / "tasks" / "badtask.toml").write_text('schema = 1\nid = "badtask"\ntitle = 5\n')
    result = plan("edit", "badtask", "--title", "x")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "planner: error: plans/tasks/badtask.toml:3:9: title: expected text, got an integer 5; "
        "fix the file by hand first (it was left as it is)"]


def test_a_hand_written_tag_with_a_space_does_not_block_edits(plan: PlannerRunner) -> None:
    (plan.plans / "tasks" / "spaced.toml").write_text(GOOD.format(id="spaced") + 'tags = ["a b", "c"]\n')
    plan.ok("edit", "spaced", "--add-tag", "x")
    assert plan.json("show", "spaced", "--json")["tags"] == ["a b", "c", "x"]
    plan.ok("edit", "spaced", "--remove-tag", "a b")
    assert plan.json("show", "spaced", "--json")["tags"] == ["c", "x"]
    refused = plan("edit", "spaced", "--add-tag", "new one")  # a new tag is still checked
    assert refused.returncode == 1 and "cannot contain spaces" in refused.stderr
