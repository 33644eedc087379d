"""planner.watch without the app: which paths count, how a file system is told to be polled, and how
a batch read in the watcher's thread is taken in against saves the process made meanwhile."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from planner.model import Board
from planner.session import Session
from planner.store import PlanStore, Problem
from planner.watch import Changes, network_file_system, plan_relative, read_changes, take_in, watch_mode


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Session:
    monkeypatch.setenv("PLANNER_NOW", "2026-11-26T10:00:00+00:00")
    PlanStore(tmp_path / "plans").create(Board(timezone="UTC"))
    session = Session(tmp_path / "plans")
    session.add_task("Write the report")
    return session


def only_task(session: Session) -> str:
    [task_id] = session.tasks
    return task_id


def test_only_plan_files_count() -> None:
    root = "/home/sam/plans"
    assert plan_relative(root, f"{root}/board.toml") == "board.toml"
    assert plan_relative(root, f"{root}/tasks/0abc.toml") == "tasks/0abc.toml"
    assert plan_relative(root, f"{root}/weeks/2026-W48.toml") == "weeks/2026-W48.toml"
    assert plan_relative(root, f"{root}/tasks") == "tasks"  # the folder itself: made, removed, replaced
    ignored = [
        f"{root}/.git/objects/ab/cdef", f"{root}/.git/index", f"{root}/.git", f"{root}/.planner.lock",
        f"{root}/tasks/.0abc.toml.x1y2.tmp", f"{root}/tasks/.0abc.toml.swp", f"{root}/tasks/0abc.toml~",
        f"{root}/tasks/4913", f"{root}/tasks/.#0abc.toml", f"{root}/tasks/sub/0abc.toml", f"{root}/notes.toml",
        f"{root}/.board.toml.swp", "/home/sam/other/tasks/0abc.toml", f"{root}-old/board.toml",
    ]
    assert [path for path in ignored if plan_relative(root, path) is not None] == []


def test_watch_mode_comes_from_the_environment() -> None:
    assert watch_mode({}) == ("events", None)
    assert watch_mode({"PLANNER_WATCH": "poll"}) == ("poll", None)
    assert watch_mode({"PLANNER_WATCH": " OFF "}) == ("off", None)
    mode, notice = watch_mode({"PLANNER_WATCH": "inotify"})
    assert mode == "events" and notice is not None and "'inotify' is not one of events, poll, off" in notice


def test_a_plan_on_a_network_file_system_is_polled(tmp_path: Path) -> None:
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text(
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "40 22 0:50 / /mnt/nas rw,relatime shared:20 - nfs4 nas:/export rw,vers=4.2\n"
        "41 40 0:51 / /mnt/nas/local\\040disk rw shared:21 - ext4 /dev/sdb1 rw\n"
        "42 22 0:52 / /home/sam/remote rw - fuse.sshfs sam@host:/plans rw\n")
    assert network_file_system(Path("/mnt/nas/plans"), mountinfo) == "nfs4"
    assert network_file_system(Path("/mnt/nas"), mountinfo) == "nfs4"
    assert network_file_system(Path("/mnt/nas/local disk/plans"), mountinfo) is None  # the deeper mount wins
    assert network_file_system(Path("/mnt/nasty/plans"), mountinfo) is None  # a prefix of the name is not inside
    assert network_file_system(Path("/home/sam/remote/plans"), mountinfo) == "fuse.sshfs"
    assert network_file_system(Path("/home/sam/plans"), mountinfo) is None
    assert network_file_system(Path("/home/sam/plans"), tmp_path / "no-such-file") is None


def test_the_process_own_save_is_left_out_without_parsing(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    task_id = only_task(session)
    session.change_task(session.tasks[task_id], lambda task, now, board: replace(task, title="Renamed here"))
    parsed = []
    monkeypatch.setattr(PlanStore, "read_task", lambda *arguments: parsed.append(arguments))
    assert read_changes(session.store, {f"tasks/{task_id}.toml"}).files == {}
    assert parsed == []


def test_a_change_made_elsewhere_is_read_and_taken_in_once(session: Session) -> None:
    task_id = only_task(session)
    PlanStore(session.root).update_task(task_id, lambda task: replace(task, title="Renamed elsewhere"))
    relative = f"tasks/{task_id}.toml"
    taken = take_in(session, read_changes(session.store, {relative}))
    assert taken.task_ids == {task_id} and session.tasks[task_id].title == "Renamed elsewhere"
    # A second event for the same change (an editor's write, then its chmod) is no change.
    assert read_changes(session.store, {relative}).files == {}


def test_a_save_made_after_the_watcher_read_the_file_is_kept(session: Session) -> None:
    """The watcher reads an outside change; before the app takes it in, the user's own save (built on
    that change, as every save is) lands. Taking in the older read must not undo the save."""
    task_id = only_task(session)
    PlanStore(session.root).update_task(task_id, lambda task: replace(task, title="Renamed elsewhere"))
    changes = read_changes(session.store, {f"tasks/{task_id}.toml"})
    session.change_task(session.tasks[task_id], lambda task, now, board: replace(task, estimate=45))
    taken = take_in(session, changes)
    assert taken.task_ids == set()
    assert (session.tasks[task_id].title, session.tasks[task_id].estimate) == ("Renamed elsewhere", 45)
    assert read_changes(session.store, {f"tasks/{task_id}.toml"}).files == {}  # and its event is the app's own


def test_a_file_that_stops_parsing_is_a_problem_until_fixed(session: Session) -> None:
    task_id = only_task(session)
    path = session.store.task_path(task_id)
    good = path.read_bytes()
    path.write_bytes(good.replace(b'title = "', b'title = "unterminated\n#'))
    taken = take_in(session, read_changes(session.store, {f"tasks/{task_id}.toml"}))
    [problem] = taken.problems
    assert isinstance(problem, Problem) and problem.path.name == f"{task_id}.toml" and problem.line == 3
    assert taken.task_ids == {task_id} and task_id not in session.tasks
    assert [p.path.name for p in session.problems] == [f"{task_id}.toml"]
    path.write_bytes(good)
    taken = take_in(session, read_changes(session.store, {f"tasks/{task_id}.toml"}))
    assert taken.task_ids == {task_id} and session.tasks[task_id].title == "Write the report"
    assert taken.problems == [] and session.problems == []


def test_a_listing_of_tasks_takes_away_only_what_is_gone(session: Session) -> None:
    """After tasks/ was replaced the watcher lists it whole: a task not listed is gone, unless the
    app saved it after the listing."""
    first = only_task(session)
    listing = Changes(listed_task_ids=set(), listed_after_save=session.store.saves)
    second = session.add_task("Added after the listing").id
    taken = take_in(session, listing)
    assert taken.task_ids == {first} and set(session.tasks) == {second}


def test_a_board_that_stops_parsing_keeps_the_board_as_it_was(session: Session) -> None:
    board = session.board
    session.store.board_path.write_text(session.store.board_path.read_text() + "\ntitle = [\n")
    taken = take_in(session, read_changes(session.store, {"board.toml"}))
    assert not taken.board_changed and session.board == board
    [notice] = taken.notices
    assert "board.toml:" in notice and "kept until the file is fixed" in notice
    session.store.board_path.write_text(session.store.board_path.read_text().replace("\ntitle = [\n", "")
                                        .replace('title = "My plan"', 'title = "Fixed"'))
    taken = take_in(session, read_changes(session.store, {"board.toml"}))
    assert taken.board_changed and session.board.title == "Fixed"


def test_taking_in_nothing_changes_nothing(session: Session) -> None:
    before = dict(session.tasks)
    taken = take_in(session, Changes())
    assert (taken.task_ids, taken.weeks, taken.board_changed, taken.problems) == (set(), set(), False, [])
    assert session.tasks == before


def test_a_listing_after_a_read_drops_what_the_read_saw_of_a_task_since_gone(session: Session) -> None:
    task_id = only_task(session)
    PlanStore(session.root).update_task(task_id, lambda task: replace(task, title="Renamed elsewhere"))
    pending = read_changes(session.store, {f"tasks/{task_id}.toml"})
    session.store.task_path(task_id).unlink()
    pending.add(Changes(listed_task_ids=set(), listed_after_save=session.store.saves))
    taken = take_in(session, pending)
    assert taken.task_ids == {task_id} and task_id not in session.tasks
