"""The toggle list on its own: space, numbers and clicks toggle; Enter is left to the screen; a fixed
item stays chosen; labels are text, never markup."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.content import Content

from planner.app.widgets.toggle_list import ToggleItem, ToggleList

ITEMS = [ToggleItem("a", Content("[b]Alpha[/b]")), ToggleItem("b", Content("Beta")),
         ToggleItem("c", Content("Gamma, made already"), fixed=True)]


class ToggleApp(App[None]):
    BINDINGS = [Binding("enter", "done", "Done")]

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[tuple[str, str, bool]] = []
        self.done = 0

    def compose(self) -> ComposeResult:
        yield ToggleList(id="choices")

    def on_mount(self) -> None:
        listing = self.query_one(ToggleList)
        listing.set_items(ITEMS, chosen=["b", "not-an-item"])
        listing.focus()

    def action_done(self) -> None:
        self.done += 1

    def on_toggle_list_toggled(self, message: ToggleList.Toggled) -> None:
        self.messages.append(("toggled", message.item_id, message.chosen))

    def on_toggle_list_refused(self, message: ToggleList.Refused) -> None:
        self.messages.append(("refused", message.item_id, True))


def lines(listing: ToggleList) -> list[str]:
    return [listing.get_option_at_index(index).prompt.plain for index in range(listing.option_count)]


async def test_keys_and_clicks_toggle_and_enter_is_left_to_the_screen() -> None:
    app = ToggleApp()
    async with app.run_test(size=(60, 10)) as pilot:
        listing = app.query_one(ToggleList)
        assert lines(listing) == ["[ ] 1  [b]Alpha[/b]", "[x] 2  Beta", "[x] 3  Gamma, made already"]
        assert listing.chosen == ["b", "c"]
        await pilot.press("space", "2", "3")
        await pilot.pause()
        assert app.messages == [("toggled", "a", True), ("toggled", "b", False), ("refused", "c", True)]
        assert lines(listing) == ["[x] 1  [b]Alpha[/b]", "[ ] 2  Beta", "[x] 3  Gamma, made already"]
        assert listing.chosen == ["a", "c"]
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert app.done == 2 and listing.chosen == ["a", "c"]  # Enter toggled nothing
        await pilot.click(ToggleList, offset=(4, 2))  # the second item's line, under the border
        await pilot.pause()
        assert app.messages[-1] == ("toggled", "b", True) and listing.chosen == ["a", "b", "c"]
        assert listing.highlighted == 1


async def test_a_long_label_wraps_under_itself() -> None:
    app = ToggleApp()
    async with app.run_test(size=(30, 10)) as pilot:
        listing = app.query_one(ToggleList)
        listing.set_items([ToggleItem("long", Content("A template title long enough to wrap twice over"))])
        await pilot.pause()
        [text] = lines(listing)
        first, *rest = text.splitlines()
        assert first.startswith("[ ] 1  A template") and rest
        assert all(line.startswith(" " * 7) and line.strip() for line in rest)
