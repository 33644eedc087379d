"""A list of choices, each on or off: `[x] 1  Title` / `[ ] 2  Title`.

Space, a click or an item's number (1-9) toggles it and posts `Toggled`. Enter is left to the screen,
which takes it as "done choosing": a list where Enter also acted on an item would act twice when a
person only meant to go on. An item can be `fixed`: shown chosen, and not to be unchosen (something
already made from it); toggling one posts `Refused` so the screen can say why.

Labels are Content, never markup: they are often a plugin's or the user's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

#: Items beyond this have no number key; space and the arrows still reach them.
NUMBERED = 9


@dataclass(frozen=True)
class ToggleItem:
    id: str
    label: Content
    #: Shown chosen and cannot be unchosen.
    fixed: bool = False


class ToggleList(OptionList):
    DEFAULT_CSS = """
    ToggleList { height: auto; }
    """
    BINDINGS = [
        Binding("space", "toggle_highlighted", "Choose", show=False, id="toggles.toggle"),
        *(Binding(str(number), f"toggle_number({number})", f"Choose {number}", show=False,
                  id=f"toggles.{number}") for number in range(1, NUMBERED + 1)),
    ]

    class Toggled(Message):
        """An item was chosen or unchosen."""

        def __init__(self, toggle_list: ToggleList, item_id: str, chosen: bool) -> None:
            super().__init__()
            self.toggle_list = toggle_list
            self.item_id = item_id
            self.chosen = chosen

        @property
        def control(self) -> ToggleList:
            return self.toggle_list

    class Refused(Message):
        """A fixed item was toggled: it stays chosen."""

        def __init__(self, toggle_list: ToggleList, item_id: str) -> None:
            super().__init__()
            self.toggle_list = toggle_list
            self.item_id = item_id

        @property
        def control(self) -> ToggleList:
            return self.toggle_list

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, markup=False)
        self.items: list[ToggleItem] = []
        self._chosen: set[str] = set()

    # --- what is shown ---------------------------------------------------------------------------

    def set_items(self, items: Iterable[ToggleItem], chosen: Iterable[str] = ()) -> None:
        """Show `items`, those in `chosen` (and the fixed ones) ticked; the cursor stays where it was."""
        highlighted = self.highlighted or 0
        self.items = list(items)
        ids = {item.id for item in self.items}
        self._chosen = {item_id for item_id in chosen if item_id in ids}
        self.set_options(Option(self._prompt(number, item), id=item.id)
                         for number, item in enumerate(self.items, 1))
        if self.items:
            self.highlighted = min(highlighted, len(self.items) - 1)

    @property
    def chosen(self) -> list[str]:
        """The ids of the chosen items, fixed ones included, in list order."""
        return [item.id for item in self.items if self.is_chosen(item)]

    def is_chosen(self, item: ToggleItem) -> bool:
        return item.fixed or item.id in self._chosen

    def _prompt(self, number: int, item: ToggleItem) -> Content:
        # The state is in the text ([x] / [ ]), not in colour alone.
        mark = ("[x]", "bold $text-success") if self.is_chosen(item) else ("[ ]", "")
        key = f"{number}" if number <= NUMBERED else " "
        prefix = Content.assemble(mark, " ", (key, "bold"), "  ")
        # A long label wraps under itself, so the marks stay a column (0 before the first layout).
        room = self.scrollable_content_region.width - prefix.cell_length
        if room < 12:
            return prefix + item.label
        indent = " " * prefix.cell_length
        return Content("\n").join(prefix + line if index == 0 else indent + line
                                  for index, line in enumerate(item.label.wrap(room)))

    def on_resize(self) -> None:
        for index, item in enumerate(self.items):
            self.replace_option_prompt_at_index(index, self._prompt(index + 1, item))

    # --- toggling --------------------------------------------------------------------------------

    def toggle(self, index: int) -> None:
        if not 0 <= index < len(self.items):
            return
        item = self.items[index]
        self.highlighted = index
        if item.fixed:
            self.post_message(self.Refused(self, item.id))
            return
        chosen = item.id not in self._chosen
        if chosen:
            self._chosen.add(item.id)
        else:
            self._chosen.discard(item.id)
        self.replace_option_prompt_at_index(index, self._prompt(index + 1, item))
        self.post_message(self.Toggled(self, item.id, chosen))

    def action_toggle_highlighted(self) -> None:
        if self.highlighted is not None:
            self.toggle(self.highlighted)

    def action_toggle_number(self, number: int) -> None:
        self.toggle(number - 1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # OptionList's Enter ("select") is off: Enter belongs to the screen (see the module's doc).
        return action != "select"

    async def _on_click(self, event: events.Click) -> None:
        event.prevent_default()  # not OptionList's click, which selects
        index = event.style.meta.get("option")
        if index is not None:
            self.toggle(index)
