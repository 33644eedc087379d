"""Continuously learn: read, listen, take courses and attend talks, and keep what you take away.

Score (planner_score_week)
    sessions = tasks whose practice is `learning`, whose status is done and whose `done_at` falls
               inside the week
    noted    = those of them whose notes are not blank (the captured takeaway)
    score    = 70 * min(1, len(sessions) / target_sessions) + 30 * noted / len(sessions),
               rounded to one decimal; 0 when no session was done

Settings, `[practices.learning]` in board.toml:
    target_sessions = 3   learning sessions a week that earn the first 70 points

A setting that is not a number greater than 0 falls back to its default.
Example: 2 sessions, 1 with notes -> 70 * 2/3 + 30 * 1/2 = 61.7,
"2 of 3 target learning sessions done, 1 of 2 with a takeaway in its notes".
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

PRACTICE_ID = "learning"
DEFAULT_TARGET_SESSIONS = 3
TAKEAWAY_NOTE = "When done, write your one takeaway here: it is what makes the session count in full."


@hookimpl
def planner_register_practices(register: Callable[[Practice], None]) -> None:
    register(
        Practice(
            id=PRACTICE_ID,
            name="Continuously learn",
            summary="Keep learning beyond the job at hand: books, talks, courses and podcasts, with "
            "the takeaway written down so it sticks.",
            color="#0b8196",
            label="LEARN",
            settings={"target_sessions": DEFAULT_TARGET_SESSIONS},
            weight=1.0,
            order=70,
        )
    )


@hookimpl
def planner_prompts(
    practice: Practice, phase: Phase, week: WeekView, settings: Mapping[str, Any]
) -> list[Prompt]:
    target_sessions = positive_setting(settings, "target_sessions", DEFAULT_TARGET_SESSIONS)
    if phase == "plan":
        return [
            Prompt(
                "question",
                "What question about your field are you most curious about right now? Let it pick "
                "this week's reading or listening.",
                "Curiosity beats a reading list.",
            ),
            Prompt(
                "source",
                "What will you learn from (a book chapter, a talk, a paper, a course module), and "
                "why that one?",
                "One source finished beats five started.",
                intention=True,
            ),
            Prompt(
                "sessions",
                f"When will your learning sessions happen (aim for {target_sessions:g})? Put them in "
                "the calendar now.",
                "Commute, lunch, Friday afternoon?",
            ),
            Prompt(
                "adjacent",
                "Which subject outside your field could give you a fresh angle on your work?",
                "Neighbouring fields lend the best ideas.",
            ),
        ]
    if phase == "review":
        planned = plan_answer(week, practice.id, "question")
        keep = (
            f"You set out to learn about: \u201c{planned}\u201d. What is the one idea you will keep?"
            if planned
            else "What is the one idea from this week's learning you will keep?"
        )
        return [
            Prompt("takeaway", keep, "One sentence; put it in the task notes."),
            Prompt(
                "apply",
                "Where will you use it in your work next week?",
                "Name the task.",
            ),
            Prompt(
                "teach",
                "Who would benefit if you shared it, and how: a message, a lunch talk, a short doc?",
                "Teaching is the best test of understanding.",
            ),
        ]
    return []


@hookimpl
def planner_outcome_prompt(practice: Practice, task: Task) -> str:
    return "What did you learn, in one sentence?"


@hookimpl
def planner_task_templates(practice: Practice, settings: Mapping[str, Any]) -> list[TaskTemplate]:
    return [
        TaskTemplate(
            "read-chapter",
            "Read one chapter of a book in your field",
            estimate=45,
            tags=("reading",),
            notes=TAKEAWAY_NOTE,
        ),
        TaskTemplate(
            "watch-talk",
            "Watch a conference talk and pick one idea to try",
            estimate=45,
            tags=("talk",),
            notes=TAKEAWAY_NOTE,
        ),
        TaskTemplate(
            "podcast-outside-field",
            "Listen to a podcast episode on a subject outside your field",
            estimate=40,
            tags=("podcast",),
            notes=TAKEAWAY_NOTE,
        ),
        TaskTemplate(
            "course-module",
            "Finish one module of a course you have started",
            estimate=60,
            tags=("course",),
            notes=TAKEAWAY_NOTE,
            repeat="every week",  # a weekly learning session: done, it makes next week's
        ),
        TaskTemplate(
            "summarise-article",
            "Read a paper or long article and summarise it in three sentences",
            estimate=45,
            tags=("reading",),
            notes=TAKEAWAY_NOTE,
        ),
        TaskTemplate(
            "teach-back",
            "Explain something you learned this week to a colleague in ten minutes",
            estimate=20,
            tags=("teaching",),
            notes=TAKEAWAY_NOTE,
        ),
    ]


@hookimpl
def planner_score_week(
    practice: Practice, week: WeekView, tasks: Sequence[Task], settings: Mapping[str, Any]
) -> Score:
    target_sessions = positive_setting(settings, "target_sessions", DEFAULT_TARGET_SESSIONS)
    sessions = [task for task in done_in_week(tasks, week) if task.practice == practice.id]
    if not sessions:
        return Score(0, f"no learning session done this week (target {target_sessions:g})")
    noted = sum(1 for task in sessions if task.notes.strip())
    value = 70 * min(1.0, len(sessions) / target_sessions) + 30 * noted / len(sessions)
    return Score(
        round(value, 1),
        f"{len(sessions)} of {target_sessions:g} target learning sessions done, "
        f"{noted} of {len(sessions)} with a takeaway in its notes",
    )
