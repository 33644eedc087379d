"""A week's scores: the weekly value score, then each practice's bar, number and one-line reason,
and, when an earlier week is given, how each of them moved since then."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

from textual.content import Content
from textual.widgets import Static

from planner.app import look
from planner.app.widgets.cards import practice_badge
from planner.report import format_score, score_bar
from planner.text import printable

if TYPE_CHECKING:  # scoring loads the plugin host: imported by whoever computes the scores
    from planner.scoring import WeekScore


@dataclass(frozen=True)
class ScoreChanges:
    """How a week's scores moved against an earlier week: None where either week had no score."""

    previous_label: str
    value: float | None
    practices: Mapping[str, float | None]


def score_changes(current: WeekScore, previous: WeekScore) -> ScoreChanges:
    """The value score's and every practice's change from `previous` to `current`."""
    before = previous.by_practice()
    after = current.by_practice()
    practices = {
        entry.practice.id: (after[entry.practice.id].value - before[entry.practice.id].value
                            if entry.practice.id in after and entry.practice.id in before else None)
        for entry in current.practices
    }
    value = (current.value - previous.value
             if current.value is not None and previous.value is not None else None)
    return ScoreChanges(previous.week.label, value, practices)


def format_change(change: float | None) -> str:
    """`+12`, `-3`, `±0`, or blank when there is nothing to compare."""
    if change is None:
        return ""
    rounded = round(change)
    return "±0" if rounded == 0 else f"{rounded:+d}"


def change_style(change: float | None) -> str:
    if change is None or round(change) == 0:
        return "dim"
    return "bold green" if change > 0 else "bold red"


def hanging_line(prefix: Content, text: str, style: str, width: int | None) -> Content:
    """`prefix` then `text`; with a `width`, the text wraps under itself rather than under the
    prefix, so a column of badges stays a column. Plugin and plan text shows as data (printable)."""
    text = printable(text)
    room = (width or 0) - prefix.cell_length
    if width is None or room < 12:
        return Content.assemble(prefix, (text, style))
    pieces = textwrap.wrap(text, room) or [""]
    indent = " " * prefix.cell_length
    return Content("\n").join(Content.assemble(prefix if index == 0 else indent, (piece, style))
                              for index, piece in enumerate(pieces))


class ScorePanel(Static):
    """The value line, then one line per practice. By default (`text-wrap: nowrap`) lines are cut
    with an ellipsis, so the panel keeps its height in a small terminal; with `text-wrap: wrap` a
    long reason wraps under itself."""

    DEFAULT_CSS = """
    ScorePanel { height: auto; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, *, bar_width: int = 10, **kwargs) -> None:
        super().__init__(**kwargs)
        self.bar_width = bar_width
        #: The week whose score is shown, or None before the first one arrives.
        self.week_label: str | None = None
        self._shown: tuple[WeekScore, WeekScore | None] | None = None

    def show_score(self, result: WeekScore, previous: WeekScore | None = None) -> None:
        self.week_label = result.week.label
        self._shown = (result, previous)
        self.update(self.score_content(result, previous))

    def on_resize(self) -> None:
        if self._shown is not None and self.styles.text_wrap == "wrap":
            self.update(self.score_content(*self._shown))

    @property
    def wrap_width(self) -> int | None:
        width = self.content_region.width
        return width if width and self.styles.text_wrap == "wrap" else None

    def score_content(self, result: WeekScore, previous: WeekScore | None = None) -> Content:
        changes = score_changes(result, previous) if previous is not None else None
        value = result.value
        value_line = [("VALUE ", "bold reverse"), " ", score_bar(value, self.bar_width, look.current().glyphs), " ",
                      (format_score(value), "bold")]
        if changes is not None:
            value_line += [" ", (f"{format_change(changes.value):>4}", change_style(changes.value))]
        value_line.append("  weekly value score")
        if changes is not None and changes.value is not None:
            value_line.append(f" (vs {changes.previous_label})")
        lines = [Content.assemble(*value_line)]
        for entry in result.practices:
            score = entry.score
            number = score.value if score else None
            parts: list = [practice_badge(entry.practice), " ", score_bar(number, self.bar_width, look.current().glyphs), " ",
                           format_score(number)]
            if changes is not None:
                change = changes.practices.get(entry.practice.id)
                parts += [" ", (f"{format_change(change):>4}", change_style(change))]
            parts.append("  ")
            reason, style = (score.reason, "") if score else ("nothing to score this week", "dim")
            lines.append(hanging_line(Content.assemble(*parts), reason, style, self.wrap_width))
        if not result.practices:
            lines.append(Content("No practice is enabled: see the Practices screen (4).").stylize("dim"))
        return Content("\n").join(lines)
