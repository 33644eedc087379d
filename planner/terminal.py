"""What the terminal the full-screen planner runs in can show, decided once, in one place.

`decide()` turns the environment (TERM, COLORTERM, NO_COLOR, LC_TERMINAL, PLANNER_COLOR,
TEXTUAL_COLOR_SYSTEM) and the command line (--color, --no-mouse, --low-bandwidth) into a `Terminal`:
its colour mode, its glyph set, whether the mouse is used and whether anything animates. The app draws
with what it says and nothing else; the help screen says what was chosen and why.

Colour modes, from the most to the least:

    truecolor  24-bit colour: the user's theme as it is
    256        the user's theme, each colour drawn as the nearest of the 256 (never 24-bit codes)
    16         the planner-ansi theme: ANSI colour names the terminal's own palette draws
    none       no colour code at all: the terminal's default foreground and background, with bold,
               reverse and underline for what colour showed (focus, selection, badges, bars)

How a mode is chosen, the first rule that applies winning:

1. `--color MODE` (auto, truecolor, 256, 16, none);
2. `PLANNER_COLOR=MODE` in the environment (for an SSH ForceCommand or a shell profile);
3. `NO_COLOR` set to anything but "" (https://no-color.org): none;
4. `TEXTUAL_COLOR_SYSTEM` (truecolor, 256, standard), as Textual itself reads it;
5. `COLORTERM=truecolor` or `24bit`: truecolor;
6. a TERM known to be a true-colour terminal: `*-direct`, xterm-kitty, xterm-ghostty, alacritty, foot,
   wezterm; or `LC_TERMINAL=iTerm2`. OpenSSH forwards TERM (and LC_*) but not COLORTERM, so these
   keep true colour over SSH;
7. `TERM=dumb` or `unknown`: none; a TERM with `256color` in it: 256; any other: 16.

The Linux console (`TERM=linux`) gets an ASCII glyph set: its fonts have no eighth blocks, no `▕`
borders and no ✓ or ⚠. A dumb terminal, or no terminal at all (`ssh host planner` without -t, or
output piped), gets no full screen: `full_screen_refusal` says why, in one line, before anything is
drawn.

This module is part of the core: it imports neither Textual nor Rich.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass
from typing import Mapping, Sequence

COLOR_MODES = ("truecolor", "256", "16", "none")
#: The command line's choices: the modes, and auto (decide from the environment).
COLOR_CHOICES = ("auto", *COLOR_MODES)
COLOR_ENV = "PLANNER_COLOR"
#: TERM values of terminals that draw 24-bit colour whatever COLORTERM says (it does not cross SSH).
TRUECOLOR_TERMS = frozenset(("xterm-kitty", "xterm-ghostty", "ghostty", "alacritty", "foot", "foot-extra",
                             "wezterm", "contour", "iterm2"))
#: TERM values with no way to move the cursor: no full screen for them.
DUMB_TERMS = frozenset(("dumb",))
#: TERM values of consoles whose fonts hold little beyond ASCII.
ASCII_TERMS = frozenset(("linux", "vt100", "vt102", "vt220", "ansi", "cons25"))
_TEXTUAL_SYSTEMS = {"truecolor": "truecolor", "256": "256", "standard": "16", "windows": "16"}


@dataclass(frozen=True)
class Glyphs:
    """What the charts are drawn with, for one kind of terminal font. (Every other mark, a border, a
    ✓ or a …, is drawn as it is and, on an ASCII terminal, made ASCII on its way to the screen:
    planner.app.look.AsciiGlyphs. A chart needs a ramp of its own.)"""

    name: str
    #: A cell filled from one eighth to whole, bottom up (sparklines, vertical bars).
    blocks: str
    #: A cell filled from one eighth to seven eighths, left to right (horizontal bars); "": whole cells.
    partial: str
    full: str
    empty: str  # the unfilled part of a score bar
    no_score: str


UNICODE = Glyphs("unicode", blocks="▁▂▃▄▅▆▇█", partial="▏▎▍▌▋▊▉", full="█", empty="░", no_score="·")
ASCII = Glyphs("ascii", blocks="..--==##", partial="", full="#", empty="-", no_score=".")


@dataclass(frozen=True)
class Terminal:
    """What the app may send to this terminal, and why."""

    colors: str = "truecolor"
    #: Why this colour mode, in words for the help screen: "COLORTERM=truecolor", "--color 256" ...
    reason: str = "a true-colour terminal"
    glyphs: Glyphs = UNICODE
    mouse: bool = True
    #: False on a slow link (--low-bandwidth): no animations, no smooth scrolling.
    animations: bool = True
    term: str = ""
    #: False on the Linux console: its backgrounds are the 8 plain colours (bright ones blink or
    #: show plain), so practices are kept apart by those alone.
    bright_backgrounds: bool = True

    def describe(self) -> str:
        """One line for the help screen."""
        depth = {"truecolor": "true colour", "256": "256 colours", "16": "16 colours",
                 "none": "no colour"}[self.colors]
        parts = [f"{depth} ({self.reason})"]
        if self.glyphs is ASCII:
            parts.append("ASCII glyphs")
        if not self.mouse:
            parts.append("no mouse")
        if not self.animations:
            parts.append("low bandwidth")
        return ", ".join(parts)


#: What a headless app (tests, screenshots) is drawn as.
HEADLESS = Terminal(reason="headless")


def color_mode(environ: Mapping[str, str], option: str | None = None) -> tuple[str, str]:
    """The colour mode (one of COLOR_MODES) and why it was chosen (see the module's docstring)."""
    if option and option != "auto":
        return _mode(option, f"--color {option}")
    chosen = environ.get(COLOR_ENV, "").strip().lower()
    if chosen and chosen != "auto" and chosen in COLOR_MODES:
        return chosen, f"{COLOR_ENV}={chosen}"
    if environ.get("NO_COLOR", ""):
        return "none", "NO_COLOR is set"
    textual = environ.get("TEXTUAL_COLOR_SYSTEM", "").strip().lower()
    if textual in _TEXTUAL_SYSTEMS:
        return _TEXTUAL_SYSTEMS[textual], f"TEXTUAL_COLOR_SYSTEM={textual}"
    term = environ.get("TERM", "").strip().lower()
    colorterm = environ.get("COLORTERM", "").strip().lower()
    if colorterm in ("truecolor", "24bit"):
        return "truecolor", f"COLORTERM={colorterm}"
    if term.endswith("-direct") or term in TRUECOLOR_TERMS:
        return "truecolor", f"TERM={term}"
    if environ.get("LC_TERMINAL", "") == "iTerm2":
        return "truecolor", "LC_TERMINAL=iTerm2"
    if term in DUMB_TERMS or term == "unknown":
        return "none", f"TERM={term}"
    if "256color" in term:
        return "256", f"TERM={term}"
    return "16", f"TERM={term}" if term else "TERM is not set"


def _mode(value: str, reason: str) -> tuple[str, str]:
    if value not in COLOR_MODES:
        raise ValueError(f"unknown colour mode {value!r} (choose from {', '.join(COLOR_CHOICES)})")
    return value, reason


#: What the Linux console's fonts lack, as ASCII of the same width: Textual's borders (▕ ▔ ▊ and box
#: corners), its scrollbars (eighth blocks), and the marks the screens use (· … ⚠ ✓ • arrows).
#: Anything else (a title's é, an emoji) is the plan's text and is left as it is.
TO_ASCII = str.maketrans({
    **dict.fromkeys("▏▕▎▍▌▐▋▊▉│┃║╎╏┆┇┊┋", "|"),
    **dict.fromkeys("▔─━═╌╍┄┅┈┉", "-"),
    **dict.fromkeys("▁", "_"),
    **dict.fromkeys("▂▃░", "."),
    **dict.fromkeys("▒", ":"),
    **dict.fromkeys("┌┐└┘╭╮╰╯┏┓┗┛╔╗╚╝├┤┬┴┼┣┫┳┻╋╠╣╦╩╬▖▗▘▙▚▛▜▝▞▟", "+"),
    "·": "-", "•": "*", "…": "~", "⚠": "!", "✓": "+", "✔": "+", "✗": "x", "⟳": "*", "←": "<",
    "→": ">", "↑": "^", "↓": "v", "–": "-", "—": "-", "±": "+", "×": "x", "▸": ">", "▾": "v",
    "▶": ">", "▼": "v", "◀": "<", "▲": "^", "●": "*", "○": "o", "◆": "*", "★": "*", "↻": "@", "◂": "<",
    "⏎": "~",
})
#: Glyphs that fill most of a cell: a space in reverse draws the same block of colour.
SOLID = frozenset("█▀▄▅▆▇▓")


def ascii_text(text: str) -> str:
    """`text` with the glyphs an ASCII console lacks drawn in ASCII of the same width (a solid block as
    `#`): what the CLI prints on the Linux console. The app does the same on the screen
    (planner.app.look.AsciiGlyphs), where a solid block becomes a reversed space instead."""
    return text.translate(TO_ASCII).translate(_SOLID_AS_HASH)


_SOLID_AS_HASH = str.maketrans(dict.fromkeys(SOLID, "#"))


def wants_ascii(environ: Mapping[str, str]) -> bool:
    """Whether this TERM is a console whose fonts hold little beyond ASCII (the Linux console)."""
    term = environ.get("TERM", "").strip().lower()
    return term in ASCII_TERMS or term.startswith("linux")


def decide(environ: Mapping[str, str], *, color: str | None = None, mouse: bool = True,
           low_bandwidth: bool = False) -> Terminal:
    """Everything the app needs to know about its terminal, from the environment and the options."""
    colors, reason = color_mode(environ, color)
    term = environ.get("TERM", "").strip().lower()
    return Terminal(colors=colors, reason=reason, glyphs=ASCII if wants_ascii(environ) else UNICODE, mouse=mouse,
                    animations=not low_bandwidth, term=term, bright_backgrounds=not term.startswith("linux"))


def full_screen_refusal(environ: Mapping[str, str], *, stdin_tty: bool, stdout_tty: bool) -> str | None:
    """Why the full-screen planner cannot run here (one line), or None when it can."""
    if not (stdin_tty and stdout_tty):
        return ("the full-screen planner needs a terminal: over SSH run `ssh -t HOST planner`; in scripts and "
                "pipes use a command such as `planner week` or `planner list` (`planner --help` lists them)")
    term = environ.get("TERM", "").strip().lower()
    if term in DUMB_TERMS:
        return (f"this terminal (TERM={term}) cannot show the full-screen planner; use a command such as "
                "`planner week` or `planner list` (`planner --help` lists them), or set TERM to your "
                "terminal's type (e.g. TERM=xterm-256color)")
    return None


def textual_environment(terminal: Terminal) -> dict[str, str]:
    """The variables Textual reads when it is imported, so it draws what `terminal` allows: the colour
    system Rich downgrades to (none: 16, and the app strips even those), and no animation or smooth
    scrolling on a slow link."""
    system = {"truecolor": "truecolor", "256": "256", "16": "standard", "none": "standard"}[terminal.colors]
    variables = {"TEXTUAL_COLOR_SYSTEM": system}
    if not terminal.animations:
        variables |= {"TEXTUAL_ANIMATIONS": "none", "TEXTUAL_SMOOTH_SCROLL": "0"}
    return variables


# --- practice colours in each mode ----------------------------------------------------------------

#: xterm's 16 colours (as a reference: terminals differ); the ones a badge may sit on, by SGR background.
ANSI_COLOURS = {
    "ansi_red": "#cd0000", "ansi_green": "#00cd00", "ansi_yellow": "#cdcd00", "ansi_blue": "#0000ee",
    "ansi_magenta": "#cd00cd", "ansi_cyan": "#00cdcd", "ansi_bright_red": "#ff0000",
    "ansi_bright_green": "#00ff00", "ansi_bright_yellow": "#ffff00", "ansi_bright_blue": "#5c5cff",
    "ansi_bright_magenta": "#ff00ff", "ansi_bright_cyan": "#00ffff", "ansi_white": "#e5e5e5",
    "ansi_bright_black": "#7f7f7f",
}
_CUBE = (0, 95, 135, 175, 215, 255)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _distance(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    """How different two colours look, roughly (a weighted RGB distance)."""
    red = (first[0] + second[0]) / 2
    d_red, d_green, d_blue = (a - b for a, b in zip(first, second))
    return ((2 + red / 256) * d_red ** 2 + 4 * d_green ** 2 + (2 + (255 - red) / 256) * d_blue ** 2) ** 0.5


def _cube_colours() -> list[str]:
    """The 6x6x6 cube of the 256 colours, without its greys, as #rrggbb: each one Rich sends as
    exactly that colour's number when it downgrades to 256 colours."""
    colours = []
    for red in _CUBE:
        for green in _CUBE:
            for blue in _CUBE:
                _, _, saturation = colorsys.rgb_to_hls(red / 255, green / 255, blue / 255)
                if saturation >= 0.15 and len({red, green, blue}) > 1:
                    colours.append(f"#{red:02x}{green:02x}{blue:02x}")
    return colours


def practice_colours(colours: Sequence[tuple[str, str]], mode: str, *, bright: bool = True) -> dict[str, str]:
    """A colour for each practice (id, #rrggbb) that the mode draws as it is, different for each
    practice while the mode has colours enough. truecolor: the practice's own; 256: one of the cube's
    colours; 16: an ANSI colour name; none: "" (the badge is drawn in reverse, its label tells it).

    The closest pair of practice and free colour is matched first, then the next closest, so two
    practices that would round to the same colour do not share it: the one nearer to it keeps it and
    the other gets its next best. In 16 colours closeness is by hue, and a second practice in a hue
    already taken (its bright or plain twin) counts as far: orange and red become yellow and red
    rather than two reds. `bright=False` (the Linux console): 16 colours without the bright ones,
    whose backgrounds that console cannot show."""
    if mode == "truecolor":
        return dict(colours)
    if mode == "none":
        return {practice_id: "" for practice_id, _ in colours}
    if mode == "16":
        palette = {name: _rgb(value) for name, value in ANSI_COLOURS.items() if bright or "bright" not in name}
    else:
        palette = {value: _rgb(value) for value in _cube_colours()}
    wanted = {practice_id: _rgb(colour) for practice_id, colour in colours}
    order = {practice_id: index for index, (practice_id, _) in enumerate(colours)}
    chosen: dict[str, str] = {}
    families: set[str] = set()
    while len(chosen) < len(wanted):
        free = [name for name in palette if name not in chosen.values()] or list(palette)
        cost, _, practice_id, name = min(
            (_cost(name, palette[name], wanted[practice_id], mode, _family(name) in families), order[practice_id],
             practice_id, name)
            for practice_id in wanted if practice_id not in chosen for name in free)
        chosen[practice_id] = name
        families.add(_family(name))
    return {practice_id: chosen[practice_id] for practice_id, _ in colours}


def _family(name: str) -> str:
    return name.replace("bright_", "")


def _cost(name: str, candidate: tuple[int, int, int], wanted: tuple[int, int, int], mode: str,
          family_taken: bool) -> float:
    if mode != "16":
        return _distance(candidate, wanted)
    hue, _, saturation = colorsys.rgb_to_hls(*(value / 255 for value in candidate))
    wanted_hue, _, _ = colorsys.rgb_to_hls(*(value / 255 for value in wanted))
    if saturation < 0.15:  # white and grey: only when every colour is taken
        return 1000 + _distance(candidate, wanted)
    difference = abs(hue - wanted_hue) * 360
    # A plain colour before its bright twin: the Linux console has no bright backgrounds.
    return min(difference, 360 - difference) + (60 if family_taken else 0) + (1 if "bright" in name else 0)


def text_colour_on(colour: str) -> str:
    """Black or white, whichever reads better on `colour` (#rrggbb or one of ANSI_COLOURS)."""
    red, green, blue = (value / 255 for value in _rgb(ANSI_COLOURS.get(colour, colour)))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    if colour in ANSI_COLOURS:
        return "ansi_black" if luminance > 0.3 else "ansi_bright_white"
    return "#000000" if luminance > 0.45 else "#ffffff"
