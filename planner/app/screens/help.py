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
        """One row per action of the screen below: every key that does it (after the keymap)."""
        stack = self.app.screen_stack
        below = stack[-2] if len(stack) > 1 else None
        rows: dict[tuple[int, str], tuple[list[str], str]] = {}
        if below is not None:
            for key, active in below.active_bindings.items():
                binding = active.binding
                # Ours all have ids; Textual's generic ones (focus next, copy) would only add noise.
                if not binding.description or binding.id is None:
                    continue
                node = active.node
                group = 0 if node is below else 2 if node is self.app else 1
                keys, _ = rows.setdefault((group, binding.action), ([], binding.description))
                shown = describe_key(key, self.app)
                if shown not in keys:
                    keys.append(shown)
        lines = [Content("Keys").stylize("bold"), Content("")]
        for (group, _), (keys, description) in sorted(rows.items(), key=lambda item: item[0][0]):
            lines.append(Content.assemble((f"{' '.join(keys):>16}", "bold"), "  ", description))
        lines += [Content(""), Content("Arrows move the cursor; Esc closes a dialog.").stylize("dim"),
                  Content("ctrl+p opens the command palette: every action, by name.").stylize("dim"),
                  Content(""), Content(self.app.theme_chooser.describe()).stylize("dim")]
        return Content("\n").join(lines)
