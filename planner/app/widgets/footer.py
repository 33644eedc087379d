"""The key bar at the bottom: compact, and rebuilt only when the keys it would show change.

Textual's Footer rebuilds itself on every focus change. On the board, moving a card moves the focus
to the next column, with the very same keys, and the rebuild cost a full-screen layout and repaint
in the middle of the move. (The user's keymap is set before the first screen is built, so the keys
read here are already the final ones.)
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class PlannerFooter(Footer):
    def __init__(self) -> None:
        super().__init__(compact=True)
        self._keys_shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        shown = tuple(
            (key, binding.key, binding.action, binding.description, enabled)
            for key, (_, binding, enabled, _) in screen.active_bindings.items()
            if binding.show
        )
        if shown == self._keys_shown and self._bindings_ready:
            return
        self._keys_shown = shown
        super().bindings_changed(screen)
