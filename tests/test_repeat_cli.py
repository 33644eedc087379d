"""Repeating tasks and the calendar export through the real `planner` console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from cli_runner import PlannerRunner


@pytest.fixture
def planner(tmp_path: Path) -> PlannerRunner:
    return PlannerRunner(tmp_path)


def add(planner: PlannerRunner, *args: str) -> dict:
    return json.loads(planner.ok("add", *args, "--json").stdout)


def listed(planner: PlannerRunner, *args: str) -> list[dict]:
    return json.loads(planner.ok("list", "--json", *args).stdout)


def task_file(planner: PlannerRunner, task_id: str) -> dict:
    return tomllib.loads((planner.plans / "tasks" / f"{task_id}.toml").read_text())


def test_add_done_undo_redo_of_a_repeating_task(planner: PlannerRunner) -> None:
    task = add(planner, "1:1 with my mentor", "--repeat", "Every 2 weeks on Tuesday", "--day", "tue")
    assert task["repeat"] == "every 2 weeks on tue" and task["day"] == "2026-12-01"
    assert task_file(planner, task["id"])["repeat"] == "every 2 weeks on tue"
    assert "repeat    every 2 weeks on tue" in planner.ok("show", task["short_id"]).stdout

    done = planner.ok("done", task["short_id"]).stdout.splitlines()
    assert done[0] == f"Done: {task['short_id']}  1:1 with my mentor"
    assert done[1].startswith("Next on Tue 2026-12-15: ") and done[1].endswith("1:1 with my mentor")
    [upcoming] = listed(planner)
    assert (upcoming["day"], upcoming["repeat"], upcoming["series"]) == ("2026-12-15", "every 2 weeks on tue", task["id"])

    assert planner.ok("undo").stdout.startswith("Undid done")
    assert [(item["id"], item["day"]) for item in listed(planner)] == [(task["id"], "2026-12-01")]
    assert task_file(planner, upcoming["id"])["status"] == "deleted"
    planner.ok("redo")
    assert [item["id"] for item in listed(planner)] == [upcoming["id"]]

    # Done twice (reopened in between): still one next task.
    planner.ok("move", task["short_id"], "this-week")
    moved = planner.ok("move", task["short_id"], "done").stdout
    assert "Next" not in moved
    assert len(listed(planner)) == 1


def test_a_repeating_task_added_as_done_has_its_next_one(planner: PlannerRunner) -> None:
    """Logging a habit already done (added straight into Done) schedules the next, like a done;
    undo of the add takes both back."""
    added = planner.ok("add", "Weekly learning session", "--repeat", "every week on sat", "--day", "sat",
                       "--column", "done").stdout.splitlines()
    assert added[0].startswith("Added ") and added[0].endswith("Weekly learning session")
    assert added[1].startswith("Next on Sat 2026-12-05: ")  # the clock: Thursday 26 November
    [upcoming] = listed(planner)
    [done] = [task for task in listed(planner, "--all") if task["status"] == "done"]
    assert (done["day"], upcoming["day"], upcoming["series"]) == ("2026-11-28", "2026-12-05", done["id"])
    assert planner.ok("undo").stdout.startswith("Undid add")
    assert listed(planner) == [] and task_file(planner, upcoming["id"])["status"] == "deleted"


def test_edit_sets_and_stops_the_rule(planner: PlannerRunner) -> None:
    task = add(planner, "Stretch")
    assert "repeat" not in task_file(planner, task["id"])
    planner.ok("edit", task["short_id"], "--repeat", "every weekday")
    assert task_file(planner, task["id"])["repeat"] == "every weekday"
    planner.ok("edit", task["short_id"], "--repeat", "none")
    assert "repeat" not in task_file(planner, task["id"])
    planner.ok("done", task["short_id"])
    assert listed(planner) == []


@pytest.mark.parametrize("command", [("add", "Sometimes"), ("edit", "ID")])
def test_a_rule_it_cannot_read_is_one_line_and_exit_1(planner: PlannerRunner, command: tuple[str, str]) -> None:
    task = add(planner, "Existing")
    args = [part.replace("ID", task["short_id"]) for part in command]
    result = planner(*args, "--repeat", "every fortnight")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "every fortnight" in lines[0] and "every 2 weeks on tue" in lines[0]
    assert "repeat" not in task_file(planner, task["id"])


def test_a_template_carries_its_rule(planner: PlannerRunner) -> None:
    task = add(planner, "--template", "learning.course-module")
    assert task["repeat"] == "every week"
    planner.ok("done", task["short_id"])
    [upcoming] = listed(planner)
    assert upcoming["title"] == task["title"] and upcoming["repeat"] == "every week"
    assert upcoming["day"] == "2026-12-03"  # a week after the day it was done (Thursday 26 November)


def test_on_the_real_clock(planner: PlannerRunner) -> None:
    planner.env.pop("PLANNER_NOW")
    planner.ok("init", "--timezone", "Pacific/Kiritimati")  # far from the machine's UTC: a day ahead
    task = add(planner, "Water the plants", "--repeat", "every 2 days")
    planner.ok("done", task["short_id"])
    [upcoming] = listed(planner)
    done = datetime.fromisoformat(json.loads(planner.ok("show", task["short_id"], "--json").stdout)["done_at"])
    assert date.fromisoformat(upcoming["day"]) == done.date() + timedelta(days=2)
    assert done.utcoffset() == timedelta(hours=14)
    planner.ok("undo")
    assert [item["id"] for item in listed(planner)] == [task["id"]]
    planner.ok("export", "--format", "ics", "--output", "plan.ics")
    assert (planner.root / "plan.ics").read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")


# --- the calendar ---------------------------------------------------------------------------------

HOSTILE = "Plan; review, then\nship\x07 it\x1b[31m \u202eevil\ttabbed"


def test_ics_round_trip(planner: PlannerRunner) -> None:
    icalendar = pytest.importorskip("icalendar")
    timed = add(planner, HOSTILE, "--day", "fri", "--estimate", "45m", "--practice", "skills",
                "--notes", "line one\nline two; with, punctuation", "--tag", "sql")
    second = add(planner, "Second on friday", "--day", "fri", "--estimate", "1h")
    all_day = add(planner, "All day thing", "--day", "sat")
    due = add(planner, "Send the deck", "--due", "sat")
    add(planner, "Next week", "--day", "next mon", "--estimate", "30m")

    output = planner.root / "week.ics"
    planner.ok("export", "--format", "ics", "--week", "this", "--output", str(output))
    data = output.read_bytes()
    assert data == planner.ok("export", "--format", "ics").stdout.replace("\n", "\r\n").encode()
    for char in ("\x07", "\x1b", "\u202e"):
        assert char.encode() not in data
    calendar = icalendar.Calendar.from_ical(data)
    events = {str(event["uid"]): event for event in calendar.walk("VEVENT")}
    todos = {str(todo["uid"]): todo for todo in calendar.walk("VTODO")}
    assert set(events) == {f"{timed['id']}@value-planner", f"{second['id']}@value-planner",
                           f"{all_day['id']}@value-planner"}
    assert set(todos) == {f"{due['id']}-due@value-planner"}

    first = events[f"{timed['id']}@value-planner"]
    assert str(first["summary"]) == "Plan; review, then ship it[31m evil tabbed"  # a title is one line
    assert str(first["description"]) == "line one\nline two; with, punctuation"
    assert first.decoded("dtstart") == datetime(2026, 11, 27, 9, tzinfo=timezone.utc)
    assert first.decoded("dtend") == datetime(2026, 11, 27, 9, 45, tzinfo=timezone.utc)
    assert events[f"{second['id']}@value-planner"].decoded("dtstart") == datetime(2026, 11, 27, 9, 45,
                                                                                   tzinfo=timezone.utc)
    assert events[f"{all_day['id']}@value-planner"].decoded("dtstart") == date(2026, 11, 28)
    assert todos[f"{due['id']}-due@value-planner"].decoded("due") == date(2026, 11, 28)

    # Again after an edit: the same UIDs, so a calendar updates its events instead of adding copies.
    planner.ok("edit", timed["short_id"], "--title", "Renamed")
    again = icalendar.Calendar.from_ical(planner.ok("export", "--format", "ics").stdout.encode())
    renamed = {str(event["uid"]): str(event["summary"]) for event in again.walk("VEVENT")}
    assert set(renamed) == set(events) and renamed[f"{timed['id']}@value-planner"] == "Renamed"

    next_week = icalendar.Calendar.from_ical(planner.ok("export", "--format", "ics", "--week", "next").stdout.encode())
    assert [str(event["summary"]) for event in next_week.walk("VEVENT")] == ["Next week"]
    span = icalendar.Calendar.from_ical(
        planner.ok("export", "--format", "ics", "--from", "2026-11-28", "--to", "2026-11-30").stdout.encode())
    assert sorted(str(event["summary"]) for event in span.walk("VEVENT")) == ["All day thing", "Next week"]


def test_ics_text_keeps_line_breaks_and_drops_controls() -> None:
    icalendar = pytest.importorskip("icalendar")
    from planner.ics import export_calendar
    from planner.model import Board, new_task

    now = datetime(2026, 11, 26, 10, tzinfo=timezone.utc)
    task = new_task("t1", "x", now, Board(), day=date(2026, 11, 27))
    # As a hand-written file may hold them: a title over lines, with controls and a NUL.
    task = replace(task, title="One; two,\r\nthree\\ four\x00\x7f\x9b end\u2028after",
                   notes="a\rb\tc", tags=("x,y", "semi;colon"))
    data = export_calendar([task], Board(), timezone.utc, date(2026, 11, 23), date(2026, 11, 29))
    for char in ("\x00", "\x7f", "\x9b", "\u2028", "\r\n\r\n"):
        assert char.encode() not in data
    [event] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert str(event["summary"]) == "One; two,\nthree\\ four end\nafter"
    assert str(event["description"]) == "a\nb c"
    assert [str(category) for category in event["categories"].cats] == ["x,y", "semi;colon"]


def test_ics_options_that_do_not_fit_exit_1(planner: PlannerRunner) -> None:
    add(planner, "Something", "--day", "fri")
    for args in (("--from", "mon"), ("--format", "ics", "--week", "this", "--from", "mon"),
                 ("--format", "ics", "--from", "2026-11-30", "--to", "2026-11-27")):
        result = planner("export", *args)
        assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_two_clones_that_complete_the_same_occurrence_get_one_next_task(tmp_path: Path) -> None:
    from test_sync import A_CLOCK, B_CLOCK, Machine, sync_both

    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    a, b = Machine(tmp_path / "a", A_CLOCK), Machine(tmp_path / "b", B_CLOCK)
    a.ok("init")
    a.sync("--init", str(remote))
    b.sync("--init", str(remote))
    task_id = a.add("1:1 with my mentor", "--repeat", "every 2 weeks on tue", "--day", "tue")
    sync_both(a, b)
    a.edit(task_id, "done", when={"PLANNER_NOW": "2026-11-26T11:00:00+00:00"})
    b.edit(task_id, "done", when={"PLANNER_NOW": "2026-11-26T12:30:00+00:00"})
    sync_both(a, b)
    for machine in (a, b):
        tasks = json.loads(machine.ok("list", "--all", "--json").stdout)
        upcoming = [task for task in tasks if task["status"] == "open"]
        assert len(upcoming) == 1 and upcoming[0]["day"] == "2026-12-15"
        assert upcoming[0]["conflicts"] == []  # both machines wrote the same task
        assert len(tasks) == 2
        # Both completed the same occurrence: no conflict to resolve, done when first done (on A).
        done = next(task for task in tasks if task["id"] == task_id)
        assert done["conflicts"] == [] and done["done_at"].startswith("2026-11-26T11:00")
