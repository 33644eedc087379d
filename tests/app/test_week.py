"""The week screen and the plan/review flows, driven with Pilot on a copy of the demo plan.

The demo's clock stands at Thursday 2026-11-26 17:30 UTC, in plan week 2026-W48 (Monday start).
Every test checks what the screen shows and what was saved in the plan folder.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from textual.widgets import Static

from planner.api import Practice, Prompt, Score, hookimpl
from planner.app.app import PlannerApp
from planner.app.dialogs.prompt_flow import (
    AnswerArea,
    IntentionDialog,
    PromptFlow,
    PromptStep,
    SummaryStep,
    TemplateStep,
    with_answer,
)
from planner.app.screens.week import DayColumn, WeekScreen, date_range, week_columns
from planner.app.widgets.day_list import DayList
from planner.app.widgets.score_panel import ScorePanel, score_changes
from planner.app.widgets.toggle_list import ToggleList
from planner.model import Task, WeekPlan
from planner.session import Session
from planner.store import PlanStore

SIZE = (120, 40)
THIS_WEEK = "2026-W48"
# Tasks of the demo's week 2026-W48.
NOTEBOOKS = "tpw8dbgt2jyyg9qr"  # Thursday 26, open, practice change
CHARTS = "e7rkc6kqbcnfhdhz"  # Saturday 28, open, practice skills
AUTOMATION = "smm14dc1q6yme0xv"  # no day, open
RENEW = "fnq7xjvmnfyfz0hg"  # Tuesday 24, done
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
        assert header(screen).startswith("2026-W48  23–29 Nov 2026  this week  5/12 done")
        headers = [plain(column.query_one(".day-header", Static)) for column in screen.columns]
        assert [text[:7] for text in headers] == [
            " Mon 23", " Tue 24", " Wed 25", "•Thu 26", " Fri 27", " Sat 28", " Sun 29", " Any da"]
        assert headers[3].startswith("•Thu 26 today")
        assert day_list(screen, date(2026, 11, 26)).task_ids == [NOTEBOOKS]
        assert CHARTS in day_list(screen, date(2026, 11, 28)).task_ids
        assert RENEW in day_list(screen, date(2026, 11, 24)).task_ids
        assert AUTOMATION in day_list(screen, None).task_ids
        assert day_list(screen, date(2026, 11, 29)).task_ids == []
        # Today's column has the focus, and its task is spelled out in full under the days.
        assert screen.focused is day_list(screen, date(2026, 11, 26))
        assert "Move my analysis notebooks from Excel to Jupyter" in plain(screen.query_one("#selected", Static))
        # A done task is ticked; every card is one line of badge and title.
        assert any(text.startswith("PROACT ✓ Renew") or text.startswith("PR ✓ Renew")
                   for text in list_texts(day_list(screen, date(2026, 11, 24))))
        # Intentions and scores of the week.
        intentions = words(screen.query_one("#intentions", Static))
        assert "Spend real time with @anna" in intentions
        scores = words(screen.query_one("#scores", ScorePanel))
        assert "weekly value score" in scores
        assert "60 of 180 target minutes of skill practice done" in scores


async def test_brackets_and_t_move_between_weeks(app: PlannerApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_week(pilot)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert screen.week == "2026-W49"
        assert header(screen).startswith("2026-W49  30 Nov – 6 Dec 2026  next week")
        assert all(not cards.task_ids for cards in screen.lists)
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
        assert "✓" in list_texts(day_list(screen, date(2026, 11, 26)))[0]
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

async def replace_answer(pilot, text: str) -> None:
    """Select the whole answer (as a drag of the mouse would) and type `text` over it."""
    pilot.app.screen.query_one(AnswerArea).select_all()
    await pilot.press(*text)


async def test_plan_flow_saves_typed_answers_and_adds_a_template_task(app: PlannerApp, store: PlanStore) -> None:
    before = set(store.read_tasks()[0])
    async with app.run_test(size=SIZE) as pilot:
        await open_week(pilot)
        await pilot.press("p")
        await pilot.pause()
        flow = app.screen
        assert isinstance(flow, PromptFlow)
        step = flow.step
        assert isinstance(step, PromptStep) and (step.practice.id, step.prompt.id) == ("skills", "focus")
        area = flow.query_one(AnswerArea)
        assert area.text == "Presenting an analysis: the story, not the steps"
        await replace_answer(pilot, "Telling the story of an analysis")
        await pilot.press("enter")
        await pilot.pause()
        assert store.read_week(THIS_WEEK).plan_answers["skills.focus"] == "Telling the story of an analysis"
        assert (flow.step.practice.id, flow.step.prompt.id) == ("skills", "drill")
        await replace_answer(pilot, "Two timed rehearsals")
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = store.read_week(THIS_WEEK)
        assert saved.plan_answers["skills.drill"] == "Two timed rehearsals"
        assert saved.plan_answers["skills.calendar"].startswith("Sat, first thing")  # untouched answers stay
        # Back and forth keeps the answers; then on to the skills templates.
        await pilot.press("ctrl+up")
        await pilot.pause()
        assert flow.query_one(AnswerArea).text == "Two timed rehearsals"
        while not isinstance(flow.step, TemplateStep):
            await pilot.press("enter")
            await pilot.pause()
        assert flow.step.practice.id == "skills"
        await pilot.press("1", "down", "space")  # a template's number, or space on the highlighted one
        await pilot.pause()
        status = plain(flow.query_one("#flow-status", Static))
        assert status == "2 chosen: added to 2026-W48 when you go on"
        assert set(store.read_tasks()[0]) == before  # made when the step is left, not before
        await pilot.press("escape")  # closing keeps what was chosen, as it keeps the answers
        await pilot.pause()
        assert isinstance(app.screen, WeekScreen)
    tasks, _ = store.read_tasks()
    added = sorted((tasks[task_id] for task_id in set(tasks) - before), key=lambda task: task.title)
    assert [task.title for task in added] == ["Deliberate practice block on one narrow sub-skill",
                                              "Redo a piece of last week's work the way an expert would"]
    task = added[0]
    assert task.title == "Deliberate practice block on one narrow sub-skill"
    assert (task.practice, task.week, task.day, task.estimate) == ("skills", THIS_WEEK, None, 60)
    assert task.tags == ("deliberate-practice",)


async def test_clearing_an_answer_removes_it(app: PlannerApp, store: PlanStore) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_week(pilot)
        await pilot.press("p")
        await pilot.pause()
        await replace_answer(pilot, "")
        await pilot.press("backspace", "escape")  # Esc keeps what was typed: here, nothing
        await pilot.pause()
        assert "skills.focus" not in store.read_week(THIS_WEEK).plan_answers


def new_titles(store: PlanStore, before: set[str]) -> list[str]:
    """The titles of the tasks saved since `before` (the task ids then), sorted."""
    tasks, _ = store.read_tasks()
    return sorted(tasks[task_id].title for task_id in set(tasks) - before)


def marks(flow: PromptFlow) -> list[str]:
    """Each template as its line starts on screen: `[x] 1  Deliberate...`."""
    listing = flow.query_one("#templates", ToggleList)
    return [listing.get_option_at_index(index).prompt.plain[:16] for index in range(listing.option_count)]


async def go_to_templates(pilot, flow: PromptFlow) -> TemplateStep:
    while not isinstance(flow.step, TemplateStep):
        await pilot.press("ctrl+s")
        await pilot.pause()
    return flow.step


DELIBERATE = "Deliberate practice block on one narrow sub-skill"
REDO = "Redo a piece of last week's work the way an expert would"
STUDY = "Study how an expert solved a problem you face, and list three differences from your approach"


async def test_templates_are_choices_made_into_tasks_once_when_the_step_is_left(
        app: PlannerApp, store: PlanStore) -> None:
    """Enter on the templates step goes on, as on every step; the chosen templates become tasks then,
    once, however often the person comes back and goes on again."""
    before = set(store.read_tasks()[0])
    async with app.run_test(size=(80, 24)) as pilot:
        await open_week(pilot)
        await pilot.press("p")
        await pilot.pause()
        flow = app.screen
        step = await go_to_templates(pilot, flow)
        where = flow.index
        keys = words(flow.query_one("#flow-keys", Static))
        assert keys.startswith("Space or 1-6 chooses · Enter adds the chosen and goes on · ctrl+↑ back")
        assert marks(flow)[:3] == ["[ ] 1  Deliberat", "[ ] 2  Redo a pi", "[ ] 3  Study how"]
        # Nothing chosen: Enter goes on and adds nothing.
        await pilot.press("enter")
        await pilot.pause()
        assert flow.index == where + 1 and new_titles(store, before) == []
        await pilot.press("ctrl+up")
        await pilot.pause()
        assert flow.step is step
        # A number or space toggles; the marks say which are chosen; nothing is made yet.
        await pilot.press("1", "down", "space", "3", "3")
        await pilot.pause()
        assert marks(flow)[:3] == ["[x] 1  Deliberat", "[x] 2  Redo a pi", "[ ] 3  Study how"]
        assert plain(flow.query_one("#flow-status", Static)) == "2 chosen: added to 2026-W48 when you go on"
        assert new_titles(store, before) == []
        # Enter makes them, once, and goes on; the Enters after it answer the next questions.
        await pilot.press(*["enter"] * 6)
        await pilot.pause()
        assert flow.index == where + 6
        assert new_titles(store, before) == [DELIBERATE, REDO]
        # Back on the step, the made ones show chosen (and added) and cannot be made again.
        while flow.step is not step:
            await pilot.press("ctrl+up")
            await pilot.pause()
        assert marks(flow)[:3] == ["[x] 1  Deliberat", "[x] 2  Redo a pi", "[ ] 3  Study how"]
        assert "✓ added" in flow.query_one(ToggleList).get_option_at_index(0).prompt.plain
        await pilot.press("1")
        await pilot.pause()
        assert plain(flow.query_one("#flow-status", Static)).startswith("Already added to 2026-W48")
        assert marks(flow)[0] == "[x] 1  Deliberat"
        await pilot.press("enter")
        await pilot.pause()
        assert flow.index == where + 1
        assert new_titles(store, before) == [DELIBERATE, REDO]
        # Back once more: choose a third, then close from the step; it is added, the others are not again.
        await pilot.press("ctrl+up", "3", "escape")
        await pilot.pause()
        assert isinstance(app.screen, WeekScreen)
    assert new_titles(store, before) == [DELIBERATE, REDO, STUDY]


async def test_enter_on_the_last_templates_step_adds_the_chosen_and_finishes(
        app: PlannerApp, store: PlanStore) -> None:
    before = set(store.read_tasks()[0])
    async with app.run_test(size=SIZE) as pilot:
        await open_week(pilot)
        await pilot.press("p")
        await pilot.pause()
        flow = app.screen
        flow.go_to(len(flow.steps) - 1, None)
        await pilot.pause()
        assert isinstance(flow.step, TemplateStep)
        assert "Enter adds the chosen and finishes" in words(flow.query_one("#flow-keys", Static))
        await pilot.press("2", "enter")
        await pilot.pause()
        assert isinstance(app.screen, WeekScreen)
        assert any(message.endswith(", 1 task added") for message in notices(app))
    learning = [template.title for template in flow.step.templates]
    assert new_titles(store, before) == [learning[1]]


class ReviewRecorder:
    """A plugin that only listens: what the flow told plugins when the week was reviewed."""

    def __init__(self) -> None:
        self.reviewed: list[tuple[str, dict[str, Score]]] = []

    @hookimpl
    def planner_week_reviewed(self, week, scores) -> None:
        self.reviewed.append((week.label, dict(scores)))


async def test_review_flow_marks_the_week_reviewed_and_shows_score_and_change(
        app: PlannerApp, store: PlanStore) -> None:
    recorder = ReviewRecorder()
    app.session.host.add_plugin(recorder, "recorder")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_week(pilot)
        assert "reviewed" not in header(screen)
        await pilot.press("r")
        await pilot.pause()
        flow = app.screen
        assert isinstance(flow, PromptFlow) and flow.phase == "review"
        assert isinstance(flow.step, PromptStep) and flow.step.prompt.id == "progress"
        await pilot.press(*"Gave the walkthrough twice", "enter")
        await pilot.pause()
        assert store.read_week(THIS_WEEK).review_answers["skills.progress"] == "Gave the walkthrough twice"
        while not isinstance(flow.step, SummaryStep):
            await pilot.press("ctrl+s")
            await pilot.pause()
        saved = store.read_week(THIS_WEEK)
        assert saved.reviewed_at == datetime(2026, 11, 26, 17, 30, tzinfo=timezone.utc)
        assert [label for label, _ in recorder.reviewed] == [THIS_WEEK]
        assert "skills" in recorder.reviewed[0][1]
        summary_head = plain(flow.query_one("#summary-head", Static))
        assert summary_head.startswith("Week 2026-W48 reviewed on Thu 26 Nov 17:30.  Value score 34")
        assert "since 2026-W47" in summary_head
        summary = plain(flow.query_one("#summary", ScorePanel))
        assert "(vs 2026-W47)" in summary
        lines = summary.splitlines()
        skills_line = next(line for line in lines if line.startswith("SKILL"))
        # 60 minutes this week against last week's score: the change is a signed number.
        assert any(part.startswith(("+", "-", "±")) for part in skills_line.split())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WeekScreen)
        assert "✓ reviewed Thu 26 Nov" in header(app.screen)


class BrokenPrompts:
    """A practice whose prompts hook raises: the flow must go on without it."""

    @hookimpl
    def planner_register_practices(self, register) -> None:
        register(Practice("broken", "Broken practice", "Raises when asked for prompts.", "#888888", "BROKEN"))

    @hookimpl
    def planner_prompts(self, practice, phase, week, settings) -> list[Prompt]:
        raise RuntimeError("prompts exploded")


async def test_a_plugin_whose_prompts_raise_is_reported_and_the_flow_goes_on(
        app: PlannerApp, store: PlanStore) -> None:
    app.session.host.add_plugin(BrokenPrompts(), "broken-prompts")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_week(pilot)
        assert "BROKEN" in plain(screen.query_one("#intentions", Static))
        await pilot.press("p")
        await pilot.pause()
        assert any("broken-prompts" in message and "prompts exploded" in message for message in notices(app))
        flow = app.screen
        assert isinstance(flow, PromptFlow)
        assert all(step.practice.id != "broken" for step in flow.steps if not isinstance(step, SummaryStep))
        await replace_answer(pilot, "Still works")
        await pilot.press("enter")
        await pilot.pause()
        assert store.read_week(THIS_WEEK).plan_answers["skills.focus"] == "Still works"
        await pilot.press("escape")
        await pilot.pause()
        # The week screen keeps working without the disabled practice.
        assert isinstance(app.screen, WeekScreen)
        assert "BROKEN" not in plain(app.screen.query_one("#intentions", Static))
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert store.read_task(NOTEBOOKS).day == date(2026, 11, 27)


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
        # An answer that looks like markup is saved and shown as typed.
        await pilot.press("p")
        await pilot.pause()
        await replace_answer(pilot, "[red]x[/red] [/")
        await pilot.press("enter")
        await pilot.pause()
        assert store.read_week(THIS_WEEK).plan_answers["skills.focus"] == "[red]x[/red] [/"
        await pilot.press("ctrl+up")
        await pilot.pause()
        assert app.screen.query_one(AnswerArea).text == "[red]x[/red] [/"
        await pilot.press("escape")
        await pilot.pause()
        # An intention, through the `i` dialog (the selected task's practice is preselected).
        day_list(screen, date(2026, 11, 26)).select_task(NOTEBOOKS)
        await pilot.press("i")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, IntentionDialog) and dialog.practice_id == "change"
        await pilot.press("ctrl+u", *"[b]big[/b] [@click=app.quit]", "enter")
        await pilot.pause()
        assert store.read_week(THIS_WEEK).intentions["change"] == "[b]big[/b] [@click=app.quit]"
        assert "[b]big[/b] [@click=app.quit]" in words(screen.query_one("#intentions", Static))
        assert app.is_running


# --- a small terminal ------------------------------------------------------------------------------------

async def test_80_by_24_renders_with_day_headers_visible(app: PlannerApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_week(pilot)
        await pilot.press("right", "right", "p", "escape", "r", "escape")
        await pilot.pause()
        assert isinstance(app.screen, WeekScreen)
        expected = [" Mon 23", " Tue 24", " Wed 25", "•Thu 26", " Fri 27", " Sat 28", " Sun 29", " Any day"]
        for column, text in zip(screen.query(DayColumn), expected):
            day_header = column.query_one(".day-header", Static)
            assert plain(day_header).startswith(text)
            assert day_header.region.width >= len(text)
            assert 0 <= day_header.region.y < 24
        svg = app.export_screenshot()
        for text in expected:
            assert text.strip().replace(" ", "&#160;") in svg
        # The score panel is on screen too.
        assert screen.query_one("#scores", ScorePanel).region.y < 23


# --- the pure parts --------------------------------------------------------------------------------------

def test_date_range_is_short() -> None:
    assert date_range(date(2026, 11, 23), date(2026, 11, 29)) == "23–29 Nov 2026"
    assert date_range(date(2026, 11, 30), date(2026, 12, 6)) == "30 Nov – 6 Dec 2026"
    assert date_range(date(2026, 12, 28), date(2027, 1, 3)) == "28 Dec 2026 – 3 Jan 2027"


def test_with_answer_sets_and_clears() -> None:
    plan = with_answer(WeekPlan("2026-W48"), "review", "skills.progress", "  better  ")
    assert dict(plan.review_answers) == {"skills.progress": "better"}
    assert dict(with_answer(plan, "review", "skills.progress", " ").review_answers) == {}


def test_week_columns_places_tasks_done_in_the_week_on_the_day_they_were_done(app: PlannerApp) -> None:
    session = app.session
    week = session.week_view(THIS_WEEK)
    moment = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
    stray = Task("zz", "Done elsewhere", moment, moment, status="done", done_at=moment, week="2026-W47")
    placed = week_columns([*session.tasks.values(), stray], week)
    assert stray in placed.days[date(2026, 11, 24)]
    assert [task.id for task in placed.days[date(2026, 11, 26)]] == [NOTEBOOKS]
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


async def test_r_early_in_a_week_reviews_last_week_when_it_was_not_reviewed(
        plans: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANNER_NOW", "2026-12-01T09:00:00+00:00")  # Tuesday of 2026-W49; W48 not reviewed
    app = PlannerApp(Session(plans), watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_week(pilot)
        await pilot.press("r")
        await pilot.pause()
        flow = app.screen
        assert isinstance(flow, PromptFlow) and flow.phase == "review" and flow.label == THIS_WEEK
        assert any("Reviewing last week (2026-W48)" in str(notice.message) for notice in app._notifications)
