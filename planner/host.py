"""The plugin host: a typed facade over one pluggy PluginManager that keeps bad plugins apart.

pluggy alone stops at the first broken entry point and lets one raising hook skip the rest, so the
host loads plugins one at a time and calls each plugin's hook on its own. A plugin that fails to
import, registers a practice twice, or raises or returns garbage in any hook is disabled, with a
message naming it; every other plugin and the command go on.

Plugins come from three places, in this order: installed packages (entry-point group
`planner.practices`, which is also how the seven built-ins arrive) and `.py` files in the user's
config folder `plugins/`. Nothing is ever loaded from the plan folder: it may come from someone
else through sync.

For plugin authors: strict mode (PLANNER_STRICT_PLUGINS=1) re-raises a plugin's failure as
PluginError instead of disabling it; PLANNER_TRACE_HOOKS=FILE appends one line per hook call to FILE;
a plugin that uses a hook or argument listed in DEPRECATED_HOOKS / DEPRECATED_ARGUMENTS gets a notice
naming it. docs/plugins.md explains all three.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import sys
import time
import warnings
from dataclasses import dataclass, field
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
SUPPORTED_API_VERSIONS = frozenset({1})
Origin = Literal["built-in", "package", "file", "test"]
Status = Literal["active", "error", "blocked"]

#: Hooks on their way out: name -> (the hook to use instead or None, the plugin API version that
#: removes it). A plugin implementing one still works, with a notice naming it. See "API evolution"
#: in docs/plugins.md: a hook is listed here for at least one minor release before it goes.
DEPRECATED_HOOKS: dict[str, tuple[str | None, int]] = {}
#: Hook arguments on their way out: (hook, argument) -> (the argument to use instead or None, removal).
DEPRECATED_ARGUMENTS: dict[tuple[str, str], tuple[str | None, int]] = {}


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
    ) -> None:
        self.manager = pluggy.PluginManager(PROJECT)
        self.manager.add_hookspecs(hookspecs)
        self.allow = frozenset(allow)
        self.block = frozenset(block)
        self.strict = strict
        self.trace_path = trace
        self.records: dict[str, PluginRecord] = {}
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
            self._load(path.stem, "file", str(path), lambda path=path: _import_file(path))

    def add_plugin(self, plugin: Any, name: str, origin: Origin = "test", source: str = "") -> PluginRecord:
        """Register an already imported plugin (a module or an object with hook methods)."""
        return self._load(name, origin, source or getattr(plugin, "__name__", name), lambda: plugin)

    def _load(self, name: str, origin: Origin, source: str, importer: Callable[[], Any]) -> PluginRecord:
        record = PluginRecord(name, origin, source)
        if name in self.records:
            other = self.records[name]
            record.status, record.error = "error", (
                f"a plugin named {name!r} is already loaded from {other.describe_origin()}; not loaded again"
            )
            self._report(record, record.error)
            return record
        self.records[name] = record
        if name in self.block or (self.allow and name not in self.allow):
            record.status = "blocked"
            record.error = "blocked by config" if name in self.block else "not in the allow list"
            return record
        try:
            plugin = importer()
        except Exception as error:  # noqa: BLE001 - any import failure is the plugin's, not ours
            self._disable(record, f"failed to import: {_describe(error)}", error)
            return record
        self._register(record, plugin)
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
            self._disable(record, f"registers twice: {error}", error)
            return
        except pluggy.PluginValidationError as error:
            self._disable(record, f"does not fit the hook specs: {error}", error)
            return
        record.plugin = plugin
        record.hooks = tuple(sorted(impl_name for impl_name in _hook_names(self.manager, plugin)))
        unknown = [hook for hook in record.hooks if not hasattr(hookspecs, hook)]
        if unknown:
            self._disable(record, f"implements unknown hook {', '.join(unknown)} (a typo, or a newer planner's hook)")
            return
        self._warn_about_deprecations(record)
        if "planner_register_practices" in record.hooks:
            declared: list[Practice] = []
            if not self._call(record, "planner_register_practices", register=declared.append):
                return
            self._accept_practices(record, declared)

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

    def _disable(self, record: PluginRecord, message: str, error: BaseException | None = None) -> None:
        if self.strict:
            raise PluginError(f"plugin {record.name!r} {message}") from error
        record.status, record.error = "error", message
        if record.plugin is not None and self.manager.is_registered(record.plugin):
            self.manager.unregister(record.plugin)
        for practice_id in record.practices:
            self.practices.pop(practice_id, None)
            self._owner.pop(practice_id, None)
        self._report(record, message)

    def _report(self, record: PluginRecord, message: str) -> None:
        self.warnings.append(f"plugin {record.name!r} ({record.describe_origin()}) disabled: {message}")

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
        try:
            result = impl.function(*(kwargs[name] for name in impl.argnames))
        except Exception as error:  # noqa: BLE001 - isolate whatever a plugin raises
            self._trace(record, hook, kwargs, f"raised {_describe(error)}", started)
            self._disable(record, f"{hook} raised {_describe(error)}", error)
            return None
        self._trace(record, hook, kwargs, repr(result), started)
        return (result,)

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

    def _practice_call(self, practice_id: str, hook: str, check: Callable[[Any], Any], **kwargs: Any) -> Any:
        record = self._owner.get(practice_id)
        if record is None:
            return None
        outcome = self._call(record, hook, practice=self.practices[practice_id], **kwargs)
        if outcome is None:
            return None
        try:
            return check(outcome[0])
        except InvalidValue as error:
            self._disable(record, f"{hook} returned {error}", error)
            return None

    # --- the typed hooks --------------------------------------------------------------------------

    def settings(self, practice_id: str, board: Board) -> dict[str, Any]:
        """A practice's defaults overridden by `[practices.<id>]` in board.toml."""
        merged = dict(self.practices[practice_id].settings)
        merged.update(board.practice_settings(practice_id))
        return merged

    def enabled_practices(self, board: Board) -> list[Practice]:
        """Practices the board has not switched off, in display order (board.toml's `order` first)."""
        def position(practice: Practice) -> tuple[int, str]:
            order = board.practice_settings(practice.id).get("order", practice.order)
            return (order if isinstance(order, int) else practice.order, practice.id)

        enabled = [practice for practice in self.practices.values() if board.practice_enabled(practice.id)]
        return sorted(enabled, key=position)

    def prompts(self, practice_id: str, phase: Phase, week: WeekView, board: Board) -> list[Prompt]:
        result = self._practice_call(practice_id, "planner_prompts", lambda value: _checked_list(value, Prompt),
                                     phase=phase, week=week, settings=self.settings(practice_id, board))
        return result or []

    def templates(self, practice_id: str, board: Board) -> list[TaskTemplate]:
        result = self._practice_call(practice_id, "planner_task_templates",
                                     lambda value: _checked_list(value, TaskTemplate),
                                     settings=self.settings(practice_id, board))
        return result or []

    def score_week(self, practice_id: str, week: WeekView, tasks: Sequence[Task], board: Board) -> Score | None:
        return self._practice_call(practice_id, "planner_score_week", _checked_score, week=week,
                                   tasks=tuple(tasks), settings=self.settings(practice_id, board))

    def task_completed(self, task: Task) -> None:
        practice = self.practices.get(task.practice or "")
        for record in list(self.records.values()):
            self._call(record, "planner_task_completed", task=task, practice=practice)

    def week_reviewed(self, week: WeekView, scores: Mapping[str, Score]) -> None:
        for record in list(self.records.values()):
            self._call(record, "planner_week_reviewed", week=week, scores=dict(scores))

    def owner_of(self, practice_id: str) -> PluginRecord | None:
        return self._owner.get(practice_id)


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
    return value


def _hook_names(manager: pluggy.PluginManager, plugin: Any) -> list[str]:
    return [caller.name for caller in manager.get_hookcallers(plugin) or []]


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
    import json

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
    host = PluginHost(allow=config.plugins_allow, block=config.plugins_block,
                      strict=config.strict_plugins, trace=config.trace_hooks)
    from planner.config import cache_dir

    host.load_entry_points(cache=cache_dir() / "plugins.json")
    host.load_directory(config.plugins_dir)
    return host
