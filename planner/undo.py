"""Undo and redo of task changes, kept on disk so they survive a restart of the app.

A change is the task before and after it. Undo does not write the old file back wholesale: it puts
back only the fields the change touched, and only where the task still holds what the change left
there. So undoing never wipes out an edit made since, here or on another machine.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import fields, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from planner.model import Task
from planner.schema import SchemaError, task_from_toml, task_to_toml
from planner.store import PlanStore

#: Fields that say what a task is; bookkeeping (`updated`) and unknown keys are never undone.
UNDOABLE = tuple(field.name for field in fields(Task) if field.name not in ("id", "created", "updated", "extra"))


def _snapshot(task: Task) -> dict[str, Any]:
    return {key: value.isoformat() if isinstance(value, (date, datetime)) else value
            for key, value in task_to_toml(task).items() if key in UNDOABLE or key in ("id", "title", "created")}


def _restore(document: dict[str, Any]) -> Task:
    return task_from_toml(document, file_id=document["id"], fallback_time=datetime.now(timezone.utc))


class UndoLog:
    """Two stacks of changes, saved to `path` (outside the plan folder) after every change."""

    def __init__(self, path: Path | None, limit: int = 200) -> None:
        self.path = path
        self.limit = limit
        self.undo_stack: list[dict[str, Any]] = []
        self.redo_stack: list[dict[str, Any]] = []
        self._load()

    def _load(self) -> None:
        if self.path is None:
            return
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
            document = json.loads(self.path.read_text(encoding="utf-8"))
            self.undo_stack = list(document["undo"])[-self.limit:]
            self.redo_stack = list(document["redo"])[-self.limit:]

    def _save(self) -> None:
        if self.path is None:
            return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            temp.write_text(json.dumps({"undo": self.undo_stack, "redo": self.redo_stack}), encoding="utf-8")
            os.replace(temp, self.path)

    @property
    def can_undo(self) -> bool:
        return bool(self.undo_stack)

    @property
    def can_redo(self) -> bool:
        return bool(self.redo_stack)

    def record(self, before: Task | None, after: Task, label: str) -> None:
        """Remember a change; `before` None means the task was created by it."""
        if before is not None and all(getattr(before, key) == getattr(after, key) for key in UNDOABLE):
            return
        created_before = replace(after, status="deleted") if before is None else before
        self.undo_stack.append({"label": label, "before": _snapshot(created_before), "after": _snapshot(after)})
        del self.undo_stack[: -self.limit]
        self.redo_stack.clear()
        self._save()

    def undo(self, store: PlanStore, now: datetime) -> tuple[str, Task] | None:
        """Revert the newest change; returns its label and the task as saved, or None."""
        return self._step(self.undo_stack, self.redo_stack, store, now, backwards=True)

    def redo(self, store: PlanStore, now: datetime) -> tuple[str, Task] | None:
        return self._step(self.redo_stack, self.undo_stack, store, now, backwards=False)

    def _step(self, source: list[dict[str, Any]], target: list[dict[str, Any]], store: PlanStore,
              now: datetime, *, backwards: bool) -> tuple[str, Task] | None:
        if not source:
            return None
        entry = source[-1]
        try:
            before, after = _restore(entry["before"]), _restore(entry["after"])
        except (SchemaError, KeyError):
            source.pop()  # written by another version: drop it rather than guess
            self._save()
            return None
        old, new = (after, before) if backwards else (before, after)

        def revert(current: Task) -> Task:
            changes = {key: getattr(new, key) for key in UNDOABLE
                       if getattr(old, key) != getattr(new, key) and getattr(current, key) == getattr(old, key)}
            return replace(current, **changes, updated=now) if changes else current

        _, saved = store.update_task(before.id, revert)
        target.append(source.pop())
        self._save()
        return entry["label"], saved
