"""One day of the week screen: its tasks as one-line cards (the board's TaskList, Line API).

A week has few tasks a day, but seven of these lists share the width of a terminal, so a card is
a single line cut with an ellipsis (wrapped instead with `text-wrap: wrap`), and a list narrower than
a full practice badge shows a two letter badge instead.
"""

from __future__ import annotations

from datetime import date
from typing import Callable

from textual.binding import Binding

from planner.api import Practice
from planner.app.widgets.cards import Line, Run, practice_run, title_words, truncate_line, wrap_words
from planner.app.widgets.task_list import TaskList
from planner.model import Task
from planner.text import shown_title

#: Below this many cells a list shows two-letter practice badges: a full badge would leave no room
#: for the title.
FULL_BADGE_MIN_WIDTH = 26


def day_card(task: Task, practice: Practice | None, *, compact: bool) -> Line:
    """Badge, then the title; a done task is ticked and struck through."""
    runs: Line = []
    width = 2 if compact else 6
    if practice is not None:
        runs.append(practice_run(practice, width))
    elif task.practice:
        runs.append((f"{task.practice[:width]:^{width}}", ""))
    if task.is_done:
        runs.append(("✓", ""))
    runs.append((shown_title(task.title), "strike dim" if task.is_done else ""))
    return runs


class DayList(TaskList):
    """The tasks of one day (or, with `day=None`, of the week without a day)."""

    DEFAULT_CSS = """
    DayList { border: none; padding: 0; text-wrap: nowrap; }
    """

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="day.down"),
        Binding("k", "cursor_up", "Up", show=False, id="day.up"),
    ]

    def __init__(self, day: date | None, render: Callable[[Task, bool], Line], **kwargs) -> None:
        super().__init__(**kwargs)
        self.day = day
        self.render_task = render

    def task_lines(self, task: Task, width: int) -> list[Line]:
        runs = self.render_task(task, width < FULL_BADGE_MIN_WIDTH)
        if self.styles.text_wrap != "wrap":
            return [truncate_line(with_spaces(runs), width)]
        return wrap_words(title_words(runs), width)

    def notify_style_update(self) -> None:
        self._laid_out_width = 0  # `text-wrap` may have changed: measure again
        super().notify_style_update()



def with_spaces(runs: Line) -> list[Run]:
    """Runs with a space between them; a tick hugs the title (a narrow day has no cell to spare)."""
    spaced: list[Run] = []
    for index, run in enumerate(runs):
        if index and runs[index - 1][0] != "✓":
            spaced.append((" ", ""))
        spaced.append(run)
    return spaced
