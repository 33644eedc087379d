"""The app on a plan that arrived broken: it opens, lists the problems once, and stays responsive."""

from __future__ import annotations

import time
from pathlib import Path

from planner.app.app import PlannerApp
from planner.app.widgets.card_list import CardList
from planner.session import Session
from planner.text import SHOWN_TITLE


async def test_ten_thousand_broken_files_and_a_huge_title(plans: Path) -> None:
    tasks = plans / "tasks"
    for number in range(10_000):
        (tasks / f"broken{number:05d}.toml").write_text("title = [not valid")
    huge = "w" * 900_000  # one word, just under the size a plan file may have
    (tasks / "huge0title000000.toml").write_text(
        f'id = "huge0title000000"\ntitle = "{huge}"\ncolumn = "backlog"\ncreated = 2026-11-20T09:00:00Z\n')
    app = PlannerApp(Session(plans), watch=False)
    started = time.monotonic()
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        backlog = app.screen.query_one("#cards-backlog", CardList)
        assert "huge0title000000" in backlog.task_ids
        assert time.monotonic() - started < 30
        notices = list(app._notifications)
        assert len(notices) <= 6, [notice.message for notice in notices]
        assert any("more files have problems" in notice.message for notice in notices)
        await pilot.press("q")  # keys still work
    assert len(huge) > SHOWN_TITLE
