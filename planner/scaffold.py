"""`planner plugins new NAME`: write a plugin package that installs, passes its tests and shows up.

The package is a working practice to change, not a blank form: every hook is implemented and
commented, its score reads task data and a setting from board.toml, and its tests use
planner.testing (the contract check and a hand-computed score). The files are templates in this
module (string.Template: `$name` is filled in, `$$` is a literal dollar).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from string import Template

NAME = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")
NAME_LIMIT = 32
#: Colours a new practice can start with: distinct from the built-ins' and readable on dark and light.
COLOURS = ("#c2185b", "#00897b", "#6d4c41", "#5e35b1", "#ef6c00", "#2e7d32", "#0277bd", "#ad1457")


class ScaffoldError(ValueError):
    """NAME or the target folder cannot be used; the message is one readable line."""


@dataclass(frozen=True)
class Names:
    """Every name a plugin package needs, derived from the practice id the user typed."""

    practice_id: str  # deep-work: the practice id and the entry-point name
    distribution: str  # planner-deep-work: what `pip install` takes
    module: str  # planner_deep_work: what Python imports
    title: str  # Deep work
    label: str  # DEEP
    colour: str

    @classmethod
    def of(cls, name: str) -> Names:
        if not NAME.fullmatch(name) or len(name) > NAME_LIMIT:
            raise ScaffoldError(f"{name!r} cannot name a plugin: use lower-case letters and digits, words joined "
                                f"by - or _, starting with a letter, at most {NAME_LIMIT} characters (e.g. deep-work)")
        words = re.split(r"[-_]", name)
        return cls(
            practice_id=name,
            distribution=f"planner-{name}",
            module="planner_" + name.replace("-", "_"),
            title=" ".join(words).capitalize(),
            label=words[0][:6].upper(),
            colour=COLOURS[zlib.crc32(name.encode()) % len(COLOURS)],
        )


def create_plugin(name: str, folder: Path) -> Path:
    """Write the package for practice `name` into `folder`/planner-<name>/ and return that path.
    Refuses a bad name and a target that exists (nothing is written then)."""
    names = Names.of(name)
    if folder.exists() and not folder.is_dir():
        raise ScaffoldError(f"{folder} is not a folder")
    target = folder / names.distribution
    if target.exists():
        raise ScaffoldError(f"{target} already exists: choose another --dir, or move it away first")
    values = {
        "practice_id": names.practice_id,
        "distribution": names.distribution,
        "module": names.module,
        "title": names.title,
        "label": names.label,
        "colour": names.colour,
    }
    files = {
        "pyproject.toml": PYPROJECT,
        "README.md": README,
        f"src/{names.module}/__init__.py": MODULE,
        f"tests/test_{names.module}.py": TESTS,
    }
    for relative, template in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template(template).substitute(values), encoding="utf-8")
    return target


# --- the templates --------------------------------------------------------------------------------

PYPROJECT = '''\
[build-system]
# 70.1 or later builds wheels by itself, so `pip install --no-build-isolation .` needs nothing more.
requires = ["setuptools>=70.1"]
build-backend = "setuptools.build_meta"

[project]
name = "$distribution"
version = "0.1.0"
description = "A Value Planner practice: $title"
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["value-planner"]

[project.optional-dependencies]
test = ["pytest>=8.0"]

# This entry point is the whole integration: Value Planner loads every module named in the group,
# and `$practice_id` is the plugin's name in `planner plugins` and in config.toml's allow and block lists.
[project.entry-points."planner.practices"]
$practice_id = "$module"

[tool.setuptools.packages.find]
where = ["src"]

[tool.pytest.ini_options]
testpaths = ["tests"]
pythonpath = ["src"]  # the tests run before the package is installed too
'''

MODULE = '''\
"""$title: a Value Planner practice.

Every hook a practice can implement is here, each with a comment on when the planner calls it and
what it must return (the full reference: docs/plugins.md in Value Planner). Change the words, the
templates and the score to your practice; `python -m pytest` tells you when the contract breaks.

Score (planner_score_week)
    minutes = the sum of Task.minutes (`spent`, else `estimate`, else 0) over tasks whose practice
              is `$practice_id`, whose status is done and whose `done_at` falls inside the week
    score   = min(100, 100 * minutes / target_minutes), rounded to one decimal

Settings, `[practices.$practice_id]` in board.toml:
    target_minutes = 120   minutes a week that earn the full score

Example: done tasks of 30 and 60 minutes -> 100 * 90 / 120 = 75.0, "90 of 120 target minutes done".
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

#: The plugin API this module is written against: a planner that does not provide it disables the
#: plugin with a message saying so, instead of calling hooks that may have changed.
planner_api_version = 2

PRACTICE_ID = "$practice_id"
DEFAULT_TARGET_MINUTES = 120


# Called once, when the plugin is loaded, before any other hook. Declare the practice by calling
# register() with a Practice. Its id is written into task files, so keep it stable; `label` is the
# short text shown on cards beside the colour; `settings` are the defaults that
# `[practices.$practice_id]` in board.toml overrides.
@hookimpl
def planner_register_practices(register: Callable[[Practice], None]) -> None:
    register(
        Practice(
            id=PRACTICE_ID,
            name="$title",
            summary="One sentence on the value this practice creates, and for whom.",
            color="$colour",
            label="$label",
            settings={"target_minutes": DEFAULT_TARGET_MINUTES},
            weight=1.0,  # its default share of the weekly value score
        )
    )


# Called for each week that is planned ("plan") or reviewed ("review"), and by `planner prompts`.
# Return Prompts whose ids are unique within the practice; answers are saved in the week file under
# "$practice_id.<prompt id>". `settings` already holds board.toml's values over the defaults.
@hookimpl
def planner_prompts(
    practice: Practice, phase: Phase, week: WeekView, settings: Mapping[str, Any]
) -> list[Prompt]:
    target_minutes = positive_setting(settings, "target_minutes", DEFAULT_TARGET_MINUTES)
    if phase == "plan":
        return [
            Prompt("aim", "What one result would make this practice worth it this week?",
                   "Something you could show someone on Friday."),
            Prompt("time", f"When do your {target_minutes:g} minutes go? Put them in the calendar now.",
                   "Two or three blocks beat one long one."),
            Prompt("obstacle", "What usually gets in the way, and what will you do when it does?"),
        ]
    # Review: quote the plan answer back, so the review starts from what was intended.
    aim = plan_answer(week, practice.id, "aim")
    opener = f"You aimed for: \\u201c{aim}\\u201d. " if aim else ""
    return [
        Prompt("result", f"{opener}What came of it?", "Evidence, not feelings."),
        Prompt("next", "Keep, change or drop: what is next week's aim?"),
    ]


# Called whenever templates are shown (adding a task, planning a week, `planner templates`).
# Return TaskTemplates with unique ids; a task made from one gets this practice and its tags.
@hookimpl
def planner_task_templates(practice: Practice, settings: Mapping[str, Any]) -> list[TaskTemplate]:
    return [
        TaskTemplate("block", "A focused block on this week's aim", estimate=60, tags=("focus",)),
        TaskTemplate("prepare", "Prepare the material for the next block", estimate=20, tags=("prep",)),
        TaskTemplate("share", "Show someone what came of it and ask one question", estimate=30,
                     tags=("feedback",)),
        TaskTemplate("study", "Study how someone better at this does it", estimate=45, tags=("study",)),
        TaskTemplate("retro", "Write down what worked and what to change", estimate=15, tags=("review",),
                     notes="Three lines are enough."),
    ]


# Called whenever a week is scored. `tasks` holds every task of the week, of all practices (done in
# it or scheduled into it); pick yours. Return a Score from 0 to 100 with a one-line reason a person
# can check against their data, or None to stay out of the weekly value score.
@hookimpl
def planner_score_week(
    practice: Practice, week: WeekView, tasks: Sequence[Task], settings: Mapping[str, Any]
) -> Score:
    target_minutes = positive_setting(settings, "target_minutes", DEFAULT_TARGET_MINUTES)
    mine = [task for task in done_in_week(tasks, week) if task.practice == practice.id]
    minutes = sum(task.minutes for task in mine)
    value = min(100.0, 100 * minutes / target_minutes)
    return Score(round(value, 1), f"{minutes} of {target_minutes:g} target minutes done")


# Called when a task of this practice is marked done in the app: the question asked for its outcome
# (what it changed, and for whom), in the practice's words. None asks the planner's own question.
@hookimpl
def planner_outcome_prompt(practice: Practice, task: Task) -> str | None:
    return "What did this change, and for whom?"


# Called on every plugin after any task is marked done (`practice` is None when the task has none).
# The return value is ignored. Keep it quick: the command or the screen waits for it.
@hookimpl
def planner_task_completed(task: Task, practice: Practice | None) -> None:
    if practice is None or practice.id != PRACTICE_ID:
        return
    # e.g. append to a journal, or tell another tool; nothing to do in this starting point.


# Called on every plugin after a week is reviewed, with each practice's score. Ignored result.
@hookimpl
def planner_week_reviewed(week: WeekView, scores: Mapping[str, Score]) -> None:
    score = scores.get(PRACTICE_ID)
    if score is None:
        return
    # e.g. keep a history of `score.value` per `week.label`; nothing to do in this starting point.
'''

TESTS = '''\
"""$title, tested with planner.testing: the contract every practice keeps, and the score by hand.

The fixtures (planner_host, planner_week, planner_board, fixed_now, ...) come from Value Planner's
pytest plugin; `planner_plugins` below says which plugins the host holds.
"""

from __future__ import annotations

import pytest

import $module as plugin
from planner.testing import assert_practice_contract, board, task

PRACTICE = "$practice_id"


@pytest.fixture
def planner_plugins():
    return [plugin]


def test_the_practice_keeps_the_contract(planner_host) -> None:
    assert_practice_contract(planner_host, PRACTICE)


def test_done_minutes_score_against_the_target(planner_host, planner_week, planner_board) -> None:
    tasks = [
        task(practice=PRACTICE, estimate=30, done=True),
        task(practice=PRACTICE, estimate=45, spent=60, done=True),  # spent wins over the estimate
        task(practice=PRACTICE, estimate=120),  # still open: not counted
        task(practice="skills", estimate=60, done=True),  # another practice's
        task(practice=PRACTICE, estimate=60, done_at="2026-11-19T09:00", week="2026-W47"),  # last week
    ]
    # 30 + 60 = 90 of the default 120 minutes: 100 * 90 / 120 = 75.0
    score = planner_host.score_week(PRACTICE, planner_week, tasks, planner_board)
    assert (score.value, score.reason) == (75.0, "90 of 120 target minutes done")


def test_board_toml_sets_the_target(planner_host, planner_week) -> None:
    tasks = [task(practice=PRACTICE, estimate=45, done=True)]
    # [practices.$practice_id] target_minutes = 60: 100 * 45 / 60 = 75.0
    score = planner_host.score_week(PRACTICE, planner_week, tasks, board({PRACTICE: {"target_minutes": 60}}))
    assert score.value == 75.0
    # a typo in board.toml falls back to the default: 100 * 45 / 120 = 37.5
    score = planner_host.score_week(PRACTICE, planner_week, tasks, board({PRACTICE: {"target_minutes": "an hour"}}))
    assert score.value == 37.5


def test_more_than_the_target_caps_at_100(planner_host, planner_week, planner_board) -> None:
    tasks = [task(practice=PRACTICE, estimate=90, done=True)] * 3
    assert planner_host.score_week(PRACTICE, planner_week, tasks, planner_board).value == 100
'''

README = '''\
# $distribution

A practice for Value Planner: **$title**.

| | |
| --- | --- |
| Practice id | `$practice_id` (written into task files as `practice = "$practice_id"`) |
| Module | `$module` (entry point `$practice_id` in the group `planner.practices`) |
| Score | done `$practice_id` minutes this week against `target_minutes` (default 120) |

## Develop

```sh
pip install -e ".[test]"     # into the environment where Value Planner is installed
python -m pytest             # the contract check and the hand-computed score
planner plugins              # lists $practice_id, with origin "package $distribution 0.1.0"
```

Then use it:

```sh
planner templates --practice $practice_id
planner add --template $practice_id.block --day today
planner done <id>            # the id `planner add` printed
planner score                # $label ... 60 of 120 target minutes done
```

## Settings

In a plan's `board.toml`:

```toml
[practices.$practice_id]
target_minutes = 90   # minutes a week that earn the full score (default 120)
weight = 1.0          # its share of the weekly value score
```

## Debugging

`PLANNER_STRICT_PLUGINS=1 planner score` shows the traceback of a failing hook instead of disabling
the plugin; `PLANNER_TRACE_HOOKS=hooks.log planner` writes one line per hook call to `hooks.log`.
Every hook is described in Value Planner's `docs/plugins.md`.
'''
