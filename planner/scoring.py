"""The weekly value score: each practice scores its week, the weights in board.toml combine them.

value = sum(weight * score) / sum(weight), over the enabled practices that returned a score. A
practice that returns None (nothing to judge this week) is left out rather than counted as 0, so a
week is not punished for a practice that had nothing to say. A week that ended before the plan
began has no data at all: no practice is asked about it, and it shows as "no data", never as 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Mapping, Sequence

from planner.api import Practice, Score
from planner.dates import shift_week, week_days
from planner.host import PluginHost
from planner.model import Board, Task, WeekPlan, WeekView, make_week_view, tasks_of_week


@dataclass(frozen=True)
class PracticeScore:
    practice: Practice
    weight: float
    score: Score | None


@dataclass(frozen=True)
class WeekScore:
    week: WeekView
    practices: tuple[PracticeScore, ...]
    #: False for a week that ended before the plan began (see `plan_start`): nothing to score.
    has_data: bool = True

    @property
    def value(self) -> float | None:
        """The weekly value score (0-100), or None when no practice scored the week."""
        counted = [(entry.weight, entry.score.value) for entry in self.practices
                   if entry.score is not None and entry.weight > 0]
        total_weight = sum(weight for weight, _ in counted)
        if not total_weight:
            return None
        return round(sum(weight * value for weight, value in counted) / total_weight, 1)

    def by_practice(self) -> dict[str, Score]:
        return {entry.practice.id: entry.score for entry in self.practices if entry.score is not None}


def score_week(host: PluginHost, board: Board, week: WeekView, tasks: Iterable[Task]) -> WeekScore:
    week_tasks = tasks_of_week(tasks, week)
    entries = []
    for practice in host.enabled_practices(board):
        score = host.score_week(practice.id, week, week_tasks, board)
        # The practice may have been disabled by its own failure just now: leave it out then.
        if practice.id in host.practices:
            entries.append(PracticeScore(practice, board.practice_weight(practice.id, practice.weight), score))
    return WeekScore(week, tuple(entries))


def score_weeks(
    host: PluginHost,
    board: Board,
    last_week: str,
    count: int,
    tasks: Sequence[Task],
    week_plans: Mapping[str, WeekPlan | None],
    today: date,
    since: date | None = None,
) -> list[WeekScore]:
    """Scores of `count` weeks ending with `last_week`, oldest first. Weeks that ended before `since`
    (the plan's first day, `plan_start`) have no data: no practice is asked about them."""
    results = []
    for offset in range(1 - count, 1):
        label = shift_week(last_week, offset, board.week_start)
        view = make_week_view(label, week_plans.get(label), board.week_start, today)
        if since is not None and view.end < since:
            results.append(WeekScore(view, (), has_data=False))
        else:
            results.append(score_week(host, board, view, tasks))
    return results


def plan_start(tasks: Iterable[Task], week_labels: Iterable[str], week_start: int) -> date | None:
    """The plan's first day: the earliest day a task was made or scheduled for, or a week file
    begins. None for a plan with neither (it begins in the current week, then)."""
    tasks = list(tasks)
    days = {task.created.date() for task in tasks}
    days.update(task.day for task in tasks if task.day is not None)
    weeks = set(week_labels) | {task.week for task in tasks if task.week}
    days.update(week_days(label, week_start)[0] for label in weeks)
    return min(days, default=None)
