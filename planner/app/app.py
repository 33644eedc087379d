"""The Textual app: owns the session, turns user intent into saved changes, and tells the screens.

Every change goes through `change_task` / `add_task`, which save at once (the store writes the one
file atomically) and then publish `plan_changed` with the ids that changed, so each screen updates
only what it shows. Changes made by another process (git pull, a second planner, an editor) are
noticed by polling the folder's fingerprint and flow through the same signal.
"""

from __future__ import annotations

import gc
import importlib
import time
from datetime import date, datetime, timedelta
from typing import Any, Callable

from rich.segment import Segment
from textual.app import App
from textual.binding import Binding
from textual.color import Color
from textual.filter import LineFilter
from textual.screen import Screen
from textual.signal import Signal

from planner.app.keymap import apply_keymap, set_keymap_early
from planner.app.themes import prepare_theme
from planner.model import ModelError, Task, WeekPlan
from planner.session import Session, UserError, problem_notices
from planner.store import Problem, StoreError, changed_paths
from planner.text import is_unsafe, printable

WATCH_SECONDS = 1.5


class UnsafeTextFilter(LineFilter):
    """The last guard between text and the terminal: a character a terminal would act on (a
    control, an escape sequence, a bidi override) is dropped from every line drawn. Widgets show
    such characters as visible escapes (planner.text.printable); this catches any text that
    reached the screen another way. Rich gives these characters no width, so nothing moves."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if all(segment.text.isprintable() for segment in segments):
            return segments
        return [segment if segment.control or segment.text.isprintable()
                else Segment("".join(char for char in segment.text if not is_unsafe(char)), segment.style)
                for segment in segments]


def _screen(module: str, name: str) -> Callable[[], Screen]:
    """A mode's screen, imported when first shown: start-up only pays for the board."""

    def make() -> Screen:
        return getattr(importlib.import_module(f"planner.app.screens.{module}"), name)()

    return make


class PlannerApp(App[None]):
    TITLE = "Value Planner"
    CSS = """
    Screen { background: $background; }
    """
    MODES = {
        "board": _screen("board", "BoardScreen"),
        "week": _screen("week", "WeekScreen"),
        "insights": _screen("insights", "InsightsScreen"),
        "practices": _screen("practices", "PracticesScreen"),
    }
    DEFAULT_MODE = "board"
    COMMANDS = App.COMMANDS | {lambda: importlib.import_module("planner.app.commands").PlannerCommands}
    BINDINGS = [
        Binding("1", "switch_mode('board')", "Board", id="app.board"),
        Binding("2", "switch_mode('week')", "Week", id="app.week"),
        Binding("3", "switch_mode('insights')", "Insights", show=False, id="app.insights"),
        Binding("4", "switch_mode('practices')", "Practices", show=False, id="app.practices"),
        Binding("u,ctrl+z", "undo", "Undo", id="app.undo"),
        Binding("ctrl+r,ctrl+y", "redo", "Redo", show=False, id="app.redo"),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+t", "cycle_theme", "Theme", show=False, id="app.theme"),
    ]

    def __init__(self, session: Session, *, watch: bool = True) -> None:
        super().__init__()
        self.session = session
        self.watch_folder = watch
        #: Published with the set of task ids that changed, or None when anything may have.
        self.plan_changed: Signal[set[str] | None] = Signal(self, "plan-changed")
        #: Published with the label of a week whose file (intentions, answers, notes) changed.
        self.week_changed: Signal[str] = Signal(self, "week-changed")
        #: Published once, when the whole plan has been read (the first screen starts from part of it).
        self.plan_loaded: Signal[bool] = Signal(self, "plan-loaded")
        self._fingerprint: dict[str, tuple[int, int]] = {}
        self._today: tuple[float, date] = (-2.0, date.min)
        self._first_tasks: dict[str, Task] | None = None
        self._unsafe_text_filter = UnsafeTextFilter()
        set_keymap_early(self)
        self.theme_chooser = prepare_theme(self)

    def notify(self, message: str, *, title: str = "", **options: Any) -> None:
        """Every notice shows its text as data: no markup, and plan or plugin text (a title in
        "Deleted ...", a plugin's error) with its control characters as visible escapes."""
        super().notify(printable(message, multiline=True), title=printable(title), **{**options, "markup": False})

    def get_line_filters(self):
        return [*super().get_line_filters(), self._unsafe_text_filter]

    # --- start-up ------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._tell_notices()
        self.theme_chooser.start()
        apply_keymap(self)

    def on_ready(self) -> None:
        # The first screen shows the recent tasks (Session.recent_tasks); the whole plan, years of
        # history, is read in a thread once that screen is on the terminal (Ready comes after the
        # first frame; a thread started before it would slow that frame down).
        self.run_worker(self._load_plan, thread=True, group="load-plan")

    def _load_plan(self) -> None:
        fingerprint = self.session.store.fingerprint() if self.watch_folder else {}
        self.session.tasks  # noqa: B018 - reads every task file (or the index) once
        self.call_from_thread(self._plan_loaded, fingerprint)

    def _plan_loaded(self, fingerprint: dict[str, tuple[int, int]]) -> None:
        # The loaded plan lives as long as the app: keep the garbage collector from walking all of it
        # again on every collection (a pause of a tenth of a second at 10k tasks, in the middle of a key).
        gc.freeze()
        self._tell_notices()
        shown, self._first_tasks = self._first_tasks, None
        if shown is not None:
            # What the fast first read could not know: old tasks changed since they were indexed.
            # The index's recent part holds every task open or changed in its last RECENT_DAYS, more
            # than a screen shows (open tasks, and those done this week).
            tasks = self.session.tasks
            week_ago = self.session.now() - timedelta(days=8)
            changed = {task_id for task_id, task in shown.items() if tasks.get(task_id) != task}
            changed.update(task_id for task_id, task in tasks.items() if task_id not in shown and (
                task.is_open or (task.done_at is not None and task.done_at >= week_ago)))
            if changed:
                self.plan_changed.publish(changed)
        if self.watch_folder:
            self._fingerprint = fingerprint
            self.set_interval(WATCH_SECONDS, self.check_for_outside_changes)
            self.check_for_outside_changes()  # anything changed while the plan was being read
        self.plan_loaded.publish(True)

    def first_tasks(self) -> dict[str, Task]:
        """Every task once the plan is loaded; until then, the recent ones (open or changed in the
        last two weeks), which is what the board shows at start-up."""
        if self.session.is_loaded:
            return self.session.tasks
        if self._first_tasks is None:
            self._first_tasks = self.session.recent_tasks()
        return self._first_tasks

    def _tell_notices(self) -> None:
        for notice in self.session.notices:
            self.notify(notice, severity="warning", markup=False, timeout=8)
        self.session.notices.clear()
        self._tell_plugin_warnings()

    # --- what screens use ---------------------------------------------------------------------------

    @property
    def tasks(self) -> dict[str, Task]:
        return self.session.tasks

    def today(self) -> date:
        # Asked once per card drawn: the clock is read at most once a second.
        moment = time.monotonic()
        if moment - self._today[0] > 1:
            self._today = (moment, self.session.today())
        return self._today[1]

    def practice(self, practice_id: str | None):
        return self.session.host.practices.get(practice_id or "")

    def report_error(self, error: Exception) -> None:
        self.notify(str(error), title="Not saved", severity="error", markup=False, timeout=8)

    def change_task(self, task_id: str, change: Callable[[Task, datetime, Any], Task], label: str) -> Task | None:
        """Save a change to one task and tell the screens; None (with a notice) when refused."""
        task = self.tasks.get(task_id)
        if task is None:
            return None
        try:
            changed = self.session.change_task(task, change, label)
        except (StoreError, ModelError, UserError, OSError) as error:
            self.report_error(error)
            return None
        self._after_save({changed.id})
        return changed

    def add_task(self, title: str, **fields: Any) -> Task | None:
        try:
            task = self.session.add_task(title, **fields)
        except (StoreError, ModelError, UserError, OSError) as error:
            self.report_error(error)
            return None
        self._after_save({task.id})
        return task

    def change_week(self, label: str, change: Callable[[WeekPlan], WeekPlan]) -> WeekPlan | None:
        """Save a change to a week file and tell the screens; None (with a notice) when refused."""
        try:
            week = self.session.change_week(label, change)
        except (StoreError, OSError) as error:
            self.report_error(error)
            return None
        self._fingerprint = self.session.store.fingerprint() if self.watch_folder else {}
        self.week_changed.publish(label)
        return week

    def _after_save(self, task_ids: set[str]) -> None:
        self._fingerprint = self.session.store.fingerprint() if self.watch_folder else {}
        self._tell_plugin_warnings()
        self.plan_changed.publish(task_ids)

    def _tell_plugin_warnings(self) -> None:
        host = self.session.__dict__.get("host")
        if host is not None:
            # task_completed / week_reviewed run in the background: a plugin they disable is told later.
            host.late_warnings = self._tell_plugin_warnings
        if host is not None and host.warnings:
            for warning in host.warnings:
                self.notify(warning, title="Plugin disabled", severity="warning", markup=False, timeout=10)
            host.warnings.clear()

    # --- undo ------------------------------------------------------------------------------------

    def action_undo(self) -> None:
        self._replay(self.session.undo, "Undid", "Nothing to undo")

    def action_redo(self) -> None:
        self._replay(self.session.redo, "Redid", "Nothing to redo")

    def _replay(self, step: Callable[[], tuple[str, Task] | None], verb: str, nothing: str) -> None:
        try:
            result = step()
        except (StoreError, ModelError, OSError) as error:
            self.report_error(error)
            return
        if result is None:
            self.notify(nothing, timeout=3)
            return
        label, task = result
        self.notify(f"{verb} {label}", markup=False, timeout=3)
        self._after_save({task.id})

    def action_cycle_theme(self) -> None:
        self.theme_chooser.cycle()

    def action_help(self) -> None:
        from planner.app.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    # --- changes made elsewhere -----------------------------------------------------------------------

    def check_for_outside_changes(self) -> None:
        store = self.session.store
        now = store.fingerprint()
        changed = changed_paths(self._fingerprint, now)
        self._fingerprint = now
        if not changed:
            return
        task_ids = set()
        problems: list[Problem] = []
        for path in changed:
            folder, _, name = path.partition("/")
            if folder == "weeks":
                self.week_changed.publish(name.removesuffix(".toml"))
            if folder != "tasks":
                continue
            task_id = name.removesuffix(".toml")
            result = store.read_task(task_id)
            if isinstance(result, Task):
                self.tasks[task_id] = result
            else:
                self.tasks.pop(task_id, None)
                if isinstance(result, Problem):
                    problems.append(result)
            task_ids.add(task_id)
        for notice in problem_notices(sorted(problems, key=lambda problem: str(problem.path))):
            self.notify(notice, severity="warning", timeout=8)
        if task_ids or "board.toml" in changed:
            self.plan_changed.publish(task_ids if "board.toml" not in changed else None)

