"""Calendar logic: the clock, plan weeks, natural dates and durations a person types.

Stored timestamps are parsed with the standard library (40x faster than pendulum at load); pendulum is
used where calendar sense matters: the time zone of "now", and natural dates such as `next mon`.
A plan week starts on the board's `week_start` day and is labelled by the ISO week (`2026-W48`) of
the Monday inside it, so a Monday start gives plain ISO weeks and 2026-W53 exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Protocol

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEK_LABEL = re.compile(r"^(\d{4})-?[wW](\d{1,2})$")


class DateError(ValueError):
    """Text that is not a date, week or duration this module understands."""


# --- the clock ---------------------------------------------------------------------------------

class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, time-zone aware, in the plan's time zone."""


@dataclass(frozen=True)
class SystemClock:
    timezone: str = "UTC"

    def now(self) -> datetime:
        import pendulum

        return pendulum.now(self.timezone).replace(microsecond=0)


@dataclass(frozen=True)
class FixedClock:
    """A clock that always says the same time: for tests and reproducible demos."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment


def fixed_clock_from_env(value: str | None, tz: str) -> Clock:
    """`PLANNER_NOW=2026-11-26T09:00:00+01:00` pins the clock (tests, demos, benchmarks)."""
    if not value:
        return SystemClock(tz)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise DateError(f"PLANNER_NOW is not an ISO date-time: {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return FixedClock(moment)


def check_timezone(name: str) -> str:
    """Return `name` when it is a time zone this machine knows, else raise DateError."""
    from zoneinfo import ZoneInfo  # the standard library's: board.toml is read by every command

    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        raise DateError(f"unknown time zone {name!r} (use a name such as Europe/Berlin or UTC)") from None
    return name


def local_timezone() -> str:
    """This machine's time zone name, for a new plan; UTC when the machine has none set."""
    import pendulum

    try:
        name = pendulum.local_timezone().name
    except Exception:  # noqa: BLE001 - a machine with no zone set is simply UTC
        return "UTC"
    return name if name and ("/" in name or name == "UTC") else "UTC"


def weekday_index(name: str) -> int:
    """0 for monday ... 6 for sunday; accepts any unambiguous prefix of at least 2 letters."""
    text = name.strip().lower()
    matches = [i for i, day in enumerate(WEEKDAYS) if len(text) >= 2 and day.startswith(text)]
    if len(matches) != 1:
        raise DateError(f"not a day of the week: {name!r}")
    return matches[0]


# --- plan weeks ----------------------------------------------------------------------------------

def week_start_date(day: date, week_start: int = 0) -> date:
    """The first day of the plan week holding `day`."""
    return day - timedelta(days=(day.weekday() - week_start) % 7)


def week_of(day: date, week_start: int = 0) -> str:
    """The label (`2026-W48`) of the plan week holding `day`."""
    start = week_start_date(day, week_start)
    monday = start + timedelta(days=(0 - week_start) % 7)
    year, number, _ = monday.isocalendar()
    return f"{year}-W{number:02d}"


def parse_week_label(text: str) -> str:
    """Normalise `2026-W48`, `2026w48` or `2026-W5` to `2026-W48` form; DateError if no such week."""
    match = WEEK_LABEL.match(text.strip())
    if not match:
        raise DateError(f"not a week: {text!r} (use 2026-W48, this, next or last)")
    year, number = int(match[1]), int(match[2])
    try:
        date.fromisocalendar(year, number, 1)
    except ValueError:
        raise DateError(f"{year} has no week {number}") from None
    return f"{year}-W{number:02d}"


def week_days(label: str, week_start: int = 0) -> tuple[date, ...]:
    """The seven days of plan week `label`, from its first day."""
    year, number = (int(part) for part in parse_week_label(label).split("-W"))
    monday = date.fromisocalendar(year, number, 1)
    start = monday - timedelta(days=(0 - week_start) % 7)
    return tuple(start + timedelta(days=offset) for offset in range(7))


def shift_week(label: str, weeks: int, week_start: int = 0) -> str:
    return week_of(week_days(label, week_start)[0] + timedelta(weeks=weeks), week_start)


def resolve_week(text: str, today: date, week_start: int = 0) -> str:
    """A week a person names: `2026-W48`, `this`, `next`, `last`, `+2`, `-1`, or any date in it."""
    word = text.strip().lower()
    current = week_of(today, week_start)
    relative = {"this": 0, "current": 0, "next": 1, "last": -1, "prev": -1, "previous": -1}
    if word in relative:
        return shift_week(current, relative[word], week_start)
    if re.fullmatch(r"[+-]\d+", word):
        return shift_week(current, int(word), week_start)
    if WEEK_LABEL.match(word):
        return parse_week_label(word)
    try:
        return week_of(resolve_day(word, today), week_start)
    except DateError:
        raise DateError(f"not a week: {text!r} (use 2026-W48, this, next, last or a date)") from None


# --- natural days and durations ----------------------------------------------------------------

def resolve_day(text: str, today: date) -> date:
    """A day a person types: `today`, `tomorrow`, `yesterday`, `fri` (the next Friday, today
    included), `next fri` (Friday of next week), `last fri`, `+3d`, `+2w`, or `2026-12-01`."""
    word = " ".join(text.strip().lower().split())
    if not word:
        raise DateError("empty date")
    named = {"today": 0, "tod": 0, "tomorrow": 1, "tom": 1, "yesterday": -1}
    if word in named:
        return today + timedelta(days=named[word])
    offset = re.fullmatch(r"([+-])(\d+)([dw])", word)
    if offset:
        amount = int(offset[2]) * (7 if offset[3] == "w" else 1)
        return today + timedelta(days=amount if offset[1] == "+" else -amount)
    words = word.split(" ")
    if len(words) == 2 and words[0] in ("next", "last", "this"):
        modifier, day_name = words
    else:
        modifier, day_name = "", word
    try:
        target = weekday_index(day_name) if " " not in day_name else None
    except DateError:
        target = None
    if target is not None:
        import pendulum

        anchor = pendulum.date(today.year, today.month, today.day)
        monday = anchor.start_of("week")
        if modifier == "next":
            found = monday.add(weeks=1).add(days=target)
        elif modifier == "last":
            found = monday.subtract(weeks=1).add(days=target)
        elif modifier == "this":
            found = monday.add(days=target)
        else:
            found = anchor if anchor.weekday() == target else anchor.next(target)
        return date(found.year, found.month, found.day)
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise DateError(
            f"not a date: {text!r} (use today, tomorrow, fri, next mon, +3d or 2026-12-01)"
        ) from None


DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+)m(?:in)?)?$")


def parse_minutes(text: str) -> int:
    """`45m`, `1h`, `1h30m`, `1.5h` or a bare `90` (minutes) as a whole number of minutes."""
    word = text.strip().lower().replace(" ", "")
    if word.isdecimal():  # not isdigit(): "²" is a digit that int() refuses
        return int(word)
    match = DURATION.match(word)
    if not word or not match or not (match[1] or match[2]):
        raise DateError(f"not a duration: {text!r} (use 45m, 1h, 1h30m or 90)")
    hours = float(match[1]) if match[1] else 0.0
    return round(hours * 60) + (int(match[2]) if match[2] else 0)


def format_minutes(minutes: int | None) -> str:
    if minutes is None:
        return ""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h{rest:02d}m"
    return f"{hours}h" if hours else f"{rest}m"
