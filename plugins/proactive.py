"""Be proactive: anticipate problems and deadlines, and act before anyone has to ask.

Score (planner_score_week)
    with_due = tasks of ANY practice whose status is done, whose `done_at` falls inside the week and
               that have a `due` date
    on_time  = those of them done on or before their due day (Task.done_on_time())
    overdue  = open tasks among the week's tasks whose `due` is before today and no later than the
               week's last day (a task due today is not late yet; one due after the week belongs to
               a later week)
    score    = max(0, 100 * on_time / with_due - overdue_penalty * overdue), rounded to one decimal;
               the first term is 0 when with_due is empty
    None (no score, left out of the weekly value) when with_due and overdue are both empty

Settings, `[practices.proactive]` in board.toml:
    overdue_penalty = 10   points taken off for each overdue open task

A setting that is not a number greater than 0 falls back to its default.
Example: 3 of 4 done on time, 1 overdue -> 75 - 10 = 65,
"3 of 4 tasks with a due date done on time; 1 open task overdue (-10)".
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

PRACTICE_ID = "proactive"
DEFAULT_OVERDUE_PENALTY = 10
SET_DUE_NOTE = "Give it a due date: finishing on or before it is what this practice scores."


@hookimpl
def planner_register_practices(register: Callable[[Practice], None]) -> None:
    register(
        Practice(
            id=PRACTICE_ID,
            name="Be proactive",
            summary="Anticipate problems, deadlines and opportunities, and act before anyone has to "
            "ask: finish on time and fix small issues before they grow.",
            color="#d1382e",
            label="PROACT",
            settings={"overdue_penalty": DEFAULT_OVERDUE_PENALTY},
            weight=1.0,
            order=50,
        )
    )


@hookimpl
def planner_prompts(
    practice: Practice, phase: Phase, week: WeekView, settings: Mapping[str, Any]
) -> list[Prompt]:
    if phase == "plan":
        return [
            Prompt(
                "risk",
                "What is most likely to go wrong this week, and what can you do today to head it off?",
                "Deadlines, dependencies, people away.",
                intention=True,
            ),
            Prompt(
                "deadlines",
                "Which deadlines fall in the next two weeks, and which one should you start now so it "
                "never becomes urgent?",
                "Give tasks due dates so on-time work counts.",
            ),
            Prompt(
                "fix-early",
                "Which small, recurring problem could you fix before anyone asks: a flaky step, a stale "
                "document, a confusing handover?",
                "Fix it once, save time every week.",
            ),
        ]
    if phase == "review":
        planned = plan_answer(week, practice.id, "risk")
        caught = (
            f"You expected trouble from: \u201c{planned}\u201d. Did it happen, and did acting early help?"
            if planned
            else "What problem did you catch early this week, and what did that save?"
        )
        return [
            Prompt("caught-early", caught, "Minutes, money or stress."),
            Prompt(
                "slipped",
                "Which task slipped past its due date, and what was the earliest sign that it would?",
                "Look for the signal, not the culprit.",
            ),
            Prompt(
                "coming-up",
                "What can you already see coming next week that you could prepare for now?",
                "Prepare while it is cheap.",
            ),
        ]
    return []


@hookimpl
def planner_outcome_prompt(practice: Practice, task: Task) -> str:
    return "What problem did this head off, or what did it make easier?"


@hookimpl
def planner_task_templates(practice: Practice, settings: Mapping[str, Any]) -> list[TaskTemplate]:
    return [
        TaskTemplate(
            "risk-check",
            "Monday risk check: list this week's deadlines and dependencies, then start the riskiest",
            estimate=20,
            tags=("planning",),
            notes=SET_DUE_NOTE,
        ),
        TaskTemplate(
            "early-start",
            "Do the first 30 minutes of next week's deadline task today",
            estimate=30,
            tags=("early-start",),
            notes=SET_DUE_NOTE,
        ),
        TaskTemplate(
            "heads-up",
            "Warn the people affected about a risk or delay before they have to ask",
            estimate=10,
            tags=("communication",),
            notes=SET_DUE_NOTE,
        ),
        TaskTemplate(
            "fix-small-problem",
            "Fix a small problem before it grows: a flaky step, a stale document, an unclear handover",
            estimate=45,
            tags=("improvement",),
            notes=SET_DUE_NOTE,
        ),
        TaskTemplate(
            "prepare-early",
            "Prepare the material for an upcoming meeting or decision two days early",
            estimate=30,
            tags=("preparation",),
            notes=SET_DUE_NOTE,
        ),
    ]


@hookimpl
def planner_score_week(
    practice: Practice, week: WeekView, tasks: Sequence[Task], settings: Mapping[str, Any]
) -> Score | None:
    overdue_penalty = positive_setting(settings, "overdue_penalty", DEFAULT_OVERDUE_PENALTY)
    with_due = [task for task in done_in_week(tasks, week) if task.due is not None]
    on_time = sum(1 for task in with_due if task.done_on_time())
    overdue = sum(1 for task in tasks if _is_overdue(task, week))
    if not with_due and not overdue:
        return None
    share = 100 * on_time / len(with_due) if with_due else 0.0
    value = max(0.0, share - overdue_penalty * overdue)
    done_part = (
        f"{on_time} of {len(with_due)} tasks with a due date done on time"
        if with_due
        else "no task with a due date done this week"
    )
    overdue_part = (
        f"{overdue} open task{'s' if overdue != 1 else ''} overdue (-{overdue_penalty * overdue:g})"
        if overdue
        else "no open task overdue"
    )
    return Score(round(value, 1), f"{done_part}; {overdue_part}")


def _is_overdue(task: Task, week: WeekView) -> bool:
    return task.is_open and task.due is not None and task.due < week.today and task.due <= week.end
