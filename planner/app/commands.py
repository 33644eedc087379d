"""The command palette (ctrl+p): every action by name, and every plugin's task templates.

Commands are built when the palette opens, from the state at that moment: the screen it was
opened on (its own key bindings become commands too), the keys bound right now (after the user's
keymap), and the templates of the practices enabled now. Titles and help texts are Content built
from plain strings: the palette parses plain strings as markup, and template titles come from
plugins.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, Awaitable, Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from planner.api import Practice, TaskTemplate
from planner.text import tag_label
from planner.dates import format_minutes


@dataclass(frozen=True)
class PaletteCommand:
    title: str
    help: str
    run: Callable[[], Awaitable[Any] | Any]
    #: The action it stands for, so a key binding of the same action is not listed twice.
    action: str = ""


#: (title, help, mode) of each top-level screen.
SCREENS = (
    ("Board", "the kanban board", "board"),
    ("Week", "plan and review this week, day by day", "week"),
    ("Insights", "value score and practice trends, with streaks", "insights"),
    ("Practices", "plugins, their practices, prompts and templates", "practices"),
    ("Impact", "the value created in a period: outcomes, numbers, people", "impact"),
)


class PlannerCommands(Provider):
    async def startup(self) -> None:
        self.commands = self.build_commands()

    # --- building ----------------------------------------------------------------------------------

    def build_commands(self) -> list[PaletteCommand]:
        commands = [*self.screen_commands(), *self.action_commands()]
        commands += self.calling_screen_commands({command.action for command in commands})
        commands += self.template_commands()
        return commands

    def keys_for(self, action: str) -> str:
        """The keys bound to `action` on the calling screen right now, for the help line."""
        keys = []
        for key, active in self.screen.active_bindings.items():
            if active.binding.action == action:
                display = self.app.get_key_display(active.binding)
                if display not in keys:
                    keys.append(display)
        return f" ({', '.join(keys)})" if keys else ""

    def screen_commands(self) -> list[PaletteCommand]:
        return [
            PaletteCommand(title, f"Show {about}{self.keys_for(f'switch_mode({mode!r})')}",
                           partial(self.app.switch_mode, mode), f"switch_mode({mode!r})")
            for title, about, mode in SCREENS
        ]

    def on_mode(self, mode: str) -> bool:
        """Whether the palette was opened on `mode`'s own screen (not on a dialog above it)."""
        stack = self.app.screen_stack
        return self.app.current_mode == mode and bool(stack) and self.screen is stack[0]

    def action_commands(self) -> list[PaletteCommand]:
        app = self.app

        def there(mode: str, action: str) -> tuple[str, str]:
            """The keys of `action` and the action itself, when the palette was opened on `mode`'s
            screen; nothing otherwise (another screen may bind the same name to something else)."""
            return (self.keys_for(action), action) if self.on_mode(mode) else ("", "")

        new_keys, new_action = there("board", "new_task")
        filter_keys, filter_action = there("board", "filter")
        plan_keys, plan_action = there("week", "plan")
        review_keys, review_action = there("week", "review")
        return [
            PaletteCommand("New task", f"Add a task to the board{new_keys}",
                           partial(self.on_screen, "board", "new_task"), new_action),
            PaletteCommand("Filter tasks", f"Show only matching cards on the board{filter_keys}",
                           partial(self.on_screen, "board", "filter"), filter_action),
            PaletteCommand("Plan the week", f"Answer this week's planning questions{plan_keys}",
                           partial(self.on_screen, "week", "plan_week", "plan"), plan_action),
            PaletteCommand("Review the week", f"Answer the review questions and see the week's score{review_keys}",
                           partial(self.on_screen, "week", "review_week", "review"), review_action),
            PaletteCommand("Undo", f"Undo the last change made on this machine{self.keys_for('undo')}",
                           app.action_undo, "undo"),
            PaletteCommand("Redo", f"Redo the last change undone{self.keys_for('redo')}", app.action_redo, "redo"),
            PaletteCommand("Sync", f"Commit, fetch, merge and push the plan folder with git{self.keys_for('sync')}",
                           app.action_sync, "sync"),
            PaletteCommand("Help", f"The keys of this screen{self.keys_for('help')}", app.action_help, "help"),
        ]

    def calling_screen_commands(self, taken: set[str]) -> list[PaletteCommand]:
        """The calling screen's own key bindings, named "<screen>: <description>", so whatever the
        screen can do (including screens added later) is in the palette."""
        screen = self.screen
        prefix = getattr(screen, "TITLE", "") or type(screen).__name__
        by_action: dict[str, tuple[str, list[str]]] = {}
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if active.node is not screen or not binding.description or not active.enabled:
                continue
            description, keys = by_action.setdefault(binding.action, (binding.description, []))
            keys.append(self.app.get_key_display(binding))
        commands = []
        for action, (description, keys) in by_action.items():
            if action not in taken:
                commands.append(PaletteCommand(f"{prefix}: {description}", f"key {', '.join(dict.fromkeys(keys))}",
                                               partial(screen.run_action, action), action))
        return commands

    def template_commands(self) -> list[PaletteCommand]:
        session = self.app.session
        host, board = session.host, session.board
        commands = []
        for practice in host.enabled_practices(board):
            for template in host.templates(practice.id, board):
                details = [format_minutes(template.estimate)] if template.estimate else []
                details += [tag_label(tag) for tag in template.tags]
                help_text = "Adds a task" + (f": {' '.join(details)}" if details else "")
                commands.append(PaletteCommand(f"Add template: {practice.name}: {template.title}", help_text,
                                               partial(self.add_template, practice, template)))
        self.app._tell_plugin_warnings()  # a templates hook that failed just now
        return commands

    # --- running -----------------------------------------------------------------------------------

    async def on_screen(self, mode: str, *actions: str) -> None:
        """Switch to `mode`'s screen and run there the first of `actions` it has (names differ
        between versions of a screen)."""
        app = self.app
        await app.switch_mode(mode)
        screen = app.screen
        for action in actions:
            if hasattr(screen, f"action_{action}"):
                await screen.run_action(action)
                return
        app.notify(f"The {mode} screen cannot do that yet.", severity="warning", markup=False)

    def add_template(self, practice: Practice, template: TaskTemplate) -> None:
        app = self.app
        task = app.add_task(template.title, practice=practice.id, estimate=template.estimate,
                            tags=template.tags, notes=template.notes, repeat=template.repeat)
        if task is None:
            return  # the app has said why
        column = app.session.board.column(task.column).title
        app.notify(f"Added to {column}: {task.title}", markup=False, timeout=4)
        follow = getattr(app.screen, "follow", None)
        if callable(follow):
            follow(task)

    # --- the palette's two questions -------------------------------------------------------------------

    async def discover(self) -> Hits:
        for command in self.commands:
            yield DiscoveryHit(Content(command.title), command.run, text=command.title, help=Content(command.help))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self.commands:
            score, offsets = matcher.fuzzy_search.match(matcher.query, command.title)
            if not score:
                continue
            # matcher.highlight() would parse the title as markup: highlight plain Content instead.
            title = Content(command.title)
            for offset in offsets:
                title = title.stylize(matcher.match_style, offset, offset + 1)
            yield Hit(score, title, command.run, text=command.title, help=Content(command.help))
