"""One user's working session on one plan folder: what the CLI and the TUI both stand on.

It loads lazily (a command that lists tasks never imports a plugin) and turns the user's intent into
store updates: every change is applied to the file as it is on disk and saved at once.
"""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

from planner.config import Config, index_path_for, load_config, undo_path_for
from planner.dates import Clock, fixed_clock_from_env, in_zone, local_timezone, shift_week, week_of
from planner.ids import new_task_id, short_ids
from planner.model import (
    Board,
    Task,
    WeekPlan,
    WeekView,
    frozen_mapping,
    make_week_view,
    new_task,
    rank_at_end,
)
from planner.store import PlanStore, Problem, StoreError

if TYPE_CHECKING:  # scoring imports the plugin host; a command that lists tasks must not pay for it
    from planner.scoring import WeekScore


class UserError(Exception):
    """A mistake in what the user asked for (unknown id, bad option): exit status 1."""


class Session:
    def __init__(self, plans: Path | str | None = None, config: Config | None = None) -> None:
        self.config = config or load_config()
        self.root = Path(plans).expanduser() if plans else self.config.default_plans
        self.store = PlanStore(self.root, index_path_for(self.root))
        self.notices: list[str] = []
        self.warn_about_problems = True
        self._loaded: tuple[dict[str, Task], list[Problem]] | None = None
        self._load_lock = threading.Lock()
        #: Other tasks the last change_task, undo or redo saved besides its own (the next occurrence
        #: of a repeating task that was done), so that screens show them too.
        self.also_changed: list[Task] = []

    # --- what is loaded on demand ----------------------------------------------------------------

    @cached_property
    def board(self) -> Board:
        if self.store.exists():
            return self.store.read_board()
        return Board()

    @cached_property
    def clock(self) -> Clock:
        return fixed_clock_from_env(os.environ.get("PLANNER_NOW"), self.board.timezone)

    def now(self) -> datetime:
        """The current time in the plan's zone (the core's one kind of date-time: see planner.dates)."""
        if self.store.exists():
            zone = self.store.zone
        else:
            from zoneinfo import ZoneInfo

            zone = ZoneInfo(self.board.timezone)
        return in_zone(self.clock.now(), zone)

    def today(self) -> date:
        return self.now().date()

    def _with_columns(self, tasks: dict[str, Task]) -> dict[str, Task]:
        board = self.board
        for task_id, task in tasks.items():
            if not task.column:  # a hand-written task without a column: where a person expects it
                column = board.done_column if task.is_done else board.columns[0].id
                tasks[task_id] = replace(task, column=column)
        return tasks

    def _load(self) -> tuple[dict[str, Task], list[Problem]]:
        # The app loads the whole plan in a thread while its first screen is up; whoever asks
        # first reads the folder, anyone asking meanwhile waits for that read.
        with self._load_lock:
            if self._loaded is None:
                tasks, problems = {}, []
                if self.store.lost_its_board():
                    raise self.store.no_board_error()
                if self.store.exists():
                    self.board  # noqa: B018 - read board.toml first: its time zone dates the tasks
                    folder = self.store.folder_problem(self.store.tasks_dir)
                    if folder is not None:  # not one file left out: the whole plan cannot be read
                        raise StoreError(f"{folder}; nothing was read or written")
                    tasks, problems = self.store.read_tasks()
                    self._with_columns(tasks)
                if self.warn_about_problems:
                    self.notices.extend(problem_notices(problems))
                self._loaded = tasks, problems
        return self._loaded

    @property
    def tasks(self) -> dict[str, Task]:
        return self._load()[0]

    @property
    def problems(self) -> list[Problem]:
        return self._load()[1]

    @property
    def is_loaded(self) -> bool:
        return self._loaded is not None

    def recent_tasks(self) -> dict[str, Task]:
        """The tasks a first screen needs, read fast from the derived index: the open ones and
        those changed lately (`PlanStore.read_recent_tasks`); every task once the whole plan is loaded
        or when there is no index yet. It can miss an old task changed elsewhere since it was
        indexed: load the whole plan next, and show what that changes."""
        if self._loaded is None and self.store.exists():
            self.board  # noqa: B018 - read board.toml first: its time zone dates the tasks
            recent = self.store.read_recent_tasks()
            if recent is not None:
                return self._with_columns(recent[0])
        return self.tasks

    @cached_property
    def undo_log(self):  # -> UndoLog
        from planner.undo import UndoLog

        return UndoLog(undo_path_for(self.root))

    @cached_property
    def host(self):  # -> PluginHost; imported here so commands without plugins stay fast
        from planner.host import load_host

        return load_host(self.config)

    def messages(self) -> list[str]:
        """Everything the user should hear about besides the command's output: notices, and every
        plugin that was disabled (on load or later, when one of its hooks failed)."""
        plugin_warnings = self.__dict__["host"].warnings if "host" in self.__dict__ else []
        return self.notices + plugin_warnings

    # --- the plan folder -------------------------------------------------------------------------

    def ensure_plan(self) -> None:
        """Make the plan folder on first write, so `planner add` just works on a new machine."""
        if self.store.lost_its_board():
            raise self.store.no_board_error()
        if not self.store.exists():
            self.create_plan(replace(self.board, timezone=local_timezone()))
            self.notices.append(f"created a new plan folder at {self.root}")

    def create_plan(self, board: Board) -> None:
        """A new plan folder whose board.toml lists every loaded practice with its weight and
        settings, so people find what they can tune where they would look for it."""
        practices = {
            practice.id: {"weight": practice.weight, **practice.settings}
            for practice in self.host.practices.values()
        }
        board = replace(board, practices=frozen_mapping({**practices, **board.practices}))
        self.store.create(board)
        self.board = board

    def set_practice_enabled(self, practice_id: str, enabled: bool) -> Board:
        """Switch a practice on or off in this plan: `[practices.<id>] enabled` in board.toml, set
        on the file as it is on disk, so it syncs with the plan and keeps the file's other settings."""
        def switch(board: Board) -> Board:
            settings = {**board.practice_settings(practice_id), "enabled": enabled}
            return replace(board, practices=frozen_mapping({**board.practices, practice_id: frozen_mapping(settings)}))

        self.board = self.store.update_board(switch)
        return self.board

    # --- finding things ----------------------------------------------------------------------------

    def find(self, prefix: str, *, include_deleted: bool = True) -> Task:
        """The task whose id starts with `prefix` (any unique prefix, as git takes commits)."""
        wanted = prefix.strip().lower()
        if not wanted:
            raise UserError("give a task id (or a unique start of one)")
        # Ids are matched whatever their case: a hand-written file may spell its id in capitals.
        matches = [task for task_id, task in self.tasks.items()
                   if task_id.lower().startswith(wanted) and (include_deleted or task.status != "deleted")]
        # A task file that does not parse is still a task: finding it is bad data (exit 2), not "no such task".
        unreadable = [problem for problem in self.problems if problem.path.stem.lower().startswith(wanted)]
        if not matches and not unreadable:
            raise UserError(f"no task with an id starting {prefix!r} (see `planner list --all`)")
        if len(matches) + len(unreadable) > 1:
            ids = sorted([task.id for task in matches] + [problem.path.stem for problem in unreadable])
            shown = ", ".join(ids[:5]) + ("..." if len(ids) > 5 else "")
            raise UserError(f"{prefix!r} matches {len(ids)} tasks ({shown}); type more of the id")
        if unreadable:
            raise StoreError(f"{unreadable[0]}; fix the file by hand first (it was left as it is)")
        return matches[0]

    def known_ids(self) -> set[str]:
        """Every id `find` looks among: the tasks, deleted ones too, and task files that do not parse."""
        return self.tasks.keys() | {problem.path.stem for problem in self.problems}

    def short_ids(self) -> dict[str, str]:
        """The short id people see and type for each task (planner.ids.short_ids)."""
        return short_ids(self.known_ids())

    def week_plan(self, label: str) -> WeekPlan | None:
        result = self.store.read_week(label) if self.store.exists() else None
        if isinstance(result, Problem):
            self.notices.append(f"{result} (week file left out)")
            return None
        return result

    def week_plans(self, last_week: str, count: int) -> dict[str, WeekPlan | None]:
        """The week files of `count` weeks ending with `last_week`, by label."""
        labels = [shift_week(last_week, offset, self.board.week_start) for offset in range(1 - count, 1)]
        return {label: self.week_plan(label) for label in labels}

    def score_weeks(self, last_week: str, count: int, tasks: Sequence[Task] | None = None,
                    week_plans: Mapping[str, WeekPlan | None] | None = None) -> list[WeekScore]:
        """The value scores of `count` weeks ending with `last_week`, oldest first; weeks before the
        plan began have no data. `tasks` and `week_plans`: snapshots a caller took already (a
        screen scoring in a thread passes the tasks it took on the app's thread)."""
        from planner.scoring import score_weeks

        tasks = list(self.tasks.values()) if tasks is None else tasks
        week_plans = self.week_plans(last_week, count) if week_plans is None else week_plans
        return score_weeks(self.host, self.board, last_week, count, tasks, week_plans, self.today(),
                           self.plan_start(tasks))

    def plan_start(self, tasks: Sequence[Task] | None = None) -> date:
        """The plan's first day (scoring.plan_start over `tasks`, all by default), today for a new plan."""
        from planner.scoring import plan_start

        tasks = list(self.tasks.values()) if tasks is None else tasks
        return plan_start(tasks, self.store.week_labels(), self.board.week_start) or self.today()

    def week_view(self, label: str) -> WeekView:
        return make_week_view(label, self.week_plan(label), self.board.week_start, self.today())

    def current_week(self) -> str:
        return week_of(self.today(), self.board.week_start)

    def week_to_review(self) -> tuple[str, str]:
        """The week a review is about when none is named, and why when it is not this one.

        Early in a week (its first `[review] last_week_days` days, 3 by default: Monday to
        Wednesday) a last week that was not reviewed is the one to review: that is when people
        look back. Otherwise this week."""
        from planner.dates import shift_week, week_start_date

        today = self.today()
        board = self.board
        this_week = week_of(today, board.week_start)
        days = _review_days(board.extra.get("review"))
        into_week = (today - week_start_date(today, board.week_start)).days
        if into_week >= days:
            return this_week, ""
        last_week = shift_week(this_week, -1, board.week_start)
        plan = self.week_plan(last_week)
        if plan is not None and plan.reviewed_at is not None:
            return this_week, ""
        started = week_start_date(today, board.week_start)
        if not any(task.created.date() < started for task in self.tasks.values()):
            return this_week, ""  # the plan began this week: there is no last week to look back on
        return last_week, (f"Reviewing last week ({last_week}): it was not reviewed yet and this week has just "
                           "begun (name a week, such as `this`, to review another)")

    def practice_ids(self) -> list[str]:
        return list(self.host.practices)

    def check_practice(self, practice: str | None) -> str | None:
        if practice is None or practice == "":
            return None
        if practice not in self.host.practices:
            known = ", ".join(self.host.practices) or "none loaded"
            raise UserError(f"no practice {practice!r} (practices: {known})")
        return practice

    # --- changes -------------------------------------------------------------------------------

    def add_task(self, title: str, **fields: Any) -> Task:
        self.ensure_plan()
        now = self.now()
        task = new_task(new_task_id(self.known_ids()), title, now, self.board, **fields)
        # New tasks go to the bottom of whichever column new_task chose.
        task = replace(task, rank=rank_at_end(self.tasks.values(), task.column))
        self.store.add_task(task)
        self.tasks[task.id] = task
        # A repeating task logged as done already (made in the Done column) has a next one too.
        also = self._next_occurrence(None, task, now) if task.repeat and task.is_done else []
        self.also_changed = [other for _, other in also]
        self.undo_log.record(None, task, f"add {task.title!r}", also)
        if task.is_done:
            self.host.task_completed(task)
        return task

    def change_task(self, task: Task, change: Callable[[Task, datetime, Board], Task], label: str = "edit") -> Task:
        """Apply `change(task, now, board)` to the task as saved on disk, save, remember it for undo
        (as `label`), and tell plugins when it became done."""
        now = self.now()
        before, after = self.store.update_task(task.id, lambda current: change(current, now, self.board))
        self.tasks[after.id] = after
        also = self._next_occurrence(before, after, now) if after.repeat and after.is_done and not before.is_done \
            else []
        self.also_changed = [other for _, other in also]
        self.undo_log.record(before, after, label, also)
        if after.is_done and not before.is_done:
            self.host.task_completed(after)
        return after

    def _next_occurrence(self, before: Task | None, done: Task, now: datetime) -> list[tuple[Task | None, Task]]:
        """Make the next occurrence of a repeating task that just became done (`before`: as it was,
        None for a task made done), as (before, after):
        a new file, or a deleted one brought back (an undone done, done again). When the file is
        there already (made on another machine and synced, or by a done since undone and redone)
        nothing is made: the id comes from the series and the date, so it is never made twice."""
        from planner.model import restore_task
        from planner.repeat import RepeatError, next_occurrence

        try:
            upcoming = next_occurrence(done, self.board, now, rank=before.rank if before else None)
        except RepeatError as error:
            self.notices.append(f"{error}; no next occurrence was made")
            return []
        existing = self.store.read_task(upcoming.id)
        try:
            if existing is None:
                self.store.add_task(upcoming)
                self.tasks[upcoming.id] = upcoming
                return [(None, upcoming)]
            if isinstance(existing, Task) and existing.status == "deleted":
                old, revived = self.store.update_task(upcoming.id, lambda current: restore_task(current, now, self.board)
                                                      if current.status == "deleted" else current)
                self.tasks[revived.id] = revived
                return [(old, revived)]
        except StoreError as error:  # made by another planner a moment ago, or its file is unreadable
            self.notices.append(f"the next occurrence of {done.title!r} was not made: {error}")
        return []

    def undo(self) -> tuple[str, Task] | None:
        """Revert the newest change made on this machine (in the CLI or the app)."""
        return self._replay(self.undo_log.undo)

    def redo(self) -> tuple[str, Task] | None:
        return self._replay(self.undo_log.redo)

    def _replay(self, step: Callable[..., tuple[str, Task] | None]) -> tuple[str, Task] | None:
        self.ensure_plan()
        result = step(self.store, self.now())
        self.also_changed = list(self.undo_log.also_saved) if result is not None else []
        for task in (result[1], *self.also_changed) if result is not None else ():
            self.tasks[task.id] = task
        return result

    def change_week(self, label: str, change: Callable[[WeekPlan], WeekPlan]) -> WeekPlan:
        self.ensure_plan()
        return self.store.update_week(label, change)

    def take_task_files(self, read: Mapping[str, Task | Problem | None]) -> set[str]:
        """Put task files read again after a change made elsewhere (by id: the task, a Problem when
        the file no longer parses, None when it is gone) into the loaded plan; returns the ids whose
        task changed. A file that does not parse takes its task out until it is fixed."""
        tasks, problems = self._load()
        problems[:] = [problem for problem in problems if problem.path.stem not in read]
        changed = set()
        for task_id, result in read.items():
            task = self._with_columns({task_id: result})[task_id] if isinstance(result, Task) else None
            if isinstance(result, Problem):
                problems.append(result)
            if task != tasks.get(task_id):
                changed.add(task_id)
                if task is None:
                    tasks.pop(task_id, None)
                else:
                    tasks[task_id] = task
        problems.sort(key=lambda problem: str(problem.path))
        return changed

    def resolve_conflict(self, target: str, field: str, *, take_other: bool) -> str:
        """Settle a conflict a sync kept in a task, a week or the board (planner.merge): keep the
        value in the file, or take the one that lost. Returns what was resolved, as shown."""
        from planner.merge import MergeError, resolve_document, resolve_task
        from planner.schema import SchemaError, board_from_toml, board_to_toml, week_from_toml, week_to_toml

        zone = self.store.zone
        try:
            if target.strip().lower() == "board":
                self.store.update_board(lambda board: board_from_toml(
                    resolve_document(board_to_toml(board), field, take_other)))
                return "the board"
            week = _week_label(target)
            if week is not None:
                self.change_week(week, lambda plan: week_from_toml(
                    resolve_document(week_to_toml(plan), field, take_other), file_label=week, zone=zone))
                return f"week {week}"

            task = self.change_task(self.find(target), lambda task, now, board: resolve_task(
                task, field, take_other, now, zone), f"resolve {field}")
            return f"task {self.short_ids()[task.id]}"
        except (MergeError, SchemaError) as error:
            raise UserError(str(error)) from None


#: A review in a week's first days looks back at last week when it was not reviewed.
REVIEW_LAST_WEEK_DAYS = 3


def _review_days(table: Any) -> int:
    """`[review] last_week_days` from board.toml (0 turns the rule off), else the default."""
    days = table.get("last_week_days") if isinstance(table, dict) else None
    return days if isinstance(days, int) and not isinstance(days, bool) and 0 <= days <= 7 else REVIEW_LAST_WEEK_DAYS


def _week_label(text: str) -> str | None:
    from planner.dates import DateError, parse_week_label

    if "-w" not in text.lower():
        return None
    try:
        return parse_week_label(text)
    except DateError:
        return None


#: More problem files than this are summed up in one notice rather than listed one by one.
NOTICED_PROBLEMS = 5


def problem_notices(problems: list[Problem]) -> list[str]:
    """What to tell about files left out: each one, or the first few and how many more."""
    notices = [f"{problem} (left out; `planner check` lists every problem)" for problem in problems[:NOTICED_PROBLEMS]]
    if len(problems) > NOTICED_PROBLEMS:
        notices.append(f"{len(problems) - NOTICED_PROBLEMS} more files have problems and were left out: "
                       "`planner check` lists them all")
    return notices


def tasks_matching(tasks: Iterable[Task], board: Board, *, column: str | None = None,
                   practice: str | None = None, week: str | None = None, tag: str | None = None,
                   statuses: tuple[str, ...] = ("open",)) -> list[Task]:
    """Tasks that pass every given filter, in board order (column, then rank)."""
    order = {column.id: index for index, column in enumerate(board.columns)}
    found = [
        task for task in tasks
        if task.status in statuses
        and (column is None or task.column == column)
        and (practice is None or task.practice == practice)
        and (week is None or task.week == week)
        and (tag is None or tag in task.tags)
    ]
    return sorted(found, key=lambda task: (order.get(task.column, -1), task.rank, task.id))
