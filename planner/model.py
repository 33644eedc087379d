"""The plan as immutable values, and pure functions that return a changed copy.

Nothing here touches the disk or the clock: callers pass `now`. Because every value is frozen, an
undo stack is just a list of earlier values, and a change is always "old value in, new value out".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Iterable, Literal, Mapping

from planner.dates import week_days, week_of

SCHEMA_VERSION = 1
Status = Literal["open", "done", "deleted"]
STATUSES: tuple[Status, ...] = ("open", "done", "deleted")
EMPTY: Mapping[str, Any] = MappingProxyType({})


class ModelError(ValueError):
    """A change that the plan's rules do not allow (unknown column, empty title ...)."""


def frozen_mapping(data: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(data)) if data else EMPTY


#: `@name` in an outcome: letters, digits, `.`, `_`, `-` (a trailing `.` ends the sentence).
OUTCOME_PERSON = re.compile(r"(?<![\w@])@([\w][\w.-]*[\w]|[\w])")
#: A metric's name in `impact`: words joined by `_` or `-`, as TOML keys are written bare.
METRIC_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
MAX_OUTCOME_LENGTH = 2000


@dataclass(frozen=True)
class Task:
    """One card on the board and one file in `tasks/`.

    `week` is the plan week the task is scheduled into (`2026-W48`), `day` a day inside it; `estimate`
    and `spent` are minutes. Tags that start with `@` name people (`@maria`). `extra` holds keys this
    version does not know, so they survive a save.
    """

    id: str
    title: str
    created: datetime
    updated: datetime
    column: str = "backlog"
    rank: str = "n"
    status: Status = "open"
    practice: str | None = None
    week: str | None = None
    day: date | None = None
    due: date | None = None
    estimate: int | None = None
    spent: int | None = None
    tags: tuple[str, ...] = ()
    notes: str = ""
    done_at: datetime | None = None
    #: What doing it changed, and for whom (a line or a few), once it is done; `@name` names a person.
    outcome: str = ""
    #: Numbers of that outcome by metric (`minutes_saved_per_week = 110`); summed where they share one.
    impact: Mapping[str, float] = field(default_factory=lambda: EMPTY)
    #: A repeat rule in its normalised words (`every 2 weeks on tue`, planner.repeat), or "".
    repeat: str = ""
    #: The id of the first occurrence of a repeating task, on the occurrences that follow it.
    series: str | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY, compare=False, repr=False)

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def is_done(self) -> bool:
        return self.status == "done"

    @property
    def people(self) -> tuple[str, ...]:
        """The people this task involves: its tags that start with `@`, without the `@`."""
        return tuple(tag[1:] for tag in self.tags if tag.startswith("@") and len(tag) > 1)

    @property
    def outcome_people(self) -> tuple[str, ...]:
        """The people the outcome names (`@anna`), without the `@`, in order, once each."""
        return tuple(dict.fromkeys(OUTCOME_PERSON.findall(self.outcome)))

    @property
    def minutes(self) -> int:
        """Time the task took: `spent` when recorded, else the estimate, else 0."""
        if self.spent is not None:
            return self.spent
        return self.estimate or 0

    def done_on_time(self) -> bool | None:
        """True when done on or before its due day; None when it has no due day or is not done."""
        if self.due is None or self.done_at is None:
            return None
        return self.done_at.date() <= self.due


@dataclass(frozen=True)
class Column:
    id: str
    title: str
    wip: int | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY, compare=False, repr=False)


DEFAULT_COLUMNS = (
    Column("backlog", "Backlog"),
    Column("this-week", "This week"),
    Column("doing", "Doing", wip=3),
    Column("done", "Done"),
)


@dataclass(frozen=True)
class Board:
    """Plan-wide settings from `board.toml`."""

    title: str = "My plan"
    timezone: str = "UTC"
    week_start: int = 0  # 0 = Monday ... 6 = Sunday
    columns: tuple[Column, ...] = DEFAULT_COLUMNS
    done_column: str = "done"
    week_column: str = "this-week"
    practices: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: EMPTY)
    schema: int = SCHEMA_VERSION
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY, compare=False, repr=False)

    def column(self, column_id: str) -> Column:
        for column in self.columns:
            if column.id == column_id:
                return column
        known = ", ".join(column.id for column in self.columns)
        raise ModelError(f"no column {column_id!r} (columns: {known})")

    def practice_settings(self, practice_id: str) -> Mapping[str, Any]:
        return self.practices.get(practice_id, EMPTY)

    def practice_enabled(self, practice_id: str) -> bool:
        return bool(self.practice_settings(practice_id).get("enabled", True))

    def practice_weight(self, practice_id: str, default: float = 1.0) -> float:
        weight = self.practice_settings(practice_id).get("weight", default)
        return float(weight) if isinstance(weight, (int, float)) and weight >= 0 else default


@dataclass(frozen=True)
class WeekPlan:
    """One file in `weeks/`: intentions per practice, answers to plan and review prompts, notes."""

    week: str
    intentions: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    plan_answers: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    review_answers: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    notes: str = ""
    reviewed_at: datetime | None = None
    #: Practices the person chose not to focus on this week (the plan flow skips them).
    skipped: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY, compare=False, repr=False)

    def answers(self, phase: str) -> Mapping[str, str]:
        return self.plan_answers if phase == "plan" else self.review_answers


def answer_key(practice_id: str, prompt_id: str) -> str:
    """Where an answer lives in the week file: `<practice>.<prompt>`."""
    return f"{practice_id}.{prompt_id}"


def one_line(text: str) -> str:
    return " ".join(text.split())


def with_answer(plan: WeekPlan, phase: str, practice_id: str, prompt_id: str, text: str, *,
                states_intention: bool = False) -> WeekPlan:
    """The week with one answer set (blank text removes it). The answer to a planning prompt that
    states its practice's intention becomes that intention too, unless the person wrote a different
    intention themselves (with `i` or `planner intend`), which is then theirs and kept."""
    key = answer_key(practice_id, prompt_id)
    answers = dict(plan.answers(phase))
    before = answers.get(key, "")
    cleaned = text.strip()
    if cleaned:
        answers[key] = cleaned
    else:
        answers.pop(key, None)
    field_name = "plan_answers" if phase == "plan" else "review_answers"
    plan = replace(plan, **{field_name: frozen_mapping(answers)})
    if states_intention and phase == "plan" and plan.intentions.get(practice_id, "") in ("", one_line(before)):
        plan = with_intention(plan, practice_id, cleaned)
    return plan


def with_intention(plan: WeekPlan, practice_id: str, text: str) -> WeekPlan:
    """The week with one practice's intention set (on one line); blank text removes it."""
    intentions = dict(plan.intentions)
    cleaned = one_line(text)
    if cleaned:
        intentions[practice_id] = cleaned
    else:
        intentions.pop(practice_id, None)
    return replace(plan, intentions=frozen_mapping(intentions))


def with_skipped(plan: WeekPlan, practice_id: str, skipped: bool) -> WeekPlan:
    """The week with `practice_id` skipped (not a focus this week) or back in focus."""
    rest = tuple(other for other in plan.skipped if other != practice_id)
    return replace(plan, skipped=(*rest, practice_id) if skipped else rest)


@dataclass(frozen=True)
class WeekView:
    """What plugins see of a week: its label, days, the week file's contents, and `today`."""

    label: str
    days: tuple[date, ...]
    plan: WeekPlan
    today: date

    @property
    def start(self) -> date:
        return self.days[0]

    @property
    def end(self) -> date:
        return self.days[-1]

    def contains(self, moment: date | datetime | None) -> bool:
        if moment is None:
            return False
        day = moment.date() if isinstance(moment, datetime) else moment
        return self.start <= day <= self.end

    @property
    def is_past(self) -> bool:
        return self.end < self.today


def make_week_view(label: str, plan: WeekPlan | None, week_start: int, today: date) -> WeekView:
    return WeekView(label, week_days(label, week_start), plan or WeekPlan(label), today)


# --- task changes -----------------------------------------------------------------------------

def new_task(
    task_id: str,
    title: str,
    now: datetime,
    board: Board,
    *,
    column: str | None = None,
    rank: str | None = None,
    **fields: Any,
) -> Task:
    title = clean_title(title)
    task = Task(id=task_id, title=title, created=now, updated=now, **fields)
    task = _settle_week(task, board)
    if column is None:
        in_week_column = is_scheduled_this_week(task, now, board) and _has_column(board, board.week_column)
        column = board.week_column if in_week_column else board.columns[0].id
    task = move_task(task, column, now, board, rank=rank or "n")
    return replace(task, updated=now)


def with_outcome(task: Task, now: datetime, text: str | None = None,
                 impact: Mapping[str, float | None] | None = None) -> Task:
    """The task with its outcome text (None keeps it, blank clears it) and impact numbers changed
    (a metric set to None is removed)."""
    changed = task
    if text is not None:
        cleaned = "\n".join(line.rstrip() for line in text.strip().splitlines())
        if len(cleaned) > MAX_OUTCOME_LENGTH:
            raise ModelError(f"an outcome is at most {MAX_OUTCOME_LENGTH} characters (this one has {len(cleaned)})")
        changed = replace(changed, outcome=cleaned)
    if impact:
        numbers = dict(changed.impact)
        for metric, value in impact.items():
            check_metric(metric, value)
            if value is None:
                numbers.pop(metric, None)
            else:
                numbers[metric] = value
        changed = replace(changed, impact=frozen_mapping(numbers))
    return _touch(task, changed, now)


def check_metric(metric: str, value: float | None) -> None:
    if not METRIC_NAME.match(metric):
        raise ModelError(f"impact metric {metric!r}: use lower-case words joined by _ or -, such as "
                         "minutes_saved_per_week")
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                              or not math.isfinite(value)):
        raise ModelError(f"impact {metric}: {value!r} is not a number")


def clean_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned:
        raise ModelError("a task needs a title")
    return cleaned


def edit_task(task: Task, now: datetime, board: Board, **changes: Any) -> Task:
    """Change fields of a task; `column` goes through move_task so status stays consistent."""
    column = changes.pop("column", None)
    if "title" in changes:
        changes["title"] = clean_title(changes["title"])
    if "tags" in changes:
        changes["tags"] = normalise_tags(changes["tags"], keep=task.tags)
    edited = _settle_week(replace(task, **changes), board)
    if column is not None and column != edited.column:
        edited = move_task(edited, column, now, board)
    elif column is None:
        edited = _follow_schedule(task, edited, now, board)
    return _touch(task, edited, now)


@dataclass(frozen=True)
class TaskChanges:
    """What a person changed in a task, as operations: fields to set, tags to add and to remove.

    A save applies them to the task as it is on disk at that moment, under the plan's lock
    (`Session.change_task`), never a whole task computed from an earlier read: so two writers
    adding a tag each both keep theirs, and a field nobody touched here keeps what another writer
    saved meanwhile.
    """

    fields: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.fields or self.add_tags or self.remove_tags)

    def apply(self, task: Task, now: datetime, board: Board) -> Task:
        changes = dict(self.fields)
        if self.add_tags or self.remove_tags:
            removed = {tag.strip().lstrip("#").strip() for tag in self.remove_tags} | set(self.remove_tags)
            tags = (*changes.get("tags", task.tags), *normalise_tags(self.add_tags))
            changes["tags"] = [tag for tag in tags if tag not in removed]
        if "week" in changes and "day" not in changes and task.day is not None \
                and week_of(task.day, board.week_start) != changes["week"]:
            changes["day"] = None  # a day outside the week it was moved to
        return edit_task(task, now, board, **changes) if changes else task


def merge_notes(base: str, mine: str, theirs: str) -> str:
    """Notes that two writers changed since `base`: one side's change when the other left them as
    they were; else mine, followed by the lines theirs added, so neither side's writing is lost."""
    if theirs in (base, mine):
        return mine
    if mine == base:
        return theirs
    known = set(base.splitlines()) | set(mine.splitlines())
    added = [line for line in theirs.splitlines() if line not in known]
    return "\n".join([*mine.splitlines(), *added]) if added else mine


def move_task(task: Task, column: str, now: datetime, board: Board, rank: str | None = None) -> Task:
    """Put a task in another column; the done column marks it done, leaving it reopens it."""
    board.column(column)
    status: Status = task.status
    done_at = task.done_at
    if task.status != "deleted":
        if column == board.done_column:
            status, done_at = "done", task.done_at or now
        else:
            status, done_at = "open", None
    moved = replace(task, column=column, status=status, done_at=done_at, rank=rank or task.rank)
    return _touch(task, moved, now)


def complete_task(task: Task, now: datetime, board: Board) -> Task:
    return move_task(task, board.done_column, now, board)


def reopen_column(task: Task, board: Board) -> str:
    """Where a done task goes back to when reopened: the week column if it is scheduled, else the first."""
    return board.week_column if task.week else board.columns[0].id


def delete_task(task: Task, now: datetime) -> Task:
    """Deleting leaves a tombstone so an edit made on another machine is not lost to the delete."""
    return _touch(task, replace(task, status="deleted"), now)


def restore_task(task: Task, now: datetime, board: Board) -> Task:
    status: Status = "done" if task.column == board.done_column else "open"
    return _touch(task, replace(task, status=status), now)


def schedule_task(task: Task, now: datetime, board: Board, *, week: str | None, day: date | None) -> Task:
    """Schedule into a week, or onto a day (which sets the week); both None unschedules."""
    if day is not None:
        week = week_of(day, board.week_start)
    return _touch(task, _follow_schedule(task, replace(task, week=week, day=day), now, board), now)


def carry_task(task: Task, now: datetime, board: Board, to_week: str | None) -> Task:
    """An open task carried over at a week's review: into `to_week` (on no day yet), or with None
    back to the first column, unscheduled. Never a delete: nothing is lost in a review."""
    if to_week is not None:
        return schedule_task(task, now, board, week=to_week, day=None)
    return move_task(schedule_task(task, now, board, week=None, day=None), board.columns[0].id, now, board)


def is_scheduled_this_week(task: Task, now: datetime, board: Board) -> bool:
    """True when the task is scheduled into the week that holds `now`: callers pass the session's
    now, in the plan's time zone, so "this week" is the same week the board and `planner add` see."""
    return task.week is not None and task.week == week_of(now.date(), board.week_start)


def _follow_schedule(before: Task, after: Task, now: datetime, board: Board) -> Task:
    """One rule for `planner add --day`, `s` and `planner edit --day/--week`: an open task in the
    first column that is scheduled into this week moves to the week column. Only a change of
    schedule moves it, so editing the title of a task someone put back in the backlog does not."""
    rescheduled = (before.week, before.day) != (after.week, after.day)
    first_column = board.columns[0].id
    if (rescheduled and after.is_open and after.column == first_column and board.week_column != first_column
            and _has_column(board, board.week_column) and is_scheduled_this_week(after, now, board)):
        return move_task(after, board.week_column, now, board)
    return after


def normalise_tags(tags: Iterable[str], keep: Iterable[str] = ()) -> tuple[str, ...]:
    """Tags without spaces or a leading `#`, in first-seen order, without repeats. Tags in `keep`
    (what the task holds already, perhaps written by hand with a space) pass as they are: an edit
    must not fail on a tag it does not touch."""
    seen: dict[str, None] = {}
    kept = set(keep)
    for tag in tags:
        if tag in kept:
            seen.setdefault(tag, None)
            continue
        cleaned = tag.strip().lstrip("#").strip()
        if cleaned and len(cleaned.split()) == 1:  # no space, tab or newline inside
            seen.setdefault(cleaned, None)
        elif cleaned:
            raise ModelError(f"a tag cannot contain spaces: {tag!r}")
    return tuple(seen)


def _settle_week(task: Task, board: Board) -> Task:
    if task.day is not None:
        return replace(task, week=week_of(task.day, board.week_start))
    return task


def _has_column(board: Board, column_id: str) -> bool:
    return any(column.id == column_id for column in board.columns)


def _touch(before: Task, after: Task, now: datetime) -> Task:
    return after if after == before else replace(after, updated=now)


# --- ordering within a column ------------------------------------------------------------------

RANK_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def rank_between(before: str | None, after: str | None) -> str:
    """A rank string that sorts strictly between `before` and `after` (None = open end).

    Fractional ranks mean moving a card rewrites only that card's file, never its neighbours'.
    """
    if after is None and before:
        return _rank_after(before)
    low = before or ""
    high = after
    if high is not None and low >= high:
        raise ModelError(f"rank {low!r} is not below {high!r}")
    result = []
    index = 0
    while True:
        low_digit = RANK_DIGITS.index(low[index]) if index < len(low) else 0
        high_digit = (
            RANK_DIGITS.index(high[index]) if high is not None and index < len(high) else len(RANK_DIGITS)
        )
        if high_digit - low_digit > 1:
            result.append(RANK_DIGITS[(low_digit + high_digit) // 2])
            return "".join(result)
        result.append(RANK_DIGITS[low_digit])
        if high_digit - low_digit == 1:
            # The next digit can no longer be capped by `high`.
            high = None
        index += 1


def _rank_after(before: str) -> str:
    """The next rank above `before`, counting up (the last digit that can grow grows, the ones after
    it start again at 1: a rank never ends in 0, or nothing could go between `a` and `a0`); past
    all-`z`, the rank doubles in length. So a column that grows at its end
    ten thousand times gets ranks of 8 characters, not of thousands (halving the room that is left
    each time, as between two ranks, would add a character every five cards)."""
    digits = [RANK_DIGITS.index(char) for char in before]
    top = len(RANK_DIGITS) - 1
    for index in range(len(digits) - 1, -1, -1):
        if digits[index] < top:
            digits[index] += 1
            digits[index + 1:] = [1] * (len(digits) - index - 1)
            return "".join(RANK_DIGITS[digit] for digit in digits)
    return before + "0" * (len(before) - 1) + "1"


def column_tasks(tasks: Iterable[Task], column: str) -> list[Task]:
    """Visible tasks of one column, in board order."""
    return sorted(
        (task for task in tasks if task.column == column and task.status != "deleted"),
        key=lambda task: (task.rank, task.id),
    )


def rank_at_end(tasks: Iterable[Task], column: str) -> str:
    """A rank below every visible task of `column` (one pass, no sort: columns can be long)."""
    last = max((task.rank for task in tasks if task.column == column and task.status != "deleted"), default=None)
    return rank_between(last, None)


def tasks_of_week(tasks: Iterable[Task], week: WeekView) -> list[Task]:
    """Tasks that belong to a week: scheduled into it, or done during it (deleted ones excluded)."""
    return [
        task
        for task in tasks
        if task.status != "deleted" and (task.week == week.label or week.contains(task.done_at))
    ]
