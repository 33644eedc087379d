"""The board, driven as a person would (keys and mouse), checked on screen and on disk."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import pytest

from textual.geometry import Region
from textual.widgets import Input, OptionList, Select, Static

from planner.api import Practice, hookimpl
from planner.app.app import PlannerApp
from planner.app.dialogs.task_form import TaskForm
from planner.app.screens.board import BoardScreen
from planner.app.widgets.card_list import CardList
from planner.session import Session
from planner.store import PlanStore

MARKUP_TITLES = ["[bold]x", "[/", "[@click=app.quit]"]


def cards(app: PlannerApp, column: str) -> CardList:
    return app.screen.query_one(f"#cards-{column}", CardList)


def titles(app: PlannerApp, column: str) -> list[str]:
    return [app.tasks[task_id].title for task_id in cards(app, column).task_ids]


def selected(app: PlannerApp):
    return app.screen.selected_task


async def focus_column(pilot, app: PlannerApp, column: str, index: int = 0) -> None:
    target = cards(app, column)
    target.focus()
    target.highlighted = index
    await pilot.pause()


async def test_the_board_shows_the_columns_and_this_weeks_done(app: PlannerApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        headers = [cards.header for cards in app.screen.lists]
        assert headers == ["Backlog 33", "This week 6", "Doing 2/3", "Done 6 this week"]
        assert "Share the churn notebook draft with @priya and ask where it loses her" in titles(app, "this-week")


async def test_create_a_task_from_the_form(app: PlannerApp, store: PlanStore) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await focus_column(pilot, app, "this-week")
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Book the SQL mock interview")
        app.screen.query_one("#day").value = "fri"
        app.screen.query_one("#estimate").value = "1h"
        app.screen.query_one("#tags").value = "interview @priya"
        await pilot.press("ctrl+s")
        await pilot.pause()
        task = selected(app)
        assert task is not None and task.title == "Book the SQL mock interview"
        saved = store.read_task(task.id)
        assert (saved.day.isoformat(), saved.week, saved.estimate, saved.tags) == (
            "2026-11-27", "2026-W48", 60, ("interview", "@priya"))
        assert saved.column == "this-week"
        assert titles(app, "this-week")[-1] == "Book the SQL mock interview"


def new_tasks(store: PlanStore, before: set[str]) -> list:
    return [task for task_id, task in store.read_tasks()[0].items() if task_id not in before]


async def test_ctrl_t_asks_for_a_practice_then_enter_on_a_template_saves_the_task(app: PlannerApp,
                                                                                store: PlanStore) -> None:
    before = set(store.read_tasks()[0])
    practice_ids = list(app.session.host.practices)
    first = app.session.host.templates("skills", app.session.board)[0]
    async with app.run_test(size=(80, 24)) as pilot:
        await focus_column(pilot, app, "backlog")
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, TaskForm)
        await pilot.press("ctrl+t")  # no practice chosen yet: the practice list opens
        await pilot.pause()
        assert form.query_one("#practice", Select).expanded
        # The list starts on "none"; skills is as far down as its place among the practices.
        await pilot.press(*["down"] * (practice_ids.index("skills") + 1), "enter")
        await pilot.pause()
        templates = form.query_one("#templates", OptionList)
        assert app.focused is templates and templates.highlighted == 0
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
    [saved] = new_tasks(store, before)
    assert (saved.title, saved.practice, saved.estimate, saved.tags, saved.notes) == (
        first.title, "skills", first.estimate, first.tags, first.notes)


async def test_ctrl_t_goes_to_the_chosen_practices_templates_and_keeps_the_typed_day(app: PlannerApp,
                                                                                   store: PlanStore) -> None:
    before = set(store.read_tasks()[0])
    second = app.session.host.templates("skills", app.session.board)[1]
    async with app.run_test(size=(80, 24)) as pilot:
        await focus_column(pilot, app, "backlog")
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#practice", Select).value = "skills"
        app.screen.query_one("#day", Input).value = "fri"
        await pilot.pause()
        await pilot.press("ctrl+t", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
    [saved] = new_tasks(store, before)
    assert (saved.title, saved.day.isoformat()) == (second.title, "2026-11-27")
    assert saved.column == "this-week"  # scheduled into this week, though made from the Backlog


class NoTemplates:
    @hookimpl
    def planner_register_practices(self, register):
        register(Practice("bare", "Bare practice", "A practice without templates.", "#aa5500", "BARE"))


async def test_ctrl_t_on_a_practice_without_templates_says_so(app: PlannerApp) -> None:
    app.session.host.add_plugin(NoTemplates(), "bare-plugin")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        form.query_one("#practice", Select).value = "bare"
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.screen is form and app.focused is form.query_one("#title", Input)
        assert form.query_one("#error", Static).visual.plain == "Bare practice has no templates"


async def test_ctrl_t_in_the_edit_form_leaves_the_task_alone(app: PlannerApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await focus_column(pilot, app, "backlog")
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.screen is form and app.focused is form.query_one("#title", Input)
        assert not form.query_one("#practice", Select).expanded
        assert not form.query_one("#templates", OptionList).display


async def test_a_bad_date_in_the_form_is_explained_not_saved(app: PlannerApp, plans: Path) -> None:
    before = sorted(path.name for path in (plans / "tasks").iterdir())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Something")
        app.screen.query_one("#due").value = "someday"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "not a date: 'someday'" in str(app.screen.query_one("#error").render())
        await pilot.press("escape")
    assert sorted(path.name for path in (plans / "tasks").iterdir()) == before


async def test_edit_a_task(app: PlannerApp, store: PlanStore) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await focus_column(pilot, app, "doing")
        task = selected(app)
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#title").value = "Move my notebooks to Jupyter, then delete the spreadsheets"
        app.screen.query_one("#estimate").value = "1h30m"
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = store.read_task(task.id)
        assert saved.title == "Move my notebooks to Jupyter, then delete the spreadsheets"
        assert saved.estimate == 90 and saved.day == task.day


async def test_move_a_card_right_and_back(app: PlannerApp, store: PlanStore) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await focus_column(pilot, app, "this-week")
        task = selected(app)
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert store.read_task(task.id).column == "doing"
        assert selected(app).id == task.id and app.focused is cards(app, "doing")
        await pilot.press("shift+right")
        await pilot.pause()
        saved = store.read_task(task.id)
        assert (saved.column, saved.status) == ("done", "done") and saved.done_at is not None
        await pilot.press("escape")  # a move into Done asks for the outcome too: skipped
        await pilot.press("less_than_sign")
        await pilot.pause()
        assert (store.read_task(task.id).column, store.read_task(task.id).status) == ("doing", "open")


async def test_reorder_within_a_column(app: PlannerApp, store: PlanStore) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await focus_column(pilot, app, "backlog")
        first, second = titles(app, "backlog")[:2]
        await pilot.press("shift+down")
        await pilot.pause()
        assert titles(app, "backlog")[:2] == [second, first]
        reloaded = Session(store.root)
        order = [task.title for task in sorted(
            (t for t in reloaded.tasks.values() if t.column == "backlog" and t.status == "open"),
            key=lambda t: (t.rank, t.id))]
        assert order[:2] == [second, first]
        await pilot.press("K")
        await pilot.pause()
        assert titles(app, "backlog")[:2] == [first, second]


async def test_done_delete_undo_redo_and_undo_after_a_restart(app: PlannerApp, store: PlanStore, plans: Path) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await focus_column(pilot, app, "this-week")
        task = selected(app)
        await pilot.press("x")
        await pilot.pause()
        assert store.read_task(task.id).status == "done"
        await pilot.press("escape")  # no outcome this time
        await pilot.press("u")
        await pilot.pause()
        assert store.read_task(task.id).status == "open"
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert store.read_task(task.id).status == "done"
        await focus_column(pilot, app, "backlog")
        doomed = selected(app)
        await pilot.press("delete")
        await pilot.pause()
        assert store.read_task(doomed.id).status == "deleted"
        assert doomed.title not in titles(app, "backlog")
    restarted = PlannerApp(Session(plans), watch=False)
    async with restarted.run_test(size=(120, 40)) as pilot:
        await pilot.press("u")
        await pilot.pause()
        assert store.read_task(doomed.id).status == "open"
        assert doomed.title in titles(restarted, "backlog")


async def test_filter_by_text_practice_and_tag(app: PlannerApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash")
        await pilot.press(*"practice:feedback")
        await pilot.pause()
        shown = [app.tasks[i] for column in ("backlog", "this-week", "doing", "done") for i in cards(app, column).task_ids]
        assert shown and all(task.practice == "feedback" for task in shown)
        field = app.screen.query_one("#filter")
        field.value = "tag:@priya churn"
        await pilot.pause()
        shown = [app.tasks[i] for column in ("backlog", "this-week", "doing", "done") for i in cards(app, column).task_ids]
        assert shown and all("@priya" in task.tags and "churn" in task.title.lower() for task in shown)
        assert hint_on_screen(app) == ""
        field.value = "tag:no-such-tag"
        await pilot.pause()
        assert "No task matches the filter" in hint_on_screen(app)
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert len(cards(app, "backlog").task_ids) == 33
        assert hint_on_screen(app) == ""


async def test_schedule_a_task_to_a_day(app: PlannerApp, store: PlanStore) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await focus_column(pilot, app, "backlog")
        task = selected(app)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press(*"next mon", "enter")
        await pilot.pause()
        saved = store.read_task(task.id)
        assert (saved.day.isoformat(), saved.week) == ("2026-11-30", "2026-W49")
        await pilot.press("s")
        await pilot.pause()
        await pilot.press(*"none", "enter")
        await pilot.pause()
        assert store.read_task(task.id).day is None and store.read_task(task.id).week is None


async def test_scheduling_a_backlog_card_into_this_week_moves_it_to_this_week(app: PlannerApp,
                                                                             store: PlanStore) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await focus_column(pilot, app, "backlog")
        task = selected(app)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press(*"tomorrow", "enter")
        await pilot.pause()
        assert store.read_task(task.id).column == "this-week"
        assert task.id not in cards(app, "backlog").task_ids
        assert task.id in cards(app, "this-week").task_ids


async def test_details_and_notes(app: PlannerApp, store: PlanStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await focus_column(pilot, app, "doing")
        task = selected(app)
        await pilot.press("enter")
        await pilot.pause()
        summary = str(app.screen.query_one("#summary").render())
        assert task.title in summary and "Doing" in summary
        await pilot.press("o")  # no $EDITOR here: the notes open inside the app
        await pilot.pause()
        area = app.screen.query_one("TextArea")
        area.text = "Takeaway: [bold]pandas[/] reads the export directly."
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert store.read_task(task.id).notes == "Takeaway: [bold]pandas[/] reads the export directly."
        assert "Takeaway: [bold]pandas[/] reads" in str(app.screen.query_one("#notes").render())


async def test_drag_a_card_to_another_column(app: PlannerApp, store: PlanStore) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        source = cards(app, "this-week")
        task_id = source.task_ids[0]
        await pilot.mouse_down(source, offset=(3, 1))
        await pilot.mouse_up(cards(app, "doing"), offset=(3, 2))
        await pilot.pause()
        assert store.read_task(task_id).column == "doing"
        assert task_id in cards(app, "doing").task_ids and task_id not in source.task_ids


async def test_click_selects_a_card(app: PlannerApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        target = cards(app, "doing")
        await pilot.click(target, offset=(3, 1))
        await pilot.pause()
        assert app.focused is target and target.highlighted == 0
        assert isinstance(app.screen, BoardScreen)  # a click selects; Enter opens


@pytest.mark.parametrize("title", MARKUP_TITLES)
async def test_markup_in_titles_shows_literally(empty_app: PlannerApp, title: str) -> None:
    async with empty_app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        empty_app.screen.query_one("#title").value = title
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert empty_app.is_running
        [task_id] = cards(empty_app, "backlog").task_ids
        rendered = cards(empty_app, "backlog").task_content(0)
        assert " ".join(title.split()) in " ".join(rendered.plain.split())  # wrapped to the column
        assert empty_app.tasks[task_id].title == title
        await pilot.press("enter")
        await pilot.pause()
        assert title in str(empty_app.screen.query_one("#summary").render())


def hint_on_screen(app: PlannerApp) -> str:
    """The empty board's hint, as the first column draws it ("" when it draws cards instead)."""
    backlog = cards(app, "backlog")
    lines = [backlog.render_line(y).text for y in range(backlog.scrollable_content_region.height)]
    return " ".join(" ".join(lines).split()) if not backlog.task_ids else ""


async def test_an_empty_board_says_what_to_do(empty_app: PlannerApp) -> None:
    async with empty_app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "press n to add one" in hint_on_screen(empty_app)


async def test_the_empty_board_hint_goes_when_the_only_card_is_done(empty_app: PlannerApp) -> None:
    async with empty_app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "press n to add one" in hint_on_screen(empty_app)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Write the plan", "enter")
        await pilot.pause()
        await pilot.press("x", "enter")  # the card goes to Done (Enter skips its outcome): the board is not empty
        await pilot.pause()
        done = cards(empty_app, empty_app.session.board.done_column)
        assert [empty_app.tasks[task_id].title for task_id in done.task_ids] == ["Write the plan"]
        assert not cards(empty_app, "backlog").task_ids
        backlog = cards(empty_app, "backlog")
        shown = " ".join(backlog.render_line(y).text for y in range(backlog.scrollable_content_region.height))
        assert shown.strip() == ""


LONG_TAG = "a-tag-far-too-long-for-any-column-at-eighty"


async def test_tags_are_never_split_and_people_read_as_at_names(empty_app: PlannerApp) -> None:
    empty_app.session.add_task("Ask for feedback on the deck", tags=("acted-on-feedback", "@priya", LONG_TAG, "sql"))
    async with empty_app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        backlog = cards(empty_app, "backlog")
        shown = [backlog.render_line(y).text.strip() for y in range(6)]
        # 17 cells of card: a tag that does not fit is cut with an ellipsis on a line of its own,
        # never carried over to the next line.
        assert shown == ["Ask for feedback", "on the deck", "#acted-on-feedba…", "@priya", "#a-tag-far-too-l…", "#sql"]
        await pilot.press("enter")
        await pilot.pause()
        details = str(empty_app.screen.query_one("#summary").render())
        assert f"#acted-on-feedback @priya #{LONG_TAG} #sql" in details and "#@" not in details


def test_card_lines_keep_tags_whole_where_they_fit() -> None:
    from datetime import date, datetime, timezone

    from planner.app.widgets.cards import card_lines
    from planner.model import Task

    moment = datetime(2026, 11, 26, tzinfo=timezone.utc)
    task = Task(id="01m8bfkkt0fz90nm", title="Ask", created=moment, updated=moment,
                tags=("acted-on-feedback", "@priya"), estimate=30)
    lines = ["".join(text for text, _ in line) for line in card_lines(task, None, date(2026, 11, 26), 30)]
    assert lines == ["Ask", "30m · #acted-on-feedback", "@priya", ""]
    narrow = ["".join(text for text, _ in line) for line in card_lines(task, None, date(2026, 11, 26), 8)]
    assert narrow == ["Ask", "30m ·", "#acted-…", "@priya", ""]


async def test_the_title_bar_shows_the_whole_plan_title_at_80_columns(app: PlannerApp) -> None:
    from planner.app.widgets.title_bar import TitleBar

    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        line = app.screen.query_one(TitleBar).render_line(0).text
        assert line.strip().startswith("Board  2026-W48")
        assert line.rstrip().endswith("Sam: from support analyst to data analyst")
    async with PlannerApp(app.session, watch=False).run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        line = pilot.app.screen.query_one(TitleBar).render_line(0).text
        assert line.strip().startswith("Value Planner · Board  2026-W48")  # room for the app's name too


async def test_board_help_lists_enter_for_details(app: PlannerApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await focus_column(pilot, app, "doing")
        await pilot.press("question_mark")
        await pilot.pause()
        rows = [" ".join(line.split()) for line in str(app.screen.query_one("#bindings").render()).splitlines()]
        assert "⏎ Details" in rows
        assert "← h Column left" in rows and "→ l Column right" in rows


async def test_the_board_starts_from_the_recent_index_and_catches_up_with_the_whole_plan(
        plans: Path, store: PlanStore, monkeypatch: pytest.MonkeyPatch) -> None:
    # As after any earlier start: every file settled, and the index written by a full read.
    long_ago = time.time() - 86_400
    for path in (plans / "tasks").iterdir():
        os.utime(path, (long_ago, long_ago))
    Session(plans).tasks  # noqa: B018
    # Then a pull reopens a task finished weeks ago: the recent part of the index cannot know it.
    old = min((task for task in store.read_tasks()[0].values() if task.is_done), key=lambda task: task.updated)
    store.update_task(old.id, lambda task: replace(task, status="open", column="backlog", done_at=None))
    first_reads = []
    real_read = PlanStore.read_recent_tasks

    def spy(self):
        result = real_read(self)
        first_reads.append(result)
        return result

    monkeypatch.setattr(PlanStore, "read_recent_tasks", spy)
    app = PlannerApp(Session(plans), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        [(recent, _)] = first_reads
        assert old.id not in recent and len(recent) < len(app.tasks)  # the first screen read a part
        assert old.id in cards(app, "backlog").task_ids  # and the whole plan, read after, put it back


async def test_a_long_column_shows_its_last_card_at_once(plans: Path, store: PlanStore) -> None:
    """Cards below the view are measured after the first frame; jumping there before that works."""
    session = Session(plans)
    for number in range(400):
        session.add_task(f"Long column card {number} with a title that wraps onto a second line")
    app = PlannerApp(Session(plans), watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        backlog = cards(app, "backlog")
        backlog.focus()
        await pilot.press("end")
        await pilot.pause()
        assert backlog.highlighted == len(backlog.task_ids) - 1
        shown = " ".join(backlog.render_line(y).text for y in range(backlog.scrollable_content_region.height))
        assert "Long column card 399 with" in " ".join(shown.split())
        await pilot.press("home")
        await pilot.pause()
        shown = " ".join(backlog.render_line(y).text for y in range(backlog.scrollable_content_region.height))
        assert backlog.highlighted == 0 and backlog.selected_task_id in app.tasks
        assert app.tasks[backlog.selected_task_id].title[:12] in " ".join(shown.split())


async def test_a_click_on_a_key_in_the_footer_presses_it(app: PlannerApp) -> None:
    from planner.app.dialogs.task_form import TaskForm
    from planner.app.widgets.footer import PlannerFooter

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(PlannerFooter)
        text = footer.render().plain
        assert text.startswith(">Move nNew eEdit xDone") and text.rstrip().endswith("^p palette")
        await pilot.click(PlannerFooter, offset=(text.index("nNew") + 2, 0))
        await pilot.pause()
        assert isinstance(app.screen, TaskForm)


async def test_column_titles_are_shown_literally(plans: Path) -> None:
    board = plans / "board.toml"
    board.write_text(board.read_text().replace('title = "Doing"', 'title = "[b][@click=app.quit]"'))
    app = PlannerApp(Session(plans), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        doing = cards(app, "doing")
        top_line = doing.render_lines(Region(0, 0, doing.size.width, 1))[0].text
        assert "[b][@click=app.quit] 2/3" in top_line
        await pilot.click(doing, offset=(5, 0))
        assert app.is_running
