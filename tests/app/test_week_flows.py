"""The weekly ritual, driven with Pilot as a person would: plan the week (last week and the focus,
a page per practice, the week as planned) and review it (a page per practice, then the value score
and the carry-over). Every test checks the files written.

The demo's clock stands at Thursday 2026-11-26 17:30 UTC, in 2026-W48, which the demo has planned;
2026-W49 (next week, `]`) is not planned yet, so its flow offers 2026-W48's answers as defaults.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from textual.widgets import Static

from planner.api import Practice, Prompt, Score, hookimpl
from planner.app.app import PlannerApp
from planner.app.dialogs.flow_pages import AnswerInput, CarryList, CarryPage, FocusPage, PlannedPage, PracticePage
from planner.app.dialogs.prompt_flow import PlanFlow, ReviewFlow, WeekFlow
from planner.app.screens.week import WeekScreen
from planner.app.widgets.toggle_list import ToggleList
from planner.session import Session
from planner.store import PlanStore


SIZE = (120, 40)
THIS_WEEK = "2026-W48"
NEXT_WEEK = "2026-W49"
PRACTICES = ["skills", "change", "initiative", "relationships", "proactive", "feedback", "learning"]
#: The prompt of each built-in practice whose answer is the week's intention.
INTENTION_PROMPTS = {"skills": "focus", "change": "experiment", "initiative": "opportunity",
                     "relationships": "who", "proactive": "risk", "feedback": "ask-whom", "learning": "source"}
#: Key presses (typed answer text not counted) that the two ways through the plan flow may take.
#: Today's flow: 1 first page + 7 practice pages + 1 last page. Before this rewrite: 32 pages.
MAX_KEYS_CONFIRMING_DEFAULTS = 9
MAX_KEYS_ANSWERING_EVERYTHING = 27  # one Tab or Enter per prompt (25), plus the first and last pages


def text_of(widget: Static) -> str:
    return widget.visual.plain


def notices(app: PlannerApp) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


class KeyCounter:
    """Presses keys through Pilot and counts them: `typed` characters of answers apart."""

    def __init__(self, pilot) -> None:
        self.pilot = pilot
        self.keys = 0
        self.typed = 0

    async def press(self, *keys: str) -> None:
        self.keys += len(keys)
        await self.pilot.press(*keys)
        await self.pilot.pause()

    async def type(self, text: str) -> None:
        self.typed += len(text)
        await self.pilot.press(*text)


async def open_flow(pilot, key: str, *, next_week: bool = False) -> WeekFlow:
    await pilot.press("2")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    if next_week:
        await pilot.press("right_square_bracket")
        await pilot.pause()
    await pilot.press(key)
    await pilot.pause()
    flow = pilot.app.screen
    assert isinstance(flow, WeekFlow)
    return flow


def answers_on_page(flow: WeekFlow) -> dict[str, str]:
    return {field.prompt.id: field.value for field in flow.page.query(AnswerInput)}


# --- planning ------------------------------------------------------------------------------------


async def test_confirming_last_weeks_plan_is_one_enter_per_page(app: PlannerApp, store: PlanStore) -> None:
    # What each prompt offers: its most recent answer in the four weeks before, newest week first.
    offered: dict[str, tuple[str, str]] = {}
    for label in (THIS_WEEK, "2026-W47", "2026-W46", "2026-W45"):
        for key, answer in store.read_week(label).plan_answers.items():
            offered.setdefault(key, (answer, label))
    async with app.run_test(size=SIZE) as pilot:
        flow = await open_flow(pilot, "p", next_week=True)
        assert isinstance(flow, PlanFlow) and flow.label == NEXT_WEEK
        assert isinstance(flow.page, FocusPage)
        counter = KeyCounter(pilot)
        seen = []
        while isinstance(app.screen, PlanFlow):
            seen.append(type(flow.page).__name__)
            if isinstance(flow.page, PracticePage):
                page = flow.page
                labels = " ".join(text_of(label) for label in page.query(".prompt"))
                for field in page.query(AnswerInput):
                    answer, source = offered.get(field.key, ("", ""))
                    assert field.value == answer
                    if source:  # saying where it came from
                        assert f"(from {source})" in labels
            await counter.press("enter")
        assert seen == ["FocusPage", *["PracticePage"] * 7, "PlannedPage"]
        assert counter.keys <= MAX_KEYS_CONFIRMING_DEFAULTS, counter.keys
        assert isinstance(app.screen, WeekScreen)
        intentions = text_of(app.screen.query_one("#intentions", Static))
    saved = store.read_week(NEXT_WEEK)
    assert dict(saved.plan_answers) == {key: answer for key, (answer, _) in offered.items()}
    # The answers became the week's intentions, one per practice that answered its intention prompt.
    for practice, prompt in INTENTION_PROMPTS.items():
        answer = offered.get(f"{practice}.{prompt}", ("", ""))[0]
        assert saved.intentions.get(practice) == (" ".join(answer.split()) or None)
    assert saved.intentions["skills"][:30] in " ".join(intentions.split())


async def test_answering_everything_fills_the_week_and_its_intentions(app: PlannerApp, store: PlanStore) -> None:
    async with app.run_test(size=SIZE) as pilot:
        flow = await open_flow(pilot, "p", next_week=True)
        counter = KeyCounter(pilot)
        await counter.press("enter")  # the first page: every practice in focus
        typed: dict[str, str] = {}
        while isinstance(flow.page, PracticePage):
            page = flow.page
            fields = list(page.query(AnswerInput))
            for index, field in enumerate(fields):
                assert app.focused is field  # Tab walks the page's fields in order
                answer = f"{page.practice.id} {field.prompt.id} answer"
                await counter.type(answer)  # typing replaces the default offered (it is selected)
                typed[field.key] = answer
                await counter.press("tab" if index < len(fields) - 1 else "enter")
        assert isinstance(flow.page, PlannedPage)
        planned = " ".join(text_of(flow.page.query_one("#planned", Static)).split())
        assert "skills focus answer" in planned and "learning source answer" in planned
        await counter.press("enter")
        assert isinstance(app.screen, WeekScreen)
        assert any(notice.startswith(f"Plan for {NEXT_WEEK} saved: 25 answers, 7 intentions")
                   for notice in notices(app))
    assert len(typed) == 25
    assert counter.keys <= MAX_KEYS_ANSWERING_EVERYTHING, counter.keys
    saved = store.read_week(NEXT_WEEK)
    assert dict(saved.plan_answers) == typed
    assert dict(saved.intentions) == {practice: f"{practice} {prompt} answer"
                                      for practice, prompt in INTENTION_PROMPTS.items()}


async def test_an_intention_written_by_hand_is_kept(app: PlannerApp, store: PlanStore) -> None:
    # The demo's 2026-W48 intention for skills differs from its focus answer: the person wrote it.
    before = store.read_week(THIS_WEEK)
    assert before.intentions["skills"] != before.plan_answers["skills.focus"]
    async with app.run_test(size=SIZE) as pilot:
        flow = await open_flow(pilot, "p")
        await pilot.press("enter")  # first page
        await pilot.pause()
        assert app.focused.prompt.id == "focus"
        await pilot.press(*"A new focus", "enter")
        await pilot.pause()
        assert isinstance(flow.page, PracticePage) and flow.page.practice.id == "change"
    saved = store.read_week(THIS_WEEK)
    assert saved.plan_answers["skills.focus"] == "A new focus"
    assert saved.intentions["skills"] == before.intentions["skills"]


async def test_esc_keeps_what_was_typed_but_not_untouched_defaults(app: PlannerApp, store: PlanStore) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_flow(pilot, "p", next_week=True)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("tab")  # leave the focus answer (a default) as offered
        await pilot.press(*"Only this one", "escape")
        await pilot.pause()
        assert isinstance(app.screen, WeekScreen)
    saved = store.read_week(NEXT_WEEK)
    assert dict(saved.plan_answers) == {"skills.drill": "Only this one"}
    assert "skills" not in saved.intentions  # the focus default was never confirmed


async def test_templates_are_toggles_made_into_tasks_once(app: PlannerApp, store: PlanStore) -> None:
    before = set(store.read_tasks()[0])
    async with app.run_test(size=SIZE) as pilot:
        flow = await open_flow(pilot, "p")
        await pilot.press("enter")
        await pilot.pause()
        page = flow.page
        assert isinstance(page, PracticePage) and page.practice.id == "skills"
        await pilot.press("tab", "tab", "tab", "tab")  # past the four prompts, to the templates
        await pilot.pause()
        listing = page.query_one(ToggleList)
        assert app.focused is listing and listing.highlighted == 0
        await pilot.press("1", "down", "space")  # a number, or space on the highlighted one
        await pilot.pause()
        assert text_of(flow.query_one("#flow-status", Static)) == "2 chosen: added to 2026-W48 when you go on"
        assert set(store.read_tasks()[0]) == before  # made when the page is left, not before
        await pilot.press("enter")
        await pilot.pause()
        assert "✓ Added 2 tasks to 2026-W48" in text_of(flow.query_one("#flow-status", Static))
        await pilot.press("ctrl+up")  # back: the two are marked added and cannot be made again
        await pilot.pause()
        assert flow.page is page
        await pilot.press("tab", "tab", "tab", "tab", "1")
        await pilot.pause()
        assert text_of(flow.query_one("#flow-status", Static)).startswith("Already added to 2026-W48")
        await pilot.press("3", "escape")  # Esc keeps what was chosen, as it keeps the answers
        await pilot.pause()
    tasks, _ = store.read_tasks()
    added = sorted((tasks[task_id] for task_id in set(tasks) - before), key=lambda task: task.title)
    assert [task.title for task in added] == [
        "Deliberate practice block on one narrow sub-skill",
        "Redo a piece of last week's work the way an expert would",
        "Study how an expert solved a problem you face, and list three differences from your approach"]
    assert (added[0].practice, added[0].week, added[0].estimate, added[0].tags) == (
        "skills", THIS_WEEK, 60, ("deliberate-practice",))


async def test_a_practice_left_out_of_focus_is_skipped_and_saved(app: PlannerApp, store: PlanStore) -> None:
    async with app.run_test(size=SIZE) as pilot:
        flow = await open_flow(pilot, "p", next_week=True)
        await pilot.press("2")  # the first page: untick CHANGE
        await pilot.pause()
        assert store.read_week(NEXT_WEEK).skipped == ("change",)
        assert "page 1 of 8" in text_of(flow.query_one("#flow-title", Static))
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert flow.page.practice.id == "initiative"  # change was left out
        await pilot.press("ctrl+o")  # and initiative too, from its own page
        await pilot.pause()
        assert flow.page.practice.id == "relationships"
        assert "page 3 of 7" in text_of(flow.query_one("#flow-title", Static))
        while not isinstance(flow.page, PlannedPage):
            await pilot.press("enter")
            await pilot.pause()
        planned = text_of(flow.page.query_one("#planned", Static))
        assert planned.count("not a focus this week") == 2
        await pilot.press("escape")
        await pilot.pause()
    assert store.read_week(NEXT_WEEK).skipped == ("change", "initiative")
    # Opening the flow again remembers the focus, and a practice can come back.
    app2 = PlannerApp(Session(store.root), watch=False)
    async with app2.run_test(size=SIZE) as pilot:
        flow = await open_flow(pilot, "p", next_week=True)
        chosen = flow.page.query_one(ToggleList).chosen
        assert "change" not in chosen and "initiative" not in chosen and "skills" in chosen
        await pilot.press("3")
        await pilot.pause()
    assert store.read_week(NEXT_WEEK).skipped == ("change",)


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
        flow = await open_flow(pilot, "p")
        assert any("broken-prompts" in message and "prompts exploded" in message for message in notices(app))
        assert all(page.practice.id != "broken" for page in flow.query(PracticePage))
        await pilot.press("enter", *"Still works", "enter")
        await pilot.pause()
        assert store.read_week(THIS_WEEK).plan_answers["skills.focus"] == "Still works"


async def test_markup_in_answers_is_saved_and_shown_as_typed(app: PlannerApp, store: PlanStore) -> None:
    async with app.run_test(size=SIZE) as pilot:
        flow = await open_flow(pilot, "p")
        await pilot.press("enter", *"[red]x[/red] [/ [@click=app.quit]", "enter")
        await pilot.pause()
        await pilot.press("ctrl+up")
        await pilot.pause()
        assert answers_on_page(flow)["focus"] == "[red]x[/red] [/ [@click=app.quit]"
        assert app.is_running
    assert store.read_week(THIS_WEEK).plan_answers["skills.focus"] == "[red]x[/red] [/ [@click=app.quit]"


# --- reviewing -----------------------------------------------------------------------------------


class ReviewRecorder:
    """A plugin that only listens: what the flow told plugins when the week was reviewed."""

    def __init__(self) -> None:
        self.reviewed: list[tuple[str, dict[str, Score]]] = []

    @hookimpl
    def planner_week_reviewed(self, week, scores) -> None:
        self.reviewed.append((week.label, dict(scores)))


NOTEBOOKS = "pp9mfq4p1pj9wxjy"  # open, Thursday 26, skills
NOTEBOOKS_TITLE = "Rehearse the 10-minute churn walkthrough out loud, timed"
ANNA = "Share the churn notebook draft with @priya and ask where it loses her"  # open, Friday 27


async def test_review_flow_scores_asks_and_carries_open_tasks_over(app: PlannerApp, store: PlanStore) -> None:
    recorder = ReviewRecorder()
    app.session.host.add_plugin(recorder, "recorder")
    async with app.run_test(size=SIZE) as pilot:
        flow = await open_flow(pilot, "r")
        assert isinstance(flow, ReviewFlow) and flow.label == THIS_WEEK
        page = flow.page
        assert isinstance(page, PracticePage) and page.practice.id == "skills"
        score_line = text_of(page.query_one(".score-line", Static))
        assert score_line.startswith("Score ") and "90 of 180 target minutes" in score_line
        await pilot.press(*"Gave the walkthrough twice", "enter")
        await pilot.pause()
        assert store.read_week(THIS_WEEK).review_answers["skills.progress"] == "Gave the walkthrough twice"
        while not isinstance(flow.page, CarryPage):
            await pilot.press("enter")
            await pilot.pause()
        assert "page 8 of 8" in text_of(flow.query_one("#flow-title", Static))
        # Reaching the last page reviews the week, once, and tells the plugins.
        saved = store.read_week(THIS_WEEK)
        assert saved.reviewed_at == datetime(2026, 11, 26, 17, 30, tzinfo=timezone.utc)
        assert [label for label, _ in recorder.reviewed] == [THIS_WEEK]
        value = " ".join(text_of(flow.page.query_one("#review-value", Static)).split())
        assert value.startswith("Week 2026-W48 reviewed on Thu 26 Nov 17:30.")
        assert "weekly value score" in value and "Trend W43 26 · W44 62 · W45 66 · W46 80 · W47 67 · W48 52" in value
        carry = flow.page.query_one(CarryList)
        assert app.focused is carry
        titles = [task.title for task in carry.tasks]
        carried = [task.id for task in carry.tasks]
        assert all(choice.label == "keep" for choice in carry.choices.values())
        # The first task to next week, the second back to the Backlog; the rest kept.
        notebooks = titles.index(NOTEBOOKS_TITLE)
        anna = titles.index(ANNA)
        carry.highlighted = notebooks
        await pilot.press("m")
        carry.highlighted = anna
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WeekScreen)
        assert "✓ reviewed Thu 26 Nov" in text_of(app.screen.query_one("#week-header", Static))
        assert any("1 task moved to 2026-W49, 1 back to Backlog" in notice for notice in notices(app))
    tasks = store.read_tasks()[0]
    moved = tasks[NOTEBOOKS]
    assert (moved.week, moved.day, moved.status) == (NEXT_WEEK, None, "open")
    dropped = tasks[carried[anna]]
    assert (dropped.title, dropped.week, dropped.day, dropped.column) == (ANNA, None, None, "backlog")
    kept = [tasks[task_id] for task_id in carried if task_id not in (NOTEBOOKS, dropped.id)]
    assert kept and all(task.week == THIS_WEEK for task in kept)
    assert len(recorder.reviewed) == 1


async def test_carry_over_all_at_once(app: PlannerApp, store: PlanStore) -> None:
    async with app.run_test(size=SIZE) as pilot:
        flow = await open_flow(pilot, "r")
        while not isinstance(flow.page, CarryPage):
            await pilot.press("enter")
            await pilot.pause()
        carry = flow.page.query_one(CarryList)
        ids = [task.id for task in carry.tasks]
        await pilot.press("M", "escape")  # Esc leaves and keeps what was chosen
        await pilot.pause()
    tasks = store.read_tasks()[0]
    assert ids and all(tasks[task_id].week == NEXT_WEEK for task_id in ids)


async def test_r_early_in_a_week_reviews_last_week_when_it_was_not_reviewed(
        plans: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANNER_NOW", "2026-12-01T09:00:00+00:00")  # Tuesday of 2026-W49; W48 not reviewed
    app = PlannerApp(Session(plans), watch=False)
    async with app.run_test(size=SIZE) as pilot:
        flow = await open_flow(pilot, "r")
        assert isinstance(flow, ReviewFlow) and flow.label == THIS_WEEK
        # Said inside the flow, where no toast covers the page in a small terminal.
        assert "Reviewing last week (2026-W48)" in text_of(flow.query_one("#flow-status", Static))


# --- two writers, the real clock, restarts -------------------------------------------------------


async def test_an_answer_saved_elsewhere_while_the_flow_is_open_is_kept(app: PlannerApp, store: PlanStore) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_flow(pilot, "p", next_week=True)
        await pilot.press("enter")
        await pilot.pause()
        # Another writer (the CLI, another machine's sync) answers a later prompt of the same page.
        env = {**os.environ, "PLANNER_NOW": "2026-11-26T17:31:00+00:00"}
        result = subprocess.run([sys.executable, "-m", "planner", "--plans", str(store.root), "answer",
                                 "skills.obstacle", "From the CLI", "--week", NEXT_WEEK],
                                env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        await pilot.press(*"From the app", "escape")
        await pilot.pause()
    saved = store.read_week(NEXT_WEEK)
    assert saved.plan_answers["skills.focus"] == "From the app"
    assert saved.plan_answers["skills.obstacle"] == "From the CLI"


async def test_on_the_real_clock_a_restarted_app_offers_what_was_planned(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLANNER_NOW", raising=False)
    folder = tmp_path / "plans"
    session = Session(folder)
    session.ensure_plan()
    label = session.current_week()
    for run in range(3):  # first start, then restarted twice (caches warm)
        app = PlannerApp(Session(folder), watch=False)
        async with app.run_test(size=SIZE) as pilot:
            flow = await open_flow(pilot, "p")
            assert flow.label == label
            await pilot.press("enter")
            await pilot.pause()
            field = app.focused
            assert isinstance(field, AnswerInput) and field.prompt.id == "focus"
            assert field.value == ("" if run == 0 else "Run 0 focus")
            if run == 0:
                await pilot.press(*"Run 0 focus")
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
        saved = PlanStore(folder).read_week(label)
        assert saved.plan_answers["skills.focus"] == "Run 0 focus"
        assert saved.intentions["skills"] == "Run 0 focus"


# --- every page fits a small terminal ------------------------------------------------------------


@pytest.mark.parametrize("key", ["p", "r"])
async def test_every_page_shows_its_first_field_and_keys_at_80_by_24(app: PlannerApp, key: str) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        flow = await open_flow(pilot, key)
        pages = len(flow.pages)
        for _ in range(pages):
            for widget in (flow.query_one("#flow-keys", Static), flow.query_one("#next"), app.focused):
                region = widget.region
                assert region.height > 0 and region.y + region.height <= 24 and region.x + region.width <= 80, widget
            await pilot.press("enter")
            await pilot.pause()
        assert isinstance(app.screen, WeekScreen)


async def test_the_key_line_names_the_users_own_keys(plans: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text('[keymap]\n"flow.back" = "ctrl+b"\n"flow.skip" = "f6"\n')
    monkeypatch.setenv("PLANNER_CONFIG_DIR", str(config))
    app = PlannerApp(Session(plans), watch=False)
    async with app.run_test(size=SIZE) as pilot:
        flow = await open_flow(pilot, "p")
        await pilot.press("enter")
        await pilot.pause()
        keys = text_of(flow.query_one("#flow-keys", Static))
        assert "^b back" in keys and "f6 skip" in keys and "Enter next" in keys
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert isinstance(flow.page, FocusPage)
