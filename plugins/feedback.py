"""Seek feedback: ask managers, colleagues and clients for specific feedback, and act on it visibly.

Score (planner_score_week)
    asks  = the number of tasks of ANY practice whose status is done, whose `done_at` falls inside
            the week and that carry the tag `ask-feedback` (in any letter case)
    acted = the same count for the tag `acted-on-feedback` (a task with both tags counts in both)
    score = 50 * min(1, asks / target_asks) + 50 * min(1, acted / target_acted), rounded to one decimal

Settings, `[practices.feedback]` in board.toml:
    target_asks  = 2   feedback requests a week that earn the first 50 points
    target_acted = 1   changes made because of feedback that earn the other 50 points

A setting that is not a number greater than 0 falls back to its default.
Example: 1 ask and 1 change -> 50 * 1/2 + 50 * 1/1 = 75,
"1 of 2 target feedback requests, 1 of 1 target changes from feedback".
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

PRACTICE_ID = "feedback"
ASK_TAG = "ask-feedback"
ACTED_TAG = "acted-on-feedback"
DEFAULT_TARGET_ASKS = 2
DEFAULT_TARGET_ACTED = 1


@hookimpl
def planner_register_practices(register: Callable[[Practice], None]) -> None:
    register(
        Practice(
            id=PRACTICE_ID,
            name="Seek feedback",
            summary="Ask managers, colleagues and clients for specific feedback, then act on it and "
            "show them what changed.",
            color="#c93480",
            label="FEEDBK",
            settings={"target_asks": DEFAULT_TARGET_ASKS, "target_acted": DEFAULT_TARGET_ACTED},
            weight=1.0,
            order=60,
        )
    )


@hookimpl
def planner_prompts(
    practice: Practice, phase: Phase, week: WeekView, settings: Mapping[str, Any]
) -> list[Prompt]:
    target_asks = positive_setting(settings, "target_asks", DEFAULT_TARGET_ASKS)
    if phase == "plan":
        return [
            Prompt(
                "ask-whom",
                f"Whose feedback will you ask for this week (aim for {target_asks:g} asks), and on "
                "which piece of work?",
                f"Tag those tasks {ASK_TAG}.",
                intention=True,
            ),
            Prompt(
                "question",
                "What exact question will you ask? \u201cWhat is one thing I could have done better "
                "on X?\u201d gets more than \u201cAny feedback?\u201d",
                "Specific questions get specific answers.",
            ),
            Prompt(
                "act-on",
                "What feedback have you already received but not acted on yet, and what is the first "
                "change you will make?",
                f"Tag the change {ACTED_TAG}.",
            ),
        ]
    if phase == "review":
        planned = plan_answer(week, practice.id, "ask-whom")
        heard = (
            f"You planned to ask: \u201c{planned}\u201d. What did you hear that you did not expect?"
            if planned
            else "What feedback did you get this week that you did not expect?"
        )
        return [
            Prompt("heard", heard, "Write it down before you judge it."),
            Prompt(
                "changed",
                "What did you change because of feedback, and did the person who gave it see the change?",
                "Closing the loop earns the next honest answer.",
            ),
            Prompt(
                "pattern",
                "Is there a theme across the feedback of the last few weeks?",
                "The same note twice is a signal.",
            ),
        ]
    return []


@hookimpl
def planner_outcome_prompt(practice: Practice, task: Task) -> str:
    return "What did you change after the feedback?"


@hookimpl
def planner_task_templates(practice: Practice, settings: Mapping[str, Any]) -> list[TaskTemplate]:
    return [
        TaskTemplate(
            "ask-specific",
            "Ask a colleague one specific question about a recent piece of your work",
            estimate=15,
            tags=(ASK_TAG,),
            notes="Tag the colleague too, e.g. @maria.",
        ),
        TaskTemplate(
            "ask-manager",
            "Ask your manager: what is one thing I should do more of, and one thing less?",
            estimate=20,
            tags=(ASK_TAG,),
        ),
        TaskTemplate(
            "ask-client",
            "Ask a client or user what nearly made them give up on something you delivered",
            estimate=30,
            tags=(ASK_TAG,),
        ),
        TaskTemplate(
            "early-draft-review",
            "Get a review of a rough draft while it is still cheap to change",
            estimate=20,
            tags=(ASK_TAG,),
        ),
        TaskTemplate(
            "apply-feedback",
            "Apply one piece of feedback you received to the work in front of you",
            estimate=45,
            tags=(ACTED_TAG,),
            notes="Write down which feedback, from whom, and what you changed.",
        ),
        TaskTemplate(
            "close-loop",
            "Tell someone what you changed because of their feedback",
            estimate=10,
            tags=(ACTED_TAG,),
        ),
    ]


@hookimpl
def planner_score_week(
    practice: Practice, week: WeekView, tasks: Sequence[Task], settings: Mapping[str, Any]
) -> Score:
    target_asks = positive_setting(settings, "target_asks", DEFAULT_TARGET_ASKS)
    target_acted = positive_setting(settings, "target_acted", DEFAULT_TARGET_ACTED)
    done = done_in_week(tasks, week)
    asks = sum(1 for task in done if has_tag(task, ASK_TAG))
    acted = sum(1 for task in done if has_tag(task, ACTED_TAG))
    if asks == 0 and acted == 0:
        return Score(0, f"no task tagged {ASK_TAG} or {ACTED_TAG} done this week")
    value = 50 * min(1.0, asks / target_asks) + 50 * min(1.0, acted / target_acted)
    return Score(
        round(value, 1),
        f"{asks} of {target_asks:g} target feedback requests, "
        f"{acted} of {target_acted:g} target changes from feedback",
    )
