"""Sync from inside the app: the key, the header's progress, the result, and the automatic syncs
set in board.toml. Real git, a bare repository in a temp folder as the remote."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from planner.app.app import PlannerApp
from planner.model import edit_task
from planner.session import Session
from test_sync import Machine, A_CLOCK, B_CLOCK

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git (.ci/run installs it)")


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Machine, Machine]:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    a, b = Machine(tmp_path / "a", A_CLOCK), Machine(tmp_path / "b", B_CLOCK)
    a.ok("init")
    a.add("Shared task")
    a.sync("--init", str(remote))
    b.sync("--init", str(remote))
    # The app runs in this process: give it B's environment (folders, git without a global config).
    for key, value in b.env.items():
        if key.startswith(("PLANNER_", "GIT_")):
            monkeypatch.setenv(key, value)
    monkeypatch.delenv("PLANNER_NOW", raising=False)
    return a, b


async def wait_until(pilot, condition, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.05)


def notices(app: PlannerApp) -> list[str]:
    return [f"{notice.title}: {notice.message}" for notice in app._notifications]


async def test_the_sync_key_merges_and_shows_progress_and_the_result(pair: tuple[Machine, Machine]) -> None:
    a, b = pair
    [task_id] = [task["id"] for task in a.json("list", "--json")]
    a("edit", task_id, "--title", "Renamed on A")
    a.sync()
    app = PlannerApp(Session(b.plans), watch=False)
    steps: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session.is_loaded)
        app.status_changed.subscribe(app, steps.append)
        await pilot.press("S")
        await wait_until(pilot, lambda: not app.syncer.running and any("Synced" in n for n in notices(app)))
        assert any("Fetching from origin" in step for step in steps)
        assert any("received 1 changed file from origin" in n for n in notices(app))
        assert app.tasks[task_id].title == "Renamed on A"  # shown without a folder watcher
        assert app.header_status() == ""


async def test_a_sync_that_cannot_run_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(tmp_path / "cache"))
    session = Session(tmp_path / "plans")
    session.ensure_plan()
    app = PlannerApp(session, watch=False)
    async with app.run_test() as pilot:
        await pilot.press("S")
        await wait_until(pilot, lambda: not app.syncer.running and notices(app))
        assert any("Cannot sync" in n and "planner sync --init" in n for n in notices(app))


async def test_auto_sync_on_start_on_idle_and_on_quit(pair: tuple[Machine, Machine]) -> None:
    a, b = pair
    board = b.plans / "board.toml"
    board.write_text(board.read_text() + "\n[sync]\non_start = true\non_quit = true\nidle_minutes = 0.02\n")
    b.sync()
    a.sync()
    [task_id] = [task["id"] for task in a.json("list", "--json")]
    a("edit", task_id, "--title", "Before B's app started")
    a.sync()
    app = PlannerApp(Session(b.plans), watch=False)
    async with app.run_test() as pilot:
        # On start: A's edit arrives without a key.
        await wait_until(pilot, lambda: app.session.is_loaded and app.tasks[task_id].title == "Before B's app started")
        await wait_until(pilot, lambda: not app.syncer.running)
        # After idle minutes (1.2 s here): B's change, made in the app, reaches the remote.
        await pilot.press("x")  # the focused card: done
        await wait_until(pilot, lambda: app.tasks[task_id].is_done)
        await pilot.press("escape")  # no outcome this time
        await wait_until(pilot, lambda: "1 task edited" in b.git("log", "-1", "--format=%s", "origin/HEAD",
                                                                    check=False).stdout, 20)
        # On quit: a last change goes out before the app exits.
        app.change_task(task_id, lambda task, now, board: edit_task(task, now, board, title="Changed just before quit"),
                        "edit")
        await pilot.press("q")
        await wait_until(pilot, lambda: app._exit_renderables is not None or not app.is_running, 30)
    a.sync()
    assert a.task(task_id)["status"] == "done" and a.task(task_id)["title"] == "Changed just before quit"


async def test_the_header_counts_files_that_cannot_be_read(plans: Path) -> None:
    (plans / "tasks" / "broken1.toml").write_text("title = [")
    app = PlannerApp(Session(plans), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session.is_loaded)
        await pilot.pause()
        from planner.app.widgets.title_bar import TitleBar

        assert "⚠ 1 file unreadable" in app.screen.query_one(TitleBar).render_line(0).text
