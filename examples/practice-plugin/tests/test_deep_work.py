"""The deep-work practice, called hook by hook with hand-computed examples.

Only `planner.api` (what the plugin itself uses) and `planner.testing` (builders pinned to Thursday
26 November 2026, in the week 2026-W48, and a plugin host) are imported: the planner's other modules
may change between releases, these two are its promise to plugin authors.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

import pytest

import planner_deep_work as deep_work
from planner.api import ENTRY_POINT_GROUP, Practice, Prompt, Score, Task, TaskTemplate
from planner.testing import assert_practice_contract, board, make_host, run_planner, week
from planner.testing import task as make_task


def registered_practice() -> Practice:
    declared: list[Practice] = []
    deep_work.planner_register_practices(register=declared.append)
    assert len(declared) == 1
    return declared[0]


PRACTICE = registered_practice()
DEFAULTS: dict[str, Any] = dict(PRACTICE.settings)


def task(minutes: int | None = None, *, spent: int | None = None, done: str | None = "2026-11-24T10:00",
         practice: str = "deep-work", status: str | None = None) -> Task:
    """A task of `minutes` estimate; done at `done` (UTC; None: open)."""
    return make_task("Deep-work block", practice=practice, estimate=minutes, spent=spent, done_at=done,
                     status=status)


def score(tasks: list[Task], **settings: Any) -> Score:
    result = deep_work.planner_score_week(
        practice=PRACTICE, week=week(), tasks=tasks, settings={**DEFAULTS, **settings}
    )
    result.validate()
    return result


# --- declaring -----------------------------------------------------------------------------------


def test_practice_declares_id_name_label_and_defaults() -> None:
    PRACTICE.validate()
    assert (PRACTICE.id, PRACTICE.name, PRACTICE.label) == ("deep-work", "Deep work", "DEEP")
    assert DEFAULTS == {"target_blocks": 3, "block_minutes": 90}


def test_prompts_for_plan_and_review_are_valid_and_unique() -> None:
    for phase, at_least in (("plan", 3), ("review", 2)):
        prompts = deep_work.planner_prompts(practice=PRACTICE, phase=phase, week=week(), settings=DEFAULTS)
        assert len(prompts) >= at_least
        assert all(isinstance(prompt, Prompt) for prompt in prompts)
        for prompt in prompts:
            prompt.validate()
        assert len({prompt.id for prompt in prompts}) == len(prompts)


def test_plan_prompt_names_the_configured_blocks() -> None:
    prompts = deep_work.planner_prompts(practice=PRACTICE, phase="plan", week=week(),
                                        settings={"target_blocks": 4, "block_minutes": 60})
    assert "4 blocks of 60+ minutes" in next(prompt.text for prompt in prompts if prompt.id == "blocks")


def test_review_quotes_the_planned_problem() -> None:
    planned = week(plan_answers={"deep-work.problem": "the churn model's join"})
    prompts = deep_work.planner_prompts(practice=PRACTICE, phase="review", week=planned, settings=DEFAULTS)
    assert "the churn model's join" in prompts[0].text


def test_templates_are_valid_and_unique() -> None:
    templates = deep_work.planner_task_templates(practice=PRACTICE, settings=DEFAULTS)
    assert len(templates) >= 5
    assert all(isinstance(template, TaskTemplate) for template in templates)
    for template in templates:
        template.validate()
    assert len({template.id for template in templates}) == len(templates)


# --- scoring: hand-computed ----------------------------------------------------------------------


def test_two_blocks_of_three_score_two_thirds() -> None:
    # 120 and 90 minutes are blocks; 45 is not: 100 * 2 / 3 = 66.7
    result = score([task(120), task(90), task(45)])
    assert result.value == 66.7
    assert result.reason == "2 of 3 target deep-work blocks of 90+ minutes done (1 shorter session not counted)"


def test_spent_minutes_win_over_the_estimate() -> None:
    # estimate 60 but spent 100 -> a block; estimate 120 but spent 80 -> not: 1 of 3 = 33.3
    result = score([task(60, spent=100), task(120, spent=80)])
    assert result.value == 33.3


def test_target_reached_caps_at_100() -> None:
    assert score([task(90)] * 4).value == 100
    assert score([task(90), task(90)], target_blocks=2).value == 100


def test_only_done_deep_work_inside_the_week_counts() -> None:
    ignored = [
        task(120, done=None),  # still open
        task(120, practice="skills"),  # another practice
        task(120, done="2026-11-30T09:00"),  # done the Monday after
        task(120, done="2026-11-22T23:30"),  # done the Sunday before
        task(120, status="deleted"),  # a tombstone, even with done_at set
        task(None),  # no minutes at all: 0
    ]
    result = score(ignored)
    assert result.value == 0
    assert result.reason == "no deep-work block of 90+ minutes done this week (target 3) (1 shorter session not counted)"
    assert score([]).reason == "no deep-work block of 90+ minutes done this week (target 3)"


def test_block_minutes_setting_moves_the_threshold() -> None:
    # with 45-minute blocks all three count, target 3: 100
    assert score([task(120), task(90), task(45)], block_minutes=45).value == 100
    # with 4 target blocks: 3 / 4 = 75
    assert score([task(120), task(90), task(45)], block_minutes=45, target_blocks=4).value == 75


@pytest.mark.parametrize("bad", [0, -2, "three", True, float("nan"), None])
def test_bad_settings_fall_back_to_defaults(bad: Any) -> None:
    # 1 block against the default target 3 -> 33.3, whatever garbage the board holds
    assert score([task(90)], target_blocks=bad, block_minutes=bad).value == 33.3


# --- in the host ---------------------------------------------------------------------------------


def test_keeps_the_practice_contract() -> None:
    # planner.testing's check: the same one every built-in practice passes
    assert_practice_contract(make_host(deep_work), "deep-work")


def test_host_loads_it_and_scores_through_it() -> None:
    host = make_host(("deep-work", deep_work))
    record = host.records["deep-work"]
    assert record.active, record.error
    assert record.practices == ("deep-work",)
    result = host.score_week("deep-work", week(), [task(90)], board({"deep-work": {"target_blocks": 2}}))
    assert result is not None and result.value == 50


def test_the_planner_command_scores_a_done_block(tmp_path) -> None:
    # `planner` itself, run in this process against a plan in tmp_path, with this plugin loaded
    # (installed or not: an installed copy is the same module and is not loaded twice)
    added = run_planner("add", "Write the analysis chapter", "--practice", "deep-work", "--estimate", "2h",
                        "--day", "today", "--json", folder=tmp_path, plugins=[deep_work])
    assert added.exit_code == 0, added.stderr
    run_planner("done", added.json()["id"], folder=tmp_path, plugins=[deep_work])
    [week_score] = run_planner("score", "--json", folder=tmp_path, plugins=[deep_work]).json()
    [row] = [row for row in week_score["practices"] if row["id"] == "deep-work"]
    assert (row["score"], row["reason"]) == (33.3, "1 of 3 target deep-work blocks of 90+ minutes done")


def test_installed_package_registers_the_entry_point() -> None:
    try:
        distribution = metadata.distribution("planner-deep-work")
    except metadata.PackageNotFoundError:
        pytest.skip("planner-deep-work is not installed (pip install -e .)")
    entries = [entry for entry in distribution.entry_points if entry.group == ENTRY_POINT_GROUP]
    assert [(entry.name, entry.value) for entry in entries] == [("deep-work", "planner_deep_work")]
