"""The Textual app: owns the session, turns user intent into saved changes, and tells the screens.

Every change goes through `change_task` / `add_task`, which save at once (the store writes the one
file atomically) and then publish `plan_changed` with the ids that changed, so each screen updates
only what it shows. Changes made by another process (git pull, a second planner, an editor) reach
the app as file events: a `FolderWatcher` (planner.watch) reads the changed files in its own thread
and posts `FolderChanged`; the app takes the whole batch in at once and publishes it through the
same signals. The app's own saves are recognised by their content and cost nothing more.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import time
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable, Iterable

from rich.segment import Segment
from textual import events
from textual.app import App
from textual.binding import Binding
from textual.color import Color
from textual.filter import LineFilter, Monochrome, NoColor
from textual.message import Message
from textual.screen import Screen
from textual.signal import Signal

from planner.app import look
from planner.app.keymap import apply_keymap, set_keymap_early
from planner.app.syncing import QUIT_WAIT_SECONDS, SyncRunner
from planner.app.themes import prepare_theme
from planner.model import ModelError, Task, WeekPlan
from planner.session import Session, UserError, problem_notices
from planner.store import StoreError
from planner.terminal import HEADLESS, Terminal
from planner.text import is_unsafe, printable

if TYPE_CHECKING:
    from planner.watch import FolderWatcher, TakenIn


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
    /* No colour (NO_COLOR, --color none): what a colour marked, a text style marks. */
    Input:nocolor:focus, TextArea:nocolor:focus, Select:nocolor:focus > SelectCurrent {
        text-style: bold underline;
    }
    """
    MODES = {
        "board": _screen("board", "BoardScreen"),
        "week": _screen("week", "WeekScreen"),
        "insights": _screen("insights", "InsightsScreen"),
        "practices": _screen("practices", "PracticesScreen"),
        "impact": _screen("impact", "ImpactScreen"),
    }
    DEFAULT_MODE = "board"
    COMMANDS = App.COMMANDS | {lambda: importlib.import_module("planner.app.commands").PlannerCommands}
    BINDINGS = [
        Binding("1", "switch_mode('board')", "Board", id="app.board"),
        Binding("2", "switch_mode('week')", "Week", id="app.week"),
        Binding("3", "switch_mode('insights')", "Insights", show=False, id="app.insights"),
        Binding("4", "switch_mode('practices')", "Practices", show=False, id="app.practices"),
        Binding("5", "switch_mode('impact')", "Impact", show=False, id="app.impact"),
        Binding("u,ctrl+z", "undo", "Undo", id="app.undo"),
        Binding("ctrl+r,ctrl+y", "redo", "Redo", show=False, id="app.redo"),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+t", "cycle_theme", "Theme", show=False, id="app.theme"),
        Binding("S", "sync", "Sync", show=False, id="app.sync"),
    ]

    class FolderChanged(Message):
        """Files of the plan changed on disk; the folder watcher's thread posts this, and what
        changed waits in the watcher until the app takes it (all of it, in one go)."""

    def __init__(self, session: Session, *, watch: bool = True, terminal: Terminal | None = None) -> None:
        super().__init__()
        self.session = session
        #: What the terminal can show (planner.terminal.decide); a headless app draws in true colour.
        self.terminal = terminal or HEADLESS
        look.set_look(look.Look(self.terminal, lambda: self.session.host.practices.values()))
        # Textual reads NO_COLOR itself (and greys every colour, which 256 and 16 colours draw black on
        # black); the planner's decision replaces it: no colour at all, see get_line_filters.
        self.no_color = self.terminal.colors == "none"
        self._no_colour_filter = look.NoColour()
        self._colours_256_filter = look.Colours256()
        self._ascii_filter = look.AsciiGlyphs()
        #: Whether to follow changes made to the plan folder by other processes (PLANNER_WATCH=off
        #: turns it off too).
        self.watch_folder = watch
        self.folder_watcher: FolderWatcher | None = None
        #: Published with the set of task ids that changed, or None when anything may have.
        self.plan_changed: Signal[set[str] | None] = Signal(self, "plan-changed")
        #: Published with the label of a week whose file (intentions, answers, notes) changed.
        self.week_changed: Signal[str] = Signal(self, "week-changed")
        #: Published once, when the whole plan has been read (the first screen starts from part of it).
        self.plan_loaded: Signal[bool] = Signal(self, "plan-loaded")
        #: Published with the header's status text (a sync's step, files that cannot be read).
        self.status_changed: Signal[str] = Signal(self, "status-changed")
        self.syncer = SyncRunner(self)
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
        filters = [line_filter for line_filter in super().get_line_filters()
                   if not isinstance(line_filter, (Monochrome, NoColor))]
        if self.no_color:
            filters.append(self._no_colour_filter)
        elif self.terminal.colors == "256":
            filters.append(self._colours_256_filter)
        if self.terminal.glyphs.name == "ascii":
            filters.append(self._ascii_filter)
        return [*filters, self._unsafe_text_filter]

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
        if self.watch_folder:
            self._start_watching()  # first: a change made while the plan is read is not missed
        self.session.tasks  # noqa: B018 - reads every task file (or the index) once
        self.call_from_thread(self._plan_loaded)

    def _plan_loaded(self) -> None:
        # The loaded plan lives as long as the app: keep the garbage collector from walking all of it
        # again on every collection (a pause of a tenth of a second at 10k tasks, in the middle of a key),
        # then let it run again (run_app keeps it off through start-up).
        gc.freeze()
        gc.enable()
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
        self.take_outside_changes()  # anything changed while the plan was being read
        self.plan_loaded.publish(True)
        self.status_changed.publish(self.header_status())
        self.syncer.start_automatic()

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
        self._after_save({changed.id, *self._tell_next_occurrences(changed)})
        if changed.is_done and not task.is_done:  # just done, whichever way: ask what it changed
            from planner.app.dialogs.outcome import ask_outcome

            ask_outcome(self, changed.id, just_done=True)
        return changed

    def add_task(self, title: str, **fields: Any) -> Task | None:
        try:
            task = self.session.add_task(title, **fields)
        except (StoreError, ModelError, UserError, OSError) as error:
            self.report_error(error)
            return None
        self._after_save({task.id, *self._tell_next_occurrences(task)})
        return task

    def _tell_next_occurrences(self, task: Task) -> set[str]:
        """Say which next occurrence the save of a repeating task made (or why none); their ids."""
        also = self.session.also_changed
        for upcoming in also:
            when = f" on {upcoming.day:%a %d %b}" if upcoming.day else ""
            self.notify(f"Next: {upcoming.title}{when}", markup=False, timeout=4)
        if task.repeat and self.session.notices:  # a rule that could not make the next one
            self._tell_notices()
        return {other.id for other in also}

    def change_week(self, label: str, change: Callable[[WeekPlan], WeekPlan]) -> WeekPlan | None:
        """Save a change to a week file and tell the screens; None (with a notice) when refused."""
        try:
            week = self.session.change_week(label, change)
        except (StoreError, ModelError, OSError) as error:
            self.report_error(error)
            return None
        self.week_changed.publish(label)
        return week

    def _after_save(self, task_ids: set[str]) -> None:
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
        self._after_save({task.id, *(other.id for other in self.session.also_changed)})

    # --- sync -----------------------------------------------------------------------------------

    def action_sync(self) -> None:
        self.syncer.start()

    def on_key(self) -> None:
        self.syncer.touched()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # On a slow link (--low-bandwidth) a text cursor stays still: each blink is a repaint sent.
        if not self.terminal.animations and hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False

    async def action_quit(self) -> None:
        """Quit; with `[sync] on_quit`, after a last sync (waited for, at most a minute)."""
        syncer = self.syncer
        if syncer.settings.on_quit and syncer.is_repository() and not getattr(self, "_quitting", False):
            self._quitting = True
            if syncer.running or syncer.start("on quit"):
                syncer.on_finish.append(self.exit)
                self.set_timer(QUIT_WAIT_SECONDS, self.exit)
                return
        self.exit()

    def header_status(self) -> str:
        """What the title bar says besides the plan: a sync under way, and plan files that cannot
        be read (each was named in a notice; `planner check` lists them)."""
        parts = []
        if self.syncer.step:
            parts.append(f"⟳ {self.syncer.step}")
        unreadable = len(self.session.problems) if self.session.is_loaded else 0
        if unreadable:
            parts.append(f"⚠ {unreadable} file{'s' * (unreadable != 1)} unreadable")
        return "  ".join(parts)

    def action_cycle_theme(self) -> None:
        self.theme_chooser.cycle()

    def action_help(self) -> None:
        from planner.app.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    # --- changes made elsewhere -----------------------------------------------------------------------

    def _start_watching(self) -> None:
        """Start the folder watcher (in the loading thread: setting it up reads /proc and waits
        until the operating system watches the folders)."""
        from planner.watch import FolderWatcher, network_file_system, watch_mode

        mode, notice = watch_mode()
        if notice:
            self.session.notices.append(notice)
        if mode == "off":
            return
        polling = mode == "poll" or network_file_system(self.session.root) is not None
        self.folder_watcher = FolderWatcher(self.session.store, self._post_folder_changed, polling=polling)
        self.folder_watcher.start()

    def _post_folder_changed(self) -> None:
        # Called in the watcher's thread; post_message is thread-safe, and refuses once the app closes.
        with contextlib.suppress(RuntimeError):  # the event loop is already gone
            self.post_message(self.FolderChanged())

    def on_planner_app_folder_changed(self, _message: FolderChanged) -> None:
        self.take_outside_changes()

    def on_unmount(self) -> None:
        if self.folder_watcher is not None:
            self.folder_watcher.stop()

    def take_outside_changes(self) -> None:
        """Take in every change the watcher has read, as one update of the screens."""
        if self.folder_watcher is None or not self.session.is_loaded:
            return  # the plan's first full read takes them in when it ends
        from planner.watch import take_in

        self._show_taken(take_in(self.session, self.folder_watcher.take()))

    def files_changed_by_sync(self, paths: Iterable[str]) -> None:
        """Show at once the plan files a sync run from the app received (paths relative to the plan
        folder), watched or not; the watcher then finds them known and skips them."""
        if not self.session.is_loaded:
            return  # the plan's first full read, still to come, reads them
        from planner.watch import plan_relative, read_changes, take_in

        root = self.session.store.root
        relatives = {relative for path in paths
                     if (relative := plan_relative(str(root), os.path.join(root, path))) not in (None, "tasks", "weeks")}
        self._show_taken(take_in(self.session, read_changes(self.session.store, relatives)))

    def _show_taken(self, taken: TakenIn) -> None:
        for notice in taken.notices:
            self.notify(notice, severity="warning", timeout=8)
        for notice in problem_notices(taken.problems):
            self.notify(notice, severity="warning", timeout=8)
        for label in sorted(taken.weeks):
            self.week_changed.publish(label)
        self.status_changed.publish(self.header_status())
        if taken.board_changed:
            self.plan_changed.publish(None)
        elif taken.task_ids:
            self.plan_changed.publish(taken.task_ids)
