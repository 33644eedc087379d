"""Where things live and what the user chose: the config folder, the plan folder, plugin lists.

Environment variables win over config.toml, which wins over the platform's defaults:
- PLANNER_PLANS: the plan folder (also `--plans DIR`).
- PLANNER_CONFIG_DIR: the config folder (config.toml, plugins/, themes/).
- PLANNER_PLUGINS_ALLOW / PLANNER_PLUGINS_BLOCK: comma-separated plugin names.
- PLANNER_STRICT_PLUGINS=1: re-raise plugin errors instead of isolating them (for plugin authors).
- PLANNER_TRACE_HOOKS=FILE: append a line for every hook call to FILE.
- PLANNER_HOOK_TIMEOUT: seconds a plugin's hook call may take before the plugin is disabled for the
  session (default 5; also `hook_timeout` under `[plugins]` in config.toml).
- PLANNER_CACHE_DIR: where derived indexes are kept (default: the platform's cache folder).
- PLANNER_STATE_DIR: where crash reports are written (default: the platform's state folder).
- PLANNER_NOW: pin the clock to an ISO date-time (tests, demos, benchmarks).
- PLANNER_WATCH: how the full-screen planner follows changes made to the plan folder elsewhere:
  "events" (the default; polling on a network file system), "poll", or "off" (planner.watch).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

APP_NAME = "value-planner"


class ConfigError(Exception):
    """config.toml cannot be used; the message names file:line."""


def config_dir() -> Path:
    override = os.environ.get("PLANNER_CONFIG_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    override = os.environ.get("PLANNER_DATA_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME))


def state_dir() -> Path:
    """Where this machine's logs are kept (crash reports): PLANNER_STATE_DIR, else the platform's."""
    override = os.environ.get("PLANNER_STATE_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_state_dir(APP_NAME))


def write_crash_report(error: BaseException, context: str) -> Path | None:
    """Save the traceback of an unexpected error to a new file in the state folder and return its
    path (None when even that cannot be written): the user sees one line, a bug report has it all."""
    import time
    import traceback

    from planner import __version__

    folder = state_dir() / "crashes"
    text = (f"Value Planner {__version__}, {context}, {time.strftime('%Y-%m-%d %H:%M:%S %z')}\n\n"
            + "".join(traceback.format_exception(error)))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
        path.write_text(text, encoding="utf-8", errors="backslashreplace")
    except OSError:
        return None
    return path


def cache_dir() -> Path:
    override = os.environ.get("PLANNER_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME))


def _plan_key(plans: Path) -> str:
    import hashlib

    return hashlib.sha1(str(plans.resolve()).encode()).hexdigest()[:16]


def index_path_for(plans: Path) -> Path:
    """Where the derived task index of a plan folder is kept: the user's cache folder, one file per
    plan folder, never inside the plan folder (which is synced)."""
    return cache_dir() / f"index-{_plan_key(plans)}.json"


def undo_path_for(plans: Path) -> Path:
    """Where this machine's undo history of a plan folder is kept (per user, not synced)."""
    return data_dir() / "undo" / f"{_plan_key(plans)}.json"


def _names(value: str | None) -> tuple[str, ...]:
    return tuple(name.strip() for name in (value or "").split(",") if name.strip())


@dataclass(frozen=True)
class Config:
    folder: Path
    plans: Path | None = None
    plugins_allow: tuple[str, ...] = ()
    plugins_block: tuple[str, ...] = ()
    strict_plugins: bool = False
    trace_hooks: Path | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def plugins_dir(self) -> Path:
        return self.folder / "plugins"

    @property
    def default_plans(self) -> Path:
        return self.plans or data_dir() / "plans"


def load_config(environ: Mapping[str, str] | None = None) -> Config:
    env = os.environ if environ is None else environ
    folder = config_dir()
    path = folder / "config.toml"
    raw: dict[str, Any] = {}
    if path.is_file():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: {error}") from None
    plugins = raw.get("plugins", {})
    if not isinstance(plugins, dict):
        raise ConfigError(f"{path}: [plugins] must be a table")
    lists = {}
    for key in ("allow", "block"):
        value = plugins.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{path}: plugins.{key} must be a list of plugin names")
        lists[key] = tuple(value)
    plans = env.get("PLANNER_PLANS") or raw.get("plans")
    if plans is not None and not isinstance(plans, str):
        raise ConfigError(f"{path}: plans must be a folder path in quotes")
    trace = env.get("PLANNER_TRACE_HOOKS")
    return Config(
        folder=folder,
        plans=Path(plans).expanduser() if plans else None,
        plugins_allow=_names(env.get("PLANNER_PLUGINS_ALLOW")) or lists["allow"],
        plugins_block=lists["block"] + _names(env.get("PLANNER_PLUGINS_BLOCK")),
        strict_plugins=env.get("PLANNER_STRICT_PLUGINS", "") not in ("", "0", "false", "no"),
        trace_hooks=Path(trace).expanduser() if trace else None,
        raw=raw,
    )


def save_config_value(path: tuple[str, ...], value: Any, environ: Mapping[str, str] | None = None) -> Path:
    """Set one value of config.toml (e.g. ("plugins", "block")) and save it atomically; None removes
    it. The rest of the file, comments and layout too, is kept as it is."""
    from planner.store import atomic_write
    from planner.toml_edit import dumps_preserving

    folder = config_dir()
    file = folder / "config.toml"
    document: dict[str, Any] = {}
    current_text: str | None = None
    if file.is_file():
        try:
            current_text = file.read_text(encoding="utf-8")
            document = tomllib.loads(current_text)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{file}: {error}; not changed") from None
    table = document
    for key in path[:-1]:
        table = table.setdefault(key, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{file}: {key} is not a table; not changed")
    if value is None:
        table.pop(path[-1], None)
    else:
        table[path[-1]] = value
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(file, dumps_preserving(current_text, document))
    return file
