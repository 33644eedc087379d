"""The key bar at the bottom: the screen's keys in one line, drawn as one widget.

Textual's Footer mounts a widget per key and rebuilds them all whenever the focus moves; that was a
sixth of the board's start-up and a full repaint in the middle of moving a card. This one keeps the
same look (the theme's footer colours, groups such as "[] Week", the command palette key on the
right), redraws only when the keys it shows change, and a click on a key presses it.
"""

from __future__ import annotations

from itertools import groupby

from textual import events
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget

#: (key to press, what the key bar shows for it, its description, enabled)
Shown = tuple[str, str, str, bool]


class PlannerFooter(Widget):
    DEFAULT_CSS = """
    PlannerFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .footer--key { color: $footer-key-foreground; background: $footer-key-background; text-style: bold; }
        & > .footer--description { color: $footer-description-foreground; background: $footer-description-background; }
        & > .footer--disabled { color: $text-disabled; }
    }
    """
    COMPONENT_CLASSES = {"footer--key", "footer--description", "footer--disabled"}

    def __init__(self) -> None:
        super().__init__()
        self._keys: tuple[tuple[str, list[Shown]], ...] = ()
        self._palette: Shown | None = None
        #: Where each key was drawn: (first cell, cell after the last, key to press).
        self._spots: list[tuple[int, int, str]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def bindings_changed(self, screen: Screen) -> None:
        if screen is not self.screen:
            return
        app = self.app
        active = screen.active_bindings
        first_per_action: dict[str, tuple] = {}
        for _, binding, enabled, _ in active.values():
            if binding.show:
                first_per_action.setdefault(binding.action, (binding, enabled))
        keys = []
        for group, members in groupby(first_per_action.values(), lambda item: item[0].group):
            members = list(members)
            shown = [(binding.key, app.get_key_display(binding), binding.description, enabled)
                     for binding, enabled in members]
            if group is not None and len(members) > 1:
                keys.append((group.description, shown))
            else:
                keys += [("", [key]) for key in shown]
        palette = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _, binding, enabled, _ = active[app.COMMAND_PALETTE_BINDING]
            palette = (binding.key, app.get_key_display(binding), binding.description, enabled)
        if (tuple(keys), palette) != (self._keys, self._palette):
            self._keys, self._palette = tuple(keys), palette
            self.refresh()

    def render(self) -> Content:
        key_style = self.get_visual_style("footer--key")
        description_style = self.get_visual_style("footer--description")
        disabled_style = self.get_visual_style("footer--disabled")
        parts: list[tuple[str, object]] = []
        spots: list[tuple[int, int, str]] = []
        x = 0

        def add(text: str, style: object, key: str | None = None) -> None:
            nonlocal x
            parts.append((text, style))
            if key is not None:
                spots.append((x, x + len(text), key))
            x += len(text)

        def described(display: str, description: str) -> str:
            # "nNew", but "space Enable": a longer key name needs a gap to be read.
            return f" {description}" if len(display) > 1 else description

        for label, members in self._keys:
            for key, display, description, enabled in members:
                add(display, key_style if enabled else disabled_style, key)
                if not label:
                    add(described(display, description), description_style if enabled else disabled_style, key)
                    add(" ", "")
            if label:
                add(f" {label}", description_style)
                add(" ", "")
        if self._palette is not None:
            key, display, description, enabled = self._palette
            room = self.size.width - x - len(display) - len(described(display, description))
            if room > 0:
                add(" " * room, "")
                add(display, key_style, key)
                add(described(display, description), description_style, key)
        self._spots = spots
        return Content.assemble(*parts)

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spots:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
