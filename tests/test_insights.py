"""Streaks, series and glyphs of planner.insights, on hand-made series worked out by hand."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timezone

import pytest

from planner.api import Practice, Score
from planner.insights import (
    Streak,
    bar_rows,
    build_insights,
    eighths,
    horizontal_bar,
    score_streak,
    sparkline,
    streak,
)
from planner.model import WeekPlan, make_week_view
from planner.scoring import PracticeScore, WeekScore

T, F = True, False


@pytest.mark.parametrize(
    ("hits", "in_progress", "expected"),
    [
        ([], False, Streak(0, 0)),
        ([F, F], False, Streak(0, 0)),
        ([T], False, Streak(1, 1)),
        ([T, T, F, T], False, Streak(1, 2)),
        ([T, T, T, F, T, T], False, Streak(2, 3)),
        ([F, T, T, T, T], False, Streak(4, 4)),
        ([T, T, T, F], False, Streak(0, 3)),
        # The week in progress has not failed yet: a miss there leaves the run as it was ...
        ([T, T, T, F], True, Streak(3, 3)),
        # ... and a hit there already counts.
        ([T, T, T, T], True, Streak(4, 4)),
        # Only the last entry is in progress: an earlier miss still breaks the run.
        ([T, F, F], True, Streak(0, 1)),
        ([F], True, Streak(0, 0)),
    ],
)
def test_streak(hits: list[bool], in_progress: bool, expected: Streak) -> None:
    assert streak(hits, last_in_progress=in_progress) == expected


@pytest.mark.parametrize(
    ("values", "threshold", "in_progress", "expected"),
    [
        # 50 is on the mark, 49.9 is below it.
        ([50, 49.9, 50, 80], 50, False, Streak(2, 2)),
        # A week with no score at all breaks a streak: nothing was judged, nothing was reached.
        ([60, None, 70], 50, False, Streak(1, 1)),
        # The demo plan's value scores W37-W48: 58 59 60 55 80 84 26 62 66 80 67 52, W48 in progress;
        # the W43 slump ends the best run (W37-W42).
        ([58, 59, 60, 55, 80, 84, 26, 62, 66, 80, 67, 52], 55, True, Streak(4, 6)),
        ([58, 59, 60, 55, 80, 84, 26, 62, 66, 80, 67, 52], 55, False, Streak(0, 6)),
        ([58, 59, 60, 55, 80, 84, 26, 62, 66, 80, 67, 52], 65, True, Streak(3, 3)),
        ([100, 100], 100, False, Streak(2, 2)),
    ],
)
def test_score_streak(values: list[float | None], threshold: float, in_progress: bool, expected: Streak) -> None:
    assert score_streak(values, threshold, last_in_progress=in_progress) == expected


@pytest.mark.parametrize(
    ("streak_", "text"),
    [
        (Streak(0, 0), "no weeks in a row"),
        (Streak(1, 1), "1 week in a row"),
        (Streak(4, 4), "4 weeks in a row"),
        (Streak(2, 5), "2 weeks in a row (best 5)"),
        (Streak(0, 3), "no weeks in a row (best 3)"),
    ],
)
def test_streak_describe(streak_: Streak, text: str) -> None:
    assert streak_.describe() == text


@pytest.mark.parametrize(
    ("value", "height", "expected"),
    [(0, 1, 0), (100, 1, 8), (50, 1, 4), (1, 1, 1), (6, 1, 1), (50, 4, 16), (100, 6, 48), (-5, 2, 0), (140, 2, 16)],
)
def test_eighths(value: float, height: int, expected: int) -> None:
    assert eighths(value, height) == expected


def test_sparkline_draws_bands_spaces_for_zero_and_dots_for_no_score() -> None:
    # 100/8 = 12.5 per eighth: 12.5 -> ▁, 50 -> ▄, 100 -> █, 3 -> at least ▁, 0 -> blank, None -> ·
    assert sparkline([12.5, 50, 100, 3, 0, None]) == "▁▄█▁ ·"
    assert sparkline([]) == ""


def test_bar_rows_stack_eighths_from_the_bottom() -> None:
    # Height 2 = 16 eighths: 100 -> 16 (two full), 50 -> 8 (full bottom), 25 -> 4 (▄ bottom),
    # 75 -> 12 (full bottom, ▄ top), 0 -> nothing, None -> a dot on the bottom row.
    assert bar_rows([100, 50, 25, 75, 0, None], 2) == [
        "█  ▄  ",
        "██▄█ ·",
    ]


@pytest.mark.parametrize(
    ("value", "width", "expected"),
    [(100, 4, "████"), (50, 4, "██  "), (0, 3, "   "), (None, 3, "···"), (10, 5, "▌    "), (56.25, 2, "█▏")],
)
def test_horizontal_bar(value: float | None, width: int, expected: str) -> None:
    assert horizontal_bar(value, width) == expected
    assert len(horizontal_bar(value, width)) == width


def _practice(practice_id: str) -> Practice:
    return Practice(practice_id, practice_id.title(), "For tests.", "#336699", practice_id[:6].upper())


def _week(label: str, scores: dict[str, float | None], practices: list[Practice]) -> WeekScore:
    view = make_week_view(label, None, 0, date(2026, 11, 26))
    return WeekScore(view, tuple(
        PracticeScore(practice, 1.0, None if scores.get(practice.id) is None
                      else Score(scores[practice.id], f"{practice.id} reason"))
        for practice in practices if practice.id in scores
    ))


def test_build_insights_series_streaks_and_reviews() -> None:
    alpha, beta = _practice("alpha"), _practice("beta")
    results = [
        _week("2026-W45", {"alpha": 80}, [alpha]),  # beta did not exist yet
        _week("2026-W46", {"alpha": 60, "beta": 20}, [alpha, beta]),
        _week("2026-W47", {"alpha": 40, "beta": 90}, [alpha, beta]),
        _week("2026-W48", {"alpha": 70, "beta": None}, [alpha, beta]),
    ]
    reviewed = datetime(2026, 11, 1, tzinfo=timezone.utc)
    plans = {
        "2026-W45": WeekPlan("2026-W45", reviewed_at=reviewed),
        "2026-W46": WeekPlan("2026-W46", reviewed_at=reviewed),
        "2026-W47": WeekPlan("2026-W47", reviewed_at=reviewed),
        "2026-W48": None,
    }
    insights = build_insights(results, plans, last_in_progress=True)

    assert insights.labels == ("2026-W45", "2026-W46", "2026-W47", "2026-W48")
    # Value = mean of the scores given: 80; (60+20)/2 = 40; (40+90)/2 = 65; 70 (beta said nothing).
    assert insights.values == (80, 40, 65, 70)
    assert insights.value_streak == Streak(2, 2)
    assert insights.lowest == ("2026-W46", 40)
    by_id = {trend.practice.id: trend for trend in insights.practices}
    assert list(by_id) == ["alpha", "beta"]
    assert by_id["alpha"].scores == (80, 60, 40, 70)
    assert by_id["alpha"].streak == Streak(1, 2)
    assert by_id["beta"].scores == (None, 20, 90, None)
    assert by_id["beta"].reasons == ("", "beta reason", "beta reason", "")
    assert by_id["beta"].latest is None
    # W48 has no score yet for beta, and is in progress: the run of one (W47) stands.
    assert by_id["beta"].streak == Streak(1, 1)
    # Three reviewed weeks; the current one not reviewed yet does not break the run.
    assert insights.reviewed == Streak(3, 3)


def test_build_insights_of_no_weeks() -> None:
    insights = build_insights([], {})
    assert insights.values == () and insights.practices == () and insights.lowest is None
    assert insights.value_streak == Streak(0, 0)


def test_insights_module_does_not_import_textual() -> None:
    code = ("import sys, planner.insights; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
