"""Deep work: protect long, uninterrupted blocks for the work that needs your full attention.

An example third-party practice for Value Planner. Installed, it is found through the entry-point
group `planner.practices` (see pyproject.toml) and appears beside the seven built-in practices.

Score (planner_score_week)
    blocks = the number of tasks whose practice is `deep-work`, whose status is done, whose
             `done_at` falls inside the week and whose minutes (`spent` when recorded, else
             `estimate`, else 0) are at least `block_minutes`
    score  = min(100, 100 * blocks / target_blocks), rounded to one decimal

Settings, `[practices.deep-work]` in board.toml:
    target_blocks = 3    deep-work blocks a week that earn the full score
    block_minutes = 90   the shortest session that counts as a block

A setting that is not a number greater than 0 falls back to its default. Shorter deep-work sessions
are done work but not a block: the reason line mentions them so the score can be checked by hand.
Example: done deep-work tasks of 120, 90 and 45 minutes -> 2 blocks -> 100 * 2 / 3 = 66.7,
"2 of 3 target deep-work blocks of 90+ minutes done (1 shorter session not counted)".
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping, Sequence

from planner.api import Phase, Practice, Prompt, Score, Task, TaskTemplate, WeekView, hookimpl

#: The plugin API this module was written against; the host refuses versions it does not provide.
planner_api_version = 1

PRACTICE_ID = "deep-work"
DEFAULT_TARGET_BLOCKS = 3
DEFAULT_BLOCK_MINUTES = 90


@hookimpl
def planner_register_practices(register: Callable[[Practice], None]) -> None:
    register(
        Practice(
            id=PRACTICE_ID,
            name="Deep work",
            summary="Protect long, uninterrupted blocks for the hard problems that need your full "
            "attention, and keep shallow work from eating them.",
            color="#5b4bc4",
            label="DEEP",
            settings={"target_blocks": DEFAULT_TARGET_BLOCKS, "block_minutes": DEFAULT_BLOCK_MINUTES},
            weight=1.0,
        )
    )


@hookimpl
def planner_prompts(
    practice: Practice, phase: Phase, week: WeekView, settings: Mapping[str, Any]
) -> list[Prompt]:
    target_blocks = _positive_setting(settings, "target_blocks", DEFAULT_TARGET_BLOCKS)
    block_minutes = _positive_setting(settings, "block_minutes", DEFAULT_BLOCK_MINUTES)
    if phase == "plan":
        return [
            Prompt(
                "problem",
                "Which one hard problem would move your work furthest if it got your full attention this week?",
                "The thing you keep postponing because it needs thinking.",
            ),
            Prompt(
                "blocks",
                f"When are your {target_blocks:g} blocks of {block_minutes:g}+ minutes? Put them in the "
                "calendar now, before meetings take the time.",
                "Mornings are easiest to defend.",
            ),
            Prompt(
                "defend",
                "What will you switch off or tell people so the blocks stay uninterrupted?",
                "Notifications off, status set, door closed.",
            ),
            Prompt(
                "shallow",
                "Which shallow work (email, chat, admin) can you batch into one or two short slots?",
                "Batching frees the rest of the day.",
            ),
        ]
    if phase == "review":
        problem = _plan_answer(week, practice, "problem")
        opener = f"You set out to go deep on: \u201c{problem}\u201d. " if problem else ""
        return [
            Prompt(
                "output",
                f"{opener}What did your deep-work blocks produce that scattered hours would not have?",
                "A draft, a solution, a decision.",
            ),
            Prompt(
                "interruptions",
                "What broke into your blocks, and what will you change so it does not next week?",
                "Name the interruption, not the person.",
            ),
            Prompt(
                "rhythm",
                "Which time of day gave you your best block?",
                "Schedule next week's blocks there first.",
            ),
        ]
    return []


@hookimpl
def planner_task_templates(practice: Practice, settings: Mapping[str, Any]) -> list[TaskTemplate]:
    return [
        TaskTemplate(
            "morning-block",
            "Two-hour deep-work block on the hardest problem of the week",
            estimate=120,
            tags=("focus",),
            notes="Notifications off. Write down where you stopped so the next block starts fast.",
        ),
        TaskTemplate(
            "first-draft",
            "Write the first draft of a document in one sitting, chat closed",
            estimate=90,
            tags=("writing",),
        ),
        TaskTemplate(
            "one-question",
            "Ninety minutes on one analysis question, no email or chat",
            estimate=90,
            tags=("analysis",),
        ),
        TaskTemplate(
            "hard-reading",
            "Work through one hard chapter or paper with pen and paper",
            estimate=90,
            tags=("study",),
        ),
        TaskTemplate(
            "offline-half-day",
            "Half a day offline on one project",
            estimate=240,
            tags=("offline",),
        ),
        TaskTemplate(
            "batch-shallow",
            "Batch email and chat into two 30-minute slots so the blocks stay clear",
            estimate=30,
            tags=("shallow",),
            notes="Not a block itself: it protects the blocks.",
        ),
    ]


@hookimpl
def planner_score_week(
    practice: Practice, week: WeekView, tasks: Sequence[Task], settings: Mapping[str, Any]
) -> Score:
    target_blocks = _positive_setting(settings, "target_blocks", DEFAULT_TARGET_BLOCKS)
    block_minutes = _positive_setting(settings, "block_minutes", DEFAULT_BLOCK_MINUTES)
    sessions = [
        task for task in tasks
        if task.practice == practice.id and task.is_done and week.contains(task.done_at)
    ]
    blocks = sum(1 for task in sessions if task.minutes >= block_minutes)
    shorter = len(sessions) - blocks
    if blocks == 0:
        reason = f"no deep-work block of {block_minutes:g}+ minutes done this week (target {target_blocks:g})"
    else:
        reason = f"{blocks} of {target_blocks:g} target deep-work blocks of {block_minutes:g}+ minutes done"
    if shorter:
        reason += f" ({shorter} shorter {'session' if shorter == 1 else 'sessions'} not counted)"
    value = min(100.0, 100 * blocks / target_blocks)
    return Score(round(value, 1), reason)


def _positive_setting(settings: Mapping[str, Any], name: str, default: float) -> float:
    """`settings[name]` when it is a finite number above 0, else `default`, so a typo in board.toml
    cannot break the weekly score."""
    value = settings.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return value if math.isfinite(value) and value > 0 else default


def _plan_answer(week: WeekView, practice: Practice, prompt_id: str) -> str:
    """This week's answer to a plan prompt, on one short line, to quote back at review."""
    answer = " ".join(week.plan.plan_answers.get(f"{practice.id}.{prompt_id}", "").split())
    return answer if len(answer) <= 80 else answer[:79] + "\u2026"
