"""Help: the key bindings in force right now (after the user's keymap), for the screen below."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


def describe_key(key: str, app) -> str:
    return app.get_key_display(Binding(key, ""))


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 72; max-width: 100%; height: 90%; border: thick $primary;
                                  background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self.bindings_table(), id="bindings")

    def bindings_table(self) -> Content:
        stack = self.app.screen_stack
        below = stack[-2] if len(stack) > 1 else None
        lines = [Content("Keys").stylize("bold"), Content("")]
        seen: set[tuple[str, str]] = set()
        if below is not None:
            # The screen's own keys first, then the focused widget's, then the app's everywhere-keys.
            def group(item) -> int:
                node = item[1].node
                return 0 if node is below else 2 if node is self.app else 1

            for key, active in sorted(below.active_bindings.items(), key=group):
                binding = active.binding
                if not binding.description or (binding.action, key) in seen:
                    continue
                seen.add((binding.action, key))
                lines.append(Content.assemble((f"{describe_key(key, self.app):>12}", "bold"), "  ",
                                              binding.description))
        lines += [Content(""), Content("ctrl+p opens the command palette: every action, by name.").stylize("dim")]
        return Content("\n").join(lines)
