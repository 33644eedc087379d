"""The real clock, in a time zone that is neither UTC nor the machine's: every place where a date-time
is made, read back or compared, with nothing pinned.

The machine is in Los Angeles (TZ), the plan in Kolkata (board.toml), the clock is the machine's.
A pinned clock (PLANNER_NOW) hid a crash here: pendulum's "now" lost its zone in arithmetic and
met the tasks' aware times in a comparison. The core holds one kind of date-time: a plain, aware
`datetime` in the plan's zone (planner.dates.in_zone).
"""

from __future__ import annotations

import shutil
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cli_runner import PlannerRunner
from planner import report
from planner.dates import FixedClock, SystemClock, in_zone, week_of
from planner.insights import build_insights
from planner.model import make_week_view, tasks_of_week
from planner.scoring import score_week, score_weeks
from planner.session import Session
from planner.store import PlanStore

DEMO_PLAN = Path(__file__).resolve().parent.parent / "examples" / "demo-plan"
PLAN_ZONE = "Asia/Kolkata"
MACHINE_ZONE = "America/Los_Angeles"


@pytest.fixture
def machine_in_los_angeles(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TZ", MACHINE_ZONE)
    monkeypatch.delenv("PLANNER_NOW", raising=False)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def kolkata_plan(tmp_path: Path, machine_in_los_angeles) -> Path:
    """The demo plan (months of history, written with London offsets), moved to Kolkata."""
    plans = tmp_path / "plans"
    shutil.copytree(DEMO_PLAN, plans)  # copy2 keeps the files' old mtimes: they are indexed at once
    board = plans / "board.toml"
    board.write_text(board.read_text().replace('timezone = "Europe/London"', f'timezone = "{PLAN_ZONE}"'))
    return plans


def is_plan_time(moment: datetime | None, zone: str = PLAN_ZONE) -> bool:
    return (moment is not None and type(moment) is datetime and isinstance(moment.tzinfo, ZoneInfo)
            and moment.tzinfo.key == zone)


# --- the clock -------------------------------------------------------------------------------------

@pytest.mark.parametrize("zone", ["UTC", PLAN_ZONE, MACHINE_ZONE, "Europe/London"])
def test_the_system_clock_gives_plain_aware_times_that_stay_aware(zone: str, machine_in_los_angeles) -> None:
    now = SystemClock(zone).now()
    assert is_plan_time(now, zone)
    earlier = now - timedelta(days=8)  # what the board does to find last week's done cards
    assert earlier.tzinfo is not None and earlier < now
    assert abs(now - datetime.now(timezone.utc)) < timedelta(seconds=5)


def test_in_zone_makes_one_kind_of_any_datetime() -> None:
    import pendulum

    zone = ZoneInfo(PLAN_ZONE)
    moments = [
        pendulum.now("Europe/Paris"),  # a plugin's or a test's clock
        pendulum.now("UTC").astimezone(ZoneInfo("UTC")),  # the mix that went naive in arithmetic
        datetime(2026, 11, 29, 23, 30, tzinfo=timezone.utc),
        datetime(2026, 11, 30, 5, 0),  # naive: taken as the plan's own time
    ]
    for moment in moments:
        converted = in_zone(moment, zone)
        assert is_plan_time(converted)
        assert (converted - timedelta(days=8)).tzinfo is not None
        if moment.tzinfo is not None:
            assert converted == moment
    assert in_zone(moments[3], zone).hour == 5


# --- the session and the store ----------------------------------------------------------------------

def test_every_time_the_core_holds_is_in_the_plans_zone(kolkata_plan: Path) -> None:
    for load in ("files", "index", "index, recent part first"):
        session = Session(kolkata_plan)
        tasks = session.recent_tasks() if load.endswith("first") else session.tasks
        assert is_plan_time(session.now())
        assert tasks, load
        for task in tasks.values():
            assert is_plan_time(task.created) and is_plan_time(task.updated), (load, task)
            assert task.done_at is None or is_plan_time(task.done_at), (load, task)
        week_ago = session.now() - timedelta(days=8)  # the comparison that crashed the third start
        assert sum(task.done_at is not None and task.done_at >= week_ago for task in tasks.values()) >= 0
    plan = session.week_plan("2026-W47")
    assert plan is not None and is_plan_time(plan.reviewed_at)


def test_a_task_done_late_on_sunday_utc_counts_in_the_plans_next_week(kolkata_plan: Path) -> None:
    # 23:30 UTC on Sunday 29 November is 05:00 on Monday 30 November in Kolkata: the plan's next week.
    (kolkata_plan / "tasks" / "late0sunday0utc0.toml").write_text(
        'id = "late0sunday0utc0"\ntitle = "Late on Sunday"\nstatus = "done"\ncolumn = "done"\n'
        'created = 2026-11-29T20:00:00Z\nupdated = 2026-11-29T23:30:00Z\ndone_at = 2026-11-29T23:30:00Z\n')
    session = Session(kolkata_plan)
    task = session.tasks["late0sunday0utc0"]
    assert task.done_at.date() == date(2026, 11, 30)
    board = session.board
    this_week = make_week_view("2026-W49", None, board.week_start, date(2026, 12, 1))
    last_week = make_week_view("2026-W48", None, board.week_start, date(2026, 12, 1))
    assert task in tasks_of_week(session.tasks.values(), this_week)
    assert task not in tasks_of_week(session.tasks.values(), last_week)


def test_changes_on_the_real_clock_are_saved_in_the_plans_zone(kolkata_plan: Path) -> None:
    session = Session(kolkata_plan)
    task = session.add_task("Made on the real clock", day=session.today())
    assert is_plan_time(task.created)
    assert task.week == week_of(session.today(), session.board.week_start)
    text = (kolkata_plan / "tasks" / f"{task.id}.toml").read_text()
    assert "+05:30" in text  # written with the plan's offset, read back as the same moment
    again = PlanStore(kolkata_plan).read_task(task.id)
    assert again.created == task.created and is_plan_time(again.created)
    from planner.model import complete_task

    done = session.change_task(task, complete_task, "done")
    assert is_plan_time(done.done_at) and done.done_at.date() == session.today()
    assert session.undo() is not None  # undo reads its snapshots back in the plan's zone too
    assert session.tasks[task.id].done_at is None


# --- scoring, insights and reports over months of history ---------------------------------------------

def test_scores_insights_and_reports_on_the_real_clock(kolkata_plan: Path) -> None:
    session = Session(kolkata_plan)
    board, host, tasks = session.board, session.host, list(session.tasks.values())
    current = session.current_week()
    plans = {label: session.week_plan(label) for label in session.store.week_labels()}
    results = score_weeks(host, board, current, 12, tasks, plans, session.today())
    assert [result.week.label for result in results][-1] == current
    assert any(result.value is not None for result in results)  # the demo's history scored
    insights = build_insights(results, plans, last_in_progress=True)
    assert len(insights.values) == 12
    view = session.week_view(current)
    week_tasks = tasks_of_week(tasks, view)
    result = score_week(host, board, view, tasks)
    labels = {practice.id: practice.label for practice in host.practices.values()}
    assert current in report.week_text(view, week_tasks, labels, {})
    assert current in report.week_markdown(view, week_tasks, labels, {}, result)
    assert report.score_json(result)["week"] == current
    for task in tasks[:50]:
        assert task.title in report.task_detail(task, board, None, task.id[:7])


def test_a_fixed_clock_in_another_zone_is_read_in_the_plans_zone(kolkata_plan: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANNER_NOW", "2026-11-29T23:30:00+00:00")
    session = Session(kolkata_plan)
    assert isinstance(session.clock, FixedClock)
    assert is_plan_time(session.now()) and session.today() == date(2026, 11, 30)
    assert session.current_week() == "2026-W49"


# --- the real console script ------------------------------------------------------------------------

def test_cli_commands_on_the_real_clock_in_another_zone(kolkata_plan: Path, tmp_path: Path) -> None:
    runner = PlannerRunner(tmp_path)
    runner.env.pop("PLANNER_NOW")
    runner.env["TZ"] = MACHINE_ZONE
    some_task = sorted(path.stem for path in (kolkata_plan / "tasks").glob("*.toml"))[0]
    commands = [("list", "--all"), ("list", "--json"), ("show", some_task), ("week",), ("week", "last"),
                ("score", "--weeks", "8"), ("score", "--weeks", "8", "--json"), ("export",),
                ("export", "--format", "json"), ("add", "Real clock", "--day", "fri", "--due", "+3d"),
                ("review", "last"), ("check",), ("brag", "this-quarter"), ("brag", "last-quarter", "--format", "html"),
                ("brag", "this-year", "--format", "json"), ("export", "--format", "ics", "--week", "next")]
    for _ in range(2):  # the second round on a warm index
        for command in commands:
            runner.ok(*command)


def test_a_repeating_task_on_the_real_clock_restarted(kolkata_plan: Path, tmp_path: Path) -> None:
    """Done twice on the real clock, each in its own process: every occurrence lands on the rule's
    next weekday after the one before, in the plan's zone, with one open occurrence at a time."""
    import json

    runner = PlannerRunner(tmp_path)
    runner.env.pop("PLANNER_NOW")
    runner.env["TZ"] = MACHINE_ZONE
    runner.env["PLANNER_PLANS"] = str(kolkata_plan)
    today = datetime.now(ZoneInfo(PLAN_ZONE)).date()
    first = json.loads(runner.ok("add", "Stand-up notes", "--repeat", "every weekday", "--day", "today",
                                 "--json").stdout)
    assert first["day"] == today.isoformat()
    day, current = today, first
    for _ in range(2):
        runner.ok("done", current["id"], "--outcome", "Posted before the stand-up")
        upcoming = [task for task in json.loads(runner.ok("list", "--all", "--json").stdout)
                    if task.get("series") == first["id"] and task["status"] == "open"]
        assert len(upcoming) == 1
        day = day + timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        assert upcoming[0]["day"] == day.isoformat()
        current = upcoming[0]
    highlights = json.loads(runner.ok("brag", "this-year", "--format", "json").stdout)["highlights"]
    assert [item["outcome"] for item in highlights if item["title"] == "Stand-up notes"] == \
        ["Posted before the stand-up"] * 2
