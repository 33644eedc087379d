"""Switching a practice on or off in the plan from the practices screen (4): it is written to
board.toml as `[practices.<id>] enabled`, onto the file as it is on disk, keeping the file's
comments and layout, and every screen shows it at once."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.widgets import OptionList, Static

from planner.app.app import PlannerApp
from planner.app.screens.practices import PracticesScreen
from planner.app.screens.week import WeekScreen
from planner.app.widgets.score_panel import ScorePanel
from planner.store import PlanStore

SKILL_SCORE = "of 180 target minutes of skill practice done"

HAND_WRITTEN_BOARD = """\
# Sam's plan. Edited by hand: keep these notes.
schema = 1
title = "Sam: from support analyst to data analyst"

# London, even when travelling
timezone = "Europe/London"
week_start = "monday"
done_column = "done"
week_column = "this-week"

columns = [
    { id = "backlog", title = "Backlog" },
    { id = "this-week", title = "This week" },
    { id = "doing", title = "Doing", wip = 3 },  # three at most
    { id = "done", title = "Done" },
]

[practices.skills]
# Five hours a week of deliberate practice.
weight = 2
"""


async def settle(pilot) -> None:
    """Let the scoring workers finish and their results reach the screen."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_practices(pilot) -> PracticesScreen:
    await pilot.press("4")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PracticesScreen)
    return pilot.app.screen


async def open_week(pilot) -> WeekScreen:
    await pilot.press("2")
    await settle(pilot)
    assert isinstance(pilot.app.screen, WeekScreen)
    return pilot.app.screen


def first_line_of_row(screen: PracticesScreen, name: str) -> str:
    plugins = screen.query_one("#plugins", OptionList)
    return plugins.get_option_at_index(screen.names.index(name)).prompt.plain.splitlines()[0]


def details(screen: PracticesScreen) -> str:
    return " ".join(screen.query_one("#details", Static).render().plain.split())


def scores(screen: WeekScreen) -> str:
    return " ".join(screen.query_one("#scores", ScorePanel).render().plain.split())


def board_file(plans: Path) -> dict:
    return tomllib.loads((plans / "board.toml").read_text(encoding="utf-8"))


async def test_switching_a_practice_off_writes_board_toml_and_shows_at_once(app: PlannerApp, plans: Path) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        week = await open_week(pilot)
        assert SKILL_SCORE in scores(week)
        screen = await open_practices(pilot)
        assert screen.selected is not None and screen.selected.name == "skills"
        await pilot.press("space")
        assert board_file(plans)["practices"]["skills"] == {"enabled": False}
        assert first_line_of_row(screen, "skills") == "skills  off in this plan"
        assert "Sharpen your skills off in this plan" in details(screen)
        assert "error" not in details(screen)
        week = await open_week(pilot)
        assert SKILL_SCORE not in scores(week)  # the scores no longer ask the practice, with no restart

        await open_practices(pilot)
        await pilot.press("e")
        assert board_file(plans)["practices"]["skills"] == {"enabled": True}
        assert first_line_of_row(screen, "skills") == "skills  active"
        week = await open_week(pilot)
        assert SKILL_SCORE in scores(week)


async def test_a_practice_off_in_board_toml_is_shown_as_off_not_as_an_error(plans: Path) -> None:
    from planner.session import Session

    with (plans / "board.toml").open("a", encoding="utf-8") as board:
        board.write("\n[practices.feedback]\nenabled = false\n")
    app = PlannerApp(Session(plans), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_practices(pilot)
        assert first_line_of_row(screen, "feedback") == "feedback  off in this plan"
        screen.query_one("#plugins", OptionList).highlighted = screen.names.index("feedback")
        await pilot.pause()
        assert "Switched off in this plan (board.toml)" in details(screen)
        assert "error" not in details(screen)


async def test_a_toggle_keeps_comments_order_and_blank_lines_of_a_hand_written_board(
        plans: Path) -> None:
    from planner.session import Session

    (plans / "board.toml").write_text(HAND_WRITTEN_BOARD, encoding="utf-8")
    app = PlannerApp(Session(plans), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_practices(pilot)
        await pilot.press("space")
    assert (plans / "board.toml").read_text(encoding="utf-8") == HAND_WRITTEN_BOARD + "enabled = false\n"


async def test_a_toggle_keeps_what_another_writer_changed_meanwhile(
        app: PlannerApp, plans: Path, store: PlanStore) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_practices(pilot)
        # Another process (an editor, a sync) changes board.toml after the app has read it.
        with (plans / "board.toml").open("a", encoding="utf-8") as board:
            board.write("\n# learning counts double this quarter\n[practices.learning]\nweight = 2\n")
        await pilot.press("space")
        assert first_line_of_row(screen, "skills") == "skills  off in this plan"
    text = (plans / "board.toml").read_text(encoding="utf-8")
    assert "# learning counts double this quarter" in text
    assert board_file(plans)["practices"] == {"learning": {"weight": 2}, "skills": {"enabled": False}}
    assert store.read_board().practice_weight("learning") == 2


async def test_a_toggle_onto_a_broken_board_toml_is_a_notice_and_leaves_the_file(app: PlannerApp, plans: Path) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_practices(pilot)
        (plans / "board.toml").write_text("schema = 1\ntitle = \n", encoding="utf-8")
        await pilot.press("space")
        assert (plans / "board.toml").read_text(encoding="utf-8") == "schema = 1\ntitle = \n"
        assert any(notice.title == "Not saved" and "board.toml" in notice.message for notice in app._notifications)
        assert first_line_of_row(screen, "skills") == "skills  active"
