"""The seven built-in practices: their declarations, prompts, templates, and hand-computed scores.

Every expected score below is worked out by hand from the rule in the practice module's docstring,
so a failing case points at either the rule or its documentation.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta, timezone
from types import ModuleType
from typing import Any, Callable, Mapping, Sequence

import pluggy
import pytest

import planner.hookspecs
from planner.api import PROJECT, Practice, Prompt, Score, TaskTemplate
from planner.model import Status, Task, WeekPlan, WeekView, make_week_view
from planner_practices import change, feedback, initiative, learning, proactive, relationships, skills

MODULES: dict[str, ModuleType] = {
    "skills": skills,
    "change": change,
    "initiative": initiative,
    "relationships": relationships,
    "proactive": proactive,
    "feedback": feedback,
    "learning": learning,
}

# Plan week 2026-W48 runs Monday 23 to Sunday 29 November; "today" is its Friday.
MONDAY = date(2026, 11, 23)
TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = (MONDAY + timedelta(days=n) for n in range(1, 5))
SUNDAY = MONDAY + timedelta(days=6)
LAST_FRIDAY = FRIDAY - timedelta(weeks=1)
NEXT_MONDAY = MONDAY + timedelta(weeks=1)
NEXT_WEDNESDAY = WEDNESDAY + timedelta(weeks=1)
WEEK = make_week_view("2026-W48", None, 0, FRIDAY)
CREATED = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)

_task_numbers = itertools.count(1)


def done(
    practice: str | None = None,
    *,
    status: Status = "done",
    on: date = WEDNESDAY,
    at: time = time(12, 0),
    **fields: Any,
) -> Task:
    """A task of `practice` finished on `on`; with another status, see `still_open` and `deleted`."""
    # A deleted task keeps its done_at, as the tombstone of a done task does, so the rules must
    # look at the status and not only at done_at.
    done_at = None if status == "open" else datetime.combine(on, at, tzinfo=timezone.utc)
    number = next(_task_numbers)
    return Task(
        id=f"t{number}",
        title=f"task {number}",
        created=CREATED,
        updated=CREATED,
        status=status,
        practice=practice,
        done_at=done_at,
        **fields,
    )


def still_open(practice: str | None = None, **fields: Any) -> Task:
    return done(practice, status="open", **fields)


def deleted(practice: str | None = None, **fields: Any) -> Task:
    return done(practice, status="deleted", **fields)


def registered(practice_id: str) -> Practice:
    found: list[Practice] = []
    MODULES[practice_id].planner_register_practices(register=found.append)
    assert len(found) == 1, f"{practice_id} must register exactly one practice"
    return found[0]


def score(
    practice_id: str,
    tasks: Sequence[Task],
    settings: Mapping[str, Any] | None = None,
    week: WeekView = WEEK,
) -> Score | None:
    """Score as the host does: the practice's defaults merged with board.toml overrides."""
    practice = registered(practice_id)
    merged = {**practice.settings, **(settings or {})}
    result = MODULES[practice_id].planner_score_week(
        practice=practice, week=week, tasks=tasks, settings=merged
    )
    if result is not None:
        result.validate()
    return result


def prompts(
    practice_id: str, phase: str, week: WeekView = WEEK, settings: Mapping[str, Any] | None = None
) -> list[Prompt]:
    practice = registered(practice_id)
    merged = {**practice.settings, **(settings or {})}
    module = MODULES[practice_id]
    return list(module.planner_prompts(practice=practice, phase=phase, week=week, settings=merged))


def templates(practice_id: str) -> list[TaskTemplate]:
    practice = registered(practice_id)
    return list(MODULES[practice_id].planner_task_templates(practice=practice, settings=practice.settings))


# --- hand-computed scores -----------------------------------------------------------------------

SELF = ("self-started",)
ASK = ("ask-feedback",)
ACTED = ("acted-on-feedback",)
SKILLS_ONLY_IN_WEEK = [
    done("skills", estimate=60),
    done("skills", estimate=60, on=LAST_FRIDAY),
    done("skills", estimate=60, on=NEXT_MONDAY),
    still_open("skills", estimate=60),
    deleted("skills", estimate=60),
    done("learning", estimate=60),
]
PROACTIVE_MIXED = [
    done("skills", due=THURSDAY),  # early
    done("change", due=WEDNESDAY),  # on the day
    done("learning", due=TUESDAY),  # late
    done("learning"),  # no due date: not counted
    still_open("skills", due=TUESDAY),  # overdue
    still_open("skills", due=FRIDAY),  # due today: not late yet
    still_open("skills", due=NEXT_WEDNESDAY),  # due after the week
    deleted("skills", due=TUESDAY),
]
LEARNING_THREE_SESSIONS = [
    done("learning", notes="Small batches beat big ones"),
    done("learning", notes="Ask why five times"),
    done("learning"),
]

# (practice, tasks, board.toml overrides, expected score or None, part of the reason), id
SCORE_CASES = [
    # skills: 100 * minutes / target_minutes (180), capped at 100
    pytest.param("skills", [done("skills", estimate=60), done("skills", estimate=60, spent=30)], {},
                 50.0, "90 of 180 target minutes", id="skills-spent-beats-estimate"),
    pytest.param("skills", [done("skills", spent=200)], {}, 100, "200 of 180", id="skills-capped"),
    pytest.param("skills", SKILLS_ONLY_IN_WEEK, {}, 33.3, "60 of 180", id="skills-only-own-done-in-week"),
    pytest.param("skills", [done("skills", estimate=30, on=MONDAY, at=time(0, 0)),
                            done("skills", estimate=60, on=SUNDAY, at=time(23, 59))],
                 {}, 50.0, "90 of 180", id="skills-week-edges-count"),
    pytest.param("skills", [done("skills", estimate=60)], {"target_minutes": 60}, 100, "60 of 60",
                 id="skills-target-override"),
    pytest.param("skills", [done("skills", estimate=60)], {"target_minutes": "lots"}, 33.3, "60 of 180",
                 id="skills-bad-target-uses-default"),
    pytest.param("skills", [done("skills")], {}, 0, "0 of 180", id="skills-done-without-minutes"),
    pytest.param("skills", [], {}, 0, "no skill practice", id="skills-nothing-done"),
    # change: 100 * experiments / target_experiments (2)
    pytest.param("change", [done("change")], {}, 50.0, "1 of 2 target experiments", id="change-one"),
    pytest.param("change", [done("change") for _ in range(3)], {}, 100, "3 of 2", id="change-capped"),
    pytest.param("change", [done("change")], {"target_experiments": 4}, 25.0, "1 of 4",
                 id="change-target-override"),
    pytest.param("change", [done("change")], {"target_experiments": -1}, 50.0, "1 of 2",
                 id="change-bad-target-uses-default"),
    pytest.param("change", [still_open("change"), deleted("change"), done("change", on=LAST_FRIDAY),
                            done("skills")],
                 {}, 0, "no experiment", id="change-nothing-counts"),
    # initiative: 100 * done tasks tagged self-started (any practice) / target_self_started (2)
    pytest.param("initiative", [done("skills", tags=SELF), done(None, tags=("Self-Started",))], {},
                 100, "2 of 2 target self-started", id="initiative-any-practice-any-case"),
    pytest.param("initiative", [done("change", tags=SELF), done("initiative"), still_open(tags=SELF),
                                done(tags=SELF, on=LAST_FRIDAY)],
                 {}, 50.0, "1 of 2", id="initiative-only-tagged-done-in-week"),
    pytest.param("initiative", [done(tags=SELF)], {"target_self_started": 1}, 100, "1 of 1",
                 id="initiative-target-override"),
    pytest.param("initiative", [done(tags=SELF)], {"target_self_started": None}, 50.0, "1 of 2",
                 id="initiative-bad-target-uses-default"),
    pytest.param("initiative", [done("initiative")], {}, 0, "no task tagged self-started",
                 id="initiative-nothing-tagged"),
    # relationships: 100 * distinct @people (case-insensitive) on done tasks / target_people (3)
    pytest.param("relationships", [done("relationships", tags=("@Ana",)),
                                   done("skills", tags=("@ana", "@Bo", "x")),
                                   still_open(tags=("@chris",)),
                                   done(tags=("@dee",), on=LAST_FRIDAY)],
                 {}, 66.7, "2 of 3 target people involved: Ana, Bo", id="relationships-distinct-people"),
    pytest.param("relationships", [done(tags=(f"@p{n}",)) for n in range(7)], {},
                 100, "7 of 3 target people involved: p0, p1, p2, p3, p4 and 2 more",
                 id="relationships-capped"),
    pytest.param("relationships", [done(tags=("@ana", "@bo"))], {"target_people": 2}, 100, "2 of 2",
                 id="relationships-target-override"),
    pytest.param("relationships", [done(tags=("@ana", "@bo"))], {"target_people": "three"}, 66.7, "2 of 3",
                 id="relationships-bad-target-uses-default"),
    pytest.param("relationships", [done("relationships", tags=("@",))], {}, 0, "no @person",
                 id="relationships-nobody-tagged"),
    # proactive: 100 * on time / done with due - overdue_penalty (10) * overdue open, floor 0
    pytest.param("proactive", PROACTIVE_MIXED, {},
                 56.7, "2 of 3 tasks with a due date done on time; 1 open task overdue (-10)",
                 id="proactive-mixed"),
    pytest.param("proactive", PROACTIVE_MIXED, {"overdue_penalty": 25}, 41.7, "(-25)",
                 id="proactive-penalty-override"),
    pytest.param("proactive", PROACTIVE_MIXED, {"overdue_penalty": 0}, 56.7, "(-10)",
                 id="proactive-bad-penalty-uses-default"),
    pytest.param("proactive", [done(due=FRIDAY)], {},
                 100, "1 of 1 tasks with a due date done on time; no open task overdue",
                 id="proactive-all-on-time"),
    pytest.param("proactive", [done(due=TUESDAY), still_open(due=MONDAY)], {}, 0, "(-10)",
                 id="proactive-floor-at-zero"),
    pytest.param("proactive", [still_open(due=MONDAY), still_open(due=TUESDAY)],
                 {}, 0, "no task with a due date done this week; 2 open tasks overdue (-20)",
                 id="proactive-only-overdue"),
    pytest.param("proactive", [done("proactive"), still_open(due=NEXT_MONDAY)], {}, None, "",
                 id="proactive-nothing-to-say"),
    pytest.param("proactive", [done(due=WEDNESDAY, on=LAST_FRIDAY)], {}, None, "",
                 id="proactive-done-outside-week-ignored"),
    # feedback: 50 * min(1, asks / target_asks (2)) + 50 * min(1, acted / target_acted (1))
    pytest.param("feedback", [done(tags=ASK)], {}, 25.0,
                 "1 of 2 target feedback requests, 0 of 1 target changes", id="feedback-one-ask"),
    pytest.param("feedback", [done(tags=("Ask-Feedback",)), done("skills", tags=ACTED)], {}, 75.0,
                 "1 of 2 target feedback requests, 1 of 1", id="feedback-ask-and-act"),
    pytest.param("feedback", [done(tags=ASK + ACTED)], {}, 75.0,
                 "1 of 2 target feedback requests, 1 of 1", id="feedback-both-tags-count-twice"),
    pytest.param("feedback", [done(tags=ASK) for _ in range(3)] + [done(tags=ACTED) for _ in range(2)],
                 {}, 100, "3 of 2", id="feedback-capped"),
    pytest.param("feedback", [done(tags=ASK)], {"target_asks": 1}, 50.0, "1 of 1",
                 id="feedback-target-override"),
    pytest.param("feedback", [done(tags=ASK), done(tags=ACTED)], {"target_acted": "x"}, 75.0,
                 "1 of 1 target changes", id="feedback-bad-target-uses-default"),
    pytest.param("feedback", [still_open(tags=ASK), deleted(tags=ASK), done(tags=ACTED, on=LAST_FRIDAY),
                              done("feedback")],
                 {}, 0, "no task tagged ask-feedback or acted-on-feedback", id="feedback-nothing-counts"),
    # learning: 70 * min(1, sessions / target_sessions (3)) + 30 * with notes / sessions
    pytest.param("learning", LEARNING_THREE_SESSIONS, {},
                 90.0, "3 of 3 target learning sessions done, 2 of 3 with a takeaway",
                 id="learning-full-sessions"),
    pytest.param("learning", [done("learning", notes="idea"), done("learning")], {}, 61.7,
                 "2 of 3 target learning sessions done, 1 of 2", id="learning-docstring-example"),
    pytest.param("learning", [done("learning", notes=" \n ")], {}, 23.3, "0 of 1 with a takeaway",
                 id="learning-blank-notes-not-a-takeaway"),
    pytest.param("learning", [done("learning", notes="idea") for _ in range(6)], {}, 100, "6 of 3",
                 id="learning-capped"),
    pytest.param("learning", [done("learning", notes="idea")], {"target_sessions": 1}, 100, "1 of 1",
                 id="learning-target-override"),
    pytest.param("learning", [done("learning", notes="idea")], {"target_sessions": 0}, 53.3, "1 of 3",
                 id="learning-bad-target-uses-default"),
    pytest.param("learning", [done("skills", notes="idea"), still_open("learning", notes="idea"),
                              done("learning", notes="idea", on=NEXT_MONDAY)],
                 {}, 0, "no learning session", id="learning-nothing-done"),
]


@pytest.mark.parametrize(("practice_id", "tasks", "settings", "expected", "reason_part"), SCORE_CASES)
def test_score_is_hand_computed(
    practice_id: str, tasks: list[Task], settings: dict[str, Any], expected: float | None, reason_part: str
) -> None:
    result = score(practice_id, tasks, settings)
    if expected is None:
        assert result is None
        return
    assert result is not None
    assert result.value == pytest.approx(expected)
    assert reason_part in result.reason


@pytest.mark.parametrize(
    ("today", "due", "overdue"),
    [
        pytest.param(FRIDAY, THURSDAY, True, id="due-yesterday"),
        pytest.param(FRIDAY, FRIDAY, False, id="due-today-not-yet-late"),
        pytest.param(NEXT_WEDNESDAY, SUNDAY, True, id="past-week-due-on-last-day"),
        pytest.param(NEXT_WEDNESDAY, NEXT_MONDAY, False, id="past-week-due-after-it"),
    ],
)
def test_proactive_overdue_boundaries(today: date, due: date, overdue: bool) -> None:
    week = make_week_view("2026-W48", None, 0, today)
    tasks = [done(due=THURSDAY), still_open(due=due)]
    result = score("proactive", tasks, week=week)
    assert result is not None
    assert result.value == (90.0 if overdue else 100)


# --- settings: defaults, overrides and bad values, for every practice -------------------------

# One ordinary week touching every practice, with no score at a cap, so a change of target shows.
SAMPLE_WEEK_TASKS = (
    done("skills", estimate=90, tags=("@ana",)),
    done("change", tags=("self-started",)),
    done("feedback", tags=("ask-feedback", "@bo")),
    done("feedback", tags=("acted-on-feedback",)),
    done("learning", notes="Small batches beat big ones", due=THURSDAY),
    still_open("proactive", due=TUESDAY),
)
SETTING_NAMES = [
    (practice_id, name) for practice_id in MODULES for name in registered(practice_id).settings
]
BAD_SETTING_VALUES = ["lots", "180", 0, -3, None, True, float("nan"), float("inf"), [1]]


@pytest.mark.parametrize(("practice_id", "name"), SETTING_NAMES)
@pytest.mark.parametrize("bad_value", BAD_SETTING_VALUES, ids=repr)
def test_bad_setting_falls_back_to_default(practice_id: str, name: str, bad_value: Any) -> None:
    assert score(practice_id, SAMPLE_WEEK_TASKS, {name: bad_value}) == score(practice_id, SAMPLE_WEEK_TASKS)
    for phase in ("plan", "review"):
        assert prompts(practice_id, phase, settings={name: bad_value}) == prompts(practice_id, phase)


@pytest.mark.parametrize(("practice_id", "name"), SETTING_NAMES)
def test_doubling_a_setting_changes_the_score(practice_id: str, name: str) -> None:
    default = registered(practice_id).settings[name]
    assert score(practice_id, SAMPLE_WEEK_TASKS, {name: default * 2}) != score(practice_id, SAMPLE_WEEK_TASKS)


@pytest.mark.parametrize("practice_id", MODULES)
def test_missing_settings_use_defaults(practice_id: str) -> None:
    practice = registered(practice_id)
    module = MODULES[practice_id]
    without = module.planner_score_week(practice=practice, week=WEEK, tasks=SAMPLE_WEEK_TASKS, settings={})
    assert without == score(practice_id, SAMPLE_WEEK_TASKS)


# --- declarations, prompts and templates --------------------------------------------------------


def contrast(colour: str, background: str) -> float:
    """WCAG contrast ratio between two #rrggbb colours."""

    def luminance(hex_colour: str) -> float:
        channels = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(colour), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("practice_id", MODULES)
def test_registers_one_valid_practice(practice_id: str) -> None:
    practice = registered(practice_id)
    practice.validate()
    assert practice.id == practice_id
    assert practice.weight == 1.0
    assert practice.settings, "the score's targets belong in settings so board.toml can change them"
    for name, value in practice.settings.items():
        assert isinstance(value, (int, float)) and value > 0, name
    # Readable as text on a dark and on a light terminal (WCAG 4:1 or better against black and white).
    for background in ("#000000", "#ffffff"):
        assert contrast(practice.color, background) >= 4.0, (practice.color, background)


def test_practices_have_distinct_colours_and_labels() -> None:
    practices = [registered(practice_id) for practice_id in MODULES]
    assert len({practice.color.lower() for practice in practices}) == len(practices)
    assert len({practice.label for practice in practices}) == len(practices)


@pytest.mark.parametrize("practice_id", MODULES)
def test_hooks_match_the_hookspecs(practice_id: str) -> None:
    # pluggy refuses a hookimpl whose argument names are not in its spec.
    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(planner.hookspecs)
    manager.register(MODULES[practice_id])
    implemented = {caller.name for caller in manager.get_hookcallers(MODULES[practice_id]) or []}
    assert implemented == {
        "planner_register_practices", "planner_prompts", "planner_task_templates", "planner_score_week",
        "planner_outcome_prompt",
    }


@pytest.mark.parametrize("practice_id", MODULES)
def test_prompts_per_phase(practice_id: str) -> None:
    plan, review = prompts(practice_id, "plan"), prompts(practice_id, "review")
    assert len(plan) >= 3
    assert len(review) >= 2
    for prompt in plan + review:
        prompt.validate()
        assert prompt.hint and len(prompt.hint) <= 60, "hints stay short"
    ids = [prompt.id for prompt in plan + review]
    assert len(ids) == len(set(ids)), "answers are stored by prompt id, so ids must not repeat"


@pytest.mark.parametrize("practice_id", MODULES)
def test_review_quotes_the_first_plan_answer(practice_id: str) -> None:
    first_plan_prompt = prompts(practice_id, "plan")[0]
    answer = "Pair with Li on the billing export\nand write it up"
    plan = WeekPlan("2026-W48", plan_answers={f"{practice_id}.{first_plan_prompt.id}": answer})
    week = make_week_view("2026-W48", plan, 0, FRIDAY)
    review_text = " ".join(prompt.text for prompt in prompts(practice_id, "review", week))
    assert "Pair with Li on the billing export and write it up" in review_text
    long_plan = WeekPlan("2026-W48", plan_answers={f"{practice_id}.{first_plan_prompt.id}": "x" * 500})
    for prompt in prompts(practice_id, "review", make_week_view("2026-W48", long_plan, 0, FRIDAY)):
        prompt.validate()


@pytest.mark.parametrize("practice_id", MODULES)
def test_templates(practice_id: str) -> None:
    suggested = templates(practice_id)
    assert len(suggested) >= 5
    for template in suggested:
        template.validate()
        assert template.estimate is not None and template.tags, template.id
    ids = [template.id for template in suggested]
    assert len(ids) == len(set(ids))


# Templates must carry what the score counts, or a task made from one would earn nothing.
@pytest.mark.parametrize(
    ("practice_id", "counts"),
    [
        ("initiative", lambda template: "self-started" in template.tags),
        ("feedback", lambda template: {"ask-feedback", "acted-on-feedback"} & set(template.tags)),
        ("relationships", lambda template: "@" in template.title + template.notes),
        ("proactive", lambda template: "due date" in template.notes),
        ("learning", lambda template: "takeaway" in template.notes),
    ],
)
def test_templates_carry_what_the_score_counts(
    practice_id: str, counts: Callable[[TaskTemplate], object]
) -> None:
    assert all(counts(template) for template in templates(practice_id))


@pytest.mark.parametrize("practice_id", MODULES)
def test_templates_score_when_done(practice_id: str) -> None:
    """Completing every suggested task, with its takeaway/person/due date filled in, scores above 0."""
    tasks = [
        done(practice_id, estimate=template.estimate, tags=(*template.tags, "@li"), notes="kept", due=FRIDAY)
        for template in templates(practice_id)
    ]
    result = score(practice_id, tasks)
    assert result is not None and result.value > 0
