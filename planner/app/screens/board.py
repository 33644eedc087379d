"""The kanban board: one column per board column, keyboard first, mouse too."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import Reactive
from textual.widget import Widget

from planner.app.widgets.footer import PlannerFooter
from planner.app.screens.task_lists import TaskListsScreen
from planner.app.widgets.card_list import CardList
from planner.app.widgets.task_list import TaskList
from planner.app.widgets.cards import Line, card_lines
from planner.app.widgets.title_bar import TitleBar
from planner.filters import TaskFilter, parse_filter
from planner.model import (
    Task,
    column_tasks,
    delete_task,
    move_task,
    rank_at_end,
    rank_between,
    reopen_column,
)

if TYPE_CHECKING:
    from textual.widgets import Input


class BoardScreen(TaskListsScreen):
    TITLE = "Board"
    #: Screen repaints every cell when the focus moves; here the focus follows a moved card into the
    #: next column, and the columns that gain and lose focus repaint themselves (their :focus styles),
    #: so a full repaint only doubled the cost of a move.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    DEFAULT_CSS = """
    BoardScreen { layout: horizontal; }
    BoardScreen TitleBar { dock: top; }
    BoardScreen #filter { dock: bottom; display: none; height: 3; margin-bottom: 1; }
    BoardScreen #filter.visible { display: block; }
    """

    BINDINGS = [
        Binding("left,h", "focus_column(-1)", "Column left", show=False, id="board.column_left"),
        Binding("right,l", "focus_column(1)", "Column right", show=False, id="board.column_right"),
        Binding("shift+right,greater_than_sign", "move_card(1)", "Move", key_display=">", id="board.move_right"),
        Binding("shift+left,less_than_sign", "move_card(-1)", "Move back", key_display="<", show=False,
                id="board.move_left"),
        Binding("shift+up,K", "reorder(-1)", "Card up", show=False, id="board.reorder_up"),
        Binding("shift+down,J", "reorder(1)", "Card down", show=False, id="board.reorder_down"),
        Binding("n", "new_task", "New", id="board.new"),
        Binding("e", "edit_task", "Edit", id="board.edit"),
        Binding("o", "edit_notes", "Notes", show=False, id="board.notes"),
        Binding("x", "toggle_done", "Done", id="board.done"),
        Binding("delete,D", "delete_task", "Delete", show=False, id="board.delete"),
        Binding("s", "schedule", "Schedule", show=False, id="board.schedule"),
        Binding("slash", "filter", "Filter", id="board.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="board.clear_filter"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter = TaskFilter()
        #: The tasks the board shows (open, or done this week), by id: a change scans these, not all.
        self.board_tasks: dict[str, Task] = {}
        self._stale = False

    # --- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The columns are the screen's own children, side by side (the rest is docked): every
        # container between a list and the screen is one more widget to repaint on each key.
        yield TitleBar()
        board = self.app.session.board
        for column in board.columns:
            yield CardList(column, self.card_lines, done=column.id == board.done_column)
        # The filter's input line is mounted when first needed: most starts never filter, and every
        # widget is start-up time.
        yield PlannerFooter()

    def on_mount(self) -> None:
        # Immediate: the card must be in its new column before the cursor follows it there.
        self.app.plan_changed.subscribe(self, self.on_plan_changed, immediate=True)
        self.show_all()
        first = self.lists[0]
        for cards in self.lists:
            if cards.task_ids:
                first = cards
                break
        first.focus()

    @property
    def lists(self) -> list[CardList]:
        return list(self.query(CardList))

    def card_lines(self, task: Task, width: int) -> list[Line]:
        return card_lines(task, self.app.practice(task.practice), self.app.today(), width)

    # --- what is shown -----------------------------------------------------------------------------

    def visible_tasks(self, column_id: str) -> list[Task]:
        """A column's cards in board order."""
        tasks = column_tasks(self.board_tasks.values(), column_id)
        return [task for task in tasks if self.filter.matches(task)] if self.filter.active else tasks

    def on_board(self, task: Task) -> bool:
        """Whether the board shows `task` at all: open, or done this week. Years of finished work
        would bury the done column and slow every change (week and insights show the history)."""
        if task.status == "deleted":
            return False
        return task.is_open or self.this_week.contains(task.done_at)

    def collect_board_tasks(self) -> None:
        session = self.app.session
        self.this_week = session.week_view(session.current_week())
        self.board_tasks = {task_id: task for task_id, task in self.app.first_tasks().items()
                            if self.on_board(task)}

    def show_all(self) -> None:
        self.collect_board_tasks()
        self._stale = False
        known = {column.id for column in self.app.session.board.columns}
        first = self.app.session.board.columns[0].id
        for cards in self.lists:
            tasks = self.visible_tasks(cards.column_id)
            if cards.column_id == first:  # tasks in a column the board no longer has
                strays = [task for task in self.board_tasks.values()
                          if task.column not in known and self.filter.matches(task)]
                tasks += sorted(strays, key=lambda task: (task.rank, task.id))
            cards.show_tasks(tasks)
            cards.update_header()
        self.query_one(TitleBar).refresh_title()
        self.show_hint()

    def show_hint(self) -> None:
        """An empty board says what to do, in its first column; a card in any column takes it away."""
        empty = not any(cards.task_ids for cards in self.lists)
        self.lists[0].show_placeholder(
            "" if not empty else "No task matches the filter: Esc clears it." if self.filter.active
            else "No tasks here yet: press n to add one, or 2 to plan the week.")

    def on_plan_changed(self, task_ids: set[str] | None) -> None:
        if not self.is_current:
            self._stale = True  # another screen is in front: catch up once, when it comes back
            return
        if task_ids is None and self.columns_changed():
            self.call_later(self.rebuild_columns)
            return
        if task_ids is None or len(task_ids) > 20:
            self.show_all()
            return
        for task_id in task_ids:
            task = self.app.tasks.get(task_id)
            if task is not None and self.on_board(task):
                self.board_tasks[task_id] = task
            else:
                self.board_tasks.pop(task_id, None)
            self.update_card(task_id)
        self.query_one(TitleBar).refresh_title()
        self.show_hint()  # the first card added, or the last one gone

    def on_screen_resume(self) -> None:
        if self.columns_changed():
            self.call_later(self.rebuild_columns)
        elif self._stale or self.this_week.label != self.app.session.current_week():
            self.show_all()

    def columns_changed(self) -> bool:
        """Whether board.toml, changed elsewhere (a pull, an editor), no longer has the columns shown."""
        board = self.app.session.board
        return [(cards.column, cards.done) for cards in self.lists] != [
            (column, column.id == board.done_column) for column in board.columns]

    async def rebuild_columns(self) -> None:
        """One list per column of the board as it is now, in place of the old ones."""
        board = self.app.session.board
        await self.query(CardList).remove()
        await self.mount_all([CardList(column, self.card_lines, done=column.id == board.done_column)
                              for column in board.columns], after=self.query_one(TitleBar))
        self.show_all()
        self.lists[0].focus()

    def update_card(self, task_id: str) -> None:
        """Show one changed task where it now belongs, touching only the rows that change."""
        task = self.board_tasks.get(task_id)
        visible = task is not None and self.filter.matches(task)
        for cards in self.lists:
            here = cards.index_of(task_id) is not None
            belongs = visible and task.column == cards.column_id
            if here and not belongs:
                cards.remove_task(task_id)
            elif belongs and here:
                order = self.visible_tasks(cards.column_id)
                if [t.id for t in order] == cards.task_ids:
                    cards.replace_task(task)
                else:
                    cards.show_tasks(order, keep=task_id)
            elif belongs:
                last = self.board_tasks.get(cards.task_ids[-1]) if cards.task_ids else None
                if last is None or (last.rank, last.id) < (task.rank, task.id):
                    cards.append_task(task)  # the usual case: a card moved to the end of a column
                else:
                    cards.show_tasks(self.visible_tasks(cards.column_id), keep=task_id)
            cards.update_header()

    # --- the selected card ---------------------------------------------------------------------------

    def follow(self, task: Task) -> None:
        """Keep the cursor on `task` after it moved."""
        for cards in self.lists:
            if cards.select_task(task.id):
                cards.focus()
                return

    # --- actions -----------------------------------------------------------------------------------

    def action_focus_column(self, step: int) -> None:
        self.focus_neighbour(step)

    def action_move_card(self, step: int) -> None:
        task = self.selected_task
        if task is None:
            return
        columns = self.app.session.board.columns
        ids = [column.id for column in columns]
        index = ids.index(task.column) if task.column in ids else 0
        target = index + step
        if not 0 <= target < len(ids):
            return
        self.move_to(task, ids[target])

    def move_to(self, task: Task, column_id: str) -> None:
        others = (other for other in self.board_tasks.values() if other.id != task.id)
        rank = rank_at_end(others, column_id)
        title = self.app.session.board.column(column_id).title
        moved = self.app.change_task(task.id, lambda current, now, board: move_task(current, column_id, now, board, rank),
                                     f"move {task.title!r} to {title}")
        if moved is not None:
            self.follow(moved)

    def action_reorder(self, step: int) -> None:
        cards = self.focused_list
        task = self.selected_task
        if cards is None or task is None or cards.highlighted is None:
            return
        index = cards.highlighted
        target = index + step
        if not 0 <= target < len(cards.task_ids):
            return
        tasks = self.app.tasks
        # The new rank lies between the neighbours on the far side of the card it passes.
        neighbours = [tasks[task_id] for task_id in cards.task_ids if task_id != task.id]
        position = target
        before = neighbours[position - 1].rank if position > 0 else None
        after = neighbours[position].rank if position < len(neighbours) else None
        if before is not None and after is not None and before >= after:
            return  # hand-edited ranks that tie: leave the order alone rather than guess
        rank = rank_between(before, after)
        moved = self.app.change_task(task.id, lambda current, now, board: replace(current, rank=rank, updated=now),
                                     f"reorder {task.title!r}")
        if moved is not None:
            self.follow(moved)

    def action_toggle_done(self) -> None:
        task = self.selected_task
        if task is None:
            return
        if task.is_done:
            self.move_to(task, reopen_column(task, self.app.session.board))
        else:
            self.mark_done(task)

    def action_delete_task(self) -> None:
        task = self.selected_task
        if task is None:
            return
        deleted = self.app.change_task(task.id, lambda current, now, board: delete_task(current, now),
                                       f"delete {task.title!r}")
        if deleted is not None:
            self.app.notify(f"Deleted {deleted.title} (u undoes)", markup=False, timeout=4)

    def action_new_task(self) -> None:
        from planner.app.dialogs.task_form import TaskForm

        cards = self.focused_list
        # A new card goes to the focused column, but from the first one new_task decides, as for
        # `planner add`: a task scheduled into this week goes to This week.
        first_column = self.app.session.board.columns[0].id
        column = cards.column_id if cards and cards.column_id != first_column else None

        def created(values: dict | None) -> None:
            if values:
                task = self.app.add_task(values.pop("title"), column=column, **values)
                if task is not None:
                    self.follow(task)

        self.app.push_screen(TaskForm(None), created)

    def action_edit_notes(self) -> None:
        from planner.app.dialogs.notes import edit_notes

        task = self.selected_task
        if task is not None:
            edit_notes(self.app, task)

    async def action_filter(self) -> None:
        from textual.widgets import Input

        fields = self.query("#filter")
        if fields:
            field = fields.first(Input)
        else:
            field = Input(placeholder="filter: words, practice:skills, tag:sql (Enter to keep, Esc to clear)",
                          id="filter")
            await self.mount(field, before=self.query_one(PlannerFooter))
        field.add_class("visible")
        field.focus()

    def action_clear_filter(self) -> None:
        fields = self.query("#filter")
        field = fields.first() if fields else None
        if field is None or (not field.has_class("visible") and not self.filter.active):
            return
        field.value = ""
        field.remove_class("visible")
        self.filter = TaskFilter()
        self.show_all()
        self.lists[0].focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.filter = parse_filter(event.value)
            self.show_all()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            if not event.value.strip():
                self.action_clear_filter()
                return
            for cards in self.lists:
                if cards.task_ids:
                    cards.focus()
                    return

    def on_task_list_selected(self, event: TaskList.Selected) -> None:
        from planner.app.dialogs.task_details import TaskDetails

        self.app.push_screen(TaskDetails(event.task_id))

    def on_task_list_dropped(self, message: TaskList.Dropped) -> None:
        widget, _ = self.get_widget_at(message.screen_x, message.screen_y)
        node = widget
        while node is not None and not isinstance(node, CardList):
            node = node.parent
        task = self.app.tasks.get(message.task_id)
        if isinstance(node, CardList) and task is not None and node.column_id != task.column:
            self.move_to(task, node.column_id)
