"""What the board and the week share: side-by-side task lists, a cursor in one of them, and the
actions on the task under it that do not depend on which screen it is."""

from __future__ import annotations

from textual.screen import Screen

from planner.app.widgets.task_list import TaskList
from planner.model import Task, complete_task


class TaskListsScreen(Screen):
    @property
    def lists(self) -> list[TaskList]:
        """The lists, left to right."""
        return list(self.query(TaskList))

    @property
    def focused_list(self) -> TaskList | None:
        focused = self.focused
        return focused if isinstance(focused, TaskList) else None

    @property
    def selected_task(self) -> Task | None:
        cards = self.focused_list
        task_id = cards.selected_task_id if cards else None
        return self.app.tasks.get(task_id) if task_id else None

    def focus_neighbour(self, step: int) -> None:
        """Move the cursor to the list `step` places over (wrapping), at about the same height."""
        lists = self.lists
        current = self.focused_list
        index = lists.index(current) if current in lists else 0
        target = lists[(index + step) % len(lists)]
        if current is not None and current.highlighted is not None and target.task_ids:
            target.highlighted = min(current.highlighted, len(target.task_ids) - 1)
        target.focus()

    def action_schedule(self) -> None:
        from planner.app.dialogs.schedule import ScheduleDialog

        task = self.selected_task
        if task is not None:
            self.app.push_screen(ScheduleDialog(task))

    def action_edit_task(self) -> None:
        from planner.app.dialogs.task_form import edit_with_form

        task = self.selected_task
        if task is not None:
            edit_with_form(self.app, task)

    def mark_done(self, task: Task) -> Task | None:
        """Mark `task` done and say so; None when it could not be saved (the app said why)."""
        done = self.app.change_task(task.id, lambda current, now, board: complete_task(current, now, board),
                                    f"done {task.title!r}")
        if done is not None:
            self.app.notify(f"Done: {done.title}", markup=False, timeout=3)
        return done
