"""A repeating card on the board: `x` makes the next one, shown with its marker; `u` takes it away."""

from __future__ import annotations

from datetime import date

from planner.app.app import PlannerApp
from planner.app.screens.board import BoardScreen
from planner.app.widgets.card_list import CardList
from planner.store import PlanStore


def cards(app: PlannerApp, column: str) -> CardList:
    return app.screen.query_one(f"#cards-{column}", CardList)


async def select_card(pilot, app: PlannerApp, column: str, task_id: str) -> None:
    """Focus `column` with the cursor on the task's card."""
    listing = cards(app, column)
    listing.focus()
    listing.highlighted = listing.task_ids.index(task_id)
    await pilot.pause()


def card_text(app: PlannerApp, task_id: str) -> str:
    lines = app.screen.card_lines(app.tasks[task_id], 60)
    return "\n".join("".join(text for text, _ in line) for line in lines)


async def back_to_the_board(pilot, app: PlannerApp) -> None:
    """Past anything a done may ask (an outcome question): the board again."""
    for _ in range(3):
        if isinstance(app.screen, BoardScreen):
            return
        await pilot.press("escape")
        await pilot.pause()


async def test_x_on_a_repeating_card_makes_the_next_one_and_u_takes_it_away(app: PlannerApp,
                                                                            store: PlanStore) -> None:
    task = app.session.add_task("Weekly review of the support queue", day=date(2026, 11, 27), repeat="every week")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert task.id in cards(app, "this-week").task_ids and "↻" in card_text(app, task.id)
        await select_card(pilot, app, "this-week", task.id)
        await pilot.press("x")
        await pilot.pause()
        await back_to_the_board(pilot, app)

        assert store.read_task(task.id).is_done
        [upcoming] = [other for other in store.read_tasks()[0].values()
                      if other.title == task.title and other.is_open]
        assert upcoming.day == date(2026, 12, 4) and upcoming.series == task.id
        assert upcoming.id in cards(app, "backlog").task_ids  # next week's: not in This week
        assert "↻" in card_text(app, upcoming.id)

        await pilot.press("u")
        await pilot.pause()
        assert store.read_task(task.id).is_open
        assert store.read_task(upcoming.id).status == "deleted"
        assert upcoming.id not in cards(app, "backlog").task_ids
        assert task.id in cards(app, "this-week").task_ids

        await pilot.press("ctrl+r")
        await pilot.pause()
        assert store.read_task(upcoming.id).is_open and upcoming.id in cards(app, "backlog").task_ids


async def test_the_form_edits_the_rule_and_explains_a_bad_one(app: PlannerApp, store: PlanStore) -> None:
    task = app.session.add_task("Stretch", day=date(2026, 11, 27))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await select_card(pilot, app, "this-week", task.id)
        await pilot.press("e")
        await pilot.pause()
        field = app.screen.query_one("#repeat")
        field.value = "every fortnight"
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = app.screen.query_one("#error")
        assert error.display and "every 2 weeks on tue" in str(error.render())
        assert store.read_task(task.id).repeat == ""
        field.value = "Every Weekday"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        assert store.read_task(task.id).repeat == "every weekday"
        assert "↻" in card_text(app, task.id)


async def test_a_repeating_card_added_in_done_makes_the_next_one(app: PlannerApp, store: PlanStore) -> None:
    """A habit logged as done from the board (a new card in Done, with a rule) schedules the next."""
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        cards(app, "done").focus()
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#title").value = "Weekly learning session"
        app.screen.query_one("#repeat").value = "every week"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await back_to_the_board(pilot, app)
        tasks = [task for task in store.read_tasks()[0].values() if task.title == "Weekly learning session"]
        [done] = [task for task in tasks if task.is_done]
        [upcoming] = [task for task in tasks if task.is_open]
        assert upcoming.series == done.id and upcoming.repeat == "every week"
        assert done.id in cards(app, "done").task_ids
        assert any(upcoming.id in cards(app, column.id).task_ids for column in app.session.board.columns)


async def test_done_in_the_app_after_the_cli_did_it_makes_no_second_next_one(app: PlannerApp, store: PlanStore,
                                                                            tmp_path) -> None:
    """Two writers: `planner done` in a shell marks the occurrence done (and makes the next one)
    while the app still shows it open; `x` in the app then finds it done on disk and makes nothing."""
    from cli_runner import PlannerRunner

    occurrence = next(task for task in app.tasks.values() if task.repeat and task.is_open and task.column == "this-week")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await select_card(pilot, app, "this-week", occurrence.id)
        shell = PlannerRunner(tmp_path)
        shell.env["PLANNER_NOW"] = "2026-11-26T17:00:00+00:00"
        assert "Next on" in shell.ok("done", occurrence.id).stdout
        done_by_shell = store.read_task(occurrence.id).done_at
        await pilot.press("x")
        await pilot.pause()
        await back_to_the_board(pilot, app)
    series = occurrence.series or occurrence.id
    tasks = store.read_tasks()[0].values()
    upcoming = [task for task in tasks if (task.series or task.id) == series and task.is_open]
    assert len(upcoming) == 1
    assert store.read_task(occurrence.id).is_done and store.read_task(occurrence.id).done_at == done_by_shell
