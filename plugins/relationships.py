"""Build relationships: invest in colleagues, mentors and peers who inspire and challenge you.

Score (planner_score_week)
    people = the number of distinct people, compared without letter case, named by `@name` tags
             (Task.people) on tasks of ANY practice whose status is done and whose `done_at` falls
             inside the week
    score  = min(100, 100 * people / target_people), rounded to one decimal

Settings, `[practices.relationships]` in board.toml:
    target_people = 3   distinct people a week that earn the full score

A setting that is not a number greater than 0 falls back to its default.
Tag a task with the person it involves (`@maria`) so they count; `@Maria` and `@maria` are one person.
Example: @maria and @li on done tasks -> 100 * 2 / 3 = 66.7, "2 of 3 target people involved: maria, li".
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

PRACTICE_ID = "relationships"
DEFAULT_TARGET_PEOPLE = 3
# Enough names for a person to check the count, short enough to keep the reason on one line.
NAMES_SHOWN = 5
NAME_LENGTH_SHOWN = 20
TAG_PERSON_NOTE = "Tag this task with the person, e.g. @maria, so they count toward this week's people."


@hookimpl
def planner_register_practices(register: Callable[[Practice], None]) -> None:
    register(
        Practice(
            id=PRACTICE_ID,
            name="Build relationships",
            summary="Invest in colleagues, mentors and peers in your field: people who inspire you, "
            "challenge you and bring you insights and opportunities.",
            color="#1f8a4c",
            label="PEOPLE",
            settings={"target_people": DEFAULT_TARGET_PEOPLE},
            weight=1.0,
            order=40,
        )
    )


@hookimpl
def planner_prompts(
    practice: Practice, phase: Phase, week: WeekView, settings: Mapping[str, Any]
) -> list[Prompt]:
    target_people = positive_setting(settings, "target_people", DEFAULT_TARGET_PEOPLE)
    if phase == "plan":
        return [
            Prompt(
                "who",
                f"Who will you make time for this week (aim for {target_people:g} people), and why "
                "each one now?",
                "Tag their tasks @name so they count.",
                intention=True,
            ),
            Prompt(
                "give",
                "What can you offer someone this week without being asked: an introduction, a review, "
                "a useful link, a thank-you?",
                "Give before you ask.",
            ),
            Prompt(
                "outside",
                "Who outside your own team knows something you need, or works on something next to yours?",
                "One team over, or one company over.",
            ),
            Prompt(
                "reconnect",
                "Who have you not spoken to in three months that you would hate to lose touch with?",
                "A two-line message counts.",
            ),
        ]
    if phase == "review":
        planned = plan_answer(week, practice.id, "who")
        met = (
            f"You planned to connect with: \u201c{planned}\u201d."
            if planned
            else "Who did you connect with this week?"
        )
        return [
            Prompt(
                "learned",
                f"{met} What did you learn from them, or about them?",
                "One insight per person.",
            ),
            Prompt(
                "follow-up",
                "Which conversation deserves a follow-up, and when will you send it?",
                "Put a date on it.",
            ),
            Prompt(
                "challenged",
                "Who challenged your thinking this week? If nobody did, who could next week?",
                "Comfortable is not the same as useful.",
            ),
        ]
    return []


@hookimpl
def planner_outcome_prompt(practice: Practice, task: Task) -> str:
    return "Who gained from this, and how?"


@hookimpl
def planner_task_templates(practice: Practice, settings: Mapping[str, Any]) -> list[TaskTemplate]:
    return [
        TaskTemplate(
            "coffee-outside-team",
            "Coffee chat with someone from another team about what they are working on",
            estimate=30,
            tags=("coffee",),
            notes=TAG_PERSON_NOTE,
        ),
        TaskTemplate(
            "ask-mentor",
            "Bring a mentor or senior colleague the one question you have been stuck on",
            estimate=30,
            tags=("mentor",),
            notes=TAG_PERSON_NOTE,
            repeat="every 2 weeks",
        ),
        TaskTemplate(
            "give-first",
            "Send someone a useful introduction, article or review, with nothing asked in return",
            estimate=15,
            tags=("give",),
            notes=TAG_PERSON_NOTE,
        ),
        TaskTemplate(
            "specific-thanks",
            "Thank someone specifically for work that helped you, and copy their manager",
            estimate=10,
            tags=("thanks",),
            notes=TAG_PERSON_NOTE,
        ),
        TaskTemplate(
            "reconnect",
            "Reconnect with someone you have not spoken to in three months or more",
            estimate=15,
            tags=("reconnect",),
            notes=TAG_PERSON_NOTE,
        ),
        TaskTemplate(
            "community-event",
            "Go to a meetup or community call in your field and follow up with one person you met",
            estimate=90,
            tags=("community",),
            notes=TAG_PERSON_NOTE,
        ),
    ]


@hookimpl
def planner_score_week(
    practice: Practice, week: WeekView, tasks: Sequence[Task], settings: Mapping[str, Any]
) -> Score:
    target_people = positive_setting(settings, "target_people", DEFAULT_TARGET_PEOPLE)
    # Keyed by the case-folded name so @Maria and @maria are one person; the first spelling is shown.
    people: dict[str, str] = {}
    for task in done_in_week(tasks, week):
        for person in task.people:
            people.setdefault(person.casefold(), person)
    if not people:
        return Score(0, f"no @person tagged on tasks done this week (target {target_people:g})")
    value = min(100.0, 100 * len(people) / target_people)
    return Score(
        round(value, 1),
        f"{len(people)} of {target_people:g} target people involved: {_list_names(list(people.values()))}",
    )


def _list_names(names: list[str]) -> str:
    shown = ", ".join(name[:NAME_LENGTH_SHOWN] for name in names[:NAMES_SHOWN])
    hidden = len(names) - NAMES_SHOWN
    return f"{shown} and {hidden} more" if hidden > 0 else shown
