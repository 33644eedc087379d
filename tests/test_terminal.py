"""What the full-screen planner decides about its terminal (planner.terminal): the colour mode from
TERM, COLORTERM, NO_COLOR, LC_TERMINAL, PLANNER_COLOR and --color; the glyph set; when it refuses to
start; and the practices' colours in each mode."""

from __future__ import annotations

import pytest

from planner.terminal import (
    ASCII,
    UNICODE,
    color_mode,
    decide,
    full_screen_refusal,
    practice_colours,
    textual_environment,
)


@pytest.mark.parametrize(("environ", "option", "expected"), [
    # What TERM says, as OpenSSH forwards it (no COLORTERM).
    ({"TERM": "xterm"}, None, "16"),
    ({"TERM": "linux"}, None, "16"),
    ({"TERM": "screen"}, None, "16"),
    ({"TERM": "xterm-256color"}, None, "256"),
    ({"TERM": "tmux-256color"}, None, "256"),
    ({"TERM": "xterm-direct"}, None, "truecolor"),
    ({"TERM": "alacritty-direct"}, None, "truecolor"),
    ({"TERM": "xterm-kitty"}, None, "truecolor"),
    ({"TERM": "xterm-ghostty"}, None, "truecolor"),
    ({"TERM": "alacritty"}, None, "truecolor"),
    ({"TERM": "foot"}, None, "truecolor"),
    ({"TERM": "wezterm"}, None, "truecolor"),
    ({"TERM": "xterm-256color", "LC_TERMINAL": "iTerm2"}, None, "truecolor"),
    ({"TERM": "dumb"}, None, "none"),
    ({"TERM": "unknown"}, None, "none"),
    ({}, None, "16"),
    # COLORTERM, when it arrives.
    ({"TERM": "xterm-256color", "COLORTERM": "truecolor"}, None, "truecolor"),
    ({"TERM": "xterm", "COLORTERM": "24bit"}, None, "truecolor"),
    ({"TERM": "xterm-256color", "COLORTERM": "yes"}, None, "256"),
    # NO_COLOR (any value but ""), over what the terminal could do.
    ({"TERM": "xterm-kitty", "COLORTERM": "truecolor", "NO_COLOR": "1"}, None, "none"),
    ({"TERM": "xterm-256color", "NO_COLOR": ""}, None, "256"),
    # Textual's own variable, as before.
    ({"TERM": "xterm", "TEXTUAL_COLOR_SYSTEM": "truecolor"}, None, "truecolor"),
    ({"TERM": "xterm-256color", "COLORTERM": "truecolor", "TEXTUAL_COLOR_SYSTEM": "standard"}, None, "16"),
    ({"TERM": "xterm", "TEXTUAL_COLOR_SYSTEM": "auto"}, None, "16"),
    # PLANNER_COLOR, over NO_COLOR and the terminal; --color over everything.
    ({"TERM": "xterm", "PLANNER_COLOR": "256"}, None, "256"),
    ({"TERM": "xterm", "PLANNER_COLOR": "truecolor", "NO_COLOR": "1"}, None, "truecolor"),
    ({"TERM": "xterm-256color", "PLANNER_COLOR": "auto"}, None, "256"),
    ({"TERM": "xterm-256color", "PLANNER_COLOR": "lots"}, None, "256"),
    ({"TERM": "xterm", "PLANNER_COLOR": "none"}, "truecolor", "truecolor"),
    ({"TERM": "xterm-kitty", "COLORTERM": "truecolor"}, "16", "16"),
    ({"TERM": "xterm-kitty", "NO_COLOR": "1"}, "auto", "none"),
    ({"TERM": "xterm"}, "none", "none"),
])
def test_the_colour_mode(environ: dict[str, str], option: str | None, expected: str) -> None:
    mode, reason = color_mode(environ, option)
    assert mode == expected
    assert reason  # the help screen says why


def test_the_reason_names_what_decided() -> None:
    assert color_mode({"TERM": "xterm-kitty"})[1] == "TERM=xterm-kitty"
    assert color_mode({"TERM": "xterm", "NO_COLOR": "1"})[1] == "NO_COLOR is set"
    assert color_mode({"TERM": "xterm"}, "256")[1] == "--color 256"
    assert color_mode({"PLANNER_COLOR": "16"})[1] == "PLANNER_COLOR=16"


def test_an_unknown_option_value_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown colour mode"):
        color_mode({}, "rainbow")


@pytest.mark.parametrize(("term", "glyphs"), [("linux", ASCII), ("linux-16color", ASCII), ("vt100", ASCII),
                                              ("xterm-256color", UNICODE), ("xterm", UNICODE), ("", UNICODE)])
def test_the_linux_console_gets_ascii_glyphs(term: str, glyphs: object) -> None:
    assert decide({"TERM": term}).glyphs is glyphs


def test_mouse_and_low_bandwidth_come_from_the_options() -> None:
    terminal = decide({"TERM": "xterm-256color"}, mouse=False, low_bandwidth=True)
    assert not terminal.mouse and not terminal.animations
    assert "no mouse" in terminal.describe() and "low bandwidth" in terminal.describe()
    assert textual_environment(terminal) == {"TEXTUAL_COLOR_SYSTEM": "256", "TEXTUAL_ANIMATIONS": "none",
                                             "TEXTUAL_SMOOTH_SCROLL": "0"}
    assert decide({"TERM": "xterm-256color"}).mouse


@pytest.mark.parametrize(("mode", "system"), [("truecolor", "truecolor"), ("256", "256"), ("16", "standard"),
                                              ("none", "standard")])
def test_textual_never_draws_above_the_mode(mode: str, system: str) -> None:
    assert textual_environment(decide({}, color=mode))["TEXTUAL_COLOR_SYSTEM"] == system


def test_no_terminal_or_a_dumb_one_gets_no_full_screen() -> None:
    no_tty = full_screen_refusal({"TERM": "xterm"}, stdin_tty=False, stdout_tty=True)
    assert no_tty is not None and "ssh -t" in no_tty and "planner week" in no_tty and "\n" not in no_tty
    assert full_screen_refusal({"TERM": "xterm"}, stdin_tty=True, stdout_tty=False) == no_tty
    dumb = full_screen_refusal({"TERM": "dumb"}, stdin_tty=True, stdout_tty=True)
    assert dumb is not None and "TERM=dumb" in dumb and "planner list" in dumb
    assert full_screen_refusal({"TERM": "xterm-256color"}, stdin_tty=True, stdout_tty=True) is None
    assert full_screen_refusal({"TERM": "linux"}, stdin_tty=True, stdout_tty=True) is None


BUILT_IN_COLOURS = [("skills", "#2f7be0"), ("change", "#9b5de5"), ("initiative", "#c4620a"),
                    ("relationships", "#1f8a4c"), ("proactive", "#d1382e"), ("feedback", "#c93480"),
                    ("learning", "#0b8196")]


@pytest.mark.parametrize("mode", ["truecolor", "256", "16"])
def test_each_practice_keeps_its_own_colour_in_every_mode(mode: str) -> None:
    colours = practice_colours(BUILT_IN_COLOURS, mode)
    assert list(colours) == [practice_id for practice_id, _ in BUILT_IN_COLOURS]
    assert len(set(colours.values())) == len(BUILT_IN_COLOURS)


def test_practice_colours_in_16_colours_follow_the_hue() -> None:
    colours = practice_colours(BUILT_IN_COLOURS, "16")
    assert colours["proactive"] == "ansi_red" and colours["relationships"] == "ansi_green"
    assert colours["learning"] == "ansi_cyan" and colours["skills"] == "ansi_blue"
    assert colours["initiative"] == "ansi_yellow"  # orange: red is taken by the redder practice


def test_practice_colours_in_256_are_drawn_as_they_are() -> None:
    # Each is a colour of the 6x6x6 cube, so Rich sends exactly its number.
    from rich.color import Color, ColorSystem

    numbers = {Color.parse(value).downgrade(ColorSystem.EIGHT_BIT).number
               for value in practice_colours(BUILT_IN_COLOURS, "256").values()}
    assert len(numbers) == len(BUILT_IN_COLOURS)


def test_on_the_linux_console_practices_keep_to_the_plain_backgrounds() -> None:
    colours = practice_colours(BUILT_IN_COLOURS, "16", bright=False)
    assert len(set(colours.values())) == len(BUILT_IN_COLOURS)
    assert not any("bright" in colour for colour in colours.values())
    assert not decide({"TERM": "linux"}).bright_backgrounds and decide({"TERM": "xterm"}).bright_backgrounds


def test_without_colour_practices_have_none() -> None:
    assert set(practice_colours(BUILT_IN_COLOURS, "none").values()) == {""}


def test_more_practices_than_colours_still_get_one_each() -> None:
    many = [(f"p{index}", "#2f7be0") for index in range(20)]
    colours = practice_colours(many, "16")
    assert len(colours) == 20 and len(set(colours.values())) == 14  # every ANSI colour once, then again
