"""TOML documents <-> model values, with the key in every error and unknown keys kept.

Reading is strict about types (a wrong type is an error naming the key, never a guess) and lenient
about absence (only `id` and `title` are required of a task). Writing puts keys in one fixed order
and leaves out empty ones, so saving unchanged data gives byte-identical files and small git diffs.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timezone, tzinfo
from typing import Any, Callable, Mapping


from planner.dates import MAX_MINUTES, DateError, WEEKDAYS, checked_day, in_zone, parse_week_label, weekday_index
from planner.model import (
    DEFAULT_COLUMNS,
    SCHEMA_VERSION,
    STATUSES,
    Board,
    Column,
    ModelError,
    Task,
    WeekPlan,
    check_metric,
    frozen_mapping,
)

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class SchemaError(ValueError):
    """A document that does not fit the format; `key` is the dotted path of the offending value."""

    def __init__(self, message: str, key: str = "", *, missing: bool = False) -> None:
        super().__init__(message)
        self.key = key
        self.message = message
        #: The key is absent, rather than holding a wrong value: it belongs at the top of the file.
        self.missing = missing


class NewerSchemaError(SchemaError):
    """Written by a newer Value Planner: readable perhaps, but never to be overwritten by this one."""


def dumps(document: Mapping[str, Any]) -> bytes:
    import tomli_w  # only when writing: reading a plan, the app's start-up, never needs it

    return tomli_w.dumps(document, multiline_strings=True).encode("utf-8")


# --- reading helpers -----------------------------------------------------------------------------

def _shown(value: Any, limit: int = 60) -> str:
    """A value as an error message quotes it: its repr, cut short (a file may hold a huge one)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _type_name(value: Any) -> str:
    names = {str: "text", int: "an integer", float: "a number", bool: "true/false", list: "a list",
             dict: "a table", date: "a date", datetime: "a date-time"}
    return names.get(type(value), type(value).__name__)


def _expect(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], what: str, path: str = "") -> Any:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) and kind is not bool:
        ok = False
    else:
        ok = isinstance(value, kind)
    if not ok:
        raise SchemaError(f"{path}{key}: expected {what}, got {_type_name(value)} {_shown(value)}", path + key)
    return value


def _check_schema(data: Mapping[str, Any]) -> None:
    version = _expect(data, "schema", int, "an integer schema version")
    if version is not None and version > SCHEMA_VERSION:
        raise NewerSchemaError(
            f"schema {version} is newer than this version of Value Planner understands "
            f"({SCHEMA_VERSION}); upgrade planner to edit this file",
            "schema",
        )


def _aware(moment: datetime, zone: tzinfo) -> datetime:
    # In the plan's zone, whatever offset the file wrote: the day of a time (which week a task was
    # done in) is the plan's day, and the core holds one kind of date-time (see planner.dates).
    return in_zone(moment, zone)


def _datetime(data: Mapping[str, Any], key: str, zone: tzinfo) -> datetime | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise SchemaError(f"{key}: not a date-time: {_shown(value)} (use 2026-11-26T09:00:00+01:00)", key) from None
    if not isinstance(value, datetime):
        raise SchemaError(f"{key}: expected a date-time, got {_type_name(value)} {_shown(value)}", key)
    return _aware(_in_range(value, key), zone)


def _date(data: Mapping[str, Any], key: str) -> date | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise SchemaError(f"{key}: not a date: {_shown(value)} (use 2026-12-01)", key) from None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise SchemaError(f"{key}: expected a date such as 2026-12-01, got {_type_name(value)} {_shown(value)}", key)
    return _in_range(value, key)


def _in_range(value: Any, key: str) -> Any:
    try:
        checked_day(value.date() if isinstance(value, datetime) else value)
    except DateError as error:
        raise SchemaError(f"{key}: {error}", key) from None
    return value


_RANK = re.compile(r"[0-9a-z]{1,1024}")


def _rank(data: Mapping[str, Any]) -> str:
    """A card's place in its column: lower-case letters and digits, compared as text."""
    rank = _expect(data, "rank", str, "text")
    if rank is None:
        return "n"
    if not _RANK.fullmatch(rank):
        raise SchemaError(f"rank: {_shown(rank)} is not a rank (up to 1024 lower-case letters and digits, "
                          'such as "n"; delete the line to put the card at the end)', "rank")
    return rank


def _minutes(data: Mapping[str, Any], key: str) -> int | None:
    value = _expect(data, key, int, "a whole number of minutes")
    if value is not None and value < 0:
        raise SchemaError(f"{key}: minutes cannot be negative ({value})", key)
    if value is not None and value > MAX_MINUTES:
        raise SchemaError(f"{key}: {_shown(value)} minutes is more than a task can take (at most {MAX_MINUTES})", key)
    return value


def _strings(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = _expect(data, key, list, "a list of text")
    if value is None:
        return ()
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise SchemaError(f"{key}[{index}]: expected text, got {_type_name(item)} {_shown(item)}", key)
    return tuple(value)


def _impact(data: Mapping[str, Any]) -> Mapping[str, float]:
    """`impact = { minutes_saved_per_week = 110 }`: numbers by metric name."""
    table = _expect(data, "impact", dict, "a table of numbers, such as { minutes_saved_per_week = 110 }")
    for name, value in (table or {}).items():
        try:
            check_metric(name, value)
        except ModelError as error:
            raise SchemaError(str(error), f"impact.{name}") from None
    return frozen_mapping(table)


def _text_table(data: Mapping[str, Any], key: str) -> Mapping[str, str]:
    table = _expect(data, key, dict, "a table of text")
    if not table:
        return frozen_mapping(None)
    for name, value in table.items():
        if not isinstance(value, str):
            raise SchemaError(f"{key}.{name}: expected text, got {_type_name(value)} {_shown(value)}", f"{key}.{name}")
    return frozen_mapping(table)


def _extra(data: Mapping[str, Any], known: tuple[str, ...]) -> Mapping[str, Any]:
    return frozen_mapping({key: value for key, value in data.items() if key not in known})


def _put(document: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and value != "" and value != () and value != {}:
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Mapping):  # a frozen table: a plain dict for TOML and the JSON index
            value = dict(value)
        document[key] = value


def _repeat(data: Mapping[str, Any]) -> str:
    """`repeat = "every 2 weeks on tue"`: kept as written when planner.repeat can read it."""
    rule = _expect(data, "repeat", str, 'a repeat rule such as "every week on mon"')
    if not rule:
        return ""
    from planner.repeat import RepeatError, parse_repeat

    try:
        parse_repeat(rule)
    except RepeatError as error:
        raise SchemaError(f"repeat: {error}", "repeat") from None
    return rule


# --- tasks ---------------------------------------------------------------------------------------

TASK_KEYS = ("schema", "id", "title", "status", "practice", "column", "rank", "week", "day", "due",
             "estimate", "spent", "tags", "notes", "created", "updated", "done_at", "outcome", "impact",
             "repeat", "series")


def task_from_toml(data: Mapping[str, Any], *, file_id: str, fallback_time: datetime,
                   zone: tzinfo = timezone.utc) -> Task:
    """A Task from a parsed `tasks/<file_id>.toml`; SchemaError when it does not fit."""
    _check_schema(data)
    task_id = _expect(data, "id", str, "text")
    if not task_id:
        raise SchemaError("id: missing (every task file needs id = \"<file name without .toml>\")", "id",
                          missing="id" not in data)
    if task_id != file_id:
        raise SchemaError(f"id: {_shown(task_id)} does not match the file name {file_id}.toml", "id")
    title = _expect(data, "title", str, "text")
    if not title or not title.strip():
        raise SchemaError("title: missing or empty", "title", missing="title" not in data)
    status = _expect(data, "status", str, "text") or "open"
    if status not in STATUSES:
        raise SchemaError(f"status: {_shown(status)} is not one of {', '.join(STATUSES)}", "status")
    week = _expect(data, "week", str, "a week such as 2026-W48")
    if week is not None:
        try:
            week = parse_week_label(week)
        except DateError as error:
            raise SchemaError(f"week: {error}", "week") from None
    created = _datetime(data, "created", zone) or fallback_time
    done_at = _datetime(data, "done_at", zone)
    if status == "done" and done_at is None:
        done_at = _datetime(data, "updated", zone) or created
    return Task(
        id=task_id,
        title=title,
        created=created,
        updated=_datetime(data, "updated", zone) or created,
        column=_expect(data, "column", str, "a column id") or "",
        rank=_rank(data),
        status=status,
        practice=_expect(data, "practice", str, "a practice id"),
        week=week,
        day=_date(data, "day"),
        due=_date(data, "due"),
        estimate=_minutes(data, "estimate"),
        spent=_minutes(data, "spent"),
        tags=_strings(data, "tags"),
        notes=_expect(data, "notes", str, "text") or "",
        done_at=done_at,
        outcome=_expect(data, "outcome", str, "text") or "",
        impact=_impact(data),
        repeat=_repeat(data),
        series=_expect(data, "series", str, "a task id") or None,
        extra=_extra(data, TASK_KEYS),
    )


_CANONICAL_WEEK = re.compile(r"^\d{4}-W\d{2}$")
_TASK_KEY_SET = frozenset(TASK_KEYS)


def task_from_checked(data: Mapping[str, Any], zone: tzinfo = timezone.utc) -> Task:
    """A Task from a document `task_from_toml` already accepted once, with dates and times as ISO
    text (the derived index keeps those): the same values, without checking every type again,
    which is most of the time a large plan takes to load."""
    get = data.get
    status = get("status") or "open"
    created = _aware(datetime.fromisoformat(data["created"]), zone)
    updated = _aware(datetime.fromisoformat(get("updated")), zone) if get("updated") else created
    done_at = _aware(datetime.fromisoformat(get("done_at")), zone) if get("done_at") else None
    if status == "done" and done_at is None:
        done_at = updated
    week = get("week")
    if week is not None and not _CANONICAL_WEEK.match(week):
        week = parse_week_label(week)
    day, due = get("day"), get("due")
    extra = {key: value for key, value in data.items() if key not in _TASK_KEY_SET}
    return Task(
        id=data["id"],
        title=data["title"],
        created=created,
        updated=updated,
        column=get("column") or "",
        rank=get("rank") or "n",
        status=status,
        practice=get("practice"),
        week=week,
        day=date.fromisoformat(day) if day else None,
        due=date.fromisoformat(due) if due else None,
        estimate=get("estimate"),
        spent=get("spent"),
        tags=tuple(get("tags") or ()),
        notes=get("notes") or "",
        done_at=done_at,
        outcome=get("outcome") or "",
        impact=frozen_mapping(get("impact")),
        repeat=get("repeat") or "",
        series=get("series") or None,
        extra=frozen_mapping(extra),
    )


def task_to_toml(task: Task) -> dict[str, Any]:
    document: dict[str, Any] = {"schema": SCHEMA_VERSION, "id": task.id, "title": task.title,
                                "status": task.status}
    for key in TASK_KEYS[4:]:
        _put(document, key, getattr(task, key))
    document.update(task.extra)
    return document


# --- weeks ---------------------------------------------------------------------------------------

WEEK_KEYS = ("schema", "week", "intentions", "plan", "review", "notes", "reviewed_at", "skipped")


def week_from_toml(data: Mapping[str, Any], *, file_label: str, zone: tzinfo = timezone.utc) -> WeekPlan:
    _check_schema(data)
    label = _expect(data, "week", str, "a week such as 2026-W48") or file_label
    try:
        label = parse_week_label(label)
    except DateError as error:
        raise SchemaError(f"week: {error}", "week") from None
    if label != file_label:
        raise SchemaError(f"week: {_shown(label)} does not match the file name {file_label}.toml", "week")
    return WeekPlan(
        week=label,
        intentions=_text_table(data, "intentions"),
        plan_answers=_text_table(data, "plan"),
        review_answers=_text_table(data, "review"),
        notes=_expect(data, "notes", str, "text") or "",
        reviewed_at=_datetime(data, "reviewed_at", zone),
        skipped=tuple(dict.fromkeys(_strings(data, "skipped"))),
        extra=_extra(data, WEEK_KEYS),
    )


def week_to_toml(week: WeekPlan) -> dict[str, Any]:
    document: dict[str, Any] = {"schema": SCHEMA_VERSION, "week": week.week}
    _put(document, "notes", week.notes)
    _put(document, "reviewed_at", week.reviewed_at)
    _put(document, "skipped", week.skipped)
    document.update({key: value for key, value in week.extra.items() if not isinstance(value, dict)})
    _put(document, "intentions", dict(week.intentions))
    _put(document, "plan", dict(week.plan_answers))
    _put(document, "review", dict(week.review_answers))
    document.update({key: value for key, value in week.extra.items() if isinstance(value, dict)})
    return document


# --- the board -----------------------------------------------------------------------------------

BOARD_KEYS = ("schema", "title", "timezone", "week_start", "done_column", "week_column", "columns", "practices")
COLUMN_KEYS = ("id", "title", "wip")


def board_from_toml(data: Mapping[str, Any], *, check_timezone: Callable[[str], str] | None = None) -> Board:
    _check_schema(data)
    zone = _expect(data, "timezone", str, "a time zone name such as Europe/Berlin") or "UTC"
    if check_timezone is not None:
        try:
            check_timezone(zone)
        except DateError as error:
            raise SchemaError(f"timezone: {error}", "timezone") from None
    start_name = _expect(data, "week_start", str, "a day name such as monday") or "monday"
    try:
        week_start = weekday_index(start_name)
    except DateError:
        raise SchemaError(f"week_start: {_shown(start_name)} is not a day of the week", "week_start") from None
    columns = _columns(data)
    column_ids = [column.id for column in columns]
    done_column = _expect(data, "done_column", str, "a column id") or column_ids[-1]
    week_column = _expect(data, "week_column", str, "a column id") or (
        "this-week" if "this-week" in column_ids else column_ids[0])
    for key, value in (("done_column", done_column), ("week_column", week_column)):
        if value not in column_ids:
            raise SchemaError(f"{key}: {_shown(value)} is not one of the columns ({', '.join(column_ids)})", key)
    practices = _expect(data, "practices", dict, "a table of practice tables") or {}
    for practice_id, settings in practices.items():
        if not isinstance(settings, dict):
            raise SchemaError(f"practices.{practice_id}: expected a table, got {_type_name(settings)}",
                              f"practices.{practice_id}")
        for key, kind, what in (("weight", (int, float), "a number"), ("enabled", bool, "true or false")):
            _expect(settings, key, kind, what, f"practices.{practice_id}.")
        weight = settings.get("weight")
        if isinstance(weight, float) and not math.isfinite(weight) or isinstance(weight, (int, float)) and weight < 0:
            raise SchemaError(f"practices.{practice_id}.weight: {_shown(weight)} is not a weight (a number, 0 or more)",
                              f"practices.{practice_id}.weight")
    return Board(
        title=_expect(data, "title", str, "text") or "My plan",
        timezone=zone,
        week_start=week_start,
        columns=columns,
        done_column=done_column,
        week_column=week_column,
        practices=frozen_mapping({key: frozen_mapping(value) for key, value in practices.items()}),
        extra=_extra(data, BOARD_KEYS),
    )


def _columns(data: Mapping[str, Any]) -> tuple[Column, ...]:
    raw = _expect(data, "columns", list, "a list of [[columns]] tables")
    if raw is None:
        return DEFAULT_COLUMNS
    if not raw:
        raise SchemaError("columns: a board needs at least one column", "columns")
    columns = []
    for index, item in enumerate(raw):
        path = f"columns[{index}]."
        if not isinstance(item, dict):
            raise SchemaError(f"columns[{index}]: expected a table, got {_type_name(item)}", f"columns[{index}]")
        column_id = _expect(item, "id", str, "text", path)
        if not column_id or not _ID.fullmatch(column_id):
            raise SchemaError(f"{path}id: missing, or not lower-case letters, digits, - and _", path + "id")
        if column_id in (column.id for column in columns):
            raise SchemaError(f"{path}id: {column_id!r} is used by two columns", path + "id")
        wip = _expect(item, "wip", int, "a whole number (0 for no limit)", path)
        if wip is not None and wip < 0:
            raise SchemaError(f"{path}wip: cannot be negative", path + "wip")
        columns.append(Column(column_id, _expect(item, "title", str, "text", path) or column_id, wip or None,
                              _extra(item, COLUMN_KEYS)))
    return tuple(columns)


def board_to_toml(board: Board) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "title": board.title,
        "timezone": board.timezone,
        "week_start": WEEKDAYS[board.week_start],
        "done_column": board.done_column,
        "week_column": board.week_column,
    }
    document.update({key: value for key, value in board.extra.items() if not isinstance(value, dict)})
    columns = []
    for column in board.columns:
        entry: dict[str, Any] = {"id": column.id, "title": column.title}
        _put(entry, "wip", column.wip)
        entry.update(column.extra)
        columns.append(entry)
    document["columns"] = columns
    _put(document, "practices", {key: dict(value) for key, value in board.practices.items()})
    document.update({key: value for key, value in board.extra.items() if isinstance(value, dict)})
    return document


# --- finding the line of a key ------------------------------------------------------------------

def locate_key(text: str, key_path: str) -> tuple[int, int]:
    """The 1-based line and column of the value at dotted `key_path` (e.g. `columns[2].wip`,
    `practices.skills.weight`) in TOML `text`; (1, 1) when it cannot be found.

    A heuristic that finds the key as people write it (bare or quoted, under its table header);
    good enough to point at the line, which is all an error message needs.
    """
    lines = text.splitlines()
    start = 0
    parts = [part for part in re.split(r"\.(?![^\[]*\])", key_path) if part] if key_path else []
    for number, part in enumerate(parts):
        array = re.fullmatch(r"(.+)\[(\d+)\]", part)
        is_last = number == len(parts) - 1
        if array:
            name, index = array[1], int(array[2])
            header = re.compile(rf"^\s*\[\[\s*{re.escape(name)}\s*\]\]")
            hits = [i for i in range(start, len(lines)) if header.match(lines[i])]
            if not hits:
                # Written inline, as Value Planner writes it: `name = [` then one `{ ... }` a line.
                opening = re.compile(rf"^\s*{re.escape(name)}\s*=\s*\[")
                first = next((i for i in range(start, len(lines)) if opening.match(lines[i])), None)
                if first is not None:
                    hits = [i for i in range(first, len(lines)) if "{" in lines[i]]
                    if index < len(hits):
                        return _inline_position(lines[hits[index]], hits[index], parts[number + 1:])
            if index >= len(hits):
                return (start + 1, 1)
            start = hits[index]
            continue
        quoted = rf"(?:{re.escape(part)}|\"{re.escape(part)}\"|'{re.escape(part)}')"
        assignment = re.compile(rf"^\s*{quoted}\s*=\s*")
        header = re.compile(rf"^\s*\[+[^\]]*\b{re.escape(part)}\b[^\]]*\]+")
        for i in range(start, len(lines)):
            found = assignment.match(lines[i])
            if found:
                return (i + 1, found.end() + 1 if is_last else 1)
            if not is_last and header.match(lines[i]):
                start = i
                break
        else:
            return (start + 1, 1)
    return (start + 1, 1)


def _inline_position(line: str, line_index: int, rest: list[str]) -> tuple[int, int]:
    """Where key `rest[0]` stands inside the inline table on `line` (or the table's start)."""
    if rest:
        found = re.search(rf"[{{,]\s*{re.escape(rest[0])}\s*=\s*", line)
        if found:
            return (line_index + 1, found.end() + 1)
    return (line_index + 1, line.index("{") + 1)
