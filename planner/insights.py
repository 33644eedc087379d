"""Trends over many weeks: streaks, per-practice series, and the text glyphs that draw them.

Pure functions over scores the scoring module already computed, so the insights screen only lays
them out, and the rules (what counts as a streak, which week may still change) are tested on their
own with hand-made series. No Textual, no Rich: the glyphs are plain strings.

A streak is the number of weeks in a row, up to the newest one, that reached the mark (a score of at
least `threshold`, or a reviewed week). The current week is not over yet: it joins the streak as
soon as it reaches the mark, but while it has not, it does not break the streak either, because a
week still in progress has not failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from planner.api import Practice
from planner.model import WeekPlan
from planner.scoring import WeekScore
from planner.terminal import UNICODE, Glyphs

#: A week "counts" for a streak when its score is at least this.
STREAK_THRESHOLD = 50.0
#: Eighth blocks, from one eighth to a full cell: the resolution of sparklines and bars.
BLOCKS = "▁▂▃▄▅▆▇█"
#: Drawn where a week has no score at all (nothing to judge), so it is not mistaken for a 0.
NO_SCORE = "·"


@dataclass(frozen=True)
class Streak:
    current: int  # weeks in a row up to the newest week (see the module docstring)
    best: int  # the longest run anywhere in the series

    def describe(self, unit: str = "week") -> str:
        """`3 weeks in a row (best 5)`; `none in a row (best 2)`; the best is left out when it is the current."""
        def count(weeks: int) -> str:
            return f"{weeks} {unit}{'' if weeks == 1 else 's'}"

        now = f"{count(self.current)} in a row" if self.current else f"no {unit}s in a row"
        return now if self.best == self.current else f"{now} (best {self.best})"


def streak(hits: Sequence[bool], *, last_in_progress: bool = False) -> Streak:
    """The current and best runs of True in `hits` (oldest first). With `last_in_progress`, the last
    entry is a week not over yet: a miss there is left out instead of ending the run."""
    series = list(hits)
    if last_in_progress and series and not series[-1]:
        series.pop()
    best = run = 0
    for hit in series:
        run = run + 1 if hit else 0
        best = max(best, run)
    return Streak(current=run, best=best)


def score_streak(values: Sequence[float | None], threshold: float = STREAK_THRESHOLD, *,
                 last_in_progress: bool = False) -> Streak:
    """Streak of weeks scoring at least `threshold`; a week with no score (None) breaks it."""
    return streak([value is not None and value >= threshold for value in values],
                  last_in_progress=last_in_progress)


@dataclass(frozen=True)
class PracticeTrend:
    practice: Practice
    scores: tuple[float | None, ...]  # one per week of the range, oldest first
    reasons: tuple[str, ...]  # the practice's one-line reason per week ("" when no score)
    streak: Streak

    @property
    def latest(self) -> float | None:
        return self.scores[-1] if self.scores else None


@dataclass(frozen=True)
class Insights:
    """Everything the insights screen shows about a range of weeks, newest last."""

    labels: tuple[str, ...]
    values: tuple[float | None, ...]
    value_streak: Streak
    practices: tuple[PracticeTrend, ...]
    reviewed: Streak
    threshold: float
    last_in_progress: bool  # the newest week is the current one, not over yet

    @property
    def lowest(self) -> tuple[str, float] | None:
        """The week with the lowest value score (the oldest one on a tie), for a plain-words summary."""
        scored = [(value, index) for index, value in enumerate(self.values) if value is not None]
        if not scored:
            return None
        value, index = min(scored)
        return self.labels[index], value


def build_insights(results: Sequence[WeekScore], week_plans: Mapping[str, WeekPlan | None], *,
                   threshold: float = STREAK_THRESHOLD, last_in_progress: bool = False) -> Insights:
    """Series and streaks from `score_weeks` results (oldest first) and the week files of the same
    weeks. The practices are those scored in the newest week (the ones enabled now); a practice a
    week did not score, or did not have yet, is None there."""
    labels = tuple(result.week.label for result in results)
    values = tuple(result.value for result in results)
    practices = [entry.practice for entry in results[-1].practices] if results else []
    trends = []
    for practice in practices:
        scores: list[float | None] = []
        reasons: list[str] = []
        for result in results:
            score = result.by_practice().get(practice.id)
            scores.append(score.value if score is not None else None)
            reasons.append(score.reason if score is not None else "")
        trends.append(PracticeTrend(practice, tuple(scores), tuple(reasons),
                                    score_streak(scores, threshold, last_in_progress=last_in_progress)))
    reviewed = [(plan := week_plans.get(label)) is not None and plan.reviewed_at is not None for label in labels]
    return Insights(
        labels=labels,
        values=values,
        value_streak=score_streak(values, threshold, last_in_progress=last_in_progress),
        practices=tuple(trends),
        reviewed=streak(reviewed, last_in_progress=last_in_progress),
        threshold=threshold,
        last_in_progress=last_in_progress,
    )


# --- glyphs ------------------------------------------------------------------------------------------

def eighths(value: float, height: int) -> int:
    """How many eighth-cells of a bar `height` cells tall a score of `value` (0-100) fills. Any score
    above 0 shows at least one eighth, so a small score never looks like an empty week."""
    clamped = min(max(value, 0.0), 100.0)
    filled = round(clamped / 100 * height * 8)
    return max(filled, 1) if clamped > 0 else 0


def sparkline(values: Sequence[float | None], glyphs: Glyphs = UNICODE) -> str:
    """One character per score (0-100): ▁ for the lowest band up to █ for the highest, NO_SCORE for None.
    A 0 is drawn as a space: nothing done is different from something small. `glyphs`: the
    terminal's (planner.terminal: ASCII on the Linux console)."""
    drawn = []
    for value in values:
        if value is None:
            drawn.append(glyphs.no_score)
        elif value <= 0:
            drawn.append(" ")
        else:
            drawn.append(glyphs.blocks[eighths(value, 1) - 1])
    return "".join(drawn)


def bar_rows(values: Sequence[float | None], height: int, glyphs: Glyphs = UNICODE) -> list[str]:
    """Vertical bars, one character column per score, as `height` text rows from the top down.
    A week with no score shows NO_SCORE on the bottom row."""
    rows = []
    for row in range(height - 1, -1, -1):  # row 0 is the bottom
        cells = []
        for value in values:
            if value is None:
                cells.append(glyphs.no_score if row == 0 else " ")
                continue
            fill = eighths(value, height) - row * 8
            cells.append(" " if fill <= 0 else glyphs.blocks[min(fill, 8) - 1])
        rows.append("".join(cells))
    return rows


def horizontal_bar(value: float | None, width: int, glyphs: Glyphs = UNICODE) -> str:
    """A bar `width` cells wide, in eighths (▏▎▍▌▋▊▉█) so close scores still look different (in
    whole cells with a glyph set that has no eighths)."""
    if value is None:
        return glyphs.no_score * width
    clamped = min(max(value, 0.0), 100.0)
    steps = 8 if glyphs.partial else 1
    filled = round(clamped / 100 * width * steps)
    full, part = divmod(filled, steps)
    bar = glyphs.full * full + (glyphs.partial[part - 1] if part else "")
    return bar + " " * (width - len(bar))
