"""How the app draws on the terminal it runs in: the `Terminal` decided before it started
(planner.terminal: colour mode, glyphs, mouse, animations), each practice's colour in that colour
mode, and the glyphs to draw with. One terminal per process: the app sets `LOOK` as it starts, and
widgets read it (a headless app, in tests, draws in true colour with Unicode glyphs).
"""

from __future__ import annotations

from functools import lru_cache
from itertools import groupby
from typing import TYPE_CHECKING, Callable, Iterable

from rich.color import Color as RichColor
from rich.color import ColorSystem, ColorType
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.color import Color
from textual.filter import LineFilter

from planner.terminal import HEADLESS, SOLID, TO_ASCII, Glyphs, Terminal, practice_colours

if TYPE_CHECKING:
    from planner.api import Practice


class Look:
    """The terminal in use, and the colours practices get on it."""

    def __init__(self, terminal: Terminal = HEADLESS,
                 practices: Callable[[], Iterable[Practice]] | None = None) -> None:
        self.terminal = terminal
        #: Every practice the plan may show, asked for when the first colour is (plugins load late).
        self._practices = practices
        self._wanted: dict[str, str] = {}
        self._colours: dict[str, str] = {}

    @property
    def glyphs(self) -> Glyphs:
        return self.terminal.glyphs

    @property
    def colors(self) -> str:
        return self.terminal.colors

    def add_practices(self, practices: Iterable[Practice]) -> None:
        """Give each practice its colour in this mode, all practices known so far together (so no two
        share one while the mode has colours enough)."""
        before = dict(self._wanted)
        for practice in practices:
            self._wanted.setdefault(practice.id, practice.color)
        if self._wanted != before or not self._colours:
            self._colours = practice_colours(list(self._wanted.items()), self.terminal.colors,
                                             bright=self.terminal.bright_backgrounds)

    def practice_colour(self, practice: Practice) -> str:
        """The practice's colour as this terminal draws it: #rrggbb, an ANSI name (16 colours), or ""
        (no colour)."""
        if self._practices is not None:
            source, self._practices = self._practices, None
            self.add_practices(source())
        if practice.id not in self._colours or self._wanted.get(practice.id) != practice.color:
            self._wanted.pop(practice.id, None)
            self.add_practices([practice])
        return self._colours[practice.id]


#: The look of this process's app (see the module docstring).
LOOK = Look()


def set_look(look: Look) -> None:
    global LOOK
    LOOK = look


def current() -> Look:
    return LOOK


class NoColour(LineFilter):
    """No colour mode: every colour becomes the terminal's own default foreground and background;
    bold, dim, reverse, underline and the rest stay, so focus, selection and badges still show."""

    DEFAULT = RichStyle(color="default", bgcolor="default")

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        default = self.DEFAULT
        return [segment if segment.style is None or segment.control else
                Segment(segment.text, segment.style + default, segment.control) for segment in segments]


class Colours256(LineFilter):
    """256 colours: every 24-bit colour becomes one of the 256 here rather than in Rich, which rounds
    text and background each to its nearest and so can take two colours that read well together to
    two that barely do (muted text on a tinted cursor). Here the background is rounded, and the text
    takes the nearest of the 256 that keeps the contrast the theme had (up to 4.5:1)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [segment if segment.style is None or segment.control else
                Segment(segment.text, _style_in_256(segment.style), segment.control) for segment in segments]


def _relative_luminance(triplet: tuple[int, int, int]) -> float:
    def linear(value: int) -> float:
        channel = value / 255
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = triplet
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def _contrast(one: tuple[int, int, int], other: tuple[int, int, int]) -> float:
    lighter, darker = sorted((_relative_luminance(one), _relative_luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _palette_256() -> list[tuple[int, tuple[int, int, int]]]:
    """Colours 16 to 255 as xterm draws them (0 to 15 are the terminal's own palette): the 6x6x6
    cube, then 24 greys."""
    steps = (0, 95, 135, 175, 215, 255)
    cube = [(16 + index, (steps[index // 36], steps[index // 6 % 6], steps[index % 6])) for index in range(216)]
    greys = [(232 + index, (8 + 10 * index,) * 3) for index in range(24)]
    return cube + greys


_PALETTE_256: list[tuple[int, tuple[int, int, int]]] = []


@lru_cache(maxsize=4096)
def _style_in_256(style: RichStyle) -> RichStyle:
    colour, background = style.color, style.bgcolor
    if (colour is None or colour.type != ColorType.TRUECOLOR) and \
            (background is None or background.type != ColorType.TRUECOLOR):
        return style
    new_background = background.downgrade(ColorSystem.EIGHT_BIT) if background is not None else None
    new_colour = colour.downgrade(ColorSystem.EIGHT_BIT) if colour is not None else None
    if colour is not None and background is not None and colour.triplet and background.triplet \
            and new_colour is not None and new_background is not None:
        wanted = min(_contrast(colour.triplet, background.triplet), 4.5)
        drawn_background = new_background.get_truecolor()
        if _contrast(new_colour.get_truecolor(), drawn_background) < wanted - 0.05:
            new_colour = _readable_256(colour.triplet, drawn_background, wanted)
    return style + RichStyle(color=new_colour, bgcolor=new_background)


@lru_cache(maxsize=1024)
def _readable_256(colour: tuple[int, int, int], background: tuple[int, int, int], wanted: float) -> RichColor:
    """The one of the 256 colours nearest to `colour` that reads on `background` at `wanted` contrast
    (the most readable one when none does)."""
    if not _PALETTE_256:
        _PALETTE_256.extend(_palette_256())
    readable = [(number, rgb) for number, rgb in _PALETTE_256 if _contrast(rgb, background) >= wanted]
    if readable:
        number, _ = min(readable, key=lambda entry: sum((a - b) ** 2 for a, b in zip(entry[1], colour)))
    else:
        number, _ = max(_PALETTE_256, key=lambda entry: _contrast(entry[1], background))
    return RichColor.from_ansi(number)


class AsciiGlyphs(LineFilter):
    """The Linux console (planner.terminal: ASCII glyphs): every glyph its font lacks becomes ASCII
    of the same width, a solid block a reversed space, so nothing moves."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        drawn: list[Segment] = []
        for segment in segments:
            text, style, control = segment
            if control or text.isascii():
                drawn.append(segment)
            elif SOLID.isdisjoint(text):
                drawn.append(Segment(text.translate(TO_ASCII), style))
            else:
                for solid, run in groupby(text, key=SOLID.__contains__):
                    piece = "".join(run)
                    if solid:
                        reversed_ = RichStyle(reverse=not (style is not None and style.reverse))
                        drawn.append(Segment(" " * len(piece), style + reversed_ if style else reversed_))
                    else:
                        drawn.append(Segment(piece.translate(TO_ASCII), style))
        return drawn
