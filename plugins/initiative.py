"""Take initiative: start useful work nobody assigned, and bring solutions, not just problems.

Score (planner_score_week)
    self_started = the number of tasks of ANY practice whose status is done, whose `done_at` falls
                   inside the week and that carry the tag `self-started` (in any letter case)
    score        = min(100, 100 * self_started / target_self_started), rounded to one decimal

Settings, `[practices.initiative]` in board.toml:
    target_self_started = 2   self-started tasks a week that earn the full score

A setting that is not a number greater than 0 falls back to its default.
Every template here carries the `self-started` tag; add it to any other task you started unasked.
Example: 1 such task done -> 100 * 1 / 2 = 50, "1 of 2 target self-started tasks done".
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
    has_tag,
    hookimpl,
    plan_answer,
    positive_setting,
)

PRACTICE_ID = "initiative"
SELF_STARTED_TAG = "self-started"
DEFAULT_TARGET_SELF_STARTED = 2


@hookimpl
def planner_register_practices(register: Callable[[Practice], None]) -> None:
    register(
        Practice(
            id=PRACTICE_ID,
            name="Take initiative",
            summary="Start useful work nobody assigned: volunteer for high-impact projects and offer "
            "solutions to existing problems.",
            color="#c4620a",
            label="INIT",
            settings={"target_self_started": DEFAULT_TARGET_SELF_STARTED},
            weight=1.0,
            order=30,
        )
    )


@hookimpl
def planner_prompts(
    practice: Practice, phase: Phase, week: WeekView, settings: Mapping[str, Any]
) -> list[Prompt]:
    target = positive_setting(settings, "target_self_started", DEFAULT_TARGET_SELF_STARTED)
    if phase == "plan":
        return [
            Prompt(
                "opportunity",
                "Which problem does your team keep complaining about that nobody owns? What first "
                "step can you take on it this week?",
                f"Tag it {SELF_STARTED_TAG}; aim for {target:g} such tasks.",
                intention=True,
            ),
            Prompt(
                "volunteer",
                "Which upcoming project or decision could you volunteer for that would stretch you "
                "and matter to your manager?",
                "High-impact beats busy.",
            ),
            Prompt(
                "proposal",
                "If you had to write one page proposing a fix for something that bugs you, what would "
                "it say, and who needs to read it?",
                "Bring a solution, not just the problem.",
            ),
        ]
    if phase == "review":
        planned = plan_answer(week, practice.id, "opportunity")
        started = (
            f"You set out to take on: \u201c{planned}\u201d. What happened, and who noticed?"
            if planned
            else "What did you start this week that nobody asked for, and what came of it?"
        )
        return [
            Prompt("outcome", started, "Results and reactions both count."),
            Prompt(
                "permission",
                "Where did you wait for permission you did not really need?",
                "Name one moment.",
            ),
            Prompt(
                "follow-through",
                "Which of this week's starts needs a follow-up so it does not fizzle out?",
                "Initiative without follow-through is noise.",
            ),
        ]
    return []


@hookimpl
def planner_outcome_prompt(practice: Practice, task: Task) -> str:
    return "What changed because you started this, and for whom?"


@hookimpl
def planner_task_templates(practice: Practice, settings: Mapping[str, Any]) -> list[TaskTemplate]:
    return [
        TaskTemplate(
            "fix-annoyance",
            "Fix a recurring annoyance nobody owns, then tell the team it is gone",
            estimate=60,
            tags=(SELF_STARTED_TAG,),
        ),
        TaskTemplate(
            "one-page-proposal",
            "Write a one-page proposal for a problem you see, including a first step you can take yourself",
            estimate=60,
            tags=(SELF_STARTED_TAG, "proposal"),
        ),
        TaskTemplate(
            "volunteer",
            "Volunteer for a high-impact project or task that stretches you",
            estimate=15,
            tags=(SELF_STARTED_TAG, "volunteer"),
            notes="Say what you will own and by when.",
        ),
        TaskTemplate(
            "missing-doc",
            "Write the guide you wish had existed when you joined",
            estimate=90,
            tags=(SELF_STARTED_TAG, "docs"),
        ),
        TaskTemplate(
            "prototype-idea",
            "Build a rough prototype or mock-up of an idea so people can react to something real",
            estimate=120,
            tags=(SELF_STARTED_TAG, "prototype"),
        ),
        TaskTemplate(
            "unblock-teammate",
            "Offer to unblock a teammate's stalled task",
            estimate=30,
            tags=(SELF_STARTED_TAG, "help"),
        ),
    ]


@hookimpl
def planner_score_week(
    practice: Practice, week: WeekView, tasks: Sequence[Task], settings: Mapping[str, Any]
) -> Score:
    target = positive_setting(settings, "target_self_started", DEFAULT_TARGET_SELF_STARTED)
    self_started = sum(1 for task in done_in_week(tasks, week) if has_tag(task, SELF_STARTED_TAG))
    if self_started == 0:
        return Score(0, f"no task tagged {SELF_STARTED_TAG} done this week (target {target:g})")
    value = min(100.0, 100 * self_started / target)
    return Score(round(value, 1), f"{self_started} of {target:g} target self-started tasks done")
