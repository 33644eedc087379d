"""A board column: its header (title, count, WIP limit) and its cards, each card wrapped to the
column's width and only the cards in view drawn.

The header is the list's own top border (a "panel" border with the title in it) rather than a
widget above the list: one widget per column, so a key that moves the cursor repaints one widget.
"""

from __future__ import annotations

from typing import Callable

from textual.binding import Binding
from textual.content import Content

from planner.app.widgets.cards import Line
from planner.app.widgets.task_list import TaskList
from planner.model import Column, Task


class CardList(TaskList):
    DEFAULT_CSS = """
    CardList {
        width: 1fr;
        border: none;
        border-top: panel $panel;
        border-right: vkey $panel;
        border-title-color: $foreground;
        border-title-style: bold;
        padding: 0;
        &:last-of-type { border-right: none; }
        &:focus { border-top: panel $primary 60%; }
        &.over-limit { border-top: panel $error 40%; }
    }
    """
    INDENT = 1

    BINDINGS = [
        Binding("j", "cursor_down", "Cursor down", show=False, id="cards.down"),
        Binding("k", "cursor_up", "Cursor up", show=False, id="cards.up"),
    ]

    def __init__(self, column: Column, lay_out: Callable[[Task, int], list[Line]], *, done: bool = False,
                 **kwargs) -> None:
        super().__init__(id=f"cards-{column.id}", **kwargs)
        self.column = column
        self.column_id = column.id
        self.lay_out_card = lay_out
        #: The done column shows this week's done tasks only, and says so.
        self.done = done
        self.header = ""

    def task_lines(self, task: Task, width: int) -> list[Line]:
        return self.lay_out_card(task, width)

    def update_header(self) -> None:
        """The column's title, its count of cards (against its WIP limit), and whether it is over."""
        count, wip = len(self.task_ids), self.column.wip
        over = bool(wip and count > wip)
        header = f"{self.column.title} {count}{f'/{wip}' if wip else ''}"
        header += " this week" if self.done else ""
        header += "  over limit" if over else ""
        if header != self.header:
            self.header = header
            self.border_title = Content(header)  # Content: a column named "[b]" stays literal
        self.set_class(over, "over-limit")
