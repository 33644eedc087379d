"""Insights (3), Practices (4) and the command palette (ctrl+p), driven with Pilot on the demo plan.

The demo plan has fourteen weeks, 2026-W35 to W48 (the current one, Thursday 26 Nov), with a slump in
W43; `planner score --weeks 12` gives these value scores for W37-W48 (the plan's first task was made on
the Sunday of W34, so `--weeks 16` shows W33 as no data and W34 as 0):
    58 59 60 55 80 84 26 62 66 80 67 52
"""

from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import OptionList, Static

from planner.api import Practice, Score, TaskTemplate, hookimpl
from planner.app.app import PlannerApp
from planner.app.screens.insights import InsightsScreen
from planner.app.screens.practices import PracticesScreen
from planner.app.widgets.chart import PracticeSparklines, WeekBars
from planner.config import config_dir
from planner.model import complete_task
from planner.store import PlanStore

BUILTINS = {"skills", "change", "initiative", "relationships", "proactive", "feedback", "learning"}
DEMO_VALUES = ["58", "59", "60", "55", "80", "84", "26", "62", "66", "80", "67", "52"]
MARKUP = "[bold]x[/bold] [@click=app.quit]quit[/]"


def _practice(practice_id: str) -> Practice:
    return Practice(practice_id, f"{practice_id.title()} practice", "A practice for tests.", "#aa5500",
                    practice_id[:6].upper())


class FailsToRegister:
    @hookimpl
    def planner_register_practices(self, register):
        raise RuntimeError(f"cannot start {MARKUP}")


class FailingPrompts:
    @hookimpl
    def planner_register_practices(self, register):
        register(_practice("shaky"))

    @hookimpl
    def planner_prompts(self, phase):
        raise ValueError(f"no prompts {MARKUP}")


class FailingScore:
    @hookimpl
    def planner_register_practices(self, register):
        register(_practice("flaky"))

    @hookimpl
    def planner_score_week(self, tasks):
        raise RuntimeError(f"no score {MARKUP}")


class OddTemplates:
    @hookimpl
    def planner_register_practices(self, register):
        register(_practice("odd"))

    @hookimpl
    def planner_task_templates(self):
        return [TaskTemplate("odd", f"Odd {MARKUP} zebra", estimate=20, tags=("oddity",), notes="[i]kept[/i]")]

    @hookimpl
    def planner_score_week(self):
        return Score(100, f"always {MARKUP}")


class SlowScore:
    """Scores like a practice with much to read: the screen must take keys meanwhile."""

    @hookimpl
    def planner_register_practices(self, register):
        register(_practice("slow"))

    @hookimpl
    def planner_score_week(self, week):
        import time

        time.sleep(0.05)
        return Score(50, "slow but steady")


def notices(app: PlannerApp) -> list[str]:
    return [f"{notice.title}: {notice.message}" for notice in app._notifications]


async def settle(app: PlannerApp, pilot) -> None:
    """Let workers (scoring in threads) finish and their results reach the screen."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def open_insights(app: PlannerApp, pilot) -> InsightsScreen:
    await pilot.press("3")
    await settle(app, pilot)
    assert isinstance(app.screen, InsightsScreen)
    return app.screen


def plain(widget) -> str:
    return widget.render().plain


def words(widget) -> str:
    """The widget's text with line breaks and runs of spaces as single spaces (it wraps to its width)."""
    return " ".join(plain(widget).split())


# --- insights ----------------------------------------------------------------------------------------

async def test_insights_show_twelve_weeks_with_the_w43_dip_and_streaks(app: PlannerApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_insights(app, pilot)
        bars = plain(screen.query_one(WeekBars)).splitlines()
        assert bars[-1].split() == [f"W{number}" for number in range(37, 49)]
        numbers = bars[-2].split()
        assert numbers == DEMO_VALUES
        w42, w43, w44 = (int(numbers[index]) for index in (5, 6, 7))
        assert w43 < w42 and w43 < w44  # the slump shows in the numbers ...
        # ... and in the bars: the W43 column holds fewer block cells than W42's.
        label_row = bars[-1]
        w42_at, w43_at = label_row.index("W42"), label_row.index("W43")
        assert sum(line[w43_at + 1] != " " for line in bars[:-2]) < sum(line[w42_at + 1] != " " for line in bars[:-2])

        heading = plain(screen.query_one("#value-heading", Static))
        assert "12 weeks to 2026-W48" in heading
        summary = plain(screen.query_one("#summary", Static))
        # W44-W48 at 50+, W48 (52 so far) too though it is not over; W37-W42 before the slump: the best run.
        assert "Value 50+: 5 weeks in a row (best 6)" in summary
        assert "Reviewed: 11 weeks in a row" in summary  # W37-W47: every past week in view
        assert "W48 so far: 52" in summary
        rows = {line.split()[0]: line for line in plain(screen.query_one(PracticeSparklines)).splitlines()}
        assert set(rows) == {"SKILL", "CHANGE", "INIT", "PEOPLE", "PROACT", "FEEDBK", "LEARN"}
        # W48 has 90 of 180 target minutes, on the line: a run of one after W47's 33 (best: W44-W46).
        assert rows["SKILL"].endswith("  50  1 week in a row (best 3)")
        # W44-W47 at 50+; nothing self-started is done in W48 yet, and the week is not over.
        assert rows["INIT"].endswith("   0  4 weeks in a row")
        assert "Sharpen your skills" in rows["SKILL"]


async def test_plus_and_minus_change_the_range_within_limits(app: PlannerApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_insights(app, pilot)
        await pilot.press("plus")
        await settle(app, pilot)
        assert screen.insights.labels[0] == "2026-W33" and len(screen.insights.labels) == 16
        for _ in range(4):
            await pilot.press("minus")
            await settle(app, pilot)
        assert len(screen.insights.labels) == 4
        assert screen.insights.labels == ("2026-W45", "2026-W46", "2026-W47", "2026-W48")
        assert any("between 4 and 52" in notice for notice in notices(app))
        for _ in range(14):
            await pilot.press("plus")
        await settle(app, pilot)
        assert len(screen.insights.labels) == 52
        # 52 weeks do not fit as columns: one row per week, each with its number.
        rows = plain(screen.query_one(WeekBars)).splitlines()
        assert len(rows) == 52
        assert rows[-6].startswith("2026-W43") and rows[-6].endswith(" 26")


async def test_insights_fit_80x24(app: PlannerApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_insights(app, pilot)
        bars = screen.query_one(WeekBars)
        assert plain(bars).splitlines()[-2].split() == DEMO_VALUES
        practices = screen.query_one(PracticeSparklines)
        for widget in (bars, practices):
            assert all(len(line) <= widget.size.width for line in plain(widget).splitlines())
        assert "Build relationships" in plain(practices)


def screen_lines(app: PlannerApp) -> list[str]:
    """The terminal's rows as drawn, top to bottom."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def test_insights_at_80x24_show_why_and_say_what_plus_and_minus_do(app: PlannerApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await open_insights(app, pilot)
        lines = screen_lines(app)
        assert "keys +/-: 4 more or fewer weeks" in lines[1]
        headings = [index for index, line in enumerate(lines) if line.strip() == "Why, 2026-W48 so far"]
        assert headings, "\n".join(lines)
        # Every practice's reason is drawn, the last one whole (it wraps), above the footer: the summary
        # above takes two lines at 80 columns, so the section reaches the footer without a gap.
        section = lines[headings[0] + 1:-1]
        stripped = [line.strip() for line in section]
        section = section[:stripped.index("")] if "" in stripped else section
        reasons = [line.split()[0] for line in section if line[:7].strip()]
        assert reasons == ["SKILL", "CHANGE", "INIT", "PEOPLE", "PROACT", "FEEDBK", "LEARN"]
        assert section[-1].strip() == "its notes"


async def test_insights_at_120x40_show_why_and_every_practice(app: PlannerApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await open_insights(app, pilot)
        lines = screen_lines(app)
        assert any(line.strip() == "Why, 2026-W48 so far" for line in lines)
        assert any(line.lstrip().startswith("LEARN  Continuously learn") for line in lines)


async def test_insights_say_why_with_plugin_text_kept_literal(app: PlannerApp) -> None:
    app.session.host.add_plugin(OddTemplates(), "odd-plugin")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_insights(app, pilot)
        assert plain(screen.query_one("#reasons-heading", Static)) == "Why, 2026-W48 so far"
        reasons = {line.split()[0]: line for line in plain(screen.query_one("#reasons", Static)).splitlines()}
        assert reasons["SKILL"] == "SKILL   50  90 of 180 target minutes of skill practice done"
        assert reasons["ODD"] == f" ODD   100  always {MARKUP}"
        rows = {line.split()[0]: line for line in plain(screen.query_one(PracticeSparklines)).splitlines()}
        assert rows["ODD"].endswith("100  12 weeks in a row")  # the plan began in W34, before the 12 weeks


async def test_a_failing_score_hook_is_a_notice_and_insights_still_show(app: PlannerApp) -> None:
    app.session.host.add_plugin(FailingScore(), "flaky-plugin")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_insights(app, pilot)
        assert plain(screen.query_one(WeekBars)).splitlines()[-2].split() == DEMO_VALUES
        assert any(f"no score {MARKUP}" in notice for notice in notices(app))
        assert app.session.host.records["flaky-plugin"].status == "error"
        assert app.is_running


async def test_insights_follow_changes_and_take_keys_while_scoring(app: PlannerApp, store: PlanStore) -> None:
    app.session.host.add_plugin(SlowScore(), "slow-plugin")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_insights(app, pilot)
        assert plain(screen.query_one("#value-heading", Static)).endswith("keys +/-: 4 more or fewer weeks")
        rows = {line.split()[0]: line for line in plain(screen.query_one(PracticeSparklines)).splitlines()}
        assert rows["CHANGE"].endswith("  50  3 weeks in a row")  # 1 of 2 target experiments in W48 so far
        task = app.add_task("A finished experiment", practice="change", estimate=20)
        app.change_task(task.id, complete_task, "done")
        await pilot.press("escape")  # no outcome
        await pilot.pause(0.6)  # past the debounce: the computation is running now
        assert "computing..." in plain(screen.query_one("#value-heading", Static))
        await pilot.press("2")  # the screen takes keys while the thread scores 12 weeks
        assert app.current_mode == "week"
        await pilot.press("3")
        await settle(app, pilot)
        rows = {line.split()[0]: line for line in plain(screen.query_one(PracticeSparklines)).splitlines()}
        # 2 of 2 target experiments: the change score of W48 is now 100 (still W46-W48 in a row).
        assert rows["CHANGE"].endswith(" 100  3 weeks in a row")


# --- practices ---------------------------------------------------------------------------------------

async def open_practices(app: PlannerApp, pilot) -> PracticesScreen:
    await pilot.press("4")
    await pilot.pause()
    assert isinstance(app.screen, PracticesScreen)
    return app.screen


def rows_of(screen: PracticesScreen) -> list[str]:
    plugins = screen.query_one("#plugins", OptionList)
    return [plugins.get_option_at_index(index).prompt.plain for index in range(plugins.option_count)]


async def select(screen: PracticesScreen, pilot, name: str) -> None:
    screen.query_one("#plugins", OptionList).highlighted = screen.names.index(name)
    await pilot.pause()


async def test_practices_list_the_seven_builtins_as_active(app: PlannerApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_practices(app, pilot)
        rows = rows_of(screen)
        assert {row.split()[0] for row in rows} == BUILTINS
        assert all(row.split()[1] == "active" and "built-in" in row for row in rows)
        assert rows[0].startswith("skills")  # in the practices' own order, as the board shows them
        details = words(screen.query_one("#details", Static))
        assert "Sharpen your skills" in details and "target_minutes = 180" in details
        assert "Planning questions (2026-W48)" in details and "Review questions (2026-W48)" in details
        assert "Deliberate practice block on one narrow sub-skill" in details
        await pilot.press("down")
        assert "Embrace change" in words(screen.query_one("#details", Static))


async def test_a_broken_plugin_shows_its_error_word_for_word(app: PlannerApp) -> None:
    app.session.host.add_plugin(FailsToRegister(), "broken-plugin")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_practices(app, pilot)
        row = next(row for row in rows_of(screen) if row.startswith("broken-plugin"))
        assert "error" in row.splitlines()[0]
        assert f"cannot start {MARKUP}" in row.replace("\n", "")
        await select(screen, pilot, "broken-plugin")
        details = plain(screen.query_one("#details", Static))
        assert f"planner_register_practices raised RuntimeError: cannot start {MARKUP}" in details
        assert app.is_running


async def test_a_failing_prompts_hook_is_a_notice_and_the_screen_keeps_working(app: PlannerApp) -> None:
    app.session.host.add_plugin(FailingPrompts(), "shaky-plugin")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_practices(app, pilot)
        await select(screen, pilot, "shaky-plugin")
        assert any(f"no prompts {MARKUP}" in notice for notice in notices(app))
        row = rows_of(screen)[screen.names.index("shaky-plugin")]
        assert row.splitlines()[0].split()[1] == "error"
        assert f"no prompts {MARKUP}" in plain(screen.query_one("#details", Static))
        await pilot.press("up")
        assert screen.selected is not None and screen.selected.name != "shaky-plugin"


def config_file() -> Path:
    return config_dir() / "config.toml"


async def test_blocking_a_plugin_writes_config_toml_and_back(app: PlannerApp) -> None:
    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_text('plans = "/somewhere"\n\n[plugins]\nblock = ["someone-else"]\n', encoding="utf-8")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_practices(app, pilot)
        assert screen.selected.name == "skills"
        await pilot.press("b")
        saved = tomllib.loads(config_file().read_text(encoding="utf-8"))
        assert saved == {"plans": "/somewhere", "plugins": {"block": ["someone-else", "skills"]}}
        assert rows_of(screen)[0].splitlines()[0] == "skills  blocked (restart to apply)"
        assert any("next start" in notice for notice in notices(app))
        await pilot.press("b")
        saved = tomllib.loads(config_file().read_text(encoding="utf-8"))
        assert saved == {"plans": "/somewhere", "plugins": {"block": ["someone-else"]}}
        assert rows_of(screen)[0].splitlines()[0] == "skills  active"


async def test_unblocking_a_blocked_plugin_removes_it_from_the_block_list(plans: Path, monkeypatch) -> None:
    from planner.session import Session

    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_text('[plugins]\nblock = ["feedback"]\n', encoding="utf-8")
    app = PlannerApp(Session(plans), watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_practices(app, pilot)
        row = next(row for row in rows_of(screen) if row.startswith("feedback"))
        assert "blocked" in row and "blocked by config" in row
        await select(screen, pilot, "feedback")
        await pilot.press("b")
        assert tomllib.loads(config_file().read_text(encoding="utf-8")) == {"plugins": {}}
        assert rows_of(screen)[screen.names.index("feedback")].startswith("feedback  unblocked (restart to apply)")


async def test_a_broken_config_toml_is_a_notice_and_is_left_alone(app: PlannerApp) -> None:
    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_text("[plugins\nblock = 1\n", encoding="utf-8")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_practices(app, pilot)
        await pilot.press("b")
        assert config_file().read_text(encoding="utf-8") == "[plugins\nblock = 1\n"
        assert any(notice.startswith("Not saved") and "config.toml" in notice for notice in notices(app))
        assert rows_of(screen)[0].splitlines()[0] == "skills  active"


# --- the command palette -----------------------------------------------------------------------------

async def palette_search(app: PlannerApp, pilot, text: str) -> list[str]:
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*text)
    commands = app.screen.query_one(CommandList)
    for _ in range(50):  # the palette gathers hits in a worker, in batches
        await asyncio.sleep(0.05)
        await pilot.pause()
        if commands.option_count:
            break
    return [commands.get_option_at_index(index).prompt.plain for index in range(commands.option_count)]


async def test_palette_adds_a_plugin_template_as_a_task(app: PlannerApp, store: PlanStore) -> None:
    before = set(store.read_tasks()[0])
    async with app.run_test(size=(80, 24)) as pilot:
        found = await palette_search(app, pilot, "Deliberate practice block")
        assert found[0].startswith("Add template: Sharpen your skills: Deliberate practice block on one narrow")
        await pilot.press("enter")
        await pilot.pause()
    tasks = store.read_tasks()[0]
    new = [tasks[task_id] for task_id in set(tasks) - before]
    assert len(new) == 1
    task = new[0]
    assert (task.title, task.practice, task.estimate, task.tags) == (
        "Deliberate practice block on one narrow sub-skill", "skills", 60, ("deliberate-practice",))
    assert task.notes.startswith("Pick the part you can only just do.")


async def test_palette_lists_templates_and_keeps_plugin_text_literal(app: PlannerApp, store: PlanStore) -> None:
    app.session.host.add_plugin(OddTemplates(), "odd-plugin")
    before = set(store.read_tasks()[0])
    async with app.run_test(size=(120, 40)) as pilot:
        found = await palette_search(app, pilot, "template zebra")
        assert found[0].startswith(f"Add template: Odd practice: Odd {MARKUP} zebra")
        assert "Adds a task: 20m #oddity" in found[0]
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running  # the [@click=app.quit] in the title did nothing
    tasks = store.read_tasks()[0]
    (task,) = [tasks[task_id] for task_id in set(tasks) - before]
    assert (task.title, task.practice, task.notes) == (f"Odd {MARKUP} zebra", "odd", "[i]kept[/i]")


async def test_palette_week_command_switches_mode(app: PlannerApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        found = await palette_search(app, pilot, "week")
        assert found[0].startswith("Week")
        assert any(hit.startswith("Plan the week") for hit in found)
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_mode == "week"


@pytest.mark.parametrize(("query", "mode"), [("insights", "insights"), ("practices", "practices")])
async def test_palette_reaches_the_other_screens(app: PlannerApp, query: str, mode: str) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await palette_search(app, pilot, query)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.current_mode == mode


async def test_palette_offers_the_calling_screens_own_keys(app: PlannerApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await open_insights(app, pilot)
        found = await palette_search(app, pilot, "more weeks")
        assert found[0].startswith("Insights: More weeks")
        await pilot.press("enter")
        await settle(app, pilot)
        assert len(app.screen.insights.labels) == 16


async def test_a_new_empty_plan_shows_insights_and_practices(empty_app: PlannerApp) -> None:
    async with empty_app.run_test(size=(80, 24)) as pilot:
        screen = await open_insights(empty_app, pilot)
        assert len(screen.insights.labels) == 12
        assert "Reviewed: no weeks in a row" in plain(screen.query_one("#summary", Static))
        practices = await open_practices(empty_app, pilot)
        assert len(rows_of(practices)) == 7
        assert empty_app.is_running


async def test_weeks_before_a_new_plan_began_are_no_data_not_zeros(empty_app: PlannerApp) -> None:
    empty_app.session.add_task("The first task", practice="skills")
    async with empty_app.run_test(size=(120, 40)) as pilot:
        screen = await open_insights(empty_app, pilot)
        assert screen.insights.values[:-1] == (None,) * 11
        assert screen.insights.values[-1] is not None
        numbers = plain(screen.query_one(WeekBars)).splitlines()[-2].split()
        assert numbers == ["-"] * 11 + [numbers[-1]] and numbers[-1] != "-"
        rows = plain(screen.query_one(PracticeSparklines)).splitlines()
        assert all("·" in row for row in rows)  # each practice's line shows no data, not zeros, before
