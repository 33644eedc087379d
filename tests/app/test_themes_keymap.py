"""Themes and keymap in the running app: switching, saving, falling back, remapping, colour depth."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from textual.color import Color
from textual.widgets import Input, OptionList, Select
from planner.app.widgets.footer import PlannerFooter
from textual.widgets._toast import Toast

from planner.app.app import PlannerApp
from planner.app.dialogs.task_form import TaskForm
from planner.app.themes import BUILTIN_ORDER, NO_COLOR_THEME
from planner.config import config_dir
from planner.terminal import decide
from planner.session import Session
from planner.store import PlanStore


def write_config(text: str) -> Path:
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(text, encoding="utf-8")
    return folder / "config.toml"


def write_user_theme(name: str, text: str) -> Path:
    folder = config_dir() / "themes"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def saved_config() -> dict:
    path = config_dir() / "config.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def notices(app: PlannerApp) -> list[str]:
    return [f"{notification.title}: {notification.message}" for notification in app._notifications]


def toasts(app: PlannerApp) -> list[str]:
    """The notices as the screen shows them."""
    return [toast.render().plain for toast in app.screen.query(Toast)]


def screen_background(app: PlannerApp) -> Color:
    return app.screen.styles.background


def new_app(plans: Path, colors: str | None = None) -> PlannerApp:
    """An app; with `colors`, as in a terminal of that colour mode (planner.terminal)."""
    terminal = decide({"TERM": "xterm"}, color=colors) if colors else None
    return PlannerApp(Session(plans), watch=False, terminal=terminal)


@pytest.fixture(autouse=True)
def true_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever terminal runs the tests, the app is not told to draw with fewer colours."""
    monkeypatch.delenv("TEXTUAL_COLOR_SYSTEM", raising=False)


# --- themes --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_ctrl_t_switches_theme_and_config_toml_records_it(plans: Path, size: tuple[int, int]) -> None:
    app = new_app(plans)
    async with app.run_test(size=size, notifications=True) as pilot:
        await pilot.pause()
        assert app.theme == "planner-dark"
        assert screen_background(app) == Color.parse("#16191F")
        assert saved_config() == {}  # starting is not choosing: nothing is written

        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.theme == "planner-light"
        assert screen_background(app) == Color.parse("#F6F7F9")
        assert "Theme: planner-light" in toasts(app)
        assert saved_config() == {"theme": "planner-light"}

        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.theme == "planner-high-contrast"
        assert screen_background(app) == Color(0, 0, 0)
        assert saved_config() == {"theme": "planner-high-contrast"}


async def test_ctrl_t_visits_every_planner_theme_and_comes_back(plans: Path) -> None:
    write_user_theme("mine.toml", 'name = "mine"\nprimary = "#aa3366"\n')
    app = new_app(plans)
    cycled = [name for name in BUILTIN_ORDER if name != NO_COLOR_THEME]  # that one only without colour
    async with app.run_test(size=(80, 24)) as pilot:
        seen = [app.theme]
        for _ in range(len(cycled) + 1):
            await pilot.press("ctrl+t")
            await pilot.pause()
            seen.append(app.theme)
    assert seen == [*cycled, "mine", "planner-dark"]
    assert saved_config()["theme"] == "planner-dark"


async def test_a_new_app_starts_with_the_saved_theme(plans: Path) -> None:
    app = new_app(plans)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+t", "ctrl+t")
        await pilot.pause()
    assert saved_config() == {"theme": "planner-high-contrast"}

    again = new_app(plans)
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.theme == "planner-high-contrast"
        assert screen_background(again) == Color(0, 0, 0)
        assert not notices(again)


async def test_a_theme_chosen_in_textuals_picker_is_saved_too(plans: Path) -> None:
    write_config('plans = "elsewhere"\n')  # other settings survive the save
    app = new_app(plans)
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = "nord"  # what the command palette's theme picker does
        await pilot.pause()
    assert saved_config() == {"plans": "elsewhere", "theme": "nord"}


async def test_the_theme_picker_in_the_command_palette_saves_the_choice(plans: Path) -> None:
    app = new_app(plans)
    async with app.run_test(size=(120, 40)) as pilot:
        app.action_change_theme()
        await pilot.pause()
        await pilot.press(*"planner-light")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "planner-light"
    assert saved_config() == {"theme": "planner-light"}


async def test_a_user_theme_is_offered_and_can_be_saved(plans: Path) -> None:
    write_user_theme("sunset.toml", 'primary = "#ff8800"\nbackground = "#201008"\n')
    write_config('theme = "sunset"\n')
    app = new_app(plans)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "sunset"
        assert screen_background(app) == Color.parse("#201008")
        assert "sunset" in app.theme_chooser.names


async def test_a_broken_user_theme_falls_back_to_planner_dark_with_a_notice_naming_the_file(plans: Path) -> None:
    broken = write_user_theme("[b]mine.toml", 'name = "mine"\nprimary = "not a colour"\n')
    write_config('theme = "mine"\n')
    app = new_app(plans)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert app.theme == "planner-dark"
        assert screen_background(app) == Color.parse("#16191F")
        shown = "\n".join(toasts(app))
        # The file name is shown as it is: "[b]" is not taken for markup.
        assert str(broken) in shown and "'not a colour' is not a colour" in shown
        assert "no theme named 'mine'; using planner-dark" in shown
        assert all(not notification.markup for notification in app._notifications)
    assert saved_config() == {"theme": "mine"}  # kept: fixing the file brings it back


async def test_an_unknown_saved_theme_falls_back_with_a_notice(plans: Path) -> None:
    write_config('theme = "gone"\n')
    app = new_app(plans)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "planner-dark"
        assert any("no theme named 'gone'" in notice for notice in notices(app))


async def test_a_theme_that_is_not_a_name_falls_back_with_a_notice(plans: Path) -> None:
    write_config("theme = 3\n")
    app = new_app(plans)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "planner-dark"
        assert any("theme must be a theme name" in notice for notice in notices(app))


# --- colour depth --------------------------------------------------------------------------------------


async def test_a_16_colour_terminal_starts_with_planner_ansi_and_keeps_the_saved_choice(plans: Path) -> None:
    write_config('theme = "planner-light"\n')
    app = new_app(plans, "16")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert app.theme == "planner-ansi"
        assert app.current_theme.ansi
        assert screen_background(app).ansi == -1  # the terminal's own background
        assert notices(app) == []  # no notice at every start: the help screen says it
        await pilot.press("question_mark")
        await pilot.pause()
        shown = " ".join(app.screen.query_one("#bindings").render().plain.split())
        assert "Terminal: 16 colours (--color 16)" in shown
        assert "Theme: planner-ansi (for this terminal; your theme planner-light is kept" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert saved_config() == {"theme": "planner-light"}

        await pilot.press("ctrl+t")  # a choice made in that terminal is the user's and is saved
        await pilot.pause()
        assert app.theme == "planner-dark"
    assert saved_config() == {"theme": "planner-dark"}


async def test_a_256_colour_terminal_keeps_the_users_theme(plans: Path) -> None:
    write_config('theme = "planner-light"\n')
    app = new_app(plans, "256")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "planner-light"  # drawn in the nearest of the 256 colours
        assert notices(app) == []
    assert saved_config() == {"theme": "planner-light"}


async def test_on_a_slow_link_the_text_cursor_does_not_blink(plans: Path) -> None:
    terminal = decide({"TERM": "xterm-256color"}, low_bandwidth=True)
    app = PlannerApp(Session(plans), watch=False, terminal=terminal)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        title = app.screen.query_one("#title", Input)
        assert title.has_focus and title.cursor_blink is False


async def test_without_colour_the_cursor_is_reverse(plans: Path) -> None:
    from planner.app.widgets.task_list import TaskList

    app = new_app(plans, "none")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "planner-no-color" and app.no_color
        focused = app.focused
        assert isinstance(focused, TaskList)
        assert focused.get_component_styles("task-list--cursor").text_style.reverse
        await pilot.press("n")  # a focused field is underlined, as no colour can mark it
        await pilot.pause()
        form = app.screen
        title, day = form.query_one("#title", Input), form.query_one("#day", Input)
        assert title.has_focus and title.styles.text_style.underline
        assert not day.styles.text_style.underline
        await pilot.press("tab")  # the practice list
        await pilot.pause()
        assert not title.styles.text_style.underline
        assert form.query_one("#practice SelectCurrent").styles.text_style.underline
    assert saved_config() == {}


async def test_an_ansi_theme_chosen_by_the_user_is_kept_in_16_colours(plans: Path) -> None:
    write_config('theme = "ansi-light"\n')
    app = new_app(plans, "16")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "ansi-light"
        assert notices(app) == []


# --- keymap --------------------------------------------------------------------------------------------


async def test_a_keymap_makes_a_open_the_new_task_form_and_n_no_longer(plans: Path, store: PlanStore) -> None:
    write_config('[keymap]\n"board.new" = "a"\n')
    app = new_app(plans)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert notices(app) == []
        footer = app.screen.query_one(PlannerFooter).render().plain
        assert " aNew " in f" {footer}" and "nNew" not in footer  # the footer tells the new key

        await pilot.press("n")
        await pilot.pause()
        assert not isinstance(app.screen, TaskForm)

        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, TaskForm)
        assert app.screen.query_one("#title", Input).has_focus
        await pilot.press(*"Remapped task", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, TaskForm)
    [task] = [task for task in app.tasks.values() if task.title == "Remapped task"]
    on_disk = store.read_task(task.id)
    assert on_disk.title == "Remapped task"


async def test_a_keymap_remaps_an_app_binding(plans: Path) -> None:
    write_config('[keymap]\n"app.theme" = "f9"\n')
    app = new_app(plans)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        assert app.theme == "planner-light"
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.theme == "planner-light"
    assert saved_config()["theme"] == "planner-light"


async def test_an_unknown_binding_id_gives_a_warning_notice(plans: Path) -> None:
    write_config('[keymap]\n"board.nwe" = "a"\n"[b]x" = "z"\n"board.edit" = "E"\n')
    app = new_app(plans)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        [warning] = [n for n in app._notifications if n.title == "Keymap"]
        assert warning.severity == "warning" and not warning.markup
        assert "[b]x, board.nwe" in warning.message and "board.edit" not in warning.message
        assert any("[b]x, board.nwe" in text for text in toasts(app))
        await pilot.press("n")  # the known entry and the default keys still work
        await pilot.pause()
        assert isinstance(app.screen, TaskForm)


@pytest.mark.parametrize(("config", "complaint"), [
    ('keymap = "a"\n', "[keymap] must be a table"),
    ('[keymap]\n"board.new" = 3\n', "keymap.board.new must be keys in quotes"),
    ('[keymap]\n"board.new" = "a,,b"\n', "expected key names separated by commas"),
    ('[keymap]\n"board.new" = ["a"]\n', "keymap.board.new must be keys in quotes"),
])
async def test_a_malformed_keymap_is_a_notice_not_a_crash(plans: Path, config: str, complaint: str) -> None:
    write_config(config)
    app = new_app(plans)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert any(complaint in notice for notice in notices(app)), notices(app)
        await pilot.press("n")  # the default keys are in force
        await pilot.pause()
        assert isinstance(app.screen, TaskForm)


# --- focus in the ANSI theme ---------------------------------------------------------------------------


async def test_in_planner_ansi_the_focused_field_of_the_task_form_stands_out(plans: Path) -> None:
    app = new_app(plans, "16")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "planner-ansi"
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        title, day = form.query_one("#title", Input), form.query_one("#day", Input)
        assert title.has_focus and title.value == ""
        assert title.styles.background.ansi == 8  # the terminal's bright black
        assert day.styles.background != title.styles.background
        await pilot.press("tab")  # the practice list
        await pilot.pause()
        assert title.styles.background == day.styles.background
        assert form.query_one("#practice SelectCurrent").styles.background.ansi == 8


async def test_tab_to_the_templates_highlights_the_first_one(app: PlannerApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        form.query_one("#practice", Select).value = "skills"
        form.query_one("#repeat", Input).focus()  # the field before the templates
        await pilot.pause()
        templates = form.query_one("#templates", OptionList)
        assert templates.highlighted is None  # not highlighted while another field has the focus
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is templates and templates.highlighted == 0
