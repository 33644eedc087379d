"""The user's key remapping: `[keymap]` in config.toml maps binding ids to keys.

    [keymap]
    "board.new" = "a"             # a opens the new-task form; n no longer does
    "app.quit" = "ctrl+q"
    "board.move_right" = "L,shift+right"   # several keys: comma-separated

Every Binding in the app has an id such as board.new; Textual's App.set_keymap swaps the keys of the
bindings whose id the keymap names. A value that is not a key string is left out with a notice, and
ids no binding has are named in a warning (a typo would otherwise silently do nothing); neither stops
the app.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import TYPE_CHECKING, Any, Iterable

from textual.binding import Binding
from textual.dom import DOMNode

if TYPE_CHECKING:
    from textual.app import App

    from planner.app.app import PlannerApp

#: Where the planner's screens, dialogs and widgets live; their BINDINGS hold the ids a keymap may name.
APP_PACKAGE = "planner.app"


def keymap_from_config(value: Any) -> tuple[dict[str, str], list[str]]:
    """The usable entries of a `[keymap]` value, and a sentence for each one left out."""
    if value is None:
        return {}, []
    if not isinstance(value, dict):
        return {}, ['[keymap] must be a table of "binding.id" = "keys"; it is ignored']
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, keys in value.items():
        if not isinstance(keys, str):
            problems.append(f'keymap.{binding_id} must be keys in quotes such as "a" or "ctrl+n,a" '
                            f"(got {keys!r})")
            continue
        names = [key.strip() for key in keys.split(",")]
        if not all(names) or any(" " in key for key in names):
            problems.append(f'keymap.{binding_id} = {keys!r}: expected key names separated by commas, '
                            'such as "a" or "ctrl+n,a"')
            continue
        keymap[binding_id] = ",".join(names)
    return keymap, problems


def binding_ids(classes: Iterable[type]) -> set[str]:
    """The ids of every Binding declared by `classes` and the classes they inherit from."""
    ids: set[str] = set()
    for cls in classes:
        for klass in inspect.getmro(cls):
            for binding in vars(klass).get("BINDINGS", ()):
                if isinstance(binding, Binding) and binding.id:
                    ids.add(binding.id)
    return ids


def planner_node_classes() -> list[type[DOMNode]]:
    """The screens, dialogs and widgets defined under planner.app, importing each module.

    A module that fails to import (a screen being written, a missing optional piece) is skipped: its
    binding ids then count as unknown, which costs a warning, not the app.
    """
    package = importlib.import_module(APP_PACKAGE)
    classes: list[type[DOMNode]] = []
    for module_info in pkgutil.walk_packages(package.__path__, f"{APP_PACKAGE}.", onerror=lambda name: None):
        try:
            module = importlib.import_module(module_info.name)
        except Exception:  # noqa: BLE001 - any import failure only means fewer known ids
            continue
        classes += [value for value in vars(module).values()
                    if inspect.isclass(value) and issubclass(value, DOMNode) and value.__module__ == module.__name__]
    return classes


def unknown_binding_ids(app: App, wanted: Iterable[str]) -> list[str]:
    """The ids in `wanted` that no binding of the app, its screens, dialogs or widgets has."""
    wanted = set(wanted)
    known = binding_ids([type(app)])
    if wanted <= known:
        return []  # only the app's own ids: no need to import every screen
    known |= binding_ids(planner_node_classes())
    return sorted(wanted - known)


def set_keymap_early(app: PlannerApp) -> None:
    """Set config.toml's [keymap] before any screen is built, so every key bar shows the final keys
    from its first frame (notices about it come later, from apply_keymap, once they can be shown)."""
    keymap, _ = keymap_from_config(app.session.config.raw.get("keymap"))
    if keymap:
        app.set_keymap(keymap)


def apply_keymap(app: PlannerApp) -> dict[str, str]:
    """Apply config.toml's [keymap] to the app, with notices for what was left out; returns the keymap."""
    config_file = app.session.config.folder / "config.toml"
    keymap, problems = keymap_from_config(app.session.config.raw.get("keymap"))
    for problem in problems:
        app.notify(f"{config_file}: {problem}", title="Keymap", severity="warning", markup=False, timeout=10)
    if not keymap:
        return keymap
    unknown = unknown_binding_ids(app, keymap)
    if unknown:
        app.notify(f"{config_file}: [keymap] names binding ids that do not exist: {', '.join(unknown)} "
                   "(a typo? ids look like board.new or app.quit)",
                   title="Keymap", severity="warning", markup=False, timeout=10)
    app.set_keymap(keymap)
    return keymap


def key_label(app: App, binding_id: str, shown: str) -> str:
    """How a key line names the key of `binding_id`: `shown` ("Enter", "^s"), or the user's own key
    when config.toml's [keymap] moved it. Text that names keys must name the keys that work."""
    # Textual keeps the keymap (binding id -> keys) in App._keymap and has no public getter.
    keys = getattr(app, "_keymap", {}).get(binding_id)
    return app.get_key_display(Binding(keys.split(",")[0].strip(), "")) if keys else shown
