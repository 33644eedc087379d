"""The Impact screen (5): the outcomes of a period by practice, the numbers summed, the people, the
weekly value score; periods chosen with m q h y and stepped with [ ]; `/` filters; Enter opens a task."""

from __future__ import annotations

from textual.widgets import Static

from planner.app.app import PlannerApp
from planner.app.dialogs.task_details import TaskDetails
from planner.app.screens.impact import ImpactScreen, OutcomeList
from planner.store import PlanStore


def text(widget: Static) -> str:
    return " ".join(widget.visual.plain.split())


def rows(screen: ImpactScreen) -> list[str]:
    listing = screen.query_one(OutcomeList)
    return [listing.get_option_at_index(index).prompt.plain for index in range(listing.option_count)]


async def open_impact(pilot) -> ImpactScreen:
    await pilot.press("5")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ImpactScreen)
    return screen


async def test_this_quarters_outcomes_grouped_by_practice_with_numbers_and_people(app: PlannerApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_impact(pilot)
        assert text(screen.query_one("#impact-header", Static)).startswith("Impact 01 Oct 2026 – 31 Dec 2026")
        summary = text(screen.query_one("#impact-summary", Static))
        done = [task for task in app.tasks.values() if task.is_done and task.done_at.date().month >= 10]
        with_outcome = [task for task in done if task.outcome or task.impact]
        assert summary.startswith(f"{len(done)} tasks done, {len(with_outcome)} with an outcome")
        totals = {}
        for task in done:
            for metric, value in task.impact.items():
                totals[metric] = totals.get(metric, 0) + value
        for metric, value in totals.items():
            assert f"{value:g} {metric.replace('_', ' ')}" in summary
        # Jon and Maria each on 7 of the quarter's done tasks (a tie goes by name), then Raj on 5.
        assert "People jon (7), maria (7), raj (5)" in summary
        assert "Value " in summary and "weekly value score" in summary
        shown = rows(screen)
        assert shown[0].startswith("SKILL") and "Sharpen your skills" in shown[0]
        titles = [row for row in shown if row.startswith("  W")]
        assert len(titles) == len(with_outcome)


async def test_periods_step_and_enter_opens_the_task(app: PlannerApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_impact(pilot)
        await pilot.press("m")
        await pilot.pause()
        assert "01 Nov 2026 – 30 Nov 2026" in text(screen.query_one("#impact-header", Static))
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert "01 Oct 2026 – 31 Oct 2026" in text(screen.query_one("#impact-header", Static))
        await pilot.press("y", "right_square_bracket")
        await pilot.pause()
        assert "01 Jan 2027 – 31 Dec 2027" in text(screen.query_one("#impact-header", Static))
        assert "Nothing was marked done in this period" in rows(screen)[0]
        await pilot.press("left_square_bracket", "q")
        await pilot.pause()
        listing = screen.query_one(OutcomeList)
        listing.focus()
        await pilot.pause()
        task_id = listing.highlighted_option.id
        assert task_id in app.tasks
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TaskDetails) and app.screen.task_id == task_id


async def test_filter_as_on_the_board_includes_the_outcome(app: PlannerApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_impact(pilot)
        await pilot.press("slash", *"duplicate", "enter")
        await pilot.pause()
        shown = [row for row in rows(screen) if row.startswith("  W")]
        assert shown and all("duplicate" in row.lower() for row in shown)
        assert "filtered: duplicate" in text(screen.query_one("#impact-header", Static))
        await pilot.press("escape")
        await pilot.pause()
        assert len([row for row in rows(screen) if row.startswith("  W")]) > len(shown)


async def test_an_outcome_saved_elsewhere_shows_when_the_plan_changes(app: PlannerApp, store: PlanStore) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_impact(pilot)
        task = next(task for task in app.tasks.values() if task.is_done and not task.outcome
                    and task.done_at.date().month == 11)
        app.change_task(task.id, lambda current, now, board: __import__("planner.model", fromlist=["x"]).with_outcome(
            current, now, "Shown at once", {"hours_saved": 3}), "outcome")
        await pilot.pause()
        assert any("Shown at once" in row for row in rows(screen))
        assert "3 hours saved" in text(screen.query_one("#impact-summary", Static))
    assert store.read_task(task.id).outcome == "Shown at once"


async def test_a_hidden_impact_screen_waits_and_shows_changes_when_it_comes_back(app: PlannerApp) -> None:
    from planner.model import with_outcome

    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_impact(pilot)
        await pilot.press("1")
        await pilot.pause()
        task = next(task for task in app.tasks.values() if task.is_done and not task.outcome
                    and task.done_at.date().month == 11)
        shown = rows(screen)
        app.change_task(task.id, lambda current, now, board: with_outcome(current, now, "Made while hidden"), "outcome")
        await pilot.pause()
        assert rows(screen) == shown  # a save does not pay for a screen nobody sees
        await pilot.press("5")
        await pilot.pause()
        assert any("Made while hidden" in row for row in rows(screen))


async def test_the_trend_is_of_the_weeks_so_far(app: PlannerApp) -> None:
    """The quarter's weeks still to come are not scored as zeros: the average is of W40-W48."""
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_impact(pilot)
        summary = text(screen.query_one("#impact-summary", Static))
        scores = [result.value for result in app.session.score_weeks("2026-W48", 9) if result.has_data]
        assert len(scores) == 9 and all(value is not None for value in scores)
        assert (f"weekly value score 2026-W40–W48: average {sum(scores) / len(scores):.0f}, "
                f"best {max(scores):.0f}") in summary


async def test_in_a_quarters_first_days_it_opens_on_the_quarter_before(plans, monkeypatch) -> None:
    """On 4 January the new quarter holds three days: the screen opens on last quarter, says so,
    and `]` shows this one."""
    from planner.session import Session

    monkeypatch.setenv("PLANNER_NOW", "2027-01-04T09:00:00+00:00")
    app = PlannerApp(Session(plans), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_impact(pilot)
        header = text(screen.query_one("#impact-header", Static))
        assert header.startswith("Impact 01 Oct 2026 – 31 Dec 2026")
        assert "this quarter has only just begun: ] shows it" in header
        assert any(row.startswith("  W") for row in rows(screen))
        await pilot.press("right_square_bracket")
        await pilot.pause()
        header = text(screen.query_one("#impact-header", Static))
        assert header.startswith("Impact 01 Jan 2027 – 31 Mar 2027") and "just begun" not in header
        await pilot.press("left_square_bracket")  # back to last quarter, chosen now: no note
        await pilot.pause()
        header = text(screen.query_one("#impact-header", Static))
        assert header.startswith("Impact 01 Oct 2026") and "just begun" not in header


async def test_on_the_real_clock_restarted_it_shows_the_period_of_today(plans, monkeypatch) -> None:
    """Three starts on the real clock (the derived index warm after the first): the period holds
    today (or, in a quarter's first two weeks, is the quarter before), and an outcome saved in one
    start is counted in the next."""
    from datetime import timedelta

    from planner.dates import months_later, period_of
    from planner.model import complete_task, with_outcome
    from planner.session import Session

    monkeypatch.delenv("PLANNER_NOW", raising=False)
    session = Session(plans)
    today = session.today()
    start, end = period_of(today, 3)
    if (today - start).days < 14:
        start, end = months_later(start, -3), start - timedelta(days=1)
    counts = []
    for run in range(3):
        app = PlannerApp(Session(plans), watch=False)
        async with app.run_test(size=(120, 40)) as pilot:
            if run == 1:
                task = app.session.add_task("Real-clock outcome", practice="skills")
                app.session.change_task(task, lambda current, now, board: with_outcome(
                    complete_task(current, now, board), now, "It worked", {}))
            screen = await open_impact(pilot)
            header = text(screen.query_one("#impact-header", Static))
            assert header.startswith(f"Impact {start:%d %b %Y} – {end:%d %b %Y}")
            counts.append(int(text(screen.query_one("#impact-summary", Static)).split()[0]))
    if start <= today <= end:  # the outcome made today is in the period shown
        assert counts[1] == counts[0] + 1 and counts[2] == counts[1]
    else:
        assert counts[0] == counts[1] == counts[2]
