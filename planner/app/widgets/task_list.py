"""A scrolling list of tasks drawn with the Line API: the base of the board's columns and the week's days.

Only the lines in view are rendered. A subclass says how one task is laid out at a width
(`task_lines`); the list keeps every task's height, so its length is known without rendering, and
caches the rendered lines of the tasks it has drawn. It keeps the task id of every row and the cursor
on the same task across updates, and handles the keys and the mouse: a click selects (Enter opens),
a drag that ends outside the list posts `Dropped` for the screen to move the task.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate
from typing import ClassVar, Iterable

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style

from planner.app.widgets.cards import Line, split_words, wrap_words
from planner.model import Task

#: Lines counted for a task not measured yet (a card's head, details and gap).
ESTIMATED_HEIGHT = 3
#: Seconds after a first frame when the tasks below the view are measured.
MEASURE_REST_AFTER = 0.1


REVERSE = RichStyle(reverse=True)


@lru_cache(maxsize=512)
def run_style(base: RichStyle, style: str) -> RichStyle:
    """A run's style (e.g. "bold #000000 on #3fb4a6", "dim italic", "bold ansi_black on ansi_blue")
    over the list's own. Textual's parser, as Content has it: it knows the ANSI colour names."""
    return base + Style.parse(style).rich_style if style else base


class TaskList(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    TaskList {
        height: 1fr;
        background: $surface;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        scrollbar-gutter: stable;  /* a scrollbar appearing would change the width: measure once */
        & > .task-list--cursor {
            color: $foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;  /* none, but underline without colour */
        }
        &:focus {
            & > .task-list--cursor {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
        }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"task-list--cursor"}
    BINDINGS = [
        Binding("down", "cursor_down", "Down", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        # An id, so help lists it (and a keymap can move it): it is how a card's details open.
        Binding("enter", "select", "Details", show=False, id="list.details"),
    ]
    #: Blank cells to the left of every task.
    INDENT: ClassVar[int] = 0

    class Highlighted(Message):
        """The cursor moved to another task."""

        def __init__(self, task_list: "TaskList", index: int) -> None:
            super().__init__()
            self.task_list = task_list
            self.index = index

        @property
        def control(self) -> "TaskList":
            return self.task_list

    class Selected(Message):
        """Enter (or a double click) on a task."""

        def __init__(self, task_list: "TaskList", index: int, task_id: str) -> None:
            super().__init__()
            self.task_list = task_list
            self.index = index
            self.task_id = task_id

        @property
        def control(self) -> "TaskList":
            return self.task_list

    class Dropped(Message):
        """A task was dragged with the mouse and let go outside the list it came from."""

        def __init__(self, task_id: str, source: "TaskList", screen_x: int, screen_y: int) -> None:
            super().__init__()
            self.task_id = task_id
            self.source = source
            self.screen_x = screen_x
            self.screen_y = screen_y

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.tasks: list[Task] = []
        self.task_ids: list[str] = []
        self._highlighted: int | None = None
        #: Each task's height in lines at `_laid_out_width`, and where each task starts.
        self._heights: list[int] = []
        self._starts: list[int] = [0]
        self._laid_out_width = 0
        self._measuring = False
        #: Rendered lines by (task id, under the cursor, cursor in a focused list, theme); dropped when
        #: the task changes.
        self._strips: dict[tuple[str, bool, bool, str], list[Strip]] = {}
        self._drag_task: str | None = None
        #: Said (dim, wrapped) in place of tasks while the list has none.
        self.placeholder = ""

    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False):
        # The list's size comes from the screen's layout (1fr), never from its rows: a row added or
        # removed (which changes the virtual size) needs this list repainted, not the screen laid out.
        return super().refresh(*regions, repaint=repaint, layout=False, recompose=recompose)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The list never scrolls sideways (overflow-x: hidden), so left and right belong to the screen
        # (the next column, the next day): off here, help lists them there too.
        return action not in ("scroll_left", "scroll_right", "page_left", "page_right")

    # --- what a subclass says ------------------------------------------------------------------------

    def task_lines(self, task: Task, width: int) -> list[Line]:
        """How one task looks at `width` cells: its lines, each a list of (text, style) runs."""
        raise NotImplementedError

    # --- reading ---------------------------------------------------------------------------------

    @property
    def highlighted(self) -> int | None:
        """The index of the task under the cursor (None when the list is empty)."""
        return self._highlighted

    @highlighted.setter
    def highlighted(self, index: int | None) -> None:
        if index is not None:
            index = max(0, min(index, len(self.tasks) - 1)) if self.tasks else None
        old, self._highlighted = self._highlighted, index
        if old == index:
            return
        self._refresh_task(old)
        self._refresh_task(index)
        if index is not None:
            self.scroll_to_task(index)
            self.post_message(self.Highlighted(self, index))

    @property
    def selected_task_id(self) -> str | None:
        index = self._highlighted
        return self.task_ids[index] if index is not None and 0 <= index < len(self.task_ids) else None

    def index_of(self, task_id: str) -> int | None:
        try:
            return self.task_ids.index(task_id)
        except ValueError:
            return None

    def task_content(self, index: int) -> Content:
        """The task at `index` as it is drawn, lines joined (for tests and screen readers)."""
        lines = self.task_lines(self.tasks[index], max(self._content_width(), 1))
        return Content("\n").join(Content.assemble(*line) for line in lines)

    # --- changing the rows ---------------------------------------------------------------------------

    def show_tasks(self, tasks: Iterable[Task], keep: str | None = None) -> None:
        """Replace every row; the cursor stays on `keep` (or the same task) when it is still here."""
        keep = keep or self.selected_task_id
        old_index = self._highlighted
        self.tasks = list(tasks)
        self.task_ids = [task.id for task in self.tasks]
        self._strips.clear()
        self._laid_out_width = 0  # every height measured again, when next drawn
        self._highlighted = None
        if self.tasks:
            if keep is not None and keep in self.task_ids:
                self._highlighted = self.task_ids.index(keep)
            else:
                self._highlighted = min(old_index or 0, len(self.tasks) - 1)
        self._changed()
        if self._highlighted is not None:
            self.scroll_to_task(self._highlighted)

    def select_task(self, task_id: str) -> bool:
        index = self.index_of(task_id)
        if index is None:
            return False
        self.highlighted = index
        return True

    def append_task(self, task: Task) -> None:
        self.tasks.append(task)
        self.task_ids.append(task.id)
        if self._laid_out_width:
            if len(self._heights) == len(self.tasks) - 1:
                self._heights.append(len(self.task_lines(task, self._laid_out_width)))
            self._starts.append(self._starts[-1] + self._height(len(self.tasks) - 1))
        if self._highlighted is None:
            self._highlighted = 0
        self._changed()

    def remove_task(self, task_id: str) -> None:
        index = self.index_of(task_id)
        if index is None:
            return
        del self.tasks[index], self.task_ids[index]
        if self._laid_out_width:
            if index < len(self._heights):
                del self._heights[index]
            self._count_lines()
        self._forget(task_id)
        if not self.tasks:
            self._highlighted = None
        elif self._highlighted is not None:
            self._highlighted = min(self._highlighted, len(self.tasks) - 1)
        self._changed()

    def replace_task(self, task: Task) -> bool:
        """Redraw one task in place; False when it is not in this list."""
        index = self.index_of(task.id)
        if index is None:
            return False
        self.tasks[index] = task
        self._forget(task.id)
        if self._laid_out_width and index < len(self._heights):
            height = len(self.task_lines(task, self._laid_out_width))
            if height != self._heights[index]:
                self._heights[index] = height
                self._count_lines()
        self._changed()
        return True

    def _forget(self, task_id: str) -> None:
        for key in [key for key in self._strips if key[0] == task_id]:
            del self._strips[key]

    def _changed(self) -> None:
        if self._laid_out_width:
            self._set_virtual_size()
        self.refresh()

    # --- layout -------------------------------------------------------------------------------------

    def _content_width(self) -> int:
        return self.scrollable_content_region.width - self.INDENT

    def _lay_out(self, *, every: bool = False) -> None:
        """Measure the tasks at the current width: with `every`, or when the list is short, all of
        them; else those down to a screenful past the view, the rest shortly after the first frame
        (until then they count as ESTIMATED_HEIGHT lines). A long column's first frame need not
        wait for all its cards."""
        width = self._content_width()
        if width <= 0:
            return
        if width != self._laid_out_width:
            self._laid_out_width = width
            self._heights = []
            self._strips.clear()
        if len(self._heights) == len(self.tasks):
            if len(self._starts) != len(self.tasks) + 1:
                self._count_lines()
            return
        needed = float("inf") if every else self.scroll_offset.y + 2 * self.size.height
        measured = sum(self._heights)
        task_lines, tasks, heights = self.task_lines, self.tasks, self._heights
        while len(heights) < len(tasks) and measured < needed:
            heights.append(len(task_lines(tasks[len(heights)], width)))
            measured += heights[-1]
        self._count_lines()
        if len(heights) < len(tasks) and not self._measuring:
            # After the first frame is on screen (a refresh callback can still come before it).
            self._measuring = True
            self.set_timer(MEASURE_REST_AFTER, self._measure_all)

    def _measure_all(self) -> None:
        self._measuring = False
        if self._laid_out_width and len(self._heights) < len(self.tasks):
            self._lay_out(every=True)

    def _height(self, index: int) -> int:
        return self._heights[index] if index < len(self._heights) else ESTIMATED_HEIGHT

    def _count_lines(self) -> None:
        """Where each task starts, from the measured heights and the estimate for the others."""
        unmeasured = len(self.tasks) - len(self._heights)
        self._starts = [0, *accumulate(self._heights + [ESTIMATED_HEIGHT] * unmeasured)]
        self._set_virtual_size()

    def _measured_to(self, index: int) -> bool:
        """Make sure the task at `index` is measured (so is every one above it)."""
        if not self._laid_out_width:
            return False
        if index >= len(self._heights):
            self._lay_out(every=True)
        return index < len(self._heights)

    def _set_virtual_size(self) -> None:
        size = Size(self.scrollable_content_region.width, self._starts[-1])
        if size != self.virtual_size:
            self.virtual_size = size
            self._scroll_update(size)

    def _on_resize(self, event: events.Resize) -> None:
        self._lay_out()
        if self._highlighted is not None:
            self.scroll_to_task(self._highlighted)

    def _on_focus(self, event: events.Focus) -> None:
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self.refresh()

    def scroll_to_task(self, index: int) -> None:
        if not self.is_mounted:
            return
        self._lay_out()
        if not self._measured_to(index):
            return
        region = Region(0, self._starts[index], self.scrollable_content_region.width, self._heights[index])
        self.scroll_to_region(region, animate=False, force=True, immediate=True)

    def _refresh_task(self, index: int | None) -> None:
        if index is None or not self._measured_to(index):
            return
        top = self._starts[index] - self.scroll_offset.y
        self.refresh(Region(0, top, self.size.width, self._heights[index]))

    # --- drawing ------------------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        self._lay_out()
        return super().render_lines(crop)

    def show_placeholder(self, text: str) -> None:
        if text != self.placeholder:
            self.placeholder = text
            self.refresh()

    def render_line(self, y: int) -> Strip:
        if not self.tasks and self.placeholder:
            return self._placeholder_line(y)
        line = self.scroll_offset.y + y
        index = self._index_at_line(line)
        if index is None:
            return Strip.blank(self.scrollable_content_region.width, self.get_visual_style().rich_style)
        task = self.tasks[index]
        # Only the cursor looks different in a focused list: a card elsewhere is drawn once, whichever
        # list has the focus (the header shows which), so moving the focus redraws one card.
        cursor = index == self._highlighted
        key = (task.id, cursor, cursor and self.has_focus, self.app.theme)
        strips = self._strips.get(key) or self._render_task(task, key)
        return strips[line - self._starts[index]]

    def _index_at_line(self, line: int) -> int | None:
        """The index of the task drawn on `line` (of the whole list), None below the last."""
        if not self._laid_out_width or line >= self._starts[-1]:
            return None
        index = bisect_right(self._starts, line) - 1
        if index >= len(self._heights):  # past what was measured: measure it all now
            self._measured_to(index)
            index = bisect_right(self._starts, line) - 1
        return index if index < len(self.tasks) else None

    def _placeholder_line(self, y: int) -> Strip:
        base = self.get_visual_style().rich_style
        width = self.scrollable_content_region.width
        lines = wrap_words(split_words(self.placeholder, "dim"), max(width - self.INDENT, 1))
        return self._strip(lines[y], base, width) if y < len(lines) else Strip.blank(width, base)

    def _strip(self, line: Line, base: RichStyle, width: int) -> Strip:
        """One line of runs as a strip `width` cells wide, indented, over the `base` style. Straight
        to segments: the styles are our own few strings, each parsed once."""
        indent = [Segment(" " * self.INDENT, base)] if self.INDENT else []
        return Strip(indent + [Segment(text, run_style(base, style)) for text, style in line]).adjust_cell_length(
            width, base)

    def _render_task(self, task: Task, key: tuple[str, bool, bool, str]) -> list[Strip]:
        if len(self._strips) > 400:
            self._strips.clear()
        base = (self.get_visual_style("task-list--cursor") if key[1] else self.get_visual_style()).rich_style
        if key[1] and self.get_component_styles("task-list--cursor").text_style.reverse:
            base += REVERSE  # Textual's visual style keeps no reverse (planner-no-color's cursor is one)
        width = self._laid_out_width + self.INDENT
        strips = [self._strip(line, base, width) for line in self.task_lines(task, self._laid_out_width)]
        self._strips[key] = strips
        return strips

    # --- keys -----------------------------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        if self.tasks:
            self.highlighted = 0 if self._highlighted is None else self._highlighted + 1

    def action_cursor_up(self) -> None:
        if self.tasks:
            self.highlighted = 0 if self._highlighted is None else self._highlighted - 1

    def action_first(self) -> None:
        if self.tasks:
            self.highlighted = 0

    def action_last(self) -> None:
        if self.tasks:
            self.highlighted = len(self.tasks) - 1

    def _page(self, direction: int) -> None:
        if not self.tasks or not self._measured_to(len(self.tasks) - 1):
            return
        current = self._highlighted or 0
        target_line = self._starts[current] + direction * self.scrollable_content_region.height
        target_line = max(0, min(target_line, self._starts[-1] - 1))
        self.highlighted = bisect_right(self._starts, target_line) - 1

    def action_page_down(self) -> None:
        self._page(1)

    def action_page_up(self) -> None:
        self._page(-1)

    def action_select(self) -> None:
        task_id = self.selected_task_id
        if task_id is not None:
            self.post_message(self.Selected(self, self._highlighted, task_id))

    # --- mouse ------------------------------------------------------------------------------------

    def _task_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        return None if offset is None else self._index_at_line(offset.y + self.scroll_offset.y)

    async def _on_click(self, event: events.Click) -> None:
        index = self._task_at(event)
        if index is not None:
            self.highlighted = index
            if event.chain == 2:
                self.action_select()
        self.focus()

    def _on_mouse_down(self, event: events.MouseDown) -> None:
        index = self._task_at(event)
        if index is not None:
            self._drag_task = self.task_ids[index]
            self.capture_mouse()

    def _on_mouse_up(self, event: events.MouseUp) -> None:
        task_id, self._drag_task = self._drag_task, None
        self.capture_mouse(False)
        if task_id is not None and not self.region.contains(event.screen_x, event.screen_y):
            self.post_message(self.Dropped(task_id, self, event.screen_x, event.screen_y))
