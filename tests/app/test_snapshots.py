"""What each screen looks like, at 80x24 and 120x40, on the demo plan with the clock pinned.

Update after an intended change with `pytest tests/app/test_snapshots.py --snapshot-update`, then look
at the report of changed snapshots before committing them.
"""

from __future__ import annotations

import pytest

from planner.app.app import PlannerApp
from planner.session import Session

SIZES = [(80, 24), (120, 40)]
SCREENS = {
    "board": (),
    "week": ("2",),
    "insights": ("3",),
    "practices": ("4",),
    "impact": ("5",),
    "help": ("question_mark",),
    "new_task": ("n",),
}


async def settle(pilot) -> None:
    """Wait for the background scores, so the picture never depends on timing."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen_snapshot(screen: str, size: tuple[int, int], plans, snap_compare, monkeypatch) -> None:
    monkeypatch.setenv("COLORTERM", "truecolor")
    app = PlannerApp(Session(plans), watch=False)

    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in SCREENS[screen]:
            await pilot.press(key)
            await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


#: Every page of the two weekly flows on the demo's week: planning has the first page, seven
#: practice pages and the last; reviewing seven practice pages and the last.
FLOW_PAGES = [("plan", page) for page in range(9)] + [("review", page) for page in range(8)]


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize(("flow", "page"), FLOW_PAGES, ids=lambda value: str(value))
def test_flow_page_snapshot(flow: str, page: int, size: tuple[int, int], plans, snap_compare, monkeypatch) -> None:
    monkeypatch.setenv("COLORTERM", "truecolor")
    app = PlannerApp(Session(plans), watch=False)

    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in ("2", "p" if flow == "plan" else "r", *["enter"] * page):
            await pilot.press(key)
            await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
