"""The demo plan: reproducible, valid, covering every practice, and the committed copy never drifts."""

from __future__ import annotations

import shutil
import tomllib
from datetime import date, timedelta
from pathlib import Path

import pytest

from cli_runner import PlannerRunner
from planner.dates import shift_week, week_days, week_of
from planner.ids import derived_task_id
from planner.demo import DEMO_TODAY, PRACTICES, SERIES, build_demo_plan, main
from planner.model import Task, WeekPlan
from planner.store import LOCK_FILE, PlanStore

EXAMPLE_PLAN = Path(__file__).resolve().parent.parent / "examples" / "demo-plan"
PAST_WEEKS = 13  # a quarter


def snapshot(root: Path) -> dict[str, bytes]:
    """Every plan file by relative path, leaving out the local files the plan's .gitignore names."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != LOCK_FILE and not (path.name.startswith(".") and path.name.endswith(".tmp"))
    }


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "plan"
    build_demo_plan(root, DEMO_TODAY)
    return root


@pytest.fixture(scope="module")
def demo_tasks(demo_root: Path) -> dict[str, Task]:
    tasks, problems = PlanStore(demo_root).read_tasks()
    assert problems == []
    return tasks


def past_week_labels() -> list[str]:
    current = week_of(DEMO_TODAY)
    return [shift_week(current, -offset) for offset in range(PAST_WEEKS, 0, -1)]


def test_same_seed_and_today_give_byte_identical_files(demo_root: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    build_demo_plan(again, DEMO_TODAY, seed=7)
    assert snapshot(again) == snapshot(demo_root)


def test_another_seed_gives_another_history(demo_root: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    build_demo_plan(other, DEMO_TODAY, seed=8)
    assert snapshot(other) != snapshot(demo_root)


def test_every_file_parses_without_problems(demo_root: Path, demo_tasks: dict[str, Task]) -> None:
    store = PlanStore(demo_root)
    assert store.check() == []
    assert store.read_board().timezone == "Europe/London"
    assert len(demo_tasks) == len(list(store.tasks_dir.glob("*.toml")))
    labels = store.week_labels()
    assert labels == [*past_week_labels(), week_of(DEMO_TODAY)]
    for label in labels:
        assert isinstance(store.read_week(label), WeekPlan)
    assert not (demo_root / LOCK_FILE).exists()


def test_tasks_cover_all_seven_practices(demo_tasks: dict[str, Task]) -> None:
    assert {task.practice for task in demo_tasks.values()} == set(PRACTICES)


def test_every_past_week_has_done_tasks_inside_it(demo_tasks: dict[str, Task]) -> None:
    for label in past_week_labels():
        days = week_days(label)
        done = [task for task in demo_tasks.values()
                if task.is_done and task.done_at is not None and days[0] <= task.done_at.date() <= days[-1]]
        assert done, f"no task done in {label}"
        assert all(task.week == label for task in done)


def test_history_has_tombstones_tags_and_late_work(demo_tasks: dict[str, Task]) -> None:
    tasks = list(demo_tasks.values())
    assert any(task.status == "deleted" for task in tasks)
    tags = {tag for task in tasks for tag in task.tags}
    assert {"self-started", "ask-feedback", "acted-on-feedback"} <= tags
    assert len({person for task in tasks for person in task.people}) >= 5
    on_time = [task.done_on_time() for task in tasks if task.done_on_time() is not None]
    assert 0 < on_time.count(False) < on_time.count(True)  # most deadlines met, a few late
    assert any(task.spent is not None for task in tasks)
    assert any(task.is_done and task.practice == "learning" and task.notes for task in tasks)


def test_current_week_is_part_done_across_the_board(demo_tasks: dict[str, Task]) -> None:
    current = week_of(DEMO_TODAY)
    open_columns = {task.column for task in demo_tasks.values() if task.is_open}
    assert open_columns == {"backlog", "this-week", "doing"}
    assert any(task.is_done and task.week == current for task in demo_tasks.values())
    assert any(task.is_open and task.week == current and task.day is not None for task in demo_tasks.values())
    past_ids = set(past_week_labels())
    assert all(task.done_at is None or task.done_at.date() <= DEMO_TODAY for task in demo_tasks.values())
    assert not any(task.is_open and task.week in past_ids for task in demo_tasks.values())


def test_week_files_hold_intentions_and_answers_for_every_practice(demo_root: Path) -> None:
    store = PlanStore(demo_root)
    for label in past_week_labels():
        week = store.read_week(label)
        assert isinstance(week, WeekPlan)
        assert set(week.intentions) == set(PRACTICES)
        assert week.plan_answers and week.review_answers and week.reviewed_at is not None
        for key in (*week.plan_answers, *week.review_answers):
            practice, _, prompt = key.partition(".")
            assert practice in PRACTICES and prompt
    current = store.read_week(week_of(DEMO_TODAY))
    assert isinstance(current, WeekPlan)
    assert current.plan_answers and not current.review_answers and current.reviewed_at is None


def series_of(tasks: dict[str, Task]) -> dict[str, list[Task]]:
    """The repeating tasks by series (the first occurrence's id), in the order of their days."""
    series: dict[str, list[Task]] = {}
    for task in tasks.values():
        if task.repeat:
            series.setdefault(task.series or task.id, []).append(task)
    return {first: sorted(occurrences, key=lambda task: task.day or date.min) for first, occurrences in series.items()}


def test_each_series_runs_through_the_history_with_one_open_occurrence(demo_tasks: dict[str, Task]) -> None:
    series = series_of(demo_tasks)
    assert sorted(occurrences[0].title for occurrences in series.values()) == sorted(item.title for item in SERIES)
    current = week_of(DEMO_TODAY)
    for first, occurrences in series.items():
        assert occurrences[0].id == first and occurrences[0].series is None
        assert all(task.series == first for task in occurrences[1:])
        assert len({(task.title, task.repeat, task.practice) for task in occurrences}) == 1
        open_ones = [task for task in occurrences if task.is_open]
        assert len(open_ones) == 1 and open_ones[0] is occurrences[-1], occurrences[0].title
        assert open_ones[0].week in (current, shift_week(current, 1))
        done = occurrences[:-1]
        assert len(done) >= 5 and all(task.is_done for task in done)
        assert done[0].week in past_week_labels()[:7]  # started in the first half of the quarter
        # Each occurrence after the first is named by the series and the day it was made for, as the
        # app names it: the rule's weekday, before any move to a later day.
        weekday = occurrences[0].day.weekday()
        for task in occurrences[1:]:
            made_for = task.day - timedelta(days=(task.day.weekday() - weekday) % 7)
            assert task.id == derived_task_id(first, made_for.isoformat()), task
        assert any(task.outcome for task in done)
    # The slump week moved occurrences rather than dropping them: one was done on another weekday.
    moved = [task for occurrences in series.values() for task in occurrences
             if task.is_done and task.day is not None and task.day.weekday() != occurrences[0].day.weekday()]
    assert moved and {task.week for task in moved} <= {"2026-W43", "2026-W44"}


def test_done_on_an_open_occurrence_makes_the_next_one_as_the_app_does(demo_root: Path, tmp_path: Path) -> None:
    planner = PlannerRunner(tmp_path)
    shutil.copytree(demo_root, planner.plans)
    series = series_of(PlanStore(planner.plans).read_tasks()[0])
    assert series
    for first, occurrences in series.items():
        upcoming = occurrences[-1]
        weeks_between = (occurrences[-1].day - occurrences[-2].day).days // 7 if len(occurrences) > 1 else 1
        assert weeks_between in (1, 2)  # every week / every 2 weeks, as the rules say
        done = planner.ok("done", upcoming.id).stdout.splitlines()
        next_day = upcoming.day + timedelta(weeks=weeks_between)
        expected_id = derived_task_id(first, next_day.isoformat())
        assert done[1].startswith(f"Next on {next_day:%a %Y-%m-%d}: "), done
        made = tomllib.loads((planner.plans / "tasks" / f"{expected_id}.toml").read_text())
        assert (made["title"], made["series"], made["repeat"], made["status"]) == (
            upcoming.title, first, upcoming.repeat, "open")


def test_committed_example_matches_a_fresh_build(demo_root: Path) -> None:
    committed = snapshot(EXAMPLE_PLAN)
    fresh = snapshot(demo_root)
    assert sorted(committed) == sorted(fresh), "examples/demo-plan has other files: regenerate it (examples/README.md)"
    changed = [name for name in fresh if committed[name] != fresh[name]]
    assert changed == [], f"examples/demo-plan drifted from planner.demo: {changed[:5]}"


def test_other_week_counts_and_days_build_valid_plans(tmp_path: Path) -> None:
    for weeks, today in ((0, date(2026, 11, 23)), (12, date(2026, 11, 29))):
        root = tmp_path / f"plan-{weeks}"
        build_demo_plan(root, today, weeks=weeks, seed=3, timezone="UTC")
        store = PlanStore(root)
        assert store.check() == []
        assert len(store.week_labels()) == weeks + 1


def test_cli_writes_a_plan_and_refuses_an_existing_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "cli"
    assert main([str(root), "--today", "2026-11-26"]) == 0
    assert snapshot(root) == snapshot(EXAMPLE_PLAN)
    capsys.readouterr()
    assert main([str(root), "--today", "2026-11-26"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "already holds a plan" in error
