"""Natural days, plan weeks and durations, as a person types them.

Every case uses the fixed day TODAY (Thursday 2026-11-26) so the tables read as a calendar.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from planner.dates import (
    DateError,
    format_minutes,
    parse_minutes,
    parse_week_label,
    resolve_day,
    resolve_week,
    shift_week,
    week_days,
    week_of,
    weekday_index,
)

TODAY = date(2026, 11, 26)
FRIDAY = date(2026, 11, 27)
MONDAY, SATURDAY, SUNDAY = 0, 5, 6


def d(text: str) -> date:
    return date.fromisoformat(text)


def test_fixed_today_is_a_thursday() -> None:
    # The tables below are written against this calendar; fail loudly if it is wrong.
    assert TODAY.strftime("%A") == "Thursday"
    assert FRIDAY.strftime("%A") == "Friday"


# --- natural days --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("today", TODAY, "2026-11-26"),
        ("tod", TODAY, "2026-11-26"),
        ("tomorrow", TODAY, "2026-11-27"),
        ("tom", TODAY, "2026-11-27"),
        ("yesterday", TODAY, "2026-11-25"),
        ("  TOMORROW ", TODAY, "2026-11-27"),
        # a bare weekday is the next such day, today included
        ("fri", TODAY, "2026-11-27"),
        ("friday", TODAY, "2026-11-27"),
        ("Fri", TODAY, "2026-11-27"),
        ("fri", FRIDAY, "2026-11-27"),
        ("thu", TODAY, "2026-11-26"),
        ("wed", TODAY, "2026-12-02"),
        ("mon", TODAY, "2026-11-30"),
        ("sa", TODAY, "2026-11-28"),
        # next / last / this name a day in the next / last / this Monday-based week
        ("next mon", TODAY, "2026-11-30"),
        ("next fri", TODAY, "2026-12-04"),
        ("next   sunday", TODAY, "2026-12-06"),
        ("last fri", TODAY, "2026-11-20"),
        ("last mon", TODAY, "2026-11-16"),
        ("this sun", TODAY, "2026-11-29"),
        ("this mon", TODAY, "2026-11-23"),
        ("this thu", TODAY, "2026-11-26"),
        ("next fri", FRIDAY, "2026-12-04"),
        # offsets
        ("+3d", TODAY, "2026-11-29"),
        ("+2w", TODAY, "2026-12-10"),
        ("-1d", TODAY, "2026-11-25"),
        ("-1w", TODAY, "2026-11-19"),
        ("+0d", TODAY, "2026-11-26"),
        ("+40d", TODAY, "2027-01-05"),
        # ISO dates
        ("2026-12-01", TODAY, "2026-12-01"),
        ("2024-02-29", TODAY, "2024-02-29"),
    ],
)
def test_resolve_day(text: str, today: date, expected: str) -> None:
    assert resolve_day(text, today) == d(expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "someday",
        "t",  # one letter is never enough for a weekday
        "s",  # saturday or sunday
        "next",
        "next week",
        "next someday",
        "after fri",
        "fri mon",
        "+3",
        "3d",
        "+3x",
        "+d",
        "2026-13-01",
        "2026-02-30",
        "2026/12/01",
    ],
)
def test_resolve_day_refuses(text: str) -> None:
    with pytest.raises(DateError):
        resolve_day(text, TODAY)


@pytest.mark.parametrize(
    ("name", "index"),
    [("monday", 0), ("mo", 0), ("TU", 1), ("wed", 2), ("th", 3), ("fri", 4), ("sa", 5), ("sun", 6)],
)
def test_weekday_index(name: str, index: int) -> None:
    assert weekday_index(name) == index


@pytest.mark.parametrize("name", ["", "m", "t", "s", "xyz", "mondays"])
def test_weekday_index_refuses(name: str) -> None:
    with pytest.raises(DateError):
        weekday_index(name)


# --- plan weeks ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "week_start", "expected"),
    [
        ("this", MONDAY, "2026-W48"),
        ("current", MONDAY, "2026-W48"),
        ("next", MONDAY, "2026-W49"),
        ("last", MONDAY, "2026-W47"),
        ("prev", MONDAY, "2026-W47"),
        ("+2", MONDAY, "2026-W50"),
        ("-1", MONDAY, "2026-W47"),
        ("+5", MONDAY, "2026-W53"),
        ("+6", MONDAY, "2027-W01"),
        ("-48", MONDAY, "2025-W52"),
        ("2026-W05", MONDAY, "2026-W05"),
        ("2026w5", MONDAY, "2026-W05"),
        ("2026-W53", MONDAY, "2026-W53"),
        ("tomorrow", MONDAY, "2026-W48"),
        ("next mon", MONDAY, "2026-W49"),
        ("2026-12-31", MONDAY, "2026-W53"),
        ("2027-01-01", MONDAY, "2026-W53"),
        ("2027-01-04", MONDAY, "2027-W01"),
        # Sunday-start weeks: Thursday 26 Nov is in the week that began Sunday 22 Nov (Monday 23 = W48)
        ("this", SUNDAY, "2026-W48"),
        ("next", SUNDAY, "2026-W49"),
        ("2026-11-29", SUNDAY, "2026-W49"),
        ("2026-11-29", MONDAY, "2026-W48"),
    ],
)
def test_resolve_week(text: str, week_start: int, expected: str) -> None:
    assert resolve_week(text, TODAY, week_start) == expected


@pytest.mark.parametrize("text", ["", "soon", "2025-W53", "2026-W54", "2026-W00", "+x", "next month"])
def test_resolve_week_refuses(text: str) -> None:
    with pytest.raises(DateError):
        resolve_week(text, TODAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-W48", "2026-W48"), ("2026w48", "2026-W48"), ("2026-W5", "2026-W05"), (" 2026-w53 ", "2026-W53"),
     ("2020-W53", "2020-W53")],
)
def test_parse_week_label(text: str, expected: str) -> None:
    assert parse_week_label(text) == expected


@pytest.mark.parametrize("text", ["2025-W53", "2026-W54", "2026-W0", "2026-48", "W48", "2026-W480", "26-W48"])
def test_parse_week_label_refuses(text: str) -> None:
    with pytest.raises(DateError):
        parse_week_label(text)


@pytest.mark.parametrize(
    ("day", "week_start", "expected"),
    [
        ("2027-01-01", MONDAY, "2026-W53"),
        ("2027-01-03", MONDAY, "2026-W53"),
        ("2027-01-04", MONDAY, "2027-W01"),
        ("2026-01-01", MONDAY, "2026-W01"),
        ("2025-12-29", MONDAY, "2026-W01"),
        ("2026-11-26", MONDAY, "2026-W48"),
        # a Sunday start labels each week by the Monday inside it, so Sunday moves to the next label
        ("2026-11-28", SUNDAY, "2026-W48"),
        ("2026-11-29", SUNDAY, "2026-W49"),
        ("2026-11-22", SUNDAY, "2026-W48"),
        ("2026-11-21", SUNDAY, "2026-W47"),
        ("2027-01-03", SUNDAY, "2027-W01"),
        # a Saturday start: Saturday 28 Nov begins the week holding Monday 30 Nov
        ("2026-11-27", SATURDAY, "2026-W48"),
        ("2026-11-28", SATURDAY, "2026-W49"),
    ],
)
def test_week_of(day: str, week_start: int, expected: str) -> None:
    assert week_of(d(day), week_start) == expected


@pytest.mark.parametrize(
    ("label", "week_start", "first", "last"),
    [
        ("2026-W48", MONDAY, "2026-11-23", "2026-11-29"),
        ("2026-W48", SUNDAY, "2026-11-22", "2026-11-28"),
        ("2026-W49", SUNDAY, "2026-11-29", "2026-12-05"),
        ("2026-W48", SATURDAY, "2026-11-21", "2026-11-27"),
        ("2026-W53", MONDAY, "2026-12-28", "2027-01-03"),
        ("2027-W01", MONDAY, "2027-01-04", "2027-01-10"),
    ],
)
def test_week_days(label: str, week_start: int, first: str, last: str) -> None:
    days = week_days(label, week_start)
    assert len(days) == 7
    assert days[0] == d(first)
    assert days[-1] == d(last)
    assert [b - a for a, b in zip(days, days[1:])] == [timedelta(days=1)] * 6
    assert days[0].weekday() == week_start


@pytest.mark.parametrize("week_start", range(7))
def test_every_day_is_in_the_week_it_is_labelled_with(week_start: int) -> None:
    start = date(2025, 12, 1)
    for offset in range(800):
        day = start + timedelta(days=offset)
        label = week_of(day, week_start)
        assert day in week_days(label, week_start), (day, label)


@pytest.mark.parametrize(
    ("label", "weeks", "expected"),
    [("2026-W48", 1, "2026-W49"), ("2026-W52", 1, "2026-W53"), ("2026-W53", 1, "2027-W01"),
     ("2027-W01", -1, "2026-W53"), ("2026-W01", -1, "2025-W52"), ("2026-W48", 0, "2026-W48")],
)
@pytest.mark.parametrize("week_start", [MONDAY, SUNDAY])
def test_shift_week(label: str, weeks: int, expected: str, week_start: int) -> None:
    assert shift_week(label, weeks, week_start) == expected


# --- durations -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("45m", 45),
        ("45min", 45),
        ("1h", 60),
        ("1h30m", 90),
        ("1h 30m", 90),
        ("1.5h", 90),
        ("0.25h", 15),
        ("2H", 120),
        ("90", 90),
        (" 90 ", 90),
        ("0", 0),
        ("0m", 0),
        ("10h05m", 605),
    ],
)
def test_parse_minutes(text: str, minutes: int) -> None:
    assert parse_minutes(text) == minutes


@pytest.mark.parametrize(
    "text", ["", "  ", "abc", "m", "h", "1.5m", "1h30", "-5", "1x", "1d", "h30m", "1,5h", "30m1h", "²", "1²m"]
)
def test_parse_minutes_refuses(text: str) -> None:
    with pytest.raises(DateError):
        parse_minutes(text)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(None, ""), (0, "0m"), (45, "45m"), (60, "1h"), (90, "1h30m"), (65, "1h05m"), (600, "10h"), (1439, "23h59m")],
)
def test_format_minutes(minutes: int | None, text: str) -> None:
    assert format_minutes(minutes) == text


def test_format_then_parse_gives_the_same_minutes() -> None:
    for minutes in range(0, 24 * 60 + 1):
        assert parse_minutes(format_minutes(minutes)) == minutes
