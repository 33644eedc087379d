"""Calendar logic: the clock, plan weeks, natural dates and durations a person types.

Every date-time in the core is one kind: a standard-library `datetime`, time-zone aware, in the plan's
zone (`in_zone` makes one of anything). Stored timestamps are parsed with the standard library (40x
faster than pendulum at load); pendulum is used inside this module where calendar sense matters
(the machine's time zone, natural dates such as `next mon`) and never leaves it: a pendulum value
in a stdlib zone loses its zone in arithmetic (`now - timedelta(days=8)` came out naive).
A plan week starts on the board's `week_start` day and is labelled by the ISO week (`2026-W48`) of
the Monday inside it, so a Monday start gives plain ISO weeks and 2026-W53 exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
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
        from zoneinfo import ZoneInfo

        return datetime.now(ZoneInfo(self.timezone)).replace(microsecond=0)


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


def in_zone(moment: datetime, zone: tzinfo) -> datetime:
    """`moment` as the core's one kind of date-time: a plain `datetime`, aware, in `zone`. A naive
    value is taken to be in `zone` already (a hand-written `created = 2026-11-26T09:00:00`)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    elif moment.tzinfo is not zone:
        moment = moment.astimezone(zone)
    if type(moment) is not datetime:  # a subclass (pendulum's DateTime) from a plugin or a test clock
        moment = datetime(moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second,
                          moment.microsecond, tzinfo=moment.tzinfo, fold=moment.fold)
    return moment


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

#: The days a plan may name: wide enough for any plan, and clear of the calendar's ends (year 1 and
#: 9999), so that the arithmetic on a week or a date (its Sunday, the week after) never overflows.
FIRST_YEAR, LAST_YEAR = 1900, 9998
FIRST_DAY, LAST_DAY = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)
OUT_OF_RANGE = f"dates run from {FIRST_YEAR} to {LAST_YEAR}"


def checked_day(day: date, text: str = "") -> date:
    """`day` when a plan may name it (FIRST_DAY to LAST_DAY), else DateError."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DateError(f"{text or day.isoformat()!r} is out of range ({OUT_OF_RANGE})")
    return day


def _offset(day: date, days: int, text: str) -> date:
    """`day` moved by `days`, within the plan's range (DateError, never OverflowError)."""
    try:
        return checked_day(day + timedelta(days=days), text)
    except (OverflowError, ValueError):  # past the calendar's ends, or an offset too big for timedelta
        raise DateError(f"{text!r} is out of range ({OUT_OF_RANGE})") from None


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
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DateError(f"{text.strip()!r} is out of range ({OUT_OF_RANGE})")
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
    """The week `weeks` after `label` (before it when negative); DateError past the plan's range."""
    return week_of(_offset(week_days(label, week_start)[0], 7 * weeks, f"{label} {weeks:+d} weeks"), week_start)


def resolve_week(text: str, today: date, week_start: int = 0) -> str:
    """A week a person names: `2026-W48`, `this`, `next`, `last`, `+2`, `-1`, or any date in it."""
    word = text.strip().lower()
    current = week_of(today, week_start)
    relative = {"this": 0, "current": 0, "next": 1, "last": -1, "prev": -1, "previous": -1}
    if word in relative:
        return shift_week(current, relative[word], week_start)
    if re.fullmatch(r"[+-]\d+", word):
        try:
            return shift_week(current, int(word), week_start)
        except DateError:
            raise DateError(f"{text.strip()!r} is out of range ({OUT_OF_RANGE})") from None
    if WEEK_LABEL.match(word):
        return parse_week_label(text)
    try:
        day = resolve_day(word, today)
    except DateError as error:
        if OUT_OF_RANGE in str(error):
            raise
        raise DateError(f"not a week: {text!r} (use 2026-W48, this, next, last or a date)") from None
    return week_of(day, week_start)


# --- natural days and durations ----------------------------------------------------------------

def resolve_day(text: str, today: date) -> date:
    """A day a person types: `today`, `tomorrow`, `yesterday`, `fri` (the next Friday, today
    included), `next fri` (Friday of next week), `last fri`, `+3d`, `+2w`, or `2026-12-01`."""
    word = " ".join(text.strip().lower().split())
    if not word:
        raise DateError("empty date")
    named = {"today": 0, "tod": 0, "tomorrow": 1, "tom": 1, "yesterday": -1}
    if word in named:
        return _offset(today, named[word], text)
    offset = re.fullmatch(r"([+-])(\d+)([dw])", word)
    if offset:
        amount = int(offset[2]) * (7 if offset[3] == "w" else 1)
        return _offset(today, amount if offset[1] == "+" else -amount, text)
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
        day = date.fromisoformat(word)
    except ValueError:
        raise DateError(
            f"not a date: {text!r} (use today, tomorrow, fri, next mon, +3d or 2026-12-01)"
        ) from None
    return checked_day(day, text)


# --- periods: a month, a quarter, a half, a year ------------------------------------------------

PERIOD_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def period_of(day: date, months: int) -> tuple[date, date]:
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    return start, months_later(start, months) - timedelta(days=1)


def months_later(day: date, months: int) -> date:
    """The first day of the month `months` after (or before) the month of `day`."""
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def resolve_period(text: str, today: date) -> tuple[date, date]:
    """The first and last day of a period a person names: `2026`, `2026-H2`, `2026-Q3`, `2026-07`,
    `this-quarter`, `last-month` (month, quarter, half, year), or a single day (`2026-07-01`, `today`)."""
    word = "-".join(text.strip().lower().replace("_", "-").split())
    relative = re.fullmatch(r"(this|last|next)-(month|quarter|half|year)", word)
    if relative:
        months = PERIOD_MONTHS[relative[2]]
        start, _ = period_of(today, months)
        try:
            start = months_later(start, {"this": 0, "last": -months, "next": months}[relative[1]])
            return start, months_later(start, months) - timedelta(days=1)
        except ValueError:
            raise DateError(f"{text!r} falls outside the years 1-9999") from None
    named = re.fullmatch(r"(\d{4})(?:-(q[1-4]|h[12]|\d{2}))?", word)
    if named and 1 <= int(named[1]) <= 9999:
        year, part = int(named[1]), named[2]
        if part is None:
            return date(year, 1, 1), date(year, 12, 31)
        if part[0] in "qh":
            months = 3 if part[0] == "q" else 6
            start = date(year, (int(part[1]) - 1) * months + 1, 1)
        elif 1 <= int(part) <= 12:
            months, start = 1, date(year, int(part), 1)
        else:
            raise DateError(f"not a month: {text!r}")
        end = date(9999, 12, 31) if year == 9999 and start.month + months > 12 else \
            months_later(start, months) - timedelta(days=1)
        return start, end
    try:
        day = resolve_day(text, today)
    except DateError:
        raise DateError(f"not a period: {text!r} (use 2026-Q3, 2026-H2, 2026, 2026-07, last-quarter, "
                        "this-month or a date such as 2026-07-01)") from None
    return day, day


DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+)m(?:in)?)?$")


#: The longest estimate or time spent a task may hold: 10,000 hours, far beyond any one task.
MAX_MINUTES = 600_000


def parse_minutes(text: str) -> int:
    """`45m`, `1h`, `1h30m`, `1.5h` or a bare `90` (minutes) as a whole number of minutes."""
    word = text.strip().lower().replace(" ", "")
    limit = f"at most {MAX_MINUTES // 60} hours"
    if len(word) > 20:  # before int(): hundreds of digits would only make a number nobody meant
        raise DateError(f"{text.strip()[:20]!r}... is too long a duration ({limit})")
    if word.isdecimal():  # not isdigit(): "²" is a digit that int() refuses
        minutes = int(word)
    else:
        match = DURATION.match(word)
        if not word or not match or not (match[1] or match[2]):
            raise DateError(f"not a duration: {text!r} (use 45m, 1h, 1h30m or 90)")
        hours = float(match[1]) if match[1] else 0.0
        minutes = round(hours * 60) + (int(match[2]) if match[2] else 0)
    if minutes > MAX_MINUTES:
        raise DateError(f"{text.strip()!r} is too long a duration ({limit})")
    return minutes


def format_minutes(minutes: int | None) -> str:
    if minutes is None:
        return ""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h{rest:02d}m"
    return f"{hours}h" if hours else f"{rest}m"
