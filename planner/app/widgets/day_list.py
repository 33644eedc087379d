"""One day of the week screen: its tasks as one-line cards in an OptionList (Line API).

A week has few tasks a day, but seven of these lists share the width of a terminal, so a card is
a single line cut with an ellipsis, and a list narrower than a full practice badge shows a two
letter badge instead. The list keeps the task id of every row, as the board's CardList does.
"""

from __future__ import annotations

from datetime import date
from typing import Callable, Iterable

from textual import events
from textual.binding import Binding
from textual.content import Content

from planner.api import Practice
from planner.app.widgets.cards import practice_badge, text_colour_on
from planner.app.widgets.task_list import TaskList
from planner.model import Task

#: Below this many cells a list shows two-letter practice badges: a full badge would leave no room
#: for the title.
FULL_BADGE_MIN_WIDTH = 26


def short_badge(practice: Practice | None, fallback: str = "") -> Content:
    """The first two letters of the practice's label on its colour: still text, never colour alone."""
    if practice is None:
        return Content(f"{fallback[:2]:<2}") if fallback else Content("")
    return Content.assemble((f"{practice.label[:2]:<2}", f"bold {text_colour_on(practice.color)} on {practice.color}"))


def day_card(task: Task, practice: Practice | None, *, compact: bool) -> Content:
    """One line: badge, then the title; a done task is ticked and struck through."""
    badge = short_badge(practice, task.practice or "") if compact else practice_badge(practice, task.practice or "")
    title = Content(task.title)
    if task.is_done:
        title = Content.assemble("✓", title.stylize("strike dim"))
    if not badge:
        return title
    return Content.assemble(badge, " ", title)


class DayList(TaskList):
    """The tasks of one day (or, with `day=None`, of the week without a day)."""

    DEFAULT_CSS = """
    DayList {
        height: 1fr;
        border: none;
        padding: 0;
        background: $surface;
        scrollbar-size-vertical: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    DayList:focus { border: none; background-tint: $foreground 4%; }
    DayList > .option-list--option { padding: 0; }
    """

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="day.down"),
        Binding("k", "cursor_up", "Up", show=False, id="day.up"),
    ]

    def __init__(self, day: date | None, render: Callable[[Task, bool], Content], **kwargs) -> None:
        super().__init__(**kwargs)
        self.day = day
        self.render_task = render
        self._tasks: list[Task] = []
        self._compact = True

    def render_option(self, task: Task) -> Content:
        return self.render_task(task, self._compact)

    # --- changing the rows -------------------------------------------------------------------------

    def show_tasks(self, tasks: Iterable[Task], keep: str | None = None) -> None:
        self._tasks = list(tasks)  # kept to redraw at another width (full or two-letter badges)
        super().show_tasks(self._tasks, keep)

    def on_resize(self, event: events.Resize) -> None:
        compact = event.size.width < FULL_BADGE_MIN_WIDTH
        if compact != self._compact:
            self._compact = compact
            self.show_tasks(self._tasks)
