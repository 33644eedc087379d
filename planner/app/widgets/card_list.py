"""A board column's cards. Only the cards in view are rendered (Line API), not one widget per card,
and a move changes a few rows rather than rebuilding the column."""

from __future__ import annotations

from typing import Callable

from textual.binding import Binding
from textual.content import Content
from textual.widgets.option_list import Option

from planner.app.widgets.task_list import TaskList
from planner.model import Task


class CardList(TaskList):
    DEFAULT_CSS = """
    CardList {
        height: 1fr;
        border: none;
        padding: 0;
        background: $surface;
        scrollbar-size-vertical: 1;
    }
    CardList:focus { border: none; background-tint: $foreground 4%; }
    CardList > .option-list--option { padding: 0 0 0 1; }
    """

    BINDINGS = [
        Binding("j", "cursor_down", "Cursor down", show=False, id="cards.down"),
        Binding("k", "cursor_up", "Cursor up", show=False, id="cards.up"),
    ]

    def __init__(self, column_id: str, render: Callable[[Task], Content], **kwargs) -> None:
        super().__init__(**kwargs)
        self.column_id = column_id
        self.render_task = render

    def render_option(self, task: Task) -> Content:
        # A blank line under each card, so cards read as cards rather than one stream of text.
        return Content.assemble(self.render_task(task), "\n ")

    # --- changing a few rows without rebuilding ----------------------------------------------------

    def append_task(self, task: Task) -> None:
        self.task_ids.append(task.id)
        self.add_option(Option(self.render_option(task)))

    def remove_task(self, task_id: str) -> None:
        index = self.index_of(task_id)
        if index is None:
            return
        old_index = self.highlighted
        del self.task_ids[index]
        self.remove_option_at_index(index)
        if self.task_ids and old_index is not None:
            self.highlighted = min(old_index, len(self.task_ids) - 1)

    def replace_task(self, task: Task) -> bool:
        """Redraw one card in place; False when it is not in this list."""
        index = self.index_of(task.id)
        if index is None:
            return False
        self.replace_option_prompt_at_index(index, self.render_option(task))
        return True
