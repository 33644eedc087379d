"""A three-way merge of plan files, field by field: what git runs for `tasks/*.toml`, `weeks/*.toml`
and `board.toml` (the `planner merge-driver` command), and what `planner sync --resolve` runs on
files a plain `git pull` left with conflict markers.

The rules (docs/sync.md):
- a field one side changed takes that change; a table (a week's answers, a practice's settings)
  merges key by key;
- tags (and a week's skipped practices) merge as sets: additions and removals of both sides apply;
- notes merge as text, line by line; where both sides rewrote the same lines, both sides' lines
  are kept, the earlier side's first;
- `updated` takes the later of the two and never conflicts;
- when both sides changed a field differently, the side with the later `updated` wins (without
  one, or on a tie, the same side wins whichever side merges, so two machines agree), and the
  losing value is kept in the file under `[[conflicts]]` until someone resolves it;
- fields that only make sense together (column, status, rank and done_at; week and day) are
  decided together, so a merge never leaves a done task in the doing column; both sides making
  the same move (both completed the task) is no conflict: the task was done when it was first done;
- an edit beats a delete: a task deleted on one side and changed on the other comes back with the
  change.

Nothing here runs git or touches a file; `merge_documents` works on parsed TOML.
"""

from __future__ import annotations

from collections import Counter
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timezone, tzinfo
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from planner.schema import BOARD_KEYS, TASK_KEYS, WEEK_KEYS, dumps

if TYPE_CHECKING:
    from planner.model import Task

#: Keys whose values go together: one side's set of them wins as a whole.
FIELD_GROUPS = (("column", "status", "rank", "done_at"), ("week", "day"))
CONFLICTS_KEY = "conflicts"
#: Lists that merge as sets: a task's tags, a week's skipped practices.
SET_KEYS = ("tags", "skipped")


def field_group(field: str) -> tuple[str, ...]:
    """The fields `field` is decided and settled together with (itself among them), or ()."""
    return next((group for group in FIELD_GROUPS if field in group), ())


class MergeError(ValueError):
    """A side that is not a plan file this merge understands (not TOML, not a table)."""


@dataclass(frozen=True)
class Conflict:
    """A field both sides changed: the value that won is in the file, the one that lost is here.

    `field` is the key's TOML path (`title`, `plan."skills.focus"`); `value` is None when the losing
    side had removed the field.
    """

    field: str
    value: Any = None
    updated: datetime | None = None

    def to_toml(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"field": self.field}
        if self.value is not None:
            entry["value"] = self.value
        if self.updated is not None:
            entry["updated"] = self.updated
        return entry


def conflicts_in(document: Mapping[str, Any]) -> list[Conflict]:
    """The `[[conflicts]]` a merge left in a parsed file (entries it cannot read are skipped)."""
    found = []
    for entry in document.get(CONFLICTS_KEY) or ():
        if isinstance(entry, dict) and isinstance(entry.get("field"), str):
            updated = entry.get("updated")
            found.append(Conflict(entry["field"], entry.get("value"),
                                  updated if isinstance(updated, datetime) else None))
    return found


def field_path(field: str) -> list[str]:
    """`plan."skills.focus"` -> ["plan", "skills.focus"], by TOML's own rules for dotted keys."""
    try:
        parsed = tomllib.loads(f"{field} = 0")
    except tomllib.TOMLDecodeError:
        return [field]
    path = []
    while isinstance(parsed, dict) and len(parsed) == 1:
        key, parsed = next(iter(parsed.items()))
        path.append(key)
    return path


def field_name(path: Iterable[str]) -> str:
    """The TOML dotted key for a path: bare keys where TOML allows them, quoted otherwise."""
    parts = []
    for key in path:
        bare = key and all(char.isascii() and (char.isalnum() or char in "-_") for char in key)
        parts.append(key if bare else '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return ".".join(parts)


_MISSING: Any = object()


def merge_documents(base: Mapping[str, Any], ours: Mapping[str, Any], theirs: Mapping[str, Any],
                    zone: tzinfo = timezone.utc) -> dict[str, Any]:
    """Merge two changed copies of one plan file (parsed TOML) against their common `base`
    (empty for a file both sides added). Conflicts go into the result's `conflicts` list."""
    merger = _Merger(zone, ours, theirs)
    merged = merger.table(base, ours, theirs, [])
    merged.pop(CONFLICTS_KEY, None)
    known = _merge_conflict_lists(base, ours, theirs)
    recorded = {entry.field for entry in merger.conflicts}
    # A conflict decided again now replaces the older entry for the same field.
    entries = [entry.to_toml() for entry in known if entry.field not in recorded]
    entries += [entry.to_toml() for entry in _in_field_order(merger.conflicts, merged)]
    if entries:
        merged[CONFLICTS_KEY] = entries
    return _in_file_order(merged)


def _in_field_order(conflicts: list[Conflict], document: dict[str, Any]) -> list[Conflict]:
    """New conflicts in the order of their keys in the file: the same whichever side merged."""
    order = {key: index for index, key in enumerate(_in_file_order(dict.fromkeys([*document, *(
        field_path(entry.field)[0] for entry in conflicts)])))}
    return sorted(conflicts, key=lambda entry: (order.get(field_path(entry.field)[0], len(order)), entry.field))


def _in_file_order(document: dict[str, Any]) -> dict[str, Any]:
    """Keys in the order the planner writes them, so a merged file diffs like a saved one."""
    known = TASK_KEYS if "id" in document else WEEK_KEYS if "week" in document else BOARD_KEYS
    rank = {key: index for index, key in enumerate(known)}
    keys = sorted(document, key=lambda key: (key == CONFLICTS_KEY, rank.get(key, len(known))))
    return {key: document[key] for key in keys}


def _merge_conflict_lists(base: Mapping[str, Any], ours: Mapping[str, Any],
                          theirs: Mapping[str, Any]) -> list[Conflict]:
    """Conflicts already in the file merge as a set by field: one side resolving one removes it."""
    before = {entry.field: entry for entry in conflicts_in(base)}
    mine = {entry.field: entry for entry in conflicts_in(ours)}
    other = {entry.field: entry for entry in conflicts_in(theirs)}
    kept = []
    for field in [*mine, *(field for field in other if field not in mine)]:
        resolved = field in before and (field not in mine or field not in other)
        if not resolved:
            kept.append(mine.get(field) or other[field])
    return kept


class _Merger:
    def __init__(self, zone: tzinfo, ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> None:
        self.zone = zone
        self.conflicts: list[Conflict] = []
        ours_updated, theirs_updated = _moment(ours.get("updated"), zone), _moment(theirs.get("updated"), zone)
        self.ours_updated, self.theirs_updated = ours_updated, theirs_updated
        if ours_updated is not None and theirs_updated is not None and ours_updated != theirs_updated:
            self.ours_win: bool | None = ours_updated > theirs_updated
        else:
            self.ours_win = None  # decided per value: the same on both machines

    def ours_wins(self, ours: Any, theirs: Any) -> bool:
        if self.ours_win is not None:
            return self.ours_win
        return _order_key(ours) >= _order_key(theirs)

    def lost(self, path: list[str], value: Any, ours_won: bool) -> None:
        updated = self.theirs_updated if ours_won else self.ours_updated
        self.conflicts.append(Conflict(field_name(path), None if value is _MISSING else value, updated))

    def table(self, base: Mapping[str, Any], ours: Mapping[str, Any], theirs: Mapping[str, Any],
              path: list[str]) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        decided: set[str] = set()
        if not path:
            self.top_level_rules(base, ours, theirs, merged, decided)
        for key in _keys(ours, theirs, base):
            if key in decided:
                continue
            value = self.value(base.get(key, _MISSING), ours.get(key, _MISSING), theirs.get(key, _MISSING),
                               [*path, key])
            if value is not _MISSING:
                merged[key] = value
        return {key: merged[key] for key in _keys(ours, theirs, base) if key in merged}

    def top_level_rules(self, base: Mapping[str, Any], ours: Mapping[str, Any], theirs: Mapping[str, Any],
                        merged: dict[str, Any], decided: set[str]) -> None:
        """`updated`, tombstones and field groups: the rules that look at more than one key."""
        if "updated" in ours or "updated" in theirs:
            moments = [value for value in (ours.get("updated"), theirs.get("updated")) if value is not None]
            merged["updated"] = max(moments, key=lambda value: _moment(value, self.zone) or _EPOCH)
            decided.add("updated")
        position = FIELD_GROUPS[0]
        for side, other in ((ours, theirs), (theirs, ours)):
            deleted_here = side.get("status") == "deleted" and base.get("status") != "deleted"
            changed_there = _changed_keys(base, other) - {"updated"}
            if deleted_here and other.get("status") != "deleted" and changed_there and "status" in base:
                # An edit beats a delete: the other side's position stands, its edits merge as usual.
                for key in position:
                    if key in other:
                        merged[key] = other[key]
                decided.update(position)
                return
        for group in FIELD_GROUPS:
            ours_changed = any(_differs(base.get(key, _MISSING), ours.get(key, _MISSING)) for key in group)
            theirs_changed = any(_differs(base.get(key, _MISSING), theirs.get(key, _MISSING)) for key in group)
            same = all(not _differs(ours.get(key, _MISSING), theirs.get(key, _MISSING)) for key in group)
            if not (ours_changed and theirs_changed) or same:
                continue
            if group is position and all(not _differs(ours.get(key, _MISSING), theirs.get(key, _MISSING))
                                         for key in ("column", "status")):
                self.same_move(ours, theirs, merged)
                decided.update(group)
                continue
            ours_group = [ours.get(key, _MISSING) for key in group]
            theirs_group = [theirs.get(key, _MISSING) for key in group]
            ours_won = self.ours_wins(ours_group, theirs_group)
            winner, loser = (ours, theirs) if ours_won else (theirs, ours)
            for key in group:
                if key in winner:
                    merged[key] = winner[key]
                if _differs(winner.get(key, _MISSING), loser.get(key, _MISSING)):
                    self.lost([key], loser.get(key, _MISSING), ours_won)
            decided.update(group)

    def same_move(self, ours: Mapping[str, Any], theirs: Mapping[str, Any], merged: dict[str, Any]) -> None:
        """Both sides moved the task to the same column and status (both completed it, say): not a
        conflict. The place in the column is the later side's; `done_at` the earlier, when the
        task was first done."""
        winner = ours if self.ours_wins(ours.get("rank"), theirs.get("rank")) else theirs
        for key in ("column", "status", "rank"):
            if key in winner:
                merged[key] = winner[key]
        done = [value for value in (ours.get("done_at"), theirs.get("done_at")) if value is not None]
        if done:
            merged["done_at"] = min(done, key=lambda value: _moment(value, self.zone) or _EPOCH)

    def value(self, base: Any, ours: Any, theirs: Any, path: list[str]) -> Any:
        if not _differs(ours, theirs):
            return ours
        if not _differs(base, ours):
            return theirs
        if not _differs(base, theirs):
            return ours
        key = path[-1]
        if isinstance(ours, dict) and isinstance(theirs, dict):
            return self.table(base if isinstance(base, dict) else {}, ours, theirs, path)
        # Tags and notes: the earlier side's first, so both machines get the same order.
        first, second = (theirs, ours) if self.ours_wins(ours, theirs) else (ours, theirs)
        if len(path) == 1 and key in SET_KEYS and _strings(ours) and _strings(theirs):
            return merge_sets(base if _strings(base) else [], first, second)
        if isinstance(ours, str) and isinstance(theirs, str) and (key == "notes" or "\n" in ours + theirs):
            return merge_text(base if isinstance(base, str) else "", first, second)
        if isinstance(ours, datetime) and isinstance(theirs, datetime) and key.endswith("_at"):
            # A moment something happened (reviewed_at): the later one, as for `updated`.
            return max(ours, theirs, key=lambda value: _moment(value, self.zone) or _EPOCH)
        ours_won = self.ours_wins(ours, theirs)
        self.lost(path, theirs if ours_won else ours, ours_won)
        return ours if ours_won else theirs


def merge_sets(base: list[str], ours: list[str], theirs: list[str]) -> list[str]:
    """Both sides' additions and removals apply; `ours`' order, then what `theirs` added."""
    removed = (set(base) - set(ours)) | (set(base) - set(theirs))
    merged = [item for item in ours if item not in removed]
    merged += [item for item in theirs if item not in removed and item not in merged]
    return merged


def merge_text(base: str, ours: str, theirs: str) -> str:
    """A line-by-line three-way merge: each side's change to a stretch of lines applies; where both
    sides changed the same stretch, ours' lines then theirs' are kept (nothing written is lost)."""
    if theirs in (base, ours):
        return ours
    if ours == base:
        return theirs
    base_lines = base.split("\n")
    changes = sorted([(*change, True) for change in _changes(base_lines, ours.split("\n"))]
                     + [(*change, False) for change in _changes(base_lines, theirs.split("\n"))],
                     key=lambda change: (change[0], change[1]))
    merged: list[str] = []
    position = index = 0
    while index < len(changes):
        # A region: changes that overlap or touch, from either side (git's rule for a conflict).
        start, end = changes[index][0], changes[index][1]
        region = [changes[index]]
        index += 1
        while index < len(changes) and changes[index][0] <= end:
            region.append(changes[index])
            end = max(end, changes[index][1])
            index += 1
        merged += base_lines[position:start]
        mine = [change[:3] for change in region if change[3]]
        other = [change[:3] for change in region if not change[3]]
        mine_lines = _apply(base_lines, start, end, mine) if mine else None
        other_lines = _apply(base_lines, start, end, other) if other else None
        if mine_lines is None or other_lines is None:
            merged += mine_lines if mine_lines is not None else other_lines or []
        else:
            # Both sides' lines, each line as many times as the side with more of it has it.
            unmatched = Counter(mine_lines)
            merged += mine_lines
            for line in other_lines:
                if unmatched[line]:
                    unmatched[line] -= 1
                else:
                    merged.append(line)
        position = end
    merged += base_lines[position:]
    return "\n".join(merged)


def _changes(base: list[str], side: list[str]) -> list[tuple[int, int, list[str]]]:
    """(base start, base end, replacement lines) for each stretch `side` changed."""
    import difflib  # here: only merging notes needs it, and every command imports this module

    matcher = difflib.SequenceMatcher(None, base, side, autojunk=False)
    return [(i1, i2, side[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _apply(base: list[str], start: int, end: int, changes: list[tuple[int, int, list[str]]]) -> list[str]:
    lines: list[str] = []
    position = start
    for change_start, change_end, replacement in changes:
        lines += base[position:change_start]
        lines += replacement
        position = max(position, change_end)
    lines += base[position:end]
    return lines


# --- reading the three sides ----------------------------------------------------------------------

def parse_side(data: bytes, name: str) -> dict[str, Any]:
    """One side of a merge as git hands it over; MergeError naming the side when it is not TOML."""
    if not data.strip():
        return {}
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise MergeError(f"{name}: {error}") from None


def merge_files(base: bytes, ours: bytes, theirs: bytes, zone: tzinfo = timezone.utc) -> bytes:
    """The merged file, written the way the planner writes every file."""
    merged = merge_documents(parse_side(base, "the common version"), parse_side(ours, "our version"),
                             parse_side(theirs, "their version"), zone)
    return dumps(merged)


CONFLICT_START, CONFLICT_BASE, CONFLICT_SPLIT, CONFLICT_END = "<<<<<<<", "|||||||", "=======", ">>>>>>>"


def has_conflict_markers(text: str) -> int:
    """The line (1-based) of the first git conflict marker in `text`, or 0."""
    for number, line in enumerate(text.split("\n"), 1):
        if line.startswith(CONFLICT_START + " ") or line == CONFLICT_START:
            return number
    return 0


def split_conflict_markers(text: str) -> tuple[str, str, str]:
    """(base, ours, theirs) from a file holding git's conflict markers. Without a diff3 base section
    the base of a conflicting stretch is taken as empty: both sides then count as changes, and the
    field rules decide (the later `updated` wins, tags and notes merge)."""
    base: list[str] = []
    ours: list[str] = []
    theirs: list[str] = []
    state = "common"
    for line in text.split("\n"):
        if line.startswith(CONFLICT_START):
            state = "ours"
        elif line.startswith(CONFLICT_BASE) and state == "ours":
            state = "base"
        elif line.startswith(CONFLICT_SPLIT) and state in ("ours", "base"):
            state = "theirs"
        elif line.startswith(CONFLICT_END) and state == "theirs":
            state = "common"
        elif state == "common":
            base.append(line)
            ours.append(line)
            theirs.append(line)
        else:
            {"ours": ours, "base": base, "theirs": theirs}[state].append(line)
    return "\n".join(base), "\n".join(ours), "\n".join(theirs)


# --- comparing values --------------------------------------------------------------------------

_EPOCH = datetime(1, 1, 1, tzinfo=timezone.utc)


def _moment(value: Any, zone: tzinfo) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)
    return None


def _differs(left: Any, right: Any) -> bool:
    if left is _MISSING or right is _MISSING:
        return left is not right
    if isinstance(left, datetime) and isinstance(right, datetime):
        # The same moment written in two offsets is the same value.
        if (left.tzinfo is None) == (right.tzinfo is None):
            return left != right
    return type(left) is not type(right) or left != right


def _order_key(value: Any) -> str:
    """A total order over any TOML values, so a tie is decided the same way on every machine."""
    if value is _MISSING:
        return ""
    if isinstance(value, list):
        return "[" + ",".join(_order_key(item) for item in value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{key}={_order_key(item)}" for key, item in sorted(value.items()))
    if isinstance(value, (datetime, date, time)):
        return "d" + value.isoformat()
    return type(value).__name__[0] + repr(value)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _keys(*tables: Mapping[str, Any]) -> list[str]:
    keys: dict[str, None] = {}
    for table in tables:
        keys.update(dict.fromkeys(table))
    return list(keys)


def _changed_keys(base: Mapping[str, Any], side: Mapping[str, Any]) -> set[str]:
    return {key for key in _keys(base, side) if _differs(base.get(key, _MISSING), side.get(key, _MISSING))}


# --- resolving a kept conflict ------------------------------------------------------------------

def resolve_document(document: Mapping[str, Any], field: str, take_other: bool) -> dict[str, Any]:
    """The document without its conflict on `field`: the value in the file stays (keep current),
    or the value that lost replaces it (take other). In a task, the fields that go together
    (column, status, rank, done_at) are resolved together."""
    entries = conflicts_in(document)
    chosen = [entry for entry in entries if entry.field == field]
    if not chosen:
        fields = ", ".join(entry.field for entry in entries) or "none"
        raise MergeError(f"no conflict on {field!r} (conflicts: {fields})")
    group = field_group(field)
    if group and "id" in document:
        chosen = [entry for entry in entries if entry.field in group]
    result = _copy(document)
    if take_other:
        for entry in chosen:
            *parents, key = field_path(entry.field)
            table = result
            for parent in parents:
                table = table.setdefault(parent, {})
            if entry.value is None:
                table.pop(key, None)
            else:
                table[key] = entry.value
    remaining = [entry.to_toml() for entry in entries if entry not in chosen]
    result.pop(CONFLICTS_KEY, None)
    if remaining:
        result[CONFLICTS_KEY] = remaining
    return result


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_copy(item) for item in value]
    return value


def resolve_task(task: "Task", field: str, take_other: bool, now: datetime, zone: tzinfo) -> "Task":
    """The task with its conflict on `field` settled (resolve_document), dated `now`; MergeError
    when there is no such conflict, SchemaError when the other value does not fit."""
    from dataclasses import replace

    from planner.schema import task_from_toml, task_to_toml

    document = resolve_document(task_to_toml(task), field, take_other)
    return replace(task_from_toml(document, file_id=task.id, fallback_time=task.created, zone=zone), updated=now)


def task_conflicts(task: "Task") -> list[Conflict]:
    """The conflicts a sync kept in this task."""
    return conflicts_in(task.extra) if CONFLICTS_KEY in task.extra else []
