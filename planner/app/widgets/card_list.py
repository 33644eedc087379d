"""A column's cards: an OptionList, so only the visible cards are rendered (Line API), not one widget
per card. It keeps the task id of every row, and can change a few rows without rebuilding."""

from __future__ import annotations

from typing import Callable, Iterable

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from planner.model import Task


class CardList(OptionList):
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

    class Dropped(Message):
        """A card was dragged with the mouse and let go over another column."""

        def __init__(self, task_id: str, source: "CardList", screen_x: int, screen_y: int) -> None:
            super().__init__()
            self.task_id = task_id
            self.source = source
            self.screen_x = screen_x
            self.screen_y = screen_y

    def __init__(self, column_id: str, render: Callable[[Task], Content], **kwargs) -> None:
        super().__init__(markup=False, **kwargs)
        self.column_id = column_id
        self.render_task = render
        self.task_ids: list[str] = []
        self._drag_task: str | None = None

    def render_card(self, task: Task) -> Content:
        # A blank line under each card, so cards read as cards rather than one stream of text.
        return Content.assemble(self.render_task(task), "\n ")

    # --- reading ---------------------------------------------------------------------------------

    @property
    def selected_task_id(self) -> str | None:
        if self.highlighted is None or not (0 <= self.highlighted < len(self.task_ids)):
            return None
        return self.task_ids[self.highlighted]

    def index_of(self, task_id: str) -> int | None:
        try:
            return self.task_ids.index(task_id)
        except ValueError:
            return None

    # --- changing the rows ---------------------------------------------------------------------------

    def show_tasks(self, tasks: Iterable[Task], keep: str | None = None) -> None:
        """Replace every row; the highlight stays on `keep` (or the same task) when it is still here."""
        keep = keep or self.selected_task_id
        old_index = self.highlighted
        tasks = list(tasks)
        self.task_ids = [task.id for task in tasks]
        self.set_options(Option(self.render_card(task)) for task in tasks)
        self._highlight_after_change(keep, old_index)

    def append_task(self, task: Task) -> None:
        self.task_ids.append(task.id)
        self.add_option(Option(self.render_card(task)))

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
        self.replace_option_prompt_at_index(index, self.render_card(task))
        return True

    def swap(self, first: int, second: int, tasks: dict[str, Task]) -> None:
        """Exchange two rows (reordering by one step) without rebuilding the list."""
        ids = self.task_ids
        ids[first], ids[second] = ids[second], ids[first]
        self.replace_option_prompt_at_index(first, self.render_card(tasks[ids[first]]))
        self.replace_option_prompt_at_index(second, self.render_card(tasks[ids[second]]))

    def select_task(self, task_id: str) -> bool:
        index = self.index_of(task_id)
        if index is None:
            return False
        self.highlighted = index
        return True

    def _highlight_after_change(self, keep: str | None, old_index: int | None) -> None:
        if not self.task_ids:
            return
        if keep is not None and keep in self.task_ids:
            self.highlighted = self.task_ids.index(keep)
        else:
            self.highlighted = min(old_index or 0, len(self.task_ids) - 1)

    # --- mouse: click selects (Enter opens), drag moves -------------------------------------------------

    async def _on_click(self, event: events.Click) -> None:
        event.prevent_default()  # OptionList's own click handler would also open the card
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
