"""Everything a practice plugin imports: `from planner.api import hookimpl, Practice, Prompt, ...`.

The values here are frozen dataclasses. A plugin returns them from its hooks and receives read-only
views of the plan (`Task`, `WeekView`), so no plugin can change the plan behind the user's back.
See docs/plugins.md for a tutorial and planner/hookspecs.py for every hook.
"""

from __future__ import annotations

import decimal
import math
import numbers
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Literal, Mapping, Sequence

import pluggy

from planner.model import Task, WeekPlan, WeekView

#: Bumped when a hook or a value here changes in a way that breaks existing plugins.
API_VERSION = 2
PROJECT = "planner"
ENTRY_POINT_GROUP = "planner.practices"

hookimpl = pluggy.HookimplMarker(PROJECT)
hookspec = pluggy.HookspecMarker(PROJECT)

Phase = Literal["plan", "review"]
PHASES: tuple[Phase, ...] = ("plan", "review")

_ID = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class InvalidValue(ValueError):
    """A value a plugin gave that breaks the contract; the host names the plugin and disables it."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidValue(message)


def _require_id(value: Any, what: str) -> None:
    _require(isinstance(value, str) and bool(_ID.fullmatch(value)),
             f"{what} {value!r} must start with a lower-case letter and hold only lower-case letters, digits, "
             "- or _ (at most 32 characters)")


def _require_text(value: Any, what: str, limit: int) -> None:
    _require(isinstance(value, str) and value.strip() != "", f"{what} must be non-empty text")
    _require(len(value) <= limit, f"{what} is longer than {limit} characters")


@dataclass(frozen=True)
class Practice:
    """A practice a plugin declares through `planner_register_practices`.

    `id` is short and stable (it is written into task files); `label` is the short text shown on
    cards beside the colour, so the practice never depends on colour alone; `settings` are the
    defaults, which `[practices.<id>]` in board.toml overrides; `weight` is its default share of the
    weekly value score.
    """

    id: str
    name: str
    summary: str
    color: str
    label: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    weight: float = 1.0
    #: Where the practice stands in lists (lower first); the built-ins use 10-70, in the order of
    #: the value-creation text. A `[practices.<id>]` order in board.toml wins over this.
    order: int = 100

    def validate(self) -> None:
        _require_id(self.id, "practice id")
        _require_text(self.name, "practice name", 60)
        _require_text(self.summary, "practice summary", 300)
        _require(isinstance(self.color, str) and bool(_COLOUR.match(self.color)),
                 f"practice colour {self.color!r} must look like #1e90ff")
        _require_text(self.label, "practice label", 6)
        _require(isinstance(self.settings, Mapping), "practice settings must be a mapping")
        _require(isinstance(self.weight, (int, float)) and self.weight >= 0,
                 "practice weight must be a number >= 0")
        _require(isinstance(self.order, int), "practice order must be a whole number")


@dataclass(frozen=True)
class Prompt:
    """A question asked when planning or reviewing a week. `id` is unique within the practice;
    answers are stored under `<practice>.<id>` in the week file.

    `intention=True` marks the planning prompt whose answer states the practice's intention for the
    week: the answer also fills the week's intention for the practice (one per practice; the first
    marked one counts). Added in Value Planner 0.2 with a default, so plugins that never set it keep
    working unchanged (still plugin API version 1)."""

    id: str
    text: str
    hint: str = ""
    intention: bool = False

    def validate(self) -> None:
        _require_id(self.id, "prompt id")
        _require_text(self.text, f"prompt {self.id!r} text", 300)
        _require(isinstance(self.hint, str), f"prompt {self.id!r} hint must be text")
        _require(isinstance(self.intention, bool), f"prompt {self.id!r} intention must be True or False")


def intention_prompt(prompts: Sequence[Prompt]) -> Prompt | None:
    """The prompt whose answer states the practice's intention: the first one marked, or None."""
    return next((prompt for prompt in prompts if prompt.intention), None)


def _readable_repeat(rule: str) -> bool:
    from planner.repeat import RepeatError, parse_repeat

    try:
        parse_repeat(rule)
    except RepeatError:
        return False
    return True


@dataclass(frozen=True)
class TaskTemplate:
    """A suggested task: added to the board in one step, tagged with its practice."""

    id: str
    title: str
    estimate: int | None = None
    tags: tuple[str, ...] = ()
    notes: str = ""
    #: A repeat rule for tasks made from it (`every week`; planner.repeat), or "" for none.
    repeat: str = ""

    def validate(self) -> None:
        _require_id(self.id, "template id")
        _require_text(self.title, f"template {self.id!r} title", 200)
        _require(self.estimate is None or (isinstance(self.estimate, int) and 0 < self.estimate <= 24 * 60),
                 f"template {self.id!r} estimate must be minutes between 1 and 1440")
        _require(isinstance(self.tags, tuple) and all(isinstance(t, str) and t and " " not in t for t in self.tags),
                 f"template {self.id!r} tags must be a tuple of words")
        _require(isinstance(self.notes, str), f"template {self.id!r} notes must be text")
        _require(isinstance(self.repeat, str) and _readable_repeat(self.repeat),
                 f"template {self.id!r} repeat must be a rule such as \"every week\" (or \"\")")


@dataclass(frozen=True)
class Score:
    """A practice's score for one week: 0-100 and one line a person can check against their data,
    e.g. "95 of 180 planned minutes of practice done".

    `value` may be any real number (int, float, `decimal.Decimal`, `fractions.Fraction`); the
    planner hands a Decimal or a Fraction on as a float."""

    value: float | decimal.Decimal | numbers.Real
    reason: str

    def validate(self) -> None:
        real = isinstance(self.value, (numbers.Real, decimal.Decimal)) and not isinstance(self.value, bool)
        _require(real, "score value must be a number")
        try:
            number = float(self.value)
        except (ValueError, OverflowError):  # Decimal("sNaN"), or a Fraction too large for a float
            number = math.nan
        _require(0 <= number <= 100, f"score value {self.value} is outside 0-100")
        _require_text(self.reason, "score reason", 200)
        _require("\n" not in self.reason, "score reason must be one line")


# --- helpers most scoring rules need ---------------------------------------------------------------

def done_in_week(tasks: Iterable[Task], week: WeekView) -> list[Task]:
    """The tasks that were marked done during `week`."""
    return [task for task in tasks if task.is_done and week.contains(task.done_at)]


def has_tag(task: Task, tag: str) -> bool:
    """Whether `task` carries `tag`, in any letter case."""
    wanted = tag.casefold()
    return any(own.casefold() == wanted for own in task.tags)


def positive_setting(settings: Mapping[str, Any], name: str, default: float) -> float:
    """`settings[name]` when it is a finite number above 0, else `default`: a typo in board.toml
    must not break the weekly score."""
    value = settings.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return value if math.isfinite(value) and value > 0 else default


def plan_answer(week: WeekView, practice_id: str, prompt_id: str, limit: int = 80) -> str:
    """This week's answer to a planning prompt on one line of at most `limit` characters, to quote
    back when reviewing."""
    answer = " ".join(week.plan.plan_answers.get(f"{practice_id}.{prompt_id}", "").split())
    return answer if len(answer) <= limit else answer[: limit - 1] + "\u2026"


__all__ = [
    "API_VERSION",
    "ENTRY_POINT_GROUP",
    "PHASES",
    "InvalidValue",
    "Phase",
    "Practice",
    "Prompt",
    "Score",
    "Task",
    "TaskTemplate",
    "WeekPlan",
    "WeekView",
    "done_in_week",
    "has_tag",
    "hookimpl",
    "plan_answer",
    "positive_setting",
]
