"""The plugin host: a typed facade over one pluggy PluginManager that keeps bad plugins apart.

pluggy alone stops at the first broken entry point and lets one raising hook skip the rest, so the
host loads plugins one at a time and calls each plugin's hook on its own. A plugin that fails to
import, registers a practice twice, or raises or returns garbage in any hook is disabled, with a
message naming it; every other plugin and the command go on.

Plugins come from three places, in this order: installed packages (entry-point group
`planner.practices`, which is also how the seven built-ins arrive) and `.py` files in the user's
config folder `plugins/`. Nothing is ever loaded from the plan folder: it may come from someone
else through sync.

A plugin disabled because a hook failed while the planner ran stays disabled in later runs, with
the same error, until its file or version changes (the error is kept in the cache folder): the
user sees why a practice went missing, not a plugin that looks fine. Mistakes that leave the plugin
working but are surely not meant (a `planner_*` function without @hookimpl, practices returned
instead of passed to register()) are warnings naming the plugin and the function.

Plugin code (each import and each hook call) runs on a thread of the host's own while the caller
waits within a time budget (PLANNER_HOOK_TIMEOUT, or `hook_timeout` under [plugins] in config.toml;
DEFAULT_HOOK_TIMEOUT seconds): a plugin that overruns it is disabled for the session and the caller
goes on without its result. On that thread `print()` goes to stderr, and sys.exit(), os._exit() and
a KeyboardInterrupt raised by the plugin are failures of the plugin like any exception; the user's
ctrl+c still reaches the waiting caller. In the app (a thread running an event loop) the
notification hooks run in the background, so that the screen never waits for them.

For plugin authors: strict mode (PLANNER_STRICT_PLUGINS=1) re-raises a plugin's failure as
PluginError instead of disabling it; PLANNER_TRACE_HOOKS=FILE appends one line per hook call to FILE;
a plugin that uses a hook or argument listed in DEPRECATED_HOOKS / DEPRECATED_ARGUMENTS gets a notice
naming it. docs/plugins.md explains all three, and the time budget.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import importlib
import importlib.util
import inspect
import json
import math
import os
import queue
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable, Literal, Mapping, Sequence

import pluggy

from planner import hookspecs
from planner.api import (
    API_VERSION,
    ENTRY_POINT_GROUP,
    PROJECT,
    InvalidValue,
    Phase,
    Practice,
    Prompt,
    Score,
    TaskTemplate,
)
from planner.model import Board, Task, WeekView

BUILTIN_DISTRIBUTION = "value-planner"
SUPPORTED_API_VERSIONS = frozenset({1, 2})
#: Asked for the outcome of a done task whose practice has no question of its own.
DEFAULT_OUTCOME_PROMPT = "What did this change, and for whom?"
MAX_OUTCOME_PROMPT = 200
Origin = Literal["built-in", "package", "file", "test"]
#: "duplicate": refused because a plugin of the same name was loaded first (a config-folder file
#: beside an installed package of that name, say); the record says where the first one came from.
Status = Literal["active", "error", "blocked", "duplicate"]
#: Every hook name the planner calls, for "did you mean" hints.
HOOK_NAMES = tuple(sorted(name for name in vars(hookspecs) if name.startswith(f"{PROJECT}_")))

#: Hooks on their way out: name -> (the hook to use instead or None, the plugin API version that
#: removes it). A plugin implementing one still works, with a notice naming it. See "API evolution"
#: in docs/plugins.md: a hook is listed here for at least one minor release before it goes.
DEPRECATED_HOOKS: dict[str, tuple[str | None, int]] = {}
#: Hook arguments on their way out: (hook, argument) -> (the argument to use instead or None, removal).
DEPRECATED_ARGUMENTS: dict[tuple[str, str], tuple[str | None, int]] = {}

#: Seconds one call into a plugin (a hook call, or importing it) may take before the plugin is
#: disabled for the session; None is no limit. load_host takes PLANNER_HOOK_TIMEOUT, else
#: `hook_timeout` under [plugins] in config.toml (0 there means no limit).
DEFAULT_HOOK_TIMEOUT = 5.0
#: How long the app's screen waits for a notification hook it hands to the background: a quick hook
#: (nearly all) is done by then, and a failure is told at once rather than at the next change.
NOTIFY_GRACE_SECONDS = 0.05


class PluginError(Exception):
    """Raised instead of isolating a failure when the host runs in strict mode."""


class PluginDeprecationWarning(DeprecationWarning):
    """A plugin uses a hook or an argument that a later plugin API version removes."""


@dataclass
class PluginRecord:
    """What the host knows of one plugin, loaded or not: for `planner plugins` and the TUI."""

    name: str
    origin: Origin
    source: str  # distribution and version, or file path, or the module path
    status: Status = "active"
    error: str | None = None
    hooks: tuple[str, ...] = ()
    practices: tuple[str, ...] = ()
    #: Mistakes that leave the plugin working, one line each (deprecations are in host.warnings).
    warnings: list[str] = field(default_factory=list)
    plugin: Any = field(default=None, repr=False)

    @property
    def active(self) -> bool:
        return self.status == "active"

    def describe_origin(self) -> str:
        return self.origin if self.origin == "built-in" else f"{self.origin} {self.source}"


class PluginHost:
    """Loads plugins, owns the practices they declare, and calls their hooks safely."""

    def __init__(
        self,
        *,
        allow: Iterable[str] = (),
        block: Iterable[str] = (),
        strict: bool = False,
        trace: Path | None = None,
        error_memory: Path | None = None,
        hook_timeout: float | None = DEFAULT_HOOK_TIMEOUT,
    ) -> None:
        self.manager = pluggy.PluginManager(PROJECT)
        self.manager.add_hookspecs(hookspecs)
        self.allow = frozenset(allow)
        self.block = frozenset(block)
        self.strict = strict
        self.trace_path = trace
        #: The time budget of each call into a plugin, in seconds (None: no limit).
        self.hook_timeout = hook_timeout
        #: Called on the app's event loop when a notification hook that ran in the background (past
        #: NOTIFY_GRACE_SECONDS) added to `warnings`: the app sets it to show them.
        self.late_warnings: Callable[[], None] | None = None
        self._notifier: _Notifier | None = None
        _guard_exit()
        #: The file (in the cache folder) keeping the last hook error of each plugin across runs.
        #: Strict mode ignores it: a plugin author wants the hook called, and its traceback.
        self.error_memory = None if strict else error_memory
        self._kept_errors: dict[str, Any] | None = None  # read once, at the first plugin loaded
        #: The loaded plugins by name; `listing()` also has the ones refused as duplicates.
        self.records: dict[str, PluginRecord] = {}
        self._listing: list[PluginRecord] = []
        self.practices: dict[str, Practice] = {}
        self._owner: dict[str, PluginRecord] = {}
        self.warnings: list[str] = []

    # --- loading ----------------------------------------------------------------------------------

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP, *, cache: Path | None = None) -> None:
        """Load every installed plugin package (and the built-ins), one at a time.

        With `cache`, the list of installed plugins is kept in that file and taken from it while no
        folder on sys.path has changed (installing or removing a package changes its folder):
        finding entry points means importing importlib.metadata and reading every installed
        package's metadata, a tenth of the app's start-up."""
        for name, value, source, builtin in installed_plugins(group, cache):
            self._load(name, "built-in" if builtin else "package", source,
                       lambda value=value: _load_reference(value))

    def load_directory(self, folder: Path) -> None:
        """Load each `*.py` file of the user's plugin folder as a plugin named after the file."""
        if not folder.is_dir():
            return
        for path in sorted(folder.glob("*.py")):
            if path.name.startswith(("_", ".")):
                continue
            self.load_file(path)

    def load_file(self, path: Path) -> PluginRecord:
        """Load one `.py` file as a plugin named after the file, as the config folder's plugins are."""
        return self._load(path.stem, "file", str(path), lambda: _import_file(path))

    def add_plugin(self, plugin: Any, name: str, origin: Origin = "test", source: str = "") -> PluginRecord:
        """Register an already imported plugin (a module or an object with hook methods)."""
        return self._load(name, origin, source or getattr(plugin, "__name__", name), lambda: plugin)

    def add_plugins_under_test(self, plugins: Iterable[tuple[str, Any]]) -> None:
        """Add `(name, plugin)` pairs beside the plugins already loaded (planner.testing.run_planner).
        A plugin object already loaded is skipped: the package under test may be installed too,
        and its entry point then hands over the very module the test imported."""
        for name, plugin in plugins:
            if not self.manager.is_registered(plugin):
                self.add_plugin(plugin, name)

    def listing(self) -> list[PluginRecord]:
        """Every plugin met, in load order: loaded, blocked, failed, and refused as a duplicate."""
        return list(self._listing)

    def _load(self, name: str, origin: Origin, source: str, importer: Callable[[], Any]) -> PluginRecord:
        record = PluginRecord(name, origin, source)
        self._listing.append(record)
        if name in self.records:
            other = self.records[name]
            record.status, record.error = "duplicate", (
                f"a plugin named {name!r} is already loaded from {other.describe_origin()}; not loaded again"
            )
            self._report(record, record.error, "refused")
            return record
        self.records[name] = record
        if name in self.block or (self.allow and name not in self.allow):
            record.status = "blocked"
            record.error = "blocked by config" if name in self.block else "not in the allow list"
            return record
        call = _run_plugin_code(importer, (), self.hook_timeout)
        if call is None:
            self._disable(record, f"was not imported within {_overrun(self.hook_timeout)}")
            return record
        if call.error is not None:  # any import failure is the plugin's, not ours
            what = (f"failed to import: {_describe(call.error)}" if isinstance(call.error, Exception)
                    else f"{_failure(call.error)} while being imported")
            self._disable(record, what, call.error)
            return record
        self._register(record, call.result)
        return record

    def _register(self, record: PluginRecord, plugin: Any) -> None:
        wanted = getattr(plugin, "planner_api_version", API_VERSION)
        if wanted not in SUPPORTED_API_VERSIONS:
            self._disable(record, f"built for plugin API version {wanted!r}; this planner provides "
                                  f"{sorted(SUPPORTED_API_VERSIONS)}: upgrade one of them")
            return
        try:
            self.manager.register(plugin, name=record.name)
        except ValueError as error:  # pluggy: the same object registered twice
            self._disable(record, f"registers twice: {_describe(error)}", error)
            return
        except pluggy.PluginValidationError as error:
            self._disable(record, _misfit(self.manager, plugin, error), error)
            return
        record.plugin = plugin
        record.hooks = tuple(sorted(impl_name for impl_name in _hook_names(self.manager, plugin)))
        unknown = [hook for hook in record.hooks if not hasattr(hookspecs, hook)]
        if unknown:
            hints = "".join(f"; did you mean {close}?" for close in map(_close_hook, unknown) if close)
            self._disable(record, f"implements unknown hook {', '.join(unknown)} (a typo, or a newer planner's "
                                  f"hook){hints}")
            return
        self._warn_about_deprecations(record)
        self._warn_about_unmarked_functions(record)
        if "planner_register_practices" in record.hooks:
            declared: list[Practice] = []
            outcome = self._call(record, "planner_register_practices", register=declared.append)
            if not outcome:
                return
            if outcome[0] is not None:
                self._warn(record, f"planner_register_practices returned {_kind_of(outcome[0])}, which the "
                                   "planner ignores: call register(practice) once for each practice instead")
            self._accept_practices(record, declared)
        if record.active:
            self._recall_error(record)

    def _accept_practices(self, record: PluginRecord, declared: list[Practice]) -> None:
        ids: list[str] = []
        for practice in declared:
            try:
                if not isinstance(practice, Practice):
                    raise InvalidValue(f"register() takes a Practice, got {type(practice).__name__}")
                practice.validate()
                owner = self._owner.get(practice.id)
                if owner is not None or practice.id in ids:
                    where = owner.name if owner is not None else record.name
                    raise InvalidValue(f"practice {practice.id!r} is already registered by plugin {where!r}")
            except InvalidValue as error:
                self._disable(record, f"planner_register_practices: {error}", error)
                return
            ids.append(practice.id)
        for practice in declared:
            self.practices[practice.id] = practice
            self._owner[practice.id] = record
        self.practices = dict(sorted(self.practices.items(), key=lambda item: (item[1].order, item[0])))
        record.practices = tuple(ids)

    def _warn_about_deprecations(self, record: PluginRecord) -> None:
        """A notice (in `warnings`, and a PluginDeprecationWarning pointing at the plugin's function,
        which test runs show) for each deprecated hook or argument the plugin uses; it keeps working."""
        for hook in record.hooks:
            impl = next(impl for impl in getattr(self.manager.hook, hook).get_hookimpls() if impl.plugin is record.plugin)
            if hook in DEPRECATED_HOOKS:
                self._deprecation(record, impl.function, hook, *DEPRECATED_HOOKS[hook])
            for argument in impl.argnames:
                if (hook, argument) in DEPRECATED_ARGUMENTS:
                    self._deprecation(record, impl.function, f"the {argument!r} argument of {hook}",
                                      *DEPRECATED_ARGUMENTS[hook, argument])

    def _warn_about_unmarked_functions(self, record: PluginRecord) -> None:
        """pluggy only calls functions marked @hookimpl, so a `planner_*` function without the mark
        (a forgotten decorator, or a misspelled hook) would never run, silently. Unlike pytest with
        its `pytest_*` functions, the planner does not take it as a hook: it warns, so that every
        hook of a plugin carries the one mark that works with every pluggy host (make_host too)."""
        for name in _unmarked_functions(self.manager, record.plugin):
            if name in HOOK_NAMES:
                self._warn(record, f"function {name} is not marked @hookimpl, so the planner never calls it: "
                                   "put @hookimpl (from planner.api) above it")
                continue
            close = _close_hook(name)
            if close:
                self._warn(record, f"function {name} is not a hook (did you mean {close}?) and is not marked "
                                   "@hookimpl, so the planner never calls it")
            else:
                self._warn(record, f"function {name} is not a hook and is not marked @hookimpl, so the planner "
                                   "never calls it (a helper? the planner_ prefix is for hooks)")

    def _warn(self, record: PluginRecord, message: str) -> None:
        record.warnings.append(message)
        self.warnings.append(f"plugin {record.name!r} ({record.describe_origin()}): {message}")

    def _deprecation(self, record: PluginRecord, function: Callable[..., Any], what: str,
                     replacement: str | None, removal: int) -> None:
        instead = f"; use {replacement} instead" if replacement else ""
        message = (f"plugin {record.name!r} ({record.describe_origin()}) uses {what}, which is deprecated and "
                   f"goes away in plugin API version {removal}{instead}")
        self.warnings.append(message)
        code = getattr(function, "__code__", None)
        if code is None:
            warnings.warn(message, PluginDeprecationWarning, stacklevel=3)
        else:
            warnings.warn_explicit(message, PluginDeprecationWarning, code.co_filename, code.co_firstlineno,
                                   module=getattr(function, "__module__", None) or record.name)

    # --- failure handling -----------------------------------------------------------------------

    def _disable(self, record: PluginRecord, message: str, error: BaseException | None = None, *,
                 remember: bool = False) -> None:
        """Switch the plugin off for this run; `remember` (a hook failed after loading) keeps the
        error for later runs too, which would otherwise load the plugin as if nothing happened."""
        if self.strict:
            raise PluginError(f"plugin {record.name!r} {message}") from error
        if record.status == "error":  # two threads called it at once, and both calls failed: told once
            return
        if remember:
            self._remember_error(record, message)
        record.status, record.error = "error", message
        with contextlib.suppress(ValueError):  # another thread unregistered it meanwhile
            if record.plugin is not None and self.manager.is_registered(record.plugin):
                self.manager.unregister(record.plugin)
        # New dicts rather than changed ones: another thread (an app worker) may be going through them.
        gone = set(record.practices)
        self.practices = {key: value for key, value in self.practices.items() if key not in gone}
        self._owner = {key: value for key, value in self._owner.items() if key not in gone}
        self._report(record, message)

    def _report(self, record: PluginRecord, message: str, verb: str = "disabled") -> None:
        self.warnings.append(f"plugin {record.name!r} ({record.describe_origin()}) {verb}: {message}")

    # --- the last error of each plugin, kept across runs ---------------------------------------------

    def _remember_error(self, record: PluginRecord, message: str) -> None:
        stamp = _source_stamp(record)
        if self.error_memory is not None and stamp is not None:
            self._change_kept_errors(record.name, {"stamp": stamp, "error": message})

    def _recall_error(self, record: PluginRecord) -> None:
        """Disable a plugin whose hook failed in an earlier run, unless its file or version has
        changed since (then the error is forgotten: the plugin may be fixed)."""
        if self.error_memory is None:
            return
        if self._kept_errors is None:
            self._kept_errors = _read_error_memory(self.error_memory)
        entry = self._kept_errors.get(record.name)
        if not isinstance(entry, dict):
            return
        if entry.get("stamp") != _source_stamp(record) or not isinstance(entry.get("error"), str):
            self._change_kept_errors(record.name, None)
            return
        self._disable(record, f"{entry['error']} (in an earlier run; it stays disabled until the plugin's file "
                              "or version changes)")

    def _change_kept_errors(self, name: str, entry: dict[str, Any] | None) -> None:
        """Set (or, with None, drop) one plugin's kept error, in the file as it is now: another
        planner process may have kept an error of its own since this one started."""
        from planner.store import write_derived

        assert self.error_memory is not None
        kept = _read_error_memory(self.error_memory)
        if entry is None:
            kept.pop(name, None)
        else:
            kept[name] = entry
        write_derived(self.error_memory, json.dumps(kept, indent=1).encode())
        self._kept_errors = kept

    # --- calling --------------------------------------------------------------------------------

    def _call(self, record: PluginRecord, hook: str, **kwargs: Any) -> tuple[Any, ...] | None:
        """Call one plugin's implementation of `hook`: a 1-tuple of its result, or None when the
        plugin does not implement it, is disabled, or failed (and was disabled for it)."""
        if not record.active or record.plugin is None:
            return None
        impls = [impl for impl in getattr(self.manager.hook, hook).get_hookimpls() if impl.plugin is record.plugin]
        if not impls:
            return None
        impl = impls[0]
        started = time.perf_counter()
        call = _run_plugin_code(impl.function, tuple(kwargs[name] for name in impl.argnames), self.hook_timeout)
        if call is None:
            # Not remembered for later runs: a slow moment (a busy machine, a network) passes.
            self._trace(record, hook, kwargs, "ran over its time budget", started)
            self._disable(record, f"{hook} did not return within {_overrun(self.hook_timeout)}")
            return None
        if call.error is not None:  # whatever a plugin raises, sys.exit() and KeyboardInterrupt too
            self._trace(record, hook, kwargs, _failure(call.error), started)
            # planner_register_practices runs at every load, so its failure is found again anyway.
            self._disable(record, f"{hook} {_failure(call.error)}", call.error,
                          remember=hook != "planner_register_practices")
            return None
        self._trace(record, hook, kwargs, repr(call.result), started)
        return (call.result,)

    def _trace(self, record: PluginRecord, hook: str, kwargs: Mapping[str, Any], outcome: str, started: float) -> None:
        if self.trace_path is None:
            return
        elapsed = (time.perf_counter() - started) * 1000
        arguments = ", ".join(f"{key}={_short(value)}" for key, value in kwargs.items())
        line = f"{time.strftime('%H:%M:%S')} {record.name}.{hook}({arguments}) -> {_short(outcome)} [{elapsed:.1f} ms]\n"
        try:
            with open(self.trace_path, "a", encoding="utf-8") as log:
                log.write(line)
        except OSError as error:
            self.warnings.append(f"cannot write the hook trace to {self.trace_path}: {error.strerror}")
            self.trace_path = None

    def _practice_call(self, practice_id: str, hook: str, check: Callable[[Any], Any], board: Board,
                       **kwargs: Any) -> Any:
        # A practice can go between two calls (its plugin failed in the first), or while a caller
        # works through a list of practices it took earlier: then there is nothing to call.
        record = self._owner.get(practice_id)
        practice = self.practices.get(practice_id)
        if record is None or practice is None:
            return None
        outcome = self._call(record, hook, practice=practice, settings=self.settings(practice_id, board), **kwargs)
        if outcome is None:
            return None
        try:
            return check(outcome[0])
        except InvalidValue as error:
            self._disable(record, f"{hook} returned {error}", error, remember=True)
            return None

    # --- the typed hooks --------------------------------------------------------------------------

    def settings(self, practice_id: str, board: Board) -> dict[str, Any]:
        """A practice's defaults overridden by `[practices.<id>]` in board.toml (only the latter
        once the practice's plugin is disabled)."""
        practice = self.practices.get(practice_id)
        merged = dict(practice.settings) if practice is not None else {}
        merged.update(board.practice_settings(practice_id))
        return merged

    def enabled_practices(self, board: Board) -> list[Practice]:
        """Practices the board has not switched off, in display order (board.toml's `order` first)."""
        def position(practice: Practice) -> tuple[int, str]:
            order = board.practice_settings(practice.id).get("order", practice.order)
            return (order if isinstance(order, int) else practice.order, practice.id)

        enabled = [practice for practice in self.practices.values() if board.practice_enabled(practice.id)]
        return sorted(enabled, key=position)

    def off_in_plan(self, record: PluginRecord, board: Board) -> bool:
        """Whether the plugin runs but the plan (board.toml) has switched off every practice it
        declares: the plan's choice, shown as "off in this plan" rather than as a fault."""
        practice_ids = [pid for pid in record.practices if pid in self.practices]
        return record.active and bool(practice_ids) and not any(board.practice_enabled(pid) for pid in practice_ids)

    def prompts(self, practice_id: str, phase: Phase, week: WeekView, board: Board) -> list[Prompt]:
        """The practice's prompts; none once its plugin is disabled (also by this very call)."""
        result = self._practice_call(practice_id, "planner_prompts", lambda value: _checked_list(value, Prompt),
                                     board, phase=phase, week=week)
        return result or []

    def templates(self, practice_id: str, board: Board) -> list[TaskTemplate]:
        result = self._practice_call(practice_id, "planner_task_templates",
                                     lambda value: _checked_list(value, TaskTemplate), board)
        return result or []

    def score_week(self, practice_id: str, week: WeekView, tasks: Sequence[Task], board: Board) -> Score | None:
        return self._practice_call(practice_id, "planner_score_week", _checked_score, board, week=week,
                                   tasks=tuple(tasks))

    def outcome_prompt(self, task: Task, board: Board) -> str:
        """The question for the outcome of `task`: its practice's own, or the planner's."""
        question = None
        if task.practice:
            question = self._practice_call(task.practice, "planner_outcome_prompt", _checked_question, board,
                                           task=task)
        return question or DEFAULT_OUTCOME_PROMPT

    def task_completed(self, task: Task) -> None:
        practice = self.practices.get(task.practice or "")
        self._notify("planner_task_completed", task=task, practice=practice)

    def week_reviewed(self, week: WeekView, scores: Mapping[str, Score]) -> None:
        self._notify("planner_week_reviewed", week=week, scores=dict(scores))

    def _notify(self, hook: str, **kwargs: Any) -> None:
        """Tell every plugin. Called from a thread running an event loop (the app's screen), the
        calls run on the host's notifier thread, in order, and this returns within
        NOTIFY_GRACE_SECONDS; elsewhere (a command, a worker, strict mode) they run before it returns."""
        records = list(self.records.values())

        def tell_each() -> None:
            for record in records:
                self._call(record, hook, **kwargs)

        loop = _running_loop()
        if loop is None or self.strict:
            tell_each()
            return
        if self._notifier is None:
            self._notifier = _Notifier()
        active = [record for record in records if record.active]
        done = self._notifier.submit(tell_each, lambda: self._after_background_notification(loop, active))
        done.wait(NOTIFY_GRACE_SECONDS)

    def _after_background_notification(self, loop: Any, active: list[PluginRecord]) -> None:
        """When a notification told in the background disabled a plugin, have the app say so (on
        its own loop): its caller may have gone on before. Showing the warnings twice is harmless:
        the app empties `warnings` as it shows them."""
        listener = self.late_warnings
        if listener is not None and any(not record.active for record in active):
            with contextlib.suppress(RuntimeError):  # the app has closed its loop meanwhile
                loop.call_soon_threadsafe(listener)

    def wait_for_notifications(self, timeout: float | None = None) -> bool:
        """Wait until every notification handed to the background has been told; False when
        `timeout` seconds pass first. For tests, and for a front end that is about to exit."""
        return self._notifier is None or self._notifier.wait_until_idle(timeout)

    def owner_of(self, practice_id: str) -> PluginRecord | None:
        return self._owner.get(practice_id)


# --- running plugin code ----------------------------------------------------------------------------
#
# Every call into a plugin (importing it, and each hook call) runs on a _PluginThread while the caller
# waits for it, within the time budget. That one step gives each guarantee of the host:
# - a call that runs over its budget is left behind and the caller goes on (a Python thread cannot be
#   killed: it runs on as a daemon, and what it returns is dropped);
# - print() in plugin code goes to stderr: sys.stdout tells plugin threads from the others
#   (contextlib.redirect_stdout would send every thread's output to stderr while a hook runs, the
#   app's workers and the command's own output too);
# - sys.exit(), os._exit() and a KeyboardInterrupt raised by plugin code end that call, not the
#   planner, while the user's ctrl+c (which Python delivers to the main thread, the one waiting)
#   still stops it.
# A hand-over costs some tens of microseconds: about 20 ms for a year of weeks times seven practices,
# a few ms for `planner score --weeks 12`.


class _ExitCalled(BaseException):
    """os._exit() called by plugin code: raised instead (a BaseException, as SystemExit is, so that
    the plugin's own `except Exception` does not swallow it)."""

    def __init__(self, status: Any) -> None:
        super().__init__(status)
        self.status = status


class _PluginThread(threading.Thread):
    """Runs the plugin calls handed to it, one at a time, until it is handed None."""

    def __init__(self) -> None:
        super().__init__(name="planner-plugin", daemon=True)
        self.calls: queue.SimpleQueue[_PluginCall | None] = queue.SimpleQueue()

    def run(self) -> None:
        while (call := self.calls.get()) is not None:
            call.run()


class _PluginCall:
    """One call into plugin code, and how it ended: `result`, or `error` (any BaseException)."""

    __slots__ = ("function", "args", "context", "result", "error", "finished")

    def __init__(self, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.function, self.args = function, args
        self.context = contextvars.copy_context()  # the caller's context variables, as a direct call has
        self.result: Any = None
        self.error: BaseException | None = None
        self.finished = threading.Lock()
        self.finished.acquire()

    def run(self) -> None:
        try:
            self.result = self.context.run(self.function, *self.args)
        except BaseException as error:  # noqa: BLE001 - sys.exit() and KeyboardInterrupt too: the plugin's
            self.error = error
        finally:
            self.finished.release()


_idle_threads: list[_PluginThread] = []
_idle_lock = threading.Lock()
os.register_at_fork(after_in_child=_idle_threads.clear)  # a forked child has none of these threads


def _run_plugin_code(function: Callable[..., Any], args: tuple[Any, ...], budget: float | None) -> _PluginCall | None:
    """Run `function(*args)` on a plugin thread; the finished call, or None when it ran over
    `budget` seconds (None: no limit)."""
    _guard_stdout()
    with _idle_lock:
        thread = _idle_threads.pop() if _idle_threads else None
    if thread is None:
        thread = _PluginThread()
        thread.start()
    call = _PluginCall(function, args)
    thread.calls.put(call)
    try:
        finished = call.finished.acquire(timeout=-1 if budget is None else budget)
    except BaseException:  # the user's ctrl+c while waiting: the planner stops; the call is left behind
        thread.calls.put(None)
        raise
    if not finished:
        thread.calls.put(None)  # the thread ends when (if ever) the overrunning call returns
        return None
    with _idle_lock:
        _idle_threads.append(thread)
    return call


class _PluginStdout:
    """sys.stdout once a plugin has been called: what plugin code writes (on a _PluginThread) goes
    to sys.stderr, so that it cannot corrupt a command's output (`--json`, a pipe); every other
    thread writes to the stream this one took the place of."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def _target(self) -> Any:
        return sys.stderr if isinstance(threading.current_thread(), _PluginThread) else self._stream

    def write(self, text: str) -> int:
        return self._target().write(text)

    def flush(self) -> None:
        self._target().flush()

    def __getattr__(self, name: str) -> Any:  # writelines, buffer, fileno, isatty, encoding...
        return getattr(self._target(), name)


def _guard_stdout() -> None:
    """Put _PluginStdout in front of sys.stdout, unless it is there already (checked at every call:
    a test runner, or the app, may have put a stream of its own there since)."""
    stream = sys.stdout
    if stream is not None and type(stream) is not _PluginStdout:
        sys.stdout = _PluginStdout(stream)


_exit_guarded = False


def _guard_exit() -> None:
    """os._exit() ends the process at once: no message, and the terminal left in the app's screen.
    Called by plugin code (on a plugin thread of this process, not of a forked child), it raises
    _ExitCalled instead, which disables the plugin with a message. Installed once, by the first host."""
    global _exit_guarded
    if _exit_guarded:
        return
    _exit_guarded = True
    real_exit, pid = os._exit, os.getpid()

    @functools.wraps(real_exit)
    def _exit(status: int) -> None:
        if os.getpid() == pid and isinstance(threading.current_thread(), _PluginThread):
            raise _ExitCalled(status)
        real_exit(status)

    os._exit = _exit


def _failure(error: BaseException) -> str:
    """How plugin code failed, after the hook's name: `raised ValueError: bad`, `called sys.exit(3)`."""
    if isinstance(error, SystemExit):
        return f"called sys.exit({'' if error.code is None else repr(error.code)})"
    if isinstance(error, _ExitCalled):
        return f"called os._exit({error.status!r})"
    return f"raised {_describe(error)}"


def _overrun(budget: float | None) -> str:
    return (f"{budget:g} s (the time budget of a call into a plugin; hook_timeout under [plugins] in "
            "config.toml, or PLANNER_HOOK_TIMEOUT, sets it)")


def _running_loop() -> Any:
    """The asyncio event loop running in this thread (the app's), or None (a command, a worker)."""
    asyncio = sys.modules.get("asyncio")  # not imported: no loop can be running
    return asyncio._get_running_loop() if asyncio is not None else None


class _Notifier:
    """Tells plugins in the background what the app's screen hands over, one notification after
    another, on a thread that ends whenever nothing is left to tell. It is not a daemon: the process
    waits for it at exit, so that a task done just before quitting still reaches every plugin (each
    call within its budget)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[tuple[Callable[[], None], Callable[[], None], threading.Event]] = []
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()

    def submit(self, work: Callable[[], None], after: Callable[[], None]) -> threading.Event:
        """Run `work()`, then `after()`, in the background; the event is set once `work` is done."""
        done = threading.Event()
        with self._lock:
            self._pending.append((work, after, done))
            self._idle.clear()
            if self._thread is None:
                self._thread = threading.Thread(target=self._drain, name="planner-notifier")
                self._thread.start()
        return done

    def wait_until_idle(self, timeout: float | None) -> bool:
        return self._idle.wait(timeout)

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._thread = None
                    self._idle.set()
                    return
                work, after, done = self._pending.pop(0)
            try:
                work()
                after()
            except Exception:  # noqa: BLE001 - a bug of the planner's: told, and the next notification still goes
                sys.excepthook(*sys.exc_info())
            finally:
                done.set()


def hook_timeout_setting(config: Any, environ: Mapping[str, str] | None = None) -> float | None:
    """The time budget of a call into a plugin, in seconds, or None for no limit: PLANNER_HOOK_TIMEOUT,
    else `hook_timeout` under [plugins] in config.toml, else DEFAULT_HOOK_TIMEOUT. 0 is no limit."""
    from planner.config import ConfigError

    env = os.environ if environ is None else environ
    text = env.get("PLANNER_HOOK_TIMEOUT", "").strip()
    if text:
        try:
            value: Any = float(text)
        except ValueError:
            value = None
        where = "PLANNER_HOOK_TIMEOUT"
    else:
        plugins = config.raw.get("plugins", {})
        value = plugins.get("hook_timeout", DEFAULT_HOOK_TIMEOUT) if isinstance(plugins, dict) else DEFAULT_HOOK_TIMEOUT
        where = f"{config.folder / 'config.toml'}: plugins.hook_timeout"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ConfigError(f"{where} must be a number of seconds (0 for no limit), not {text or value!r}")
    return float(value) if 0 < value < math.inf else None


def _checked_list(value: Any, kind: type) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise InvalidValue(f"{type(value).__name__} instead of a list of {kind.__name__}")
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, kind):
            raise InvalidValue(f"a {type(item).__name__} in a list of {kind.__name__}")
        item.validate()
        if item.id in seen:
            raise InvalidValue(f"two {kind.__name__}s with id {item.id!r}")
        seen.add(item.id)
    return list(value)


def _checked_score(value: Any) -> Score | None:
    if value is None:
        return None
    if not isinstance(value, Score):
        raise InvalidValue(f"{type(value).__name__} instead of a Score")
    value.validate()
    if type(value.value) not in (int, float):  # a Decimal or a Fraction: the sums and JSON take floats
        return replace(value, value=float(value.value))
    return value


def _checked_question(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidValue(f"{type(value).__name__} instead of text (or None)")
    question = " ".join(value.split())
    if not question or len(question) > MAX_OUTCOME_PROMPT:
        raise InvalidValue(f"a question of {len(question)} characters (1 to {MAX_OUTCOME_PROMPT})")
    return question


def _hook_names(manager: pluggy.PluginManager, plugin: Any) -> list[str]:
    return [caller.name for caller in manager.get_hookcallers(plugin) or []]


def _close_hook(name: str) -> str | None:
    """The hook `name` probably meant, compared without the common `planner_` prefix (which would
    make every `planner_*` helper look close to some hook)."""
    import difflib  # only for a plugin with a mistake: not on every start

    prefix = f"{PROJECT}_"
    suffixes = [hook.removeprefix(prefix) for hook in HOOK_NAMES]
    close = difflib.get_close_matches(name.removeprefix(prefix), suffixes, n=1)
    return prefix + close[0] if close else None


def _unmarked_functions(manager: pluggy.PluginManager, plugin: Any) -> list[str]:
    """Names of the plugin's `planner_*` functions that carry no @hookimpl mark. Looked up
    statically, as pluggy does, so no property of a plugin object runs; values such as
    `planner_api_version` are not functions and are left alone."""
    names = []
    for name in dir(plugin):
        if not name.startswith(f"{PROJECT}_"):
            continue
        value = inspect.getattr_static(plugin, name, None)
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        if inspect.isroutine(value) and manager.parse_hookimpl_opts(plugin, name) is None:
            names.append(name)
    return names


def _misfit(manager: pluggy.PluginManager, plugin: Any, error: pluggy.PluginValidationError) -> str:
    """pluggy's validation error (three lines) as one: the hook and the argument it does not pass."""
    import difflib

    for attribute in dir(plugin):
        options = manager.parse_hookimpl_opts(plugin, attribute)
        if options is None:
            continue
        hook = options.get("specname") or attribute
        spec = getattr(hookspecs, hook, None)
        if spec is None:
            continue
        offered = list(inspect.signature(spec).parameters)
        try:
            parameters = inspect.signature(getattr(plugin, attribute)).parameters.values()
        except (TypeError, ValueError):
            continue
        for parameter in parameters:
            # pluggy passes only arguments without a default, by position or keyword
            if parameter.kind not in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
                continue
            if parameter.default is parameter.empty and parameter.name not in offered:
                close = difflib.get_close_matches(parameter.name, offered, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                return (f"{hook} takes an argument {parameter.name!r} that the hook does not pass{hint}; "
                        f"it passes {', '.join(offered)}")
    return "does not fit the hook specs: " + "; ".join(line.strip() for line in str(error).splitlines())


def _kind_of(value: Any) -> str:
    if isinstance(value, Practice):
        return "a Practice"
    if isinstance(value, (list, tuple)) and any(isinstance(item, Practice) for item in value):
        return f"a {type(value).__name__} of Practices"
    return f"a {type(value).__name__}"


def _source_stamp(record: PluginRecord) -> list[Any] | None:
    """What changes when the plugin is fixed: its version (in `source`) and its module file's size
    and modification time (an editable install or a config-folder file changes only those).
    None for plugins handed over in tests, which have no file to watch."""
    if record.origin == "test" or record.plugin is None:
        return None
    plugin = record.plugin
    module = plugin if isinstance(plugin, ModuleType) else sys.modules.get(getattr(plugin, "__module__", ""))
    path = getattr(module, "__file__", None)
    try:
        status = os.stat(path) if path else None
    except OSError:
        status = None
    return [record.origin, record.source, path,
            status.st_mtime_ns if status else None, status.st_size if status else None]


def _read_error_memory(path: Path) -> dict[str, Any]:
    with contextlib.suppress(OSError, ValueError):
        remembered = json.loads(path.read_bytes())
        if isinstance(remembered, dict):
            return remembered
    return {}


def _import_file(path: Path) -> ModuleType:
    module_name = f"planner_user_plugins.{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def installed_plugins(group: str, cache: Path | None = None) -> list[tuple[str, str, str, bool]]:
    """(name, "module:attribute", distribution and version, built-in?) of each installed plugin."""
    stamp = [sys.version, group, *_folder_stamps()]
    if cache is not None:
        with contextlib.suppress(OSError, ValueError, TypeError):
            document = json.loads(cache.read_bytes())
            if document["stamp"] == stamp:
                return [tuple(item) for item in document["plugins"]]  # type: ignore[misc]
    from importlib.metadata import entry_points

    plugins: list[tuple[str, str, str, bool]] = []
    seen: set[tuple[str, str]] = set()
    for entry in sorted(entry_points(group=group), key=lambda ep: (ep.dist is None, ep.name)):
        if (entry.name, entry.value) in seen:  # the same distribution found twice on sys.path
            continue
        seen.add((entry.name, entry.value))
        dist = entry.dist
        builtin = dist is not None and dist.metadata["Name"] == BUILTIN_DISTRIBUTION
        source = f"{dist.metadata['Name']} {dist.version}" if dist is not None else entry.value
        plugins.append((entry.name, entry.value, source, builtin))
    if cache is not None:
        from planner.store import write_derived

        write_derived(cache, json.dumps({"stamp": stamp, "plugins": plugins}).encode())
    return plugins


def _folder_stamps() -> list[list]:
    """The package metadata folders (.dist-info, .egg-info) on sys.path with their modification
    times: installing, upgrading or removing a package adds, replaces or removes one of them. Only
    those count, so a start from a busy working folder still finds the cache good."""
    stamps: list[list] = []
    for entry in sys.path:
        folder = entry or "."
        with contextlib.suppress(OSError):
            for name in sorted(os.listdir(folder)):
                if name.endswith((".dist-info", ".egg-info")):
                    stamps.append([folder, name, os.stat(os.path.join(folder, name)).st_mtime_ns])
    return stamps


def _load_reference(value: str) -> Any:
    """What an entry point's "package.module:attribute" names (as EntryPoint.load does)."""
    module_name, _, attributes = value.partition(":")
    target: Any = importlib.import_module(module_name.strip())
    for attribute in filter(None, attributes.strip().split(".")):
        target = getattr(target, attribute)
    return target


def _describe(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def _short(value: Any, limit: int = 160) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def load_host(config: Any) -> PluginHost:
    """The host with every plugin the user's config allows: built-ins, packages, config folder."""
    from planner.config import cache_dir

    host = PluginHost(allow=config.plugins_allow, block=config.plugins_block, strict=config.strict_plugins,
                      trace=config.trace_hooks, error_memory=cache_dir() / "plugin-errors.json",
                      hook_timeout=hook_timeout_setting(config))
    host.load_entry_points(cache=cache_dir() / "plugins.json")
    host.load_directory(config.plugins_dir)
    return host
