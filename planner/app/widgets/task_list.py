"""An OptionList whose rows are tasks: the base of the board's columns and the week's days.

It renders only the rows in view (Line API), keeps the task id of every row, keeps the cursor on the
same task across updates, and handles the mouse: a click selects (Enter opens), a drag that ends
outside the list posts `Dropped` for the screen to move the task.
"""

from __future__ import annotations

from typing import Iterable

from textual import events
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from planner.model import Task


class TaskList(OptionList):
    class Dropped(Message):
        """A task was dragged with the mouse and let go outside the list it came from."""

        def __init__(self, task_id: str, source: "TaskList", screen_x: int, screen_y: int) -> None:
            super().__init__()
            self.task_id = task_id
            self.source = source
            self.screen_x = screen_x
            self.screen_y = screen_y

    def __init__(self, **kwargs) -> None:
        super().__init__(markup=False, **kwargs)
        self.task_ids: list[str] = []
        self._drag_task: str | None = None

    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False):
        # The list's size comes from the screen's layout (1fr), never from its rows: a row added or
        # removed needs this list repainted, not the whole screen laid out and repainted again.
        return super().refresh(*regions, repaint=repaint, layout=False, recompose=recompose)

    def render_option(self, task: Task) -> Content:
        """How one task looks in this list."""
        raise NotImplementedError

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
        """Replace every row; the cursor stays on `keep` (or the same task) when it is still here."""
        keep = keep or self.selected_task_id
        old_index = self.highlighted
        tasks = list(tasks)
        self.task_ids = [task.id for task in tasks]
        self.set_options(Option(self.render_option(task)) for task in tasks)
        if not self.task_ids:
            return
        if keep is not None and keep in self.task_ids:
            self.highlighted = self.task_ids.index(keep)
        else:
            self.highlighted = min(old_index or 0, len(self.task_ids) - 1)

    def select_task(self, task_id: str) -> bool:
        index = self.index_of(task_id)
        if index is None:
            return False
        self.highlighted = index
        return True

    # --- mouse ------------------------------------------------------------------------------------

    async def _on_click(self, event: events.Click) -> None:
        event.prevent_default()  # OptionList's own click handler would also open the task
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
