"""Embrace change: try new tools, methods and habits in small, reversible experiments.

Score (planner_score_week)
    experiments = the number of tasks whose practice is `change`, whose status is done and whose
                  `done_at` falls inside the week (each is one new tool, method or habit tried)
    score       = min(100, 100 * experiments / target_experiments), rounded to one decimal

Settings, `[practices.change]` in board.toml:
    target_experiments = 2   experiments a week that earn the full score

A setting that is not a number greater than 0 falls back to its default.
Example: 1 experiment done -> 100 * 1 / 2 = 50, "1 of 2 target experiments done (new tool, method or habit)".
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

from planner.api import (
    Phase,
    Practice,
    Prompt,
    Score,
    Task,
    TaskTemplate,
    WeekView,
    done_in_week,
    hookimpl,
    plan_answer,
    positive_setting,
)

PRACTICE_ID = "change"
DEFAULT_TARGET_EXPERIMENTS = 2


@hookimpl
def planner_register_practices(register: Callable[[Practice], None]) -> None:
    register(
        Practice(
            id=PRACTICE_ID,
            name="Embrace change",
            summary="Try new tools, methods and habits in small, reversible experiments on real "
            "work, and keep what makes you better.",
            color="#9b5de5",
            label="CHANGE",
            settings={"target_experiments": DEFAULT_TARGET_EXPERIMENTS},
            weight=1.0,
            order=20,
        )
    )


@hookimpl
def planner_prompts(
    practice: Practice, phase: Phase, week: WeekView, settings: Mapping[str, Any]
) -> list[Prompt]:
    target_experiments = positive_setting(settings, "target_experiments", DEFAULT_TARGET_EXPERIMENTS)
    if phase == "plan":
        return [
            Prompt(
                "experiment",
                f"Which new tool, method or habit will you try this week (aim for {target_experiments:g}), "
                "and on which real piece of work?",
                "Small, reversible, on real work.",
                intention=True,
            ),
            Prompt(
                "friction",
                "Which part of your work feels slowest or most repetitive right now? That is where a "
                "change pays off first.",
                "Look for the weekly annoyance.",
            ),
            Prompt(
                "keep-or-drop",
                "How will you judge the experiment on Friday: what would make you keep it, and what "
                "would make you drop it?",
                "Decide the test before you try.",
            ),
            Prompt(
                "resisting",
                "Which change around you (a process, a tool, a reorganisation) have you been resisting? "
                "What is the smallest way to try it for a week?",
                "Resistance is often just unfamiliarity.",
            ),
        ]
    if phase == "review":
        planned = plan_answer(week, practice.id, "experiment")
        tried = f"You planned to try: \u201c{planned}\u201d." if planned else "Which experiment did you run?"
        return [
            Prompt(
                "verdict",
                f"{tried} Will you keep it, adapt it or drop it, and why?",
                "A dropped experiment is still a result.",
            ),
            Prompt(
                "surprise",
                "What surprised you while working the new way?",
                "Surprises show what you did not know.",
            ),
            Prompt(
                "share",
                "Who else would benefit from what you found, and how will you tell them?",
                "One message is enough.",
            ),
        ]
    return []


@hookimpl
def planner_outcome_prompt(practice: Practice, task: Task) -> str:
    return "What did trying it show: keep it, adapt it, or drop it?"


@hookimpl
def planner_task_templates(practice: Practice, settings: Mapping[str, Any]) -> list[TaskTemplate]:
    return [
        TaskTemplate(
            "try-tool",
            "Try a new tool on one real task and note what got faster or slower",
            estimate=45,
            tags=("experiment", "tool"),
        ),
        TaskTemplate(
            "try-method",
            "Do one task with a new method (test first, a checklist, a timebox) and compare",
            estimate=60,
            tags=("experiment", "method"),
        ),
        TaskTemplate(
            "try-habit",
            "Try a new habit for five days, e.g. plan tomorrow before you leave",
            estimate=10,
            tags=("experiment", "habit"),
            notes="Tick off each day here; mark done after day five.",
        ),
        TaskTemplate(
            "borrow-workflow",
            "Pair for an hour with someone who works differently and adopt one thing they do",
            estimate=60,
            tags=("experiment", "pairing"),
        ),
        TaskTemplate(
            "retire-step",
            "Drop one step, report or tool you keep only out of habit, and see if anyone misses it",
            estimate=30,
            tags=("experiment", "cleanup"),
        ),
        TaskTemplate(
            "adopt-coming-change",
            "Try an announced change (process, tool, structure) early, before it becomes mandatory",
            estimate=45,
            tags=("experiment", "early-adopter"),
        ),
    ]


@hookimpl
def planner_score_week(
    practice: Practice, week: WeekView, tasks: Sequence[Task], settings: Mapping[str, Any]
) -> Score:
    target_experiments = positive_setting(settings, "target_experiments", DEFAULT_TARGET_EXPERIMENTS)
    experiments = sum(1 for task in done_in_week(tasks, week) if task.practice == practice.id)
    if experiments == 0:
        return Score(0, f"no experiment done this week (target {target_experiments:g})")
    value = min(100.0, 100 * experiments / target_experiments)
    return Score(
        round(value, 1),
        f"{experiments} of {target_experiments:g} target experiments done (new tool, method or habit)",
    )
