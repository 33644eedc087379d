"""The id the board's details show is the short id every command takes."""

from __future__ import annotations

import re

from planner.app.app import PlannerApp
from planner.app.dialogs.task_details import TaskDetails
from textual.widgets import Static


async def test_details_show_the_short_id_the_cli_accepts(app: PlannerApp) -> None:
    old = next(iter(app.session.tasks))
    new = app.session.add_task("Made by this version")
    async with app.run_test(size=(100, 30)) as pilot:
        for task_id, length in ((new.id, 7), (old, 7)):
            app.push_screen(TaskDetails(task_id))
            await pilot.pause()
            text = str(app.screen.query_one("#summary", Static).render())
            match = re.search(r"Id\s+(\w+) \(full id (\w+)\)", text)
            assert match, text
            short, full = match.groups()
            assert full == task_id and len(short) == length
            assert app.session.find(short).id == task_id
            await pilot.press("escape")
            await pilot.pause()
