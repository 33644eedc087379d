"""The app started again and again on the real clock, as a person uses it: the first start builds the
index in the cache folder, the next ones begin from its recent part and catch up with the whole plan.
A pinned clock and a single start hid a crash on this path (a naive "now" met the tasks' aware times).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.app.app import PlannerApp
from planner.config import index_path_for
from planner.session import Session


async def test_three_starts_on_the_real_clock_with_a_warm_index(plans: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLANNER_NOW")
    for start in (1, 2, 3):
        app = PlannerApp(Session(plans), watch=True)
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()
            assert app.session.is_loaded, f"start {start}: the plan was not read"
            assert app.query("TaskList"), f"start {start}: no board"
        # run_test re-raises anything that crashed the app; the status says so too
        assert not app.return_code, f"start {start} ended with status {app.return_code}"
        assert index_path_for(plans).is_file()
