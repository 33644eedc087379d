"""Undo and redo: field by field, never over a newer edit, and kept across a restart."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from planner.model import Board, complete_task, edit_task, new_task
from planner.store import PlanStore
from planner.undo import UndoLog

BOARD = Board()
NOW = datetime(2026, 11, 26, 10, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path: Path) -> PlanStore:
    store = PlanStore(tmp_path / "plans")
    store.create(BOARD)
    return store


def test_undo_and_redo_a_move_survive_a_restart(store: PlanStore, tmp_path: Path) -> None:
    log_path = tmp_path / "undo.json"
    task = store.add_task(new_task("t1", "Write the report", NOW, BOARD))
    before, after = store.update_task("t1", lambda current: complete_task(current, NOW, BOARD))
    UndoLog(log_path).record(before, after, "done")
    restarted = UndoLog(log_path)
    label, undone = restarted.undo(store, NOW)
    assert label == "done" and undone.status == "open" and undone.column == task.column
    assert store.read_task("t1").status == "open"
    label, redone = UndoLog(log_path).redo(store, NOW)
    assert redone.status == "done" and store.read_task("t1").column == "done"


def test_undo_keeps_a_newer_edit_of_another_field(store: PlanStore) -> None:
    log = UndoLog(None)
    store.add_task(new_task("t1", "Old title", NOW, BOARD))
    before, after = store.update_task("t1", lambda task: edit_task(task, NOW, BOARD, title="New title"))
    log.record(before, after, "rename")
    # Meanwhile another machine sets the estimate, and someone renames it again.
    store.update_task("t1", lambda task: replace(task, estimate=30))
    log.undo(store, NOW)
    assert store.read_task("t1").title == "Old title" and store.read_task("t1").estimate == 30
    store.update_task("t1", lambda task: replace(task, title="Renamed elsewhere"))
    log.redo(store, NOW)
    log.undo(store, NOW)
    assert store.read_task("t1").title == "Renamed elsewhere"


def test_undoing_a_creation_leaves_a_tombstone(store: PlanStore) -> None:
    log = UndoLog(None)
    task = store.add_task(new_task("t1", "Oops", NOW, BOARD))
    log.record(None, task, "add")
    log.undo(store, NOW)
    assert store.read_task("t1").status == "deleted"
    log.redo(store, NOW)
    assert store.read_task("t1").status == "open"


def test_a_new_change_clears_redo_and_the_stack_is_bounded(store: PlanStore) -> None:
    log = UndoLog(None, limit=3)
    store.add_task(new_task("t1", "Task", NOW, BOARD))
    for number in range(5):
        before, after = store.update_task("t1", lambda task, n=number: replace(task, estimate=n + 1))
        log.record(before, after, f"estimate {number}")
    assert [entry["label"] for entry in log.undo_stack] == ["estimate 2", "estimate 3", "estimate 4"]
    log.undo(store, NOW)
    assert log.can_redo
    before, after = store.update_task("t1", lambda task: replace(task, title="Changed"))
    log.record(before, after, "rename")
    assert not log.can_redo


def test_a_change_that_changes_nothing_is_not_recorded(store: PlanStore) -> None:
    log = UndoLog(None)
    task = store.add_task(new_task("t1", "Task", NOW, BOARD))
    log.record(task, replace(task, updated=NOW), "nothing")
    assert not log.can_undo


def test_a_corrupt_log_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "undo.json"
    path.write_text("{not json")
    assert not UndoLog(path).can_undo
