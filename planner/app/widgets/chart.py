"""Charts drawn with block characters: the weekly value score as bars, each practice as a sparkline.

Both widgets lay themselves out for the width they get: the bar chart draws one column per week
with its number and label under it while columns of four cells fit, and one row per week (a
horizontal bar) when they do not, so 52 weeks still read well in 80 columns. The text is built as
Content from plain strings: practice names and labels come from plugins and are never markup.
"""

from __future__ import annotations

import textwrap

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

from planner.app import look
from planner.app.widgets.cards import practice_badge
from planner.insights import Insights, PracticeTrend, bar_rows, horizontal_bar, sparkline
from planner.text import cell_width, pad, printable

#: Left of the bars: the 0/50/100 scale.
SCALE_WIDTH = 4
#: Narrower week columns cannot hold a label such as "W43" plus a gap: bars turn horizontal then.
MIN_COLUMN_WIDTH = 4
MAX_COLUMN_WIDTH = 9
REACHED = "$success"
BELOW = "$warning"


def short_label(label: str) -> str:
    """`2026-W43` -> `W43`: the year is in the chart's heading."""
    return label.partition("-")[2] or label


def score_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


class WeekBars(Widget):
    """The weekly value score of each week in the range, oldest on the left (or top)."""

    DEFAULT_CSS = """
    WeekBars { height: auto; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.labels: tuple[str, ...] = ()
        self.values: tuple[float | None, ...] = ()
        self.threshold = 50.0
        self.last_in_progress = False
        self.bar_height = 6

    def show(self, insights: Insights, bar_height: int) -> None:
        self.labels = insights.labels
        self.values = insights.values
        self.threshold = insights.threshold
        self.last_in_progress = insights.last_in_progress
        self.bar_height = bar_height
        self.refresh(layout=True)

    def column_width(self, width: int) -> int:
        if not self.values:
            return 0
        return min(MAX_COLUMN_WIDTH, (width - SCALE_WIDTH) // len(self.values))

    def vertical(self, width: int) -> bool:
        return self.column_width(width) >= MIN_COLUMN_WIDTH

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not self.values:
            return 1
        return self.bar_height + 2 if self.vertical(width) else len(self.values)

    def render(self) -> Content:
        width = self.size.width
        if not self.values:
            return Content("no weeks to show").stylize("dim")
        return self.render_columns(width) if self.vertical(width) else self.render_rows(width)

    def bar_style(self, index: int) -> str:
        value = self.values[index]
        no_colour = look.current().colors == "none"
        if self.last_in_progress and index == len(self.values) - 1:
            return "" if no_colour else "$primary"  # not over yet: neither a success nor a miss
        reached = value is not None and value >= self.threshold
        if no_colour:  # a miss is dim rather than another colour
            return "" if reached else "dim"
        return REACHED if reached else BELOW

    def render_columns(self, width: int) -> Content:
        column = self.column_width(width)
        bar_width = column - 1 if column <= 4 else column - 2
        rows = bar_rows(self.values, self.bar_height, look.current().glyphs)
        middle = self.bar_height // 2  # the row (from the bottom) whose lower edge is 50
        lines: list[Content] = []
        for index, row in enumerate(rows):
            from_bottom = self.bar_height - 1 - index
            scale = {self.bar_height - 1: "100", middle: " 50", 0: "  0"}.get(from_bottom, "")
            cells = [Content(f"{scale:>3} ").stylize("dim")]
            for week, glyph in enumerate(row):
                bar = (glyph * bar_width).center(column)
                cells.append(Content(bar).stylize(self.bar_style(week)))
            lines.append(Content.assemble(*cells))
        numbers = [Content(" " * SCALE_WIDTH)]
        labels = [Content(" " * SCALE_WIDTH)]
        last = len(self.values) - 1
        for week, (label, value) in enumerate(zip(self.labels, self.values)):
            numbers.append(Content(score_text(value).center(column)).stylize("bold"))
            text = Content(short_label(label).center(column))
            labels.append(text.stylize("underline") if week == last and self.last_in_progress else text.stylize("dim"))
        lines += [Content.assemble(*numbers), Content.assemble(*labels)]
        return Content("\n").join(lines)

    def render_rows(self, width: int) -> Content:
        label_width = max(len(label) for label in self.labels)
        bar_width = max(4, width - label_width - 6)
        lines = []
        for index, (label, value) in enumerate(zip(self.labels, self.values)):
            bar = Content(horizontal_bar(value, bar_width, look.current().glyphs)).stylize(self.bar_style(index))
            lines.append(Content.assemble((f"{label:<{label_width}} ", "dim"), bar, (f" {score_text(value):>3}", "bold")))
        return Content("\n").join(lines)


class PracticeSparklines(Widget):
    """One row per practice: its label on its colour, name when there is room, a sparkline of its
    scores, the newest score, and its streak."""

    DEFAULT_CSS = """
    PracticeSparklines { height: auto; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.trends: tuple[PracticeTrend, ...] = ()
        self.threshold = 50.0

    def show(self, insights: Insights) -> None:
        self.trends = insights.practices
        self.threshold = insights.threshold
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.trends))

    def render(self) -> Content:
        if not self.trends:
            return Content("no practice is enabled").stylize("dim")
        width = self.size.width
        weeks = len(self.trends[0].scores)
        streaks = [trend.streak.describe() for trend in self.trends]
        streak_width = max(len(text) for text in streaks)
        name_width = max(cell_width(printable(trend.practice.name)) for trend in self.trends)
        fixed = 6 + 1 + 1 + 3 + 2 + streak_width  # badge, gaps, newest score, streak
        with_names = fixed + name_width + 2 + weeks <= width
        room = width - fixed - (name_width + 2 if with_names else 0)
        # Stretch a short range so the line is readable; cut a long one to its newest weeks.
        stretch = max(1, min(3, room // max(weeks, 1)))
        shown = min(weeks, max(room, 4) // stretch)
        lines = []
        for trend, streak_text in zip(self.trends, streaks):
            scores = trend.scores[-shown:]
            line = sparkline(scores, look.current().glyphs)
            spark = Content("".join(glyph * stretch for glyph in line))
            colour = look.current().practice_colour(trend.practice)
            spark = spark.stylize(colour) if colour else spark
            parts: list[Content | str | tuple[str, str]] = [practice_badge(trend.practice), " "]
            if with_names:
                parts.append(Content(pad(printable(trend.practice.name), name_width) + "  "))
            latest = trend.latest
            parts += [spark, (f" {score_text(latest):>3}", "bold"), "  ",
                      (streak_text, "" if trend.streak.current else "dim")]
            lines.append(Content.assemble(*parts))
        return Content("\n").join(lines)


def hanging(prefix: str, text: str, width: int, style: str = "") -> Content:
    """`prefix` then `text` wrapped to `width`, later lines indented under the text, not the prefix."""
    return Content.assemble(prefix, wrapped_under(text, width, len(prefix), style))


def wrapped_under(text: str, width: int, indent: int, style: str = "") -> Content:
    """`text` to follow `indent` cells of something else on its first line, wrapped to `width`
    with every later line indented by `indent`, so the text reads as one block. Plugin and plan
    text shows as data (printable)."""
    text = printable(text)
    if width < indent + 16:  # not laid out yet, or too narrow to be worth it: let the widget wrap
        return Content(text).stylize(style)
    lines = textwrap.wrap(text, width - indent, break_on_hyphens=False) or [""]
    return Content("\n").join(Content.assemble(" " * indent if index else "", (line, style))
                              for index, line in enumerate(lines))
