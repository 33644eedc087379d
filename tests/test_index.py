"""The derived task index: a faster load that never changes what is loaded."""

from __future__ import annotations

import os
import time
import tomllib
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from planner.model import Board, Task
from planner.store import PlanStore

MOMENT = datetime(2026, 11, 26, 9, tzinfo=timezone.utc)
OLD = time.time() - 3600


def make_store(tmp_path: Path, count: int = 3) -> PlanStore:
    store = PlanStore(tmp_path / "plans", index_path=tmp_path / "cache" / "index.json")
    store.create(Board())
    for number in range(count):
        task = Task(id=f"task{number}", title=f"Task {number}", created=MOMENT, updated=MOMENT,
                    tags=("a", "@b"), due=date(2026, 12, number + 1), estimate=30)
        store.add_task(task)
        age(store, task.id)
    return store


def age(store: PlanStore, task_id: str, seconds_ago: float = 3600) -> None:
    """Date a file back, as history is: the index only trusts files that have settled."""
    when = time.time() - seconds_ago
    os.utime(store.task_path(task_id), (when, when))


def forbid_parsing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    parsed: list[str] = []
    real_loads = tomllib.loads

    def counting_loads(text: str, **kwargs):
        parsed.append(text)
        return real_loads(text, **kwargs)

    monkeypatch.setattr(tomllib, "loads", counting_loads)
    return parsed


def test_a_second_load_reads_settled_files_from_the_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = make_store(tmp_path)
    first, problems = store.read_tasks()
    assert not problems and (tmp_path / "cache" / "index.json").exists()
    fresh = PlanStore(store.root, index_path=store.index_path)
    fresh.read_board()
    parsed = forbid_parsing(monkeypatch)
    second, _ = fresh.read_tasks()
    assert second == first
    assert [task.extra for task in second.values()] == [task.extra for task in first.values()]
    assert parsed == [], "unchanged task files were parsed again"


def test_a_changed_file_is_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = make_store(tmp_path)
    store.read_tasks()
    path = store.task_path("task1")
    path.write_text(path.read_text().replace('title = "Task 1"', 'title = "Task one, edited by hand"'))
    age(store, "task1", 60)
    parsed = forbid_parsing(monkeypatch)
    tasks, _ = store.read_tasks()
    assert tasks["task1"].title == "Task one, edited by hand"
    assert len(parsed) == 1 and "Task one, edited by hand" in parsed[0]


def test_fresh_files_are_not_trusted_to_the_index(tmp_path: Path) -> None:
    store = make_store(tmp_path, count=1)
    age(store, "task0", 0)  # just written: a second write in the same mtime tick could go unseen
    store.read_tasks()
    index = (tmp_path / "cache" / "index.json")
    assert not index.exists() or "task0.toml" not in index.read_text()


def test_removed_files_leave_the_index(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    store.read_tasks()
    store.task_path("task2").unlink()
    tasks, _ = store.read_tasks()
    assert sorted(tasks) == ["task0", "task1"]
    assert "task2.toml" not in store.index_path.read_text()


def test_an_unknown_date_value_is_never_turned_into_text(tmp_path: Path) -> None:
    store = make_store(tmp_path, count=0)
    path = store.task_path("dated")
    path.write_text('id = "dated"\ntitle = "x"\ncreated = 2026-11-26T09:00:00Z\nreview_on = 2026-12-24\n')
    age(store, "dated")
    store.read_tasks()
    tasks, _ = store.read_tasks()
    assert tasks["dated"].extra["review_on"] == date(2026, 12, 24)


@pytest.mark.parametrize("content", [b"", b"not json", b'{"version": 999, "entries": {}}', b"[1, 2]"])
def test_a_broken_or_foreign_index_is_ignored(tmp_path: Path, content: bytes) -> None:
    store = make_store(tmp_path)
    expected, _ = store.read_tasks()
    store.index_path.write_bytes(content)
    tasks, problems = store.read_tasks()
    assert tasks == expected and not problems


def test_the_index_lives_outside_the_plan_folder(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    store.read_tasks()
    assert not any(path.suffix == ".json" for path in store.root.rglob("*"))


# --- the recent part, read first by the app ---------------------------------------------------------

def history_store(tmp_path: Path) -> PlanStore:
    """An open task, a task done lately, and one done years ago; indexed by a full read."""
    store = PlanStore(tmp_path / "plans", index_path=tmp_path / "cache" / "index.json")
    store.create(Board())
    lately = datetime.now(timezone.utc).replace(microsecond=0)
    long_ago = datetime(2020, 1, 6, 9, tzinfo=timezone.utc)
    for task in (Task(id="open", title="Open", created=long_ago, updated=long_ago),
                 Task(id="lately", title="Done lately", created=long_ago, updated=lately, status="done",
                      column="done", done_at=lately),
                 Task(id="old", title="Done long ago", created=long_ago, updated=long_ago, status="done",
                      column="done", done_at=long_ago)):
        store.add_task(task)
        age(store, task.id)
    store.read_tasks()
    return store


def test_without_an_index_there_is_no_recent_read(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    assert store.read_recent_tasks() is None  # nothing indexed yet: only a full read can tell


def test_the_recent_read_skips_old_history_and_parses_nothing_it_knows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = history_store(tmp_path)
    fresh = PlanStore(store.root, index_path=store.index_path)
    fresh.read_board()
    parsed = forbid_parsing(monkeypatch)
    recent, problems = fresh.read_recent_tasks()
    assert sorted(recent) == ["lately", "open"] and not problems
    assert parsed == []
    assert recent["lately"] == store.read_tasks()[0]["lately"]


def test_the_recent_read_takes_new_and_changed_files_from_disk(tmp_path: Path) -> None:
    store = history_store(tmp_path)
    store.add_task(Task(id="new", title="Added by a pull", created=MOMENT, updated=MOMENT))
    store.task_path("lately").write_text(store.task_path("lately").read_text().replace("Done lately", "Renamed"))
    broken = store.tasks_dir / "broken.toml"
    broken.write_text('title = "unterminated\n')
    recent, problems = store.read_recent_tasks()
    assert sorted(recent) == ["lately", "new", "open"]
    assert recent["lately"].title == "Renamed"
    assert [problem.path for problem in problems] == [broken]


def test_an_old_task_changed_since_indexing_waits_for_the_full_read(tmp_path: Path) -> None:
    store = history_store(tmp_path)
    path = store.task_path("old")
    path.write_text(path.read_text().replace('status = "done"', 'status = "open"'))
    recent, _ = store.read_recent_tasks()
    assert "old" not in recent  # the documented gap: the app's full read follows at once
    assert store.read_tasks()[0]["old"].is_open
