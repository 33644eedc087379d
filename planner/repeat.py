"""Repeating tasks: the rule a person types, and the next occurrence when one is done.

A rule is a short phrase (`every 2 weeks on tue`, `every weekday`, `every month on the first mon`),
read by a small strict parser into a `RepeatRule` and kept in the task file as its normalised text.
The date arithmetic is dateutil's rrule. Nothing here touches the disk or the clock.

When an occurrence is done, the next one is scheduled on the rule's next date after the done
occurrence's day (after the day it was done, when it had none). Its id is derived from the series
(the id of the first occurrence) and that date, and so is the rest of its file but `updated`: two
machines that complete the same occurrence write the same file, which a sync merges into one task.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from planner.dates import WEEKDAYS, DateError, checked_day, weekday_index
from planner.model import ModelError

if TYPE_CHECKING:
    from planner.model import Board, Task

ACCEPTED = ("every day, every 3 days, every weekday, every week, every 2 weeks on tue, every week on mon,thu, "
            "every month, every month on the first mon, every month on the 15th, every year, or none")
DAY_NAMES = tuple(name[:3] for name in WEEKDAYS)
ORDINALS = ("first", "second", "third", "fourth", "last")
_ORDINAL_NUMBERS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1,
                    "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_ALIASES = {"daily": "every day", "weekly": "every week", "monthly": "every month", "yearly": "every year",
            "annually": "every year", "every weekdays": "every weekday"}
MAX_INTERVAL = 99
_PHRASE = re.compile(r"^every(?: (?P<count>\d+|other))? (?P<unit>day|week|month|year)s?(?: on (?P<on>.+))?$")
_NTH_WEEKDAY = re.compile(r"^the (?P<ordinal>[a-z0-9]+) (?P<day>[a-z]+)$")
_MONTH_DAY = re.compile(r"^(?:the (?P<day>\d{1,2})(?:st|nd|rd|th)?|day (?P<number>\d{1,2}))$")


class RepeatError(ModelError):
    """A repeat rule the parser cannot read; the message names the forms it accepts."""


@dataclass(frozen=True)
class RepeatRule:
    """A parsed rule: every `interval` `unit`s, on `weekdays` (0 = monday), on day `month_day` of
    the month (-1: the last), or on the `nth` (1-4, -1: last) `weekdays[0]` of the month."""

    unit: str
    interval: int = 1
    weekdays: tuple[int, ...] = ()
    month_day: int | None = None
    nth: int | None = None

    @property
    def text(self) -> str:
        """The rule in its normalised words, as the task file keeps it."""
        if self.unit == "week" and self.interval == 1 and self.weekdays == (0, 1, 2, 3, 4):
            return "every weekday"
        every = f"every {self.unit}" if self.interval == 1 else f"every {self.interval} {self.unit}s"
        if self.weekdays and self.nth is not None:
            return f"{every} on the {ORDINALS[self.nth - 1] if self.nth > 0 else 'last'} {DAY_NAMES[self.weekdays[0]]}"
        if self.weekdays:
            return f"{every} on {','.join(DAY_NAMES[day] for day in self.weekdays)}"
        if self.month_day == -1:
            return f"{every} on the last day"
        if self.month_day is not None:
            return f"{every} on the {_ordinal(self.month_day)}"
        return every

    def rrule(self, start: date, week_start: int = 0):
        """dateutil's rrule for this rule, counted from `start` (weeks begin on `week_start`)."""
        from dateutil import rrule

        frequency = {"day": rrule.DAILY, "week": rrule.WEEKLY, "month": rrule.MONTHLY, "year": rrule.YEARLY}[self.unit]
        days = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)
        options: dict = {"interval": self.interval, "wkst": week_start}
        if self.weekdays and self.nth is not None:
            options["byweekday"] = days[self.weekdays[0]](self.nth)
        elif self.weekdays:
            options["byweekday"] = tuple(days[day] for day in self.weekdays)
        elif self.month_day is not None:
            options["bymonthday"] = self.month_day
        return rrule.rrule(frequency, dtstart=datetime.combine(start, time()), **options)


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _refuse(text: str, why: str = "") -> RepeatError:
    shown = " ".join(text.split())[:60]
    return RepeatError(f"cannot read the repeat rule {shown!r}{f' ({why})' if why else ''}: use {ACCEPTED}")


def _weekdays(text: str, whole: str) -> tuple[int, ...]:
    names = [name for name in re.split(r"\s*(?:,|\band\b)\s*", text) if name]
    if not names:
        raise _refuse(whole)
    try:
        return tuple(sorted({weekday_index(name) for name in names}))
    except DateError as error:
        raise _refuse(whole, str(error)) from None


def parse_repeat(text: str) -> RepeatRule | None:
    """The rule `text` states, or None for no rule (`""`, `none`); RepeatError when it is not one
    of the accepted forms."""
    phrase = " ".join(text.lower().replace(",", " , ").split()).replace(" , ", ",").replace(" ,", ",")
    phrase = phrase.replace(", ", ",")
    if phrase in ("", "none", "never", "-"):
        return None
    phrase = _ALIASES.get(phrase, phrase)
    if phrase == "every weekday":
        return RepeatRule("week", 1, (0, 1, 2, 3, 4))
    match = _PHRASE.match(phrase)
    if match is None:
        if phrase.startswith("every "):  # `every tue`, `every mon,thu`: every week on those days
            try:
                return RepeatRule("week", 1, _weekdays(phrase[len("every "):], text))
            except RepeatError:
                pass
        raise _refuse(text)
    count = match["count"]
    interval = 2 if count == "other" else int(count) if count else 1
    if not 1 <= interval <= MAX_INTERVAL:
        raise _refuse(text, f"the number must be from 1 to {MAX_INTERVAL}")
    unit, on = match["unit"], match["on"]
    if on is None:
        return RepeatRule(unit, interval)
    if unit == "week":
        return RepeatRule(unit, interval, _weekdays(on, text))
    if unit == "month":
        nth = _NTH_WEEKDAY.match(on)
        if on == "the last day":
            return RepeatRule(unit, interval, month_day=-1)
        if nth is not None and nth["ordinal"] in _ORDINAL_NUMBERS:
            try:
                day = weekday_index(nth["day"])
            except DateError as error:
                raise _refuse(text, str(error)) from None
            return RepeatRule(unit, interval, (day,), nth=_ORDINAL_NUMBERS[nth["ordinal"]])
        month_day = _MONTH_DAY.match(on)
        if month_day is not None:
            number = int(month_day["day"] or month_day["number"])
            if not 1 <= number <= 31:
                raise _refuse(text, "a day of the month is from 1 to 31")
            return RepeatRule(unit, interval, month_day=number)
    raise _refuse(text)


def normalise_repeat(text: str | None) -> str:
    """The rule's normalised text ("" for none); RepeatError when it cannot be read."""
    rule = parse_repeat(text or "")
    return rule.text if rule is not None else ""


def next_date(rule: RepeatRule, after: date, week_start: int = 0) -> date:
    """The rule's first date after `after`, counted from `after`; RepeatError past the plan's dates."""
    start = datetime.combine(after, time())
    found = rule.rrule(after, week_start).after(start, inc=False)
    try:
        if found is None:
            raise DateError("no later date")
        return checked_day(found.date())
    except DateError as error:
        raise RepeatError(f"repeat rule {rule.text!r}: no next date after {after.isoformat()} ({error})") from None


def occurrence_day(task: Task) -> date:
    """The day a done occurrence stands for: its scheduled day, else the day it was done."""
    if task.day is not None:
        return task.day
    moment = task.done_at or task.updated
    return moment.date()


def next_occurrence(done: Task, board: Board, now: datetime, rank: str | None = None) -> Task:
    """The occurrence that follows `done` (a task with a repeat rule, just done): same title,
    practice, tags, estimate, notes and rule, on the rule's next date. Its id and `created` come from
    the series and the dates alone, and its rank is `rank` (the done one's former place), so that two
    machines completing the same occurrence make the same file."""
    from planner.ids import derived_task_id
    from planner.model import new_task

    rule = parse_repeat(done.repeat)
    if rule is None:
        raise RepeatError(f"task {done.id} does not repeat")
    anchor = occurrence_day(done)
    day = next_date(rule, anchor, board.week_start)
    series = done.series or done.id
    task = new_task(derived_task_id(series, day.isoformat()), done.title, now, board, rank=rank or done.rank,
                    practice=done.practice, day=day, estimate=done.estimate, tags=done.tags, notes=done.notes,
                    repeat=done.repeat, series=series)
    created = datetime.combine(anchor, time(), tzinfo=now.tzinfo)
    return replace(task, created=created, updated=now)
