"""Issue #9, section 6: in the app, planner_task_completed runs off the screen's thread. A slow hook
does not freeze the board; one that runs over its time budget is disabled, and the app says so."""

from __future__ import annotations

import threading
import time

from planner.api import hookimpl
from planner.app.app import PlannerApp
from planner.model import complete_task

SIZE = (120, 40)


class SlowListener:
    """Takes `seconds` (or until released) to hear of each task done."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.release = threading.Event()
        self.heard: list[str] = []

    @hookimpl
    def planner_task_completed(self, task) -> None:
        self.release.wait(self.seconds)
        self.heard.append(task.id)


def an_open_task(app: PlannerApp) -> str:
    return next(task.id for task in app.tasks.values() if task.is_open)


def notices(app: PlannerApp) -> list[str]:
    return [f"{notice.title}: {notice.message}" for notice in app._notifications]


async def test_a_slow_task_completed_hook_does_not_freeze_the_screen(app: PlannerApp) -> None:
    listener = SlowListener(seconds=4)
    app.session.host.add_plugin(listener, "slow-listener")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        task_id = an_open_task(app)
        started = time.monotonic()
        done = app.change_task(task_id, complete_task, "done")
        assert time.monotonic() - started < 1
        assert done is not None and done.is_done and listener.heard == []
        listener.release.set()
        assert app.session.host.wait_for_notifications(5)
        assert listener.heard == [task_id]
        assert app.session.host.records["slow-listener"].active


async def test_a_task_completed_hook_over_its_budget_is_disabled_and_the_app_says_so(app: PlannerApp) -> None:
    listener = SlowListener(seconds=10)
    host = app.session.host
    host.hook_timeout = 0.3
    host.add_plugin(listener, "slow-listener")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            started = time.monotonic()
            app.change_task(an_open_task(app), complete_task, "done")
            assert time.monotonic() - started < 0.3
            for _ in range(50):
                await pilot.pause(0.05)
                if any("slow-listener" in notice for notice in notices(app)):
                    break
            [notice] = [notice for notice in notices(app) if "slow-listener" in notice]
            assert notice.startswith("Plugin disabled: plugin 'slow-listener'")
            assert "planner_task_completed did not return within 0.3 s" in notice
    finally:
        listener.release.set()
