"""The week screen, driven with Pilot on a copy of the demo plan.

The demo's clock stands at Thursday 2026-11-26 17:30 UTC, in plan week 2026-W48 (Monday start).
Every test checks what the screen shows and what was saved in the plan folder.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from textual.widgets import Static

from planner.app.app import PlannerApp
from planner.app.dialogs.prompt_flow import IntentionDialog
from planner.app.screens.week import DayColumn, WeekScreen, date_range, week_columns
from planner.app.widgets.day_list import DayList
from planner.app.widgets.score_panel import ScorePanel, score_changes
from planner.model import Task
from planner.store import PlanStore

SIZE = (120, 40)
THIS_WEEK = "2026-W48"
# Tasks of the demo's week 2026-W48.
NOTEBOOKS = "pp9mfq4p1pj9wxjy"  # Thursday 26, open (doing), practice skills: the churn walkthrough rehearsal
CHARTS = "j3anv36dmjxf2j4e"  # Saturday 28, open, practice learning: the weekly study hour (repeats)
AUTOMATION = "rzzxk1rg21ac8k82"  # no day, open
RENEW = "vnyhxf3fmh265xaa"  # Wednesday 25, done, practice proactive
# The next week's only task: the next 1:1 with Maria, made when Tuesday 17's was done.
MARIA_NEXT = "d6azazxh5phmqagy"  # Tuesday 1 Dec, open
MARKUP_TITLE = "[bold]not bold[/bold] [@click=app.quit]quit[/] [/"


def plain(widget: Static) -> str:
    return widget.visual.plain


def words(widget: Static) -> str:
    """The widget's text with wrapped lines joined: panels wrap in a tall terminal."""
    return " ".join(plain(widget).split())


def list_texts(cards: DayList) -> list[str]:
    """Each card's text as drawn, wrapped lines joined with a space."""
    return [" ".join(cards.task_content(index).plain.split()) for index in range(len(cards.task_ids))]


async def settle(pilot) -> None:
    """Wait for the scores, which are computed in a thread."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_week(pilot) -> WeekScreen:
    await pilot.press("2")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, WeekScreen)
    return screen


def day_list(screen: WeekScreen, day: date | None) -> DayList:
    return next(cards for cards in screen.lists if cards.day == day)


def header(screen: WeekScreen) -> str:
    return plain(screen.query_one("#week-header", Static))


def notices(app: PlannerApp) -> list[str]:
    return [notification.message for notification in app._notifications]


# --- showing the week -----------------------------------------------------------------------------

async def test_key_2_shows_this_week_with_tasks_on_their_days(app: PlannerApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_week(pilot)
        assert screen.week == THIS_WEEK
        assert header(screen).startswith("2026-W48  23–29 Nov 2026  this week  6/14 done")
        headers = [plain(column.query_one(".day-header", Static)) for column in screen.columns]
        assert [text[:7] for text in headers] == [
            " Mon 23", " Tue 24", " Wed 25", "•Thu 26", " Fri 27", " Sat 28", " Sun 29", " Any da"]
        assert headers[3].startswith("•Thu 26 today")
        assert day_list(screen, date(2026, 11, 26)).task_ids == [NOTEBOOKS]
        assert CHARTS in day_list(screen, date(2026, 11, 28)).task_ids
        assert RENEW in day_list(screen, date(2026, 11, 25)).task_ids
        assert AUTOMATION in day_list(screen, None).task_ids
        assert day_list(screen, date(2026, 11, 29)).task_ids == []
        # Today's column has the focus, and its task is spelled out in full under the days.
        assert screen.focused is day_list(screen, date(2026, 11, 26))
        assert "Rehearse the 10-minute churn walkthrough out loud, timed" in plain(screen.query_one("#selected", Static))
        # A done task is ticked; every card is one line of badge and title.
        assert any(text.startswith("PROACT ✓ Prepare the numbers") or text.startswith("PR ✓ Prepare the numbers")
                   for text in list_texts(day_list(screen, date(2026, 11, 25))))
        # Intentions and scores of the week.
        intentions = words(screen.query_one("#intentions", Static))
        assert "Spend real time with @raj" in intentions
        scores = words(screen.query_one("#scores", ScorePanel))
        assert "weekly value score" in scores
        assert "90 of 180 target minutes of skill practice done" in scores


async def test_brackets_and_t_move_between_weeks(app: PlannerApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_week(pilot)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert screen.week == "2026-W49"
        assert header(screen).startswith("2026-W49  30 Nov – 6 Dec 2026  next week")
        # Nothing planned yet but the next occurrence of a repeating task, on its day.
        assert [(cards.day, cards.task_ids) for cards in screen.lists if cards.task_ids] == [
            (date(2026, 12, 1), [MARIA_NEXT])]
        await pilot.press("left_square_bracket", "left_square_bracket")
        await pilot.pause()
        assert screen.week == "2026-W47"
        assert "last week" in header(screen)
        assert "✓ reviewed Sun 22 Nov" in header(screen)
        assert any(cards.task_ids for cards in screen.lists)
        assert NOTEBOOKS not in [task_id for cards in screen.lists for task_id in cards.task_ids]
        await pilot.press("t")
        await pilot.pause()
        assert screen.week == THIS_WEEK
        assert day_list(screen, date(2026, 11, 26)).task_ids == [NOTEBOOKS]


# --- scheduling from the week ------------------------------------------------------------------------

async def test_schedule_a_task_to_another_day(app: PlannerApp, store: PlanStore) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_week(pilot)
        assert screen.selected_task.id == NOTEBOOKS
        await pilot.press("s")
        await pilot.pause()
        await pilot.press(*"sat", "enter")
        await pilot.pause()
        saved = store.read_task(NOTEBOOKS)
        assert (saved.week, saved.day) == (THIS_WEEK, date(2026, 11, 28))
        assert NOTEBOOKS in day_list(screen, date(2026, 11, 28)).task_ids
        assert NOTEBOOKS not in day_list(screen, date(2026, 11, 26)).task_ids


async def test_greater_than_moves_the_task_to_the_next_day_and_the_cursor_follows(
        app: PlannerApp, store: PlanStore) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_week(pilot)
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert store.read_task(NOTEBOOKS).day == date(2026, 11, 27)
        friday = day_list(screen, date(2026, 11, 27))
        assert screen.focused is friday and friday.selected_task_id == NOTEBOOKS
        await pilot.press("less_than_sign")
        await pilot.pause()
        assert store.read_task(NOTEBOOKS).day == date(2026, 11, 26)
        # After Sunday comes "Any day": the task stays in the week, without a day.
        await pilot.press("right", "right")
        assert screen.selected_task.id == CHARTS
        await pilot.press("shift+right", "greater_than_sign")
        await pilot.pause()
        saved = store.read_task(CHARTS)
        assert (saved.week, saved.day) == (THIS_WEEK, None)
        assert screen.focused is day_list(screen, None) and screen.selected_task.id == CHARTS
        await pilot.press("less_than_sign")
        await pilot.pause()
        assert store.read_task(CHARTS).day == date(2026, 11, 29)


async def test_done_toggle_and_unschedule(app: PlannerApp, store: PlanStore) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_week(pilot)
        await pilot.press("x")
        await pilot.pause()
        assert store.read_task(NOTEBOOKS).status == "done"
        await pilot.press("escape")  # skips the outcome
        today = day_list(screen, date(2026, 11, 26))
        assert "✓" in list_texts(today)[today.task_ids.index(NOTEBOOKS)]
        await pilot.press("x")
        await pilot.pause()
        assert store.read_task(NOTEBOOKS).status == "open"
        await pilot.press("minus")
        await pilot.pause()
        saved = store.read_task(NOTEBOOKS)
        assert (saved.week, saved.day) == (None, None)
        assert all(NOTEBOOKS not in cards.task_ids for cards in screen.lists)


async def test_n_adds_a_task_on_the_selected_day(app: PlannerApp, store: PlanStore) -> None:
    before = set(store.read_tasks()[0])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_week(pilot)
        await pilot.press("right", "n")  # Friday
        await pilot.pause()
        await pilot.press(*"Book the room", "enter")
        await pilot.pause()
        (new_id,) = set(store.read_tasks()[0]) - before
        saved = store.read_task(new_id)
        assert (saved.title, saved.week, saved.day) == ("Book the room", THIS_WEEK, date(2026, 11, 27))
        assert screen.focused is day_list(screen, date(2026, 11, 27)) and screen.selected_task.id == new_id


# --- planning and reviewing ------------------------------------------------------------------------------

async def test_help_names_each_day_key_for_its_own_direction(app: PlannerApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await open_week(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        rows = [" ".join(line.split()) for line in str(app.screen.query_one("#bindings").render()).splitlines()]
        assert "← h Day left" in rows and "→ l Day right" in rows
        assert "⏎ Details" in rows


# --- user text is text --------------------------------------------------------------------------------

async def test_markup_in_titles_answers_and_intentions_shows_literally(app: PlannerApp, store: PlanStore) -> None:
    task = app.session.add_task(MARKUP_TITLE, day=date(2026, 11, 26))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_week(pilot)
        thursday = day_list(screen, date(2026, 11, 26))
        assert any(MARKUP_TITLE in text for text in list_texts(thursday))
        thursday.select_task(task.id)
        await pilot.pause()
        assert MARKUP_TITLE in plain(screen.query_one("#selected", Static))
        # An intention, through the `i` dialog (the selected task's practice is preselected).
        day_list(screen, date(2026, 11, 26)).select_task(NOTEBOOKS)
        await pilot.press("i")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, IntentionDialog) and dialog.practice_id == "skills"
        await pilot.press("ctrl+u", *"[b]big[/b] [@click=app.quit]", "enter")
        await pilot.pause()
        assert store.read_week(THIS_WEEK).intentions["skills"] == "[b]big[/b] [@click=app.quit]"
        assert "[b]big[/b] [@click=app.quit]" in words(screen.query_one("#intentions", Static))
        assert app.is_running


# --- a small terminal ------------------------------------------------------------------------------------

async def test_80_by_24_shows_three_days_from_today_and_arrows_scroll(app: PlannerApp, store: PlanStore) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_week(pilot)

        def headers() -> list[str]:
            shown = [column for column in screen.query(DayColumn) if column.display]
            for column in shown:
                region = column.query_one(".day-header", Static).region
                assert region.width >= 8 and 0 <= region.y < 24
            # Each header without its count of tasks: "•Thu 26 today", " Fri 27", "◂Mon 23", " Sat 28▸".
            return [plain(column.query_one(".day-header", Static)).split("  ")[0].rstrip("▸") for column in shown]

        # Seven days do not fit 80 columns: today and the next two, then "Any day"; ◂ ▸ say more days.
        assert headers() == ["◂•Thu 26 today", " Fri 27", " Sat 28", " Any day"]
        assert plain(screen.columns[5].query_one(".day-header", Static)).endswith("▸")
        await pilot.press("right", "right", "right")  # Fri, Sat, then Sun scrolls into view
        await pilot.pause()
        assert headers() == ["◂Fri 27", " Sat 28", " Sun 29", " Any day"]
        await pilot.press("right", "right")  # Any day, then round to Monday
        await pilot.pause()
        assert headers() == [" Mon 23", " Tue 24", " Wed 25", " Any day"]
        # A task moved with > follows onto a day off screen, which scrolls into view.
        screen.lists[2].focus()
        await pilot.pause()
        screen.lists[2].select_task(screen.lists[2].task_ids[0])
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert screen.focused_list is screen.lists[3] and screen.columns[3].display
        # p and r open and close over it.
        await pilot.press("p", "escape", "r", "escape")
        await pilot.pause()
        assert isinstance(app.screen, WeekScreen)
        assert screen.query_one("#scores", ScorePanel).region.y < 23


# --- the pure parts --------------------------------------------------------------------------------------

def test_date_range_is_short() -> None:
    assert date_range(date(2026, 11, 23), date(2026, 11, 29)) == "23–29 Nov 2026"
    assert date_range(date(2026, 11, 30), date(2026, 12, 6)) == "30 Nov – 6 Dec 2026"
    assert date_range(date(2026, 12, 28), date(2027, 1, 3)) == "28 Dec 2026 – 3 Jan 2027"


def test_week_columns_places_tasks_done_in_the_week_on_the_day_they_were_done(app: PlannerApp) -> None:
    session = app.session
    week = session.week_view(THIS_WEEK)
    moment = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
    stray = Task("zz", "Done elsewhere", moment, moment, status="done", done_at=moment, week="2026-W47")
    placed = week_columns([*session.tasks.values(), stray], week)
    assert stray in placed.days[date(2026, 11, 24)]
    assert [task.id for task in placed.days[date(2026, 11, 26)]] == [NOTEBOOKS]
    assert AUTOMATION in [task.id for task in placed.any_day]  # scheduled into the week, without a day
    # What is left to do comes before what is done.
    tuesday = placed.days[date(2026, 11, 24)]
    assert [task.is_done for task in tuesday] == sorted(task.is_done for task in tuesday)


def test_score_changes_between_weeks(app: PlannerApp) -> None:
    from planner.scoring import score_week

    session = app.session
    this = score_week(session.host, session.board, session.week_view(THIS_WEEK), session.tasks.values())
    last = score_week(session.host, session.board, session.week_view("2026-W47"), session.tasks.values())
    changes = score_changes(this, last)
    assert changes.previous_label == "2026-W47"
    assert changes.value == pytest.approx(this.value - last.value)
    skills_now, skills_then = this.by_practice()["skills"].value, last.by_practice()["skills"].value
    assert changes.practices["skills"] == pytest.approx(skills_now - skills_then)
