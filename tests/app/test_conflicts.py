"""A conflict a sync kept shows on the card and is settled from the task's details."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.widgets import Button, Static

from planner.app.app import PlannerApp
from planner.app.dialogs.task_details import ConflictRow, TaskDetails
from planner.session import Session
from test_board import cards

TASK = """schema = 1
id = "c0nf11ctc0nf11ct"
title = "Title kept by the sync"
status = "open"
column = "this-week"
rank = "a"
created = 2026-11-24 09:00:00+00:00
updated = 2026-11-25 10:00:00+00:00
conflicts = [
    { field = "title", value = "Title from the other machine", updated = 2026-11-25 09:55:00+00:00 },
    { field = "due", updated = 2026-11-25 09:55:00+00:00 },
]
"""


def add_conflicted_task(plans: Path) -> Path:
    path = plans / "tasks" / "c0nf11ctc0nf11ct.toml"
    path.write_text(TASK, encoding="utf-8")
    return path


async def test_the_details_show_both_values_and_take_the_other(plans: Path) -> None:
    path = add_conflicted_task(plans)
    app = PlannerApp(Session(plans), watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        column = cards(app, "this-week")
        shown = " ".join(column.render_line(y).text for y in range(column.scrollable_content_region.height))
        assert "⚠ Title kept by" in shown
        app.push_screen(TaskDetails("c0nf11ctc0nf11ct"))
        await pilot.pause()
        rows = list(app.screen.query(ConflictRow))
        assert [row.conflict.field for row in rows] == ["title", "due"]
        first = str(rows[0].query_one(Static).render())
        assert "current Title kept by the sync" in first and "other   Title from the other machine" in first
        assert "other   (none)" in str(rows[1].query_one(Static).render())
        # Every button is on screen at 80x24 (the dialog scrolls, the buttons stay reachable).
        take = app.screen.query_one("#take-0", Button)
        take.focus()
        await pilot.press("enter")
        await pilot.pause()
        saved = tomllib.loads(path.read_text(encoding="utf-8"))
        assert saved["title"] == "Title from the other machine"
        assert [entry["field"] for entry in saved["conflicts"]] == ["due"]
        assert [row.conflict.field for row in app.screen.query(ConflictRow)] == ["due"]
        app.screen.query_one("#keep-0", Button).focus()
        await pilot.press("enter")
        await pilot.pause()
        saved = tomllib.loads(path.read_text(encoding="utf-8"))
        assert "conflicts" not in saved and "due" not in saved
        assert not list(app.screen.query(ConflictRow))
        assert app.session.tasks["c0nf11ctc0nf11ct"].title == "Title from the other machine"
        # Undo brings the conflict back, as any other change.
        await pilot.press("escape", "u")
        await pilot.pause()
        assert "conflicts" in tomllib.loads(path.read_text(encoding="utf-8"))


async def test_a_conflict_resolved_meanwhile_by_the_cli_is_a_notice_not_a_crash(plans: Path) -> None:
    path = add_conflicted_task(plans)
    app = PlannerApp(Session(plans), watch=False)
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(TaskDetails("c0nf11ctc0nf11ct"))
        await pilot.pause()
        # Another writer (the CLI, another machine's sync) settles both conflicts first.
        Session(plans).resolve_conflict("c0nf11ctc0nf11ct", "title", take_other=False)
        Session(plans).resolve_conflict("c0nf11ctc0nf11ct", "due", take_other=False)
        app.screen.query_one("#take-0", Button).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "conflicts" not in tomllib.loads(path.read_text(encoding="utf-8"))
        assert any("no conflict on 'title'" in str(notice.message) for notice in app._notifications)


async def test_a_move_on_two_machines_is_one_choice(plans: Path) -> None:
    path = plans / "tasks" / "m0vedm0vedm0ved1.toml"
    path.write_text(TASK.replace("c0nf11ctc0nf11ct", "m0vedm0vedm0ved1").split("conflicts")[0] + """conflicts = [
    { field = "status", value = "done" },
    { field = "column", value = "done" },
    { field = "done_at", value = 2026-11-25 09:55:00+00:00 },
]
""", encoding="utf-8")
    app = PlannerApp(Session(plans), watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(TaskDetails("m0vedm0vedm0ved1"))
        await pilot.pause()
        [row] = app.screen.query(ConflictRow)
        text = str(row.query_one(Static).render())
        assert "The task was moved differently on two machines" in text
        assert "column  other   done" in text and "status  current open" in text
        app.screen.query_one("#take-0", Button).focus()
        await pilot.press("enter")
        await pilot.pause()
        saved = tomllib.loads(path.read_text(encoding="utf-8"))
        assert (saved["column"], saved["status"]) == ("done", "done") and "conflicts" not in saved
