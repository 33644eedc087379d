"""Practices: every plugin the host knows, where it came from, whether it runs, and what it offers.

The left list has one entry per plugin record (built-ins, packages, files, and ones that failed or
are blocked); the right side shows the selected plugin's practices with their settings as board.toml
makes them, the planning and review questions they ask this week, and their task templates.

Switching a plugin's practices on or off is a setting of the plan (`[practices.<id>] enabled` in
board.toml), so it takes effect at once and syncs with the plan. Blocking a plugin is a setting of
this machine (config.toml's block list): a plugin is loaded only at start-up, so that change takes
effect at the next start, and the list says so until then.
"""

from __future__ import annotations

import os
import tomllib
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from planner.api import PHASES, Practice
from planner.app.widgets.footer import PlannerFooter
from planner.app.widgets.cards import practice_badge
from planner.app.widgets.chart import hanging
from planner.app.widgets.title_bar import TitleBar
from planner.config import Config, ConfigError, config_dir, save_config_value
from planner.dates import format_minutes
from planner.host import PluginRecord
from planner.model import ModelError
from planner.store import StoreError
from planner.text import printable, tag_label

STATUS_STYLES = {"active": "$success", "error": "$error", "blocked": "$warning"}
#: A plugin that runs but whose practices this plan has switched off: a choice, not a fault.
OFF_IN_PLAN = "off in this plan"
PHASE_TITLES = {"plan": "Planning questions", "review": "Review questions"}


# --- config.toml: the plugin lists ------------------------------------------------------------------

def _listed_in_file(key: str) -> list[str]:
    """`[plugins] <key>` as config.toml has it now (it may have changed since start-up)."""
    path = config_dir() / "config.toml"
    if not path.is_file():
        return []
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
        raise ConfigError(f"{path}: {error}; not changed") from None
    plugins = raw.get("plugins", {})
    value = plugins.get(key, []) if isinstance(plugins, dict) else []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{path}: plugins.{key} must be a list of plugin names; not changed")
    return value


def _listed_in_environment(variable: str) -> set[str]:
    return {name.strip() for name in os.environ.get(variable, "").split(",") if name.strip()}


def save_plugin_loaded(name: str, loaded: bool, config: Config) -> str:
    """Let this machine load plugin `name` from the next start, or not: `name` goes into or out of
    config.toml's block list (and into an allow list when one is in force); other entries are kept.
    Returns what the user should know; raises ConfigError when the file cannot be used, or when only
    the environment can make the change."""
    block = _listed_in_file("block")
    if not loaded:
        if name not in block:
            save_config_value(("plugins", "block"), [*block, name])
        return f"Plugin {name} will be blocked on this machine from the next start (config.toml blocks it)."
    if name in _listed_in_environment("PLANNER_PLUGINS_BLOCK"):
        raise ConfigError(f"plugin {name} is blocked by PLANNER_PLUGINS_BLOCK in the environment; "
                          "remove it there to enable it")
    if name in block:
        rest = [other for other in block if other != name]
        save_config_value(("plugins", "block"), rest or None)
    if config.plugins_allow and name not in config.plugins_allow:
        if _listed_in_environment("PLANNER_PLUGINS_ALLOW"):
            raise ConfigError(f"plugin {name} is not in PLANNER_PLUGINS_ALLOW in the environment; "
                              "add it there to enable it")
        allow = _listed_in_file("allow")
        save_config_value(("plugins", "allow"), [*allow, name])
    return f"Plugin {name} will be loaded on this machine from the next start."


# --- the screen ----------------------------------------------------------------------------------------

class PracticesScreen(Screen):
    TITLE = "Practices"
    DEFAULT_CSS = """
    PracticesScreen #panes { height: 1fr; }
    PracticesScreen #plugins { width: 36%; min-width: 26; max-width: 44; height: 1fr; border: none;
                               border-right: vkey $panel; padding: 0; background: $surface; }
    PracticesScreen #plugins > .option-list--option { padding: 0 0 0 1; }
    PracticesScreen #details-scroll { width: 1fr; height: 1fr; padding: 0 1; scrollbar-size-vertical: 1;
                                      scrollbar-gutter: stable; }
    PracticesScreen #details { height: auto; }
    """
    BINDINGS = [
        Binding("space,e", "toggle_practices", "On/off in plan", id="practices.toggle"),
        Binding("b", "toggle_blocked", "Block here", id="practices.block"),
        Binding("j", "cursor(1)", "Down", show=False, id="practices.down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="practices.up"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        #: Plugins whose block was changed in config.toml, by name: loaded from the next start?
        self.pending: dict[str, bool] = {}

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Horizontal(id="panes"):
            yield OptionList(id="plugins", markup=False)
            with VerticalScroll(id="details-scroll"):
                yield Static(id="details")
        yield PlannerFooter()

    def on_mount(self) -> None:
        self.app.plan_changed.subscribe(self, self.on_plan_changed)
        self.show_plugins()
        self.query_one("#plugins", OptionList).focus()
        self.call_after_refresh(self.show_details)  # again, now that the details pane has a width to wrap to

    def on_resize(self) -> None:
        self.call_after_refresh(self.show_details)

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.show_plugins()
            self.query_one(TitleBar).refresh_title()

    def on_plan_changed(self, task_ids: set[str] | None) -> None:
        if task_ids is None and self.is_current:  # board.toml changed: settings and practices may have
            self.show_plugins()

    # --- what is shown -----------------------------------------------------------------------------

    @property
    def records(self) -> list[PluginRecord]:
        """Plugins in the order of their practices (as the board lists them), the rest by name."""
        host = self.app.session.host

        def position(record: PluginRecord) -> tuple[int, str]:
            orders = [host.practices[pid].order for pid in record.practices if pid in host.practices]
            return (min(orders) if orders else 10_000, record.name)

        return sorted(host.records.values(), key=position)

    @property
    def selected(self) -> PluginRecord | None:
        plugins = self.query_one("#plugins", OptionList)
        index = plugins.highlighted
        if index is None or not 0 <= index < len(self.names):
            return None
        return self.app.session.host.records.get(self.names[index])

    def show_plugins(self) -> None:
        plugins = self.query_one("#plugins", OptionList)
        keep = self.selected.name if self.selected is not None else None
        records = self.records
        self.names = [record.name for record in records]
        plugins.set_options(Option(self.plugin_row(record)) for record in records)
        if records:
            plugins.highlighted = self.names.index(keep) if keep in self.names else 0
        self.show_details()

    def refresh_row(self, record: PluginRecord) -> None:
        if record.name in self.names:
            self.query_one("#plugins", OptionList).replace_option_prompt_at_index(
                self.names.index(record.name), self.plugin_row(record))

    def status_text(self, record: PluginRecord) -> tuple[str, str]:
        if record.name in self.pending:
            loaded = self.pending[record.name]
            return ("unblocked" if loaded else "blocked") + " (restart to apply)", "$accent"
        if self.app.session.host.off_in_plan(record, self.app.session.board):
            return OFF_IN_PLAN, "$text-muted"
        return record.status, STATUS_STYLES.get(record.status, "")

    def practice_ids(self, record: PluginRecord) -> list[str]:
        host = self.app.session.host
        return [pid for pid in record.practices if pid in host.practices]

    def switched_on(self, record: PluginRecord) -> list[str]:
        """The plugin's practices that this plan has on."""
        board = self.app.session.board
        return [pid for pid in self.practice_ids(record) if board.practice_enabled(pid)]

    def plugin_row(self, record: PluginRecord) -> Content:
        """Name and status; origin and practice labels; the error, if any, word for word."""
        status, style = self.status_text(record)
        host = self.app.session.host
        labels = [host.practices[pid].label for pid in record.practices if pid in host.practices]
        second = printable(" · ".join([record.describe_origin(), *labels]))
        lines = [Content.assemble((printable(record.name), "bold"), "  ", (status, style)), Content(second).stylize("dim")]
        if record.error:
            lines.append(Content(printable(record.error)).stylize("$error"))
        return Content("\n").join(lines)

    def show_details(self) -> None:
        record = self.selected
        details = self.query_one("#details", Static)
        if record is None:
            details.update(Content("No plugins are loaded.").stylize("dim"))
            return
        before = record.status
        details.update(self.details(record))
        if record.status != before:  # one of its hooks failed just now and the host disabled it
            self.refresh_row(record)
            details.update(self.details(record))
        self.app._tell_plugin_warnings()

    def details(self, record: PluginRecord) -> Content:
        host = self.app.session.host
        status, style = self.status_text(record)
        lines: list[Content] = [
            Content.assemble((printable(record.name), "bold"), "  ", (status, style)),
            Content(printable(f"from {record.describe_origin()}")
                    + (f" ({record.source})" if record.origin == "built-in" else "")).stylize("dim"),
        ]
        if record.error:
            lines.append(Content.assemble(("error: ", "bold $error"), (printable(record.error), "$error")))
        if record.name in self.pending:
            lines.append(Content("config.toml is changed; the plugins were loaded at start-up, so this applies "
                                 "when the planner starts again.").stylize("italic"))
        elif host.off_in_plan(record, self.app.session.board):
            lines.append(Content("Switched off in this plan (board.toml); space or e switches it on again.")
                         .stylize("italic"))
        practices = [host.practices[pid] for pid in record.practices if pid in host.practices]
        if not practices and record.active:
            lines += [Content(""), Content("This plugin declares no practice of its own.").stylize("dim")]
        for practice in practices:
            lines += [Content("")] + self.practice_details(practice)
        width = self.query_one("#details", Static).content_size.width
        if record.hooks:
            lines += [Content(""), hanging("hooks: ", ", ".join(record.hooks), width, "dim")]
        keys = "space or e: switch its practices on or off in this plan · " if self.practice_ids(record) else ""
        lines += [Content(""), Content(f"{keys}b: block or unblock it on this machine").stylize("dim")]
        return Content("\n").join(lines)

    def practice_details(self, practice: Practice) -> list[Content]:
        session = self.app.session
        host, board = session.host, session.board
        week = session.week_view(session.current_week())
        weight = board.practice_weight(practice.id, practice.weight)
        on_board = "" if board.practice_enabled(practice.id) else f"  {OFF_IN_PLAN}"
        width = self.query_one("#details", Static).content_size.width
        settings = {key: value for key, value in host.settings(practice.id, board).items()
                    if key not in ("weight", "enabled", "order")}
        tuning = [f"weight {weight:g}"] + [f"{key} = {format_setting(value)}" for key, value in settings.items()]
        lines = [
            Content.assemble(practice_badge(practice), " ", (printable(practice.name), "bold"), (on_board, "$text-muted")),
            hanging("", practice.summary, width),
            hanging("", " · ".join(tuning), width, "dim"),
        ]
        for phase in PHASES:
            prompts = host.prompts(practice.id, phase, week, board)
            if practice.id not in host.practices:
                return lines  # the hook failed and the host disabled the plugin: its answers are gone
            if not prompts:
                continue
            lines += [Content(""), Content(f"{PHASE_TITLES[phase]} ({week.label})").stylize("bold underline")]
            for prompt in prompts:
                lines.append(hanging("• ", prompt.text, width))
                if prompt.hint:
                    lines.append(hanging("  ", prompt.hint, width, "dim italic"))
        templates = host.templates(practice.id, board)
        if templates:
            lines += [Content(""), Content("Task templates").stylize("bold underline")]
            for template in templates:
                extra = [format_minutes(template.estimate)] if template.estimate else []
                extra += [tag_label(tag) for tag in template.tags]
                lines.append(hanging("• ", template.title, width))
                if extra:
                    lines.append(hanging("  ", " ".join(extra), width, "dim"))
        return lines

    # --- actions -----------------------------------------------------------------------------------

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "plugins":
            self.show_details()

    def action_cursor(self, step: int) -> None:
        plugins = self.query_one("#plugins", OptionList)
        plugins.action_cursor_down() if step > 0 else plugins.action_cursor_up()

    def action_toggle_practices(self) -> None:
        """Switch the selected plugin's practices off in this plan when any is on, else all on."""
        record = self.selected
        if record is None:
            return
        practice_ids = self.practice_ids(record)
        if not practice_ids:
            reason = "declares no practice" if record.active else f"is {record.status}"
            self.notify(f"Plugin {record.name} {reason}: there is nothing to switch in this plan "
                        "(b blocks or unblocks it on this machine).", markup=False, timeout=6)
            return
        enabled = not self.switched_on(record)
        session = self.app.session
        try:
            for practice_id in practice_ids:
                session.set_practice_enabled(practice_id, enabled)
        except (StoreError, ModelError, OSError) as error:
            self.app.report_error(error)
        else:
            names = ", ".join(session.host.practices[pid].name for pid in practice_ids)
            self.notify(f"{names}: {'on' if enabled else 'off'} in this plan (board.toml).", markup=False, timeout=6)
        self.app.plan_changed.publish(None)  # every screen shows the plan's practices anew
        self.show_plugins()

    def action_toggle_blocked(self) -> None:
        """Block the selected plugin on this machine (config.toml), or lift the block; from the next start."""
        record = self.selected
        if record is None:
            return
        loaded_now = record.status != "blocked"
        loaded_next = not self.pending.get(record.name, loaded_now)
        try:
            message = save_plugin_loaded(record.name, loaded_next, self.app.session.config)
        except (ConfigError, OSError) as error:
            self.notify(str(error), title="Not saved", severity="error", markup=False, timeout=8)
            return
        if loaded_next == loaded_now:
            self.pending.pop(record.name, None)
            message = (f"Plugin {record.name} stays {'loaded' if loaded_next else 'blocked'} on this machine, "
                       "as it was at start-up.")
        else:
            self.pending[record.name] = loaded_next
        self.notify(message, markup=False, timeout=6)
        self.refresh_row(record)
        self.show_details()

def format_setting(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
