"""Sharpen your skills: deliberate, focused practice on the skills your work depends on.

Score (planner_score_week)
    minutes = the sum of Task.minutes (`spent`, else `estimate`, else 0) over tasks whose practice
              is `skills`, whose status is done and whose `done_at` falls inside the week
    score   = min(100, 100 * minutes / target_minutes), never below 0, rounded to one decimal

Settings, `[practices.skills]` in board.toml:
    target_minutes = 180   minutes of practice a week that earn the full score

A setting that is not a number greater than 0 falls back to its default.
Example: 95 minutes done -> 100 * 95 / 180 = 52.8, "95 of 180 target minutes of skill practice done".
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

PRACTICE_ID = "skills"
DEFAULT_TARGET_MINUTES = 180


@hookimpl
def planner_register_practices(register: Callable[[Practice], None]) -> None:
    register(
        Practice(
            id=PRACTICE_ID,
            name="Sharpen your skills",
            summary="Deliberate, focused practice on the skills your work depends on, so you can "
            "deliver more, and better, than last month.",
            color="#2f7be0",
            label="SKILL",
            settings={"target_minutes": DEFAULT_TARGET_MINUTES},
            weight=1.0,
            order=10,
        )
    )


@hookimpl
def planner_prompts(
    practice: Practice, phase: Phase, week: WeekView, settings: Mapping[str, Any]
) -> list[Prompt]:
    target_minutes = positive_setting(settings, "target_minutes", DEFAULT_TARGET_MINUTES)
    if phase == "plan":
        return [
            Prompt(
                "focus",
                "Which one skill, if it were 20% better by Friday, would most change what you can deliver?",
                "One skill, named narrowly.",
                intention=True,
            ),
            Prompt(
                "drill",
                "What exactly will you practise: which exercise, on what material, and how will you "
                "know you did it well?",
                "e.g. rewrite one slow query three ways.",
            ),
            Prompt(
                "calendar",
                f"Where do your {target_minutes:g} minutes of practice go this week? Book the slots "
                "now, before meetings take them.",
                "Two or three short blocks beat one long one.",
            ),
            Prompt(
                "obstacle",
                "What usually eats your practice time, and what will you do when it shows up?",
                "Plan for the excuse before it arrives.",
            ),
        ]
    if phase == "review":
        planned = plan_answer(week, practice.id, "focus")
        opener = f"You set out to sharpen: \u201c{planned}\u201d. " if planned else ""
        return [
            Prompt(
                "progress",
                f"{opener}What can you do now that you could not do on Monday?",
                "Faster, cleaner, or without help?",
            ),
            Prompt(
                "evidence",
                "Where did the practice show up in real work: a task done faster, a review with "
                "fewer comments, a question you could answer?",
                "Evidence, not feelings.",
            ),
            Prompt(
                "next-focus",
                "Keep, narrow or switch: what is next week's skill focus, and why?",
                "Keep going unless you have a reason.",
            ),
        ]
    return []


@hookimpl
def planner_outcome_prompt(practice: Practice, task: Task) -> str:
    return "What can you do now that you could not do before?"


@hookimpl
def planner_task_templates(practice: Practice, settings: Mapping[str, Any]) -> list[TaskTemplate]:
    return [
        TaskTemplate(
            "practice-block",
            "Deliberate practice block on one narrow sub-skill",
            estimate=60,
            tags=("deliberate-practice",),
            notes="Pick the part you can only just do. Log the minutes you actually spent.",
        ),
        TaskTemplate(
            "redo-like-expert",
            "Redo a piece of last week's work the way an expert would",
            estimate=45,
            tags=("deliberate-practice", "rework"),
            notes="Compare both versions and note what changed.",
        ),
        TaskTemplate(
            "study-expert",
            "Study how an expert solved a problem you face, and list three differences from your approach",
            estimate=45,
            tags=("study",),
        ),
        TaskTemplate(
            "rehearse",
            "Rehearse a presentation or demo out loud, timed, and fix the weakest minute",
            estimate=30,
            tags=("rehearsal",),
        ),
        TaskTemplate(
            "tool-fluency",
            "Learn five shortcuts or commands of your main tool and use them until they are automatic",
            estimate=20,
            tags=("tools",),
        ),
        TaskTemplate(
            "workshop-apply",
            "Take one workshop or course module and apply it to a real task the same day",
            estimate=90,
            tags=("course",),
        ),
    ]


@hookimpl
def planner_score_week(
    practice: Practice, week: WeekView, tasks: Sequence[Task], settings: Mapping[str, Any]
) -> Score:
    target_minutes = positive_setting(settings, "target_minutes", DEFAULT_TARGET_MINUTES)
    practised = [task for task in done_in_week(tasks, week) if task.practice == practice.id]
    minutes = sum(task.minutes for task in practised)
    if not practised:
        return Score(0, f"no skill practice done this week (target {target_minutes:g} minutes)")
    value = max(0.0, min(100.0, 100 * minutes / target_minutes))
    return Score(round(value, 1), f"{minutes} of {target_minutes:g} target minutes of skill practice done")
