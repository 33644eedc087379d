"""Repeating tasks: the rule's words, its dates, the file format, and the next occurrence a done makes
(once, whichever machine makes it), with undo and redo."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.api import TaskTemplate
from planner.ids import derived_task_id, is_task_id
from planner.model import Board, Task, complete_task, new_task
from planner.repeat import (
    RepeatError,
    RepeatRule,
    next_date,
    next_occurrence,
    normalise_repeat,
    parse_repeat,
)
from planner.schema import SchemaError, dumps, task_from_checked, task_from_toml, task_to_toml
from planner.session import Session
from planner.store import PlanStore
from planner.undo import UndoLog

BOARD = Board()
NOW = datetime(2026, 11, 26, 10, tzinfo=timezone.utc)  # a Thursday


# --- the phrase ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "normalised"), [
    ("every 2 weeks on tue", "every 2 weeks on tue"),
    ("Every 2 Weeks on Tuesday", "every 2 weeks on tue"),
    ("every weekday", "every weekday"),
    ("every week on mon,fri,tue,wed,thu", "every weekday"),
    ("every month on the first mon", "every month on the first mon"),
    ("every month on the 1st monday", "every month on the first mon"),
    ("every month on the last fri", "every month on the last fri"),
    ("every month on the 15th", "every month on the 15th"),
    ("every month on day 2", "every month on the 2nd"),
    ("every month on the last day", "every month on the last day"),
    ("every 3 days", "every 3 days"),
    ("every 1 days", "every day"),
    ("every week on mon,thu", "every week on mon,thu"),
    ("every week on thursday, monday", "every week on mon,thu"),
    ("every week on mon and thu", "every week on mon,thu"),
    ("every   week  on  thu , mon", "every week on mon,thu"),
    ("every tue", "every week on tue"),
    ("every mon,thu", "every week on mon,thu"),
    ("every other week", "every 2 weeks"),
    ("weekly", "every week"),
    ("daily", "every day"),
    ("every 2 months", "every 2 months"),
    ("every year", "every year"),
])
def test_the_phrase_is_read_and_normalised(typed: str, normalised: str) -> None:
    assert normalise_repeat(typed) == normalised
    assert normalise_repeat(normalised) == normalised  # the stored text reads back as itself


@pytest.mark.parametrize("none", ["", "none", "None", "  ", "-"])
def test_none_is_no_rule(none: str) -> None:
    assert parse_repeat(none) is None and normalise_repeat(none) == ""


@pytest.mark.parametrize("bad", [
    "every fortnight", "sometimes", "every 0 days", "every 100 days", "every week on funday",
    "every 2 weeks on", "every month on the 32nd", "every month on the fifth mon", "every day on mon",
    "every year on the first mon", "each week", "every -1 weeks", "every 2", "every s",
])
def test_a_phrase_it_cannot_read_gets_one_line_naming_the_forms(bad: str) -> None:
    with pytest.raises(RepeatError) as raised:
        parse_repeat(bad)
    message = str(raised.value)
    assert "\n" not in message and "cannot read the repeat rule" in message
    for form in ("every weekday", "every 2 weeks on tue", "every month on the first mon", "every 3 days", "none"):
        assert form in message


# --- the dates ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("rule", "after", "expected"), [
    ("every 2 weeks on tue", date(2026, 12, 1), date(2026, 12, 15)),
    ("every 2 weeks on tue", date(2026, 12, 3), date(2026, 12, 15)),  # done on a Thursday without a day
    ("every weekday", date(2026, 11, 27), date(2026, 11, 30)),  # Friday -> Monday
    ("every weekday", date(2026, 11, 28), date(2026, 11, 30)),
    ("every month on the first mon", date(2026, 12, 7), date(2027, 1, 4)),
    ("every month on the first mon", date(2026, 11, 26), date(2026, 12, 7)),
    ("every 3 days", date(2026, 12, 30), date(2027, 1, 2)),
    ("every week on mon,thu", date(2026, 11, 30), date(2026, 12, 3)),
    ("every week on mon,thu", date(2026, 12, 3), date(2026, 12, 7)),
    ("every month on the last day", date(2027, 1, 31), date(2027, 2, 28)),
    ("every month on the last fri", date(2026, 12, 1), date(2026, 12, 25)),
    ("every week", date(2026, 12, 1), date(2026, 12, 8)),
    ("every year", date(2026, 12, 1), date(2027, 12, 1)),
])
def test_next_date(rule: str, after: date, expected: date) -> None:
    assert next_date(parse_repeat(rule), after) == expected


RULES = st.builds(
    RepeatRule,
    unit=st.sampled_from(("day", "week", "month")),
    interval=st.integers(1, 12),
)
WEEKLY = st.builds(lambda interval, days: RepeatRule("week", interval, tuple(sorted(days))),
                   st.integers(1, 8), st.sets(st.integers(0, 6), min_size=1))
MONTHLY_NTH = st.builds(lambda interval, day, nth: RepeatRule("month", interval, (day,), nth=nth),
                        st.integers(1, 6), st.integers(0, 6), st.sampled_from((1, 2, 3, 4, -1)))
DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2200, 12, 31))


@settings(max_examples=300, deadline=None)
@given(st.one_of(RULES, WEEKLY, MONTHLY_NTH), DAYS, st.integers(0, 6))
def test_the_next_date_is_after_the_done_day_and_matches_the_rule(rule: RepeatRule, after: date,
                                                                   week_start: int) -> None:
    found = next_date(rule, after, week_start)
    assert found > after
    assert parse_repeat(rule.text) == rule  # what the file keeps reads back as the same rule
    if rule.unit == "day":
        assert found - after == timedelta(days=rule.interval)
    elif rule.unit == "week" and rule.weekdays:
        assert found.weekday() in rule.weekdays
        assert (found - after).days <= 7 * rule.interval + 6
    elif rule.unit == "week":
        assert found - after == timedelta(weeks=rule.interval)
    elif rule.nth is not None:
        assert found.weekday() == rule.weekdays[0]
        if rule.nth > 0:
            assert (found.day - 1) // 7 == rule.nth - 1
        else:
            assert (found + timedelta(days=7)).month != found.month
    else:  # every n months on the day of `after` (months without that day are passed over)
        assert found.day == after.day
        months = (found.year - after.year) * 12 + found.month - after.month
        assert months % rule.interval == 0


def test_derived_ids_are_task_ids_and_depend_on_series_and_day() -> None:
    one = derived_task_id("series1", "2026-12-15")
    assert is_task_id(one) and one == derived_task_id("series1", "2026-12-15")
    assert one != derived_task_id("series1", "2026-12-16") != derived_task_id("series2", "2026-12-15")


# --- the file --------------------------------------------------------------------------------------

def read_back(task: Task) -> Task:
    import tomllib

    document = tomllib.loads(dumps(task_to_toml(task)).decode())
    return task_from_toml(document, file_id=task.id, fallback_time=NOW)


def test_repeat_and_series_round_trip() -> None:
    task = replace(new_task("t1", "1:1 with my mentor", NOW, BOARD), repeat="every 2 weeks on tue", series="t0")
    text = dumps(task_to_toml(task)).decode()
    assert 'repeat = "every 2 weeks on tue"' in text and 'series = "t0"' in text
    assert read_back(task) == task
    assert task_from_checked({**task_to_toml(task), "created": NOW.isoformat(), "updated": NOW.isoformat()}) \
        == task


def test_old_files_read_as_before_and_unknown_keys_stay() -> None:
    document = {"schema": 1, "id": "t1", "title": "Old", "created": NOW, "mood": "sunny"}
    task = task_from_toml(document, file_id="t1", fallback_time=NOW)
    assert (task.repeat, task.series) == ("", None)
    written = task_to_toml(task)
    assert "repeat" not in written and "series" not in written and written["mood"] == "sunny"


def test_a_hand_written_rule_is_kept_as_written_and_a_bad_one_names_the_key() -> None:
    document = {"schema": 1, "id": "t1", "title": "Hand", "repeat": "Every Week on Monday"}
    assert task_from_toml(document, file_id="t1", fallback_time=NOW).repeat == "Every Week on Monday"
    with pytest.raises(SchemaError) as raised:
        task_from_toml({**document, "repeat": "now and then"}, file_id="t1", fallback_time=NOW)
    assert raised.value.key == "repeat"
    with pytest.raises(SchemaError):
        task_from_toml({**document, "repeat": 7}, file_id="t1", fallback_time=NOW)


def test_templates_may_carry_a_rule() -> None:
    TaskTemplate("weekly", "Weekly learning session", repeat="every week").validate()
    from planner.api import InvalidValue

    with pytest.raises(InvalidValue, match="repeat"):
        TaskTemplate("weekly", "Weekly learning session", repeat="whenever").validate()


# --- the next occurrence -------------------------------------------------------------------------------

def test_the_next_occurrence_copies_the_task_and_its_file_depends_on_the_series_and_day_only() -> None:
    first = new_task("first", "1:1 with my mentor", NOW, BOARD, day=date(2026, 12, 1), practice="relationships",
                     tags=("@maria", "mentor"), estimate=30, notes="Bring the question.", repeat="every 2 weeks on tue")
    done = complete_task(first, NOW, BOARD)
    upcoming = next_occurrence(done, BOARD, NOW)
    assert (upcoming.title, upcoming.practice, upcoming.tags, upcoming.estimate, upcoming.notes, upcoming.repeat) == (
        first.title, first.practice, first.tags, first.estimate, first.notes, first.repeat)
    assert upcoming.day == date(2026, 12, 15) and upcoming.week == "2026-W51" and upcoming.is_open
    assert upcoming.series == "first" and upcoming.id == derived_task_id("first", "2026-12-15")
    assert upcoming.due is None and upcoming.done_at is None and upcoming.spent is None
    later = NOW + timedelta(hours=5)
    elsewhere = next_occurrence(complete_task(first, later, BOARD), BOARD, later)
    assert task_to_toml(replace(elsewhere, updated=upcoming.updated)) == task_to_toml(upcoming)
    following = next_occurrence(complete_task(upcoming, later, BOARD), BOARD, later)
    assert following.series == "first" and following.day == date(2026, 12, 29)


def test_without_a_day_the_next_one_follows_the_done_day() -> None:
    task = complete_task(new_task("t", "Stretch", NOW, BOARD, repeat="every 3 days"), NOW, BOARD)
    assert next_occurrence(task, BOARD, NOW).day == date(2026, 11, 29)


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Session:
    monkeypatch.setenv("PLANNER_NOW", NOW.isoformat())
    session = Session(tmp_path / "plans")
    session.__dict__["undo_log"] = UndoLog(None)  # in memory: this test's history only
    session.create_plan(Board())
    return session


def done_in_session(session: Session, task: Task) -> Task:
    return session.change_task(task, complete_task, "done")


def open_titles(store: PlanStore) -> list[tuple[str, date | None]]:
    tasks = store.read_tasks()[0].values()
    return sorted((task.title, task.day) for task in tasks if task.is_open)


def test_done_makes_the_next_one_once_and_undo_redo_take_it_back_and_bring_it_again(session: Session) -> None:
    task = session.add_task("1:1 with my mentor", day=date(2026, 12, 1), repeat="every 2 weeks on tue")
    done_in_session(session, task)
    [upcoming] = session.also_changed
    assert open_titles(session.store) == [("1:1 with my mentor", date(2026, 12, 15))]
    assert session.tasks[upcoming.id] == upcoming

    # Reopened and done again: the next one is there already, and is not made twice.
    session.change_task(task, lambda current, now, board: replace(
        current, status="open", column="this-week", done_at=None, updated=now), "reopen")
    done_in_session(session, task)
    assert session.also_changed == []
    assert len(open_titles(session.store)) == 1

    session.undo()  # the second done: it made nothing
    session.undo()  # the reopen
    label, undone = session.undo()  # the first done: takes the next one away again
    assert label == "done" and undone.is_open
    assert [other.id for other in session.also_changed] == [upcoming.id]
    assert session.store.read_task(upcoming.id).status == "deleted"
    assert open_titles(session.store) == [("1:1 with my mentor", date(2026, 12, 1))]

    session.redo()
    assert session.store.read_task(upcoming.id).status == "open"
    assert session.store.read_task(task.id).is_done


def test_done_again_after_an_undo_brings_the_next_one_back(session: Session) -> None:
    task = session.add_task("Weekly review", day=date(2026, 11, 27), repeat="every week")
    done_in_session(session, task)
    [upcoming] = session.also_changed
    session.undo()
    assert session.store.read_task(upcoming.id).status == "deleted"
    done_in_session(session, session.tasks[task.id])
    assert [other.id for other in session.also_changed] == [upcoming.id]
    assert session.store.read_task(upcoming.id).status == "open"


def test_a_task_without_a_rule_makes_nothing(session: Session) -> None:
    task = session.add_task("Once", day=date(2026, 11, 27))
    done_in_session(session, task)
    assert session.also_changed == [] and open_titles(session.store) == []
