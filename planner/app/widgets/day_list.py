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
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from planner.api import Practice
from planner.app.widgets.cards import practice_badge, text_colour_on
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


class DayList(OptionList):
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

    class Dropped(Message):
        """A card was dragged with the mouse and let go outside its own day."""

        def __init__(self, task_id: str, source: "DayList", screen_x: int, screen_y: int) -> None:
            super().__init__()
            self.task_id = task_id
            self.source = source
            self.screen_x = screen_x
            self.screen_y = screen_y

    def __init__(self, day: date | None, render: Callable[[Task, bool], Content], **kwargs) -> None:
        super().__init__(markup=False, **kwargs)
        self.day = day
        self.render_task = render
        self.task_ids: list[str] = []
        self._tasks: list[Task] = []
        self._compact = True
        self._drag_task: str | None = None

    # --- reading -----------------------------------------------------------------------------------

    @property
    def selected_task_id(self) -> str | None:
        if self.highlighted is None or not (0 <= self.highlighted < len(self.task_ids)):
            return None
        return self.task_ids[self.highlighted]

    # --- changing the rows -------------------------------------------------------------------------

    def show_tasks(self, tasks: Iterable[Task], keep: str | None = None) -> None:
        """Replace every row; the highlight stays on `keep` (or the same task) when it is still here."""
        keep = keep or self.selected_task_id
        old_index = self.highlighted
        self._tasks = list(tasks)
        self.task_ids = [task.id for task in self._tasks]
        self.set_options(Option(self.render_task(task, self._compact)) for task in self._tasks)
        if not self.task_ids:
            return
        if keep in self.task_ids:
            self.highlighted = self.task_ids.index(keep)
        else:
            self.highlighted = min(old_index or 0, len(self.task_ids) - 1)

    def select_task(self, task_id: str) -> bool:
        if task_id not in self.task_ids:
            return False
        self.highlighted = self.task_ids.index(task_id)
        return True

    def on_resize(self, event: events.Resize) -> None:
        compact = event.size.width < FULL_BADGE_MIN_WIDTH
        if compact != self._compact:
            self._compact = compact
            self.show_tasks(self._tasks)

    # --- mouse: click selects (Enter opens), drag moves to another day --------------------------------

    async def _on_click(self, event: events.Click) -> None:
        clicked = event.style.meta.get("option")
        if clicked is not None:
            self.highlighted = clicked
        self.focus()

    def _on_mouse_down(self, event: events.MouseDown) -> None:
        index = event.style.meta.get("option")
        if index is not None and 0 <= index < len(self.task_ids):
            self._drag_task = self.task_ids[index]
            self.capture_mouse()

    def _on_mouse_up(self, event: events.MouseUp) -> None:
        task_id, self._drag_task = self._drag_task, None
        self.capture_mouse(False)
        if task_id is not None and not self.region.contains(event.screen_x, event.screen_y):
            self.post_message(self.Dropped(task_id, self, event.screen_x, event.screen_y))
