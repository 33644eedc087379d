"""Undo and redo of task changes, kept on disk so they survive a restart of the app.

A change is the task before and after it. Undo does not write the old file back wholesale: it puts
back only the fields the change touched, and only where the task still holds what the change left
there. So undoing never wipes out an edit made since, here or on another machine.
"""

from __future__ import annotations

import contextlib
import json
import tomllib
from dataclasses import fields, replace
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from planner.merge import CONFLICTS_KEY
from planner.model import Task, frozen_mapping
from planner.schema import SchemaError, dumps, task_from_toml, task_to_toml
from planner.store import PlanStore, StoreError, file_lock, write_derived

#: Fields that say what a task is; bookkeeping (`updated`) and unknown keys are never undone.
UNDOABLE = tuple(field.name for field in fields(Task) if field.name not in ("id", "created", "updated", "extra"))


CONFLICTS_TOML = "conflicts_toml"


def _snapshot(task: Task) -> dict[str, Any]:
    snapshot = {key: value.isoformat() if isinstance(value, (date, datetime)) else value
                for key, value in task_to_toml(task).items() if key in UNDOABLE or key in ("id", "title", "created")}
    if CONFLICTS_KEY in task.extra:
        # The conflicts a sync kept hold values of any type: kept as TOML, which gives them back as they were.
        snapshot[CONFLICTS_TOML] = dumps({CONFLICTS_KEY: list(task.extra[CONFLICTS_KEY])}).decode("utf-8")
    return snapshot


def _restore(document: dict[str, Any], zone: tzinfo) -> Task:
    document = dict(document)
    conflicts = document.pop(CONFLICTS_TOML, None)
    task = task_from_toml(document, file_id=document["id"], fallback_time=datetime.now(zone), zone=zone)
    return _with_conflicts(task, tomllib.loads(conflicts)[CONFLICTS_KEY] if conflicts else None)


def _reverting(old: Task, new: Task, now: datetime) -> Callable[[Task], Task]:
    """The change that takes a task from `old` back to `new`, field by field: only the fields that
    differ, and only where the task still holds what `old` had."""
    def revert(current: Task) -> Task:
        changes = {key: getattr(new, key) for key in UNDOABLE
                   if getattr(old, key) != getattr(new, key) and getattr(current, key) == getattr(old, key)}
        reverted = replace(current, **changes, updated=now) if changes else current
        if _conflicts(old) != _conflicts(new) and _conflicts(current) == _conflicts(old):
            reverted = replace(_with_conflicts(reverted, _conflicts(new)), updated=now)
        return reverted

    return revert


def _conflicts(task: Task) -> Any:
    return task.extra.get(CONFLICTS_KEY)


def _with_conflicts(task: Task, conflicts: Any) -> Task:
    extra = {key: value for key, value in task.extra.items() if key != CONFLICTS_KEY}
    if conflicts:
        extra[CONFLICTS_KEY] = conflicts
    return replace(task, extra=frozen_mapping(extra))


def _change(before: Task | None, after: Task) -> dict[str, Any]:
    created_before = replace(after, status="deleted") if before is None else before
    return {"before": _snapshot(created_before), "after": _snapshot(after)}


class UndoLog:
    """Two stacks of changes in one file (outside the plan folder), shared by every planner on this
    machine: the app and each CLI command. Every step re-reads the file and writes it back under the
    file's lock, so one writer never drops what another appended meanwhile (no copy kept in memory)."""

    def __init__(self, path: Path | None, limit: int = 200) -> None:
        self.path = path
        self.limit = limit
        # Without a file (tests), the stacks live here.
        self._memory: dict[str, list[dict[str, Any]]] = {"undo": [], "redo": []}
        #: The other tasks the last undo or redo saved (those an entry's `also` names).
        self.also_saved: list[Task] = []

    def _read(self) -> dict[str, list[dict[str, Any]]]:
        if self.path is None:
            return self._memory
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
            document = json.loads(self.path.read_text(encoding="utf-8"))
            return {"undo": list(document["undo"])[-self.limit:], "redo": list(document["redo"])[-self.limit:]}
        return {"undo": [], "redo": []}

    @contextlib.contextmanager
    def _editing(self) -> Iterator[dict[str, list[dict[str, Any]]]]:
        """The stacks as the file holds them now, written back when the block ends."""
        if self.path is None:
            yield self._memory
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with file_lock(self.path.with_name(f".{self.path.name}.lock"), "the undo history is busy"):
            stacks = self._read()
            yield stacks
            with contextlib.suppress(OSError):
                write_derived(self.path, json.dumps(stacks).encode("utf-8"))

    @property
    def undo_stack(self) -> list[dict[str, Any]]:
        return self._read()["undo"]

    @property
    def redo_stack(self) -> list[dict[str, Any]]:
        return self._read()["redo"]

    @property
    def can_undo(self) -> bool:
        return bool(self.undo_stack)

    @property
    def can_redo(self) -> bool:
        return bool(self.redo_stack)

    def record(self, before: Task | None, after: Task, label: str,
               also: Sequence[tuple[Task | None, Task]] = ()) -> None:
        """Remember a change; `before` None means the task was created by it. `also`: other tasks
        the same change saved, as (before, after), undone and redone with it (the next occurrence
        a repeating task's done made)."""
        if (before is not None and all(getattr(before, key) == getattr(after, key) for key in UNDOABLE)
                and _conflicts(before) == _conflicts(after)) and not also:
            return
        entry = _change(before, after)
        if also:
            entry["also"] = [_change(other_before, other_after) for other_before, other_after in also]
        with self._editing() as stacks:
            stacks["undo"].append({"label": label, **entry})
            del stacks["undo"][: -self.limit]
            stacks["redo"].clear()

    def undo(self, store: PlanStore, now: datetime) -> tuple[str, Task] | None:
        """Revert the newest change; returns its label and the task as saved, or None."""
        return self._step("undo", "redo", store, now, backwards=True)

    def redo(self, store: PlanStore, now: datetime) -> tuple[str, Task] | None:
        return self._step("redo", "undo", store, now, backwards=False)

    def _step(self, source_name: str, target_name: str, store: PlanStore, now: datetime, *,
              backwards: bool) -> tuple[str, Task] | None:
        with self._editing() as stacks:
            source, target = stacks[source_name], stacks[target_name]
            if not source:
                return None
            entry = source[-1]
            try:
                changes = [(_restore(change["before"], store.zone), _restore(change["after"], store.zone))
                           for change in (entry, *entry.get("also", ()))]
            except (SchemaError, KeyError, TypeError):
                source.pop()  # written by another version: drop it rather than guess
                return None
            self.also_saved = []
            for index, (before, after) in enumerate(changes):
                old, new = (after, before) if backwards else (before, after)
                try:
                    _, saved = store.update_task(before.id, _reverting(old, new, now))
                except StoreError:
                    if index == 0:
                        raise
                    continue  # a task made with the change, gone or unreadable since: the rest still applies
                if index == 0:
                    first = saved
                else:
                    self.also_saved.append(saved)
            target.append(source.pop())
            return entry["label"], first
