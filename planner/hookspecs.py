"""Every hook a practice plugin can implement, in the order of a week's life.

A plugin implements any subset, with `@hookimpl` from `planner.api`, and may accept fewer arguments
than a spec lists (pluggy passes only the ones named). Unlike pytest's `pytest_*` functions, a
`planner_*` function without `@hookimpl` is not a hook: the host warns about it instead. The host calls each plugin on its own, so
one plugin that raises, or returns something that is not what the spec says, is disabled and named
while the others go on.

Per-practice hooks (`planner_prompts`, `planner_task_templates`, `planner_score_week`) are called
once for each practice, on the plugin that registered it, so their result belongs to that practice:
there is no first-result race between plugins. Notification hooks are called on every plugin and
their return value is ignored; the app calls them in the background.

Every hook call (and the plugin's import) has a time budget (planner.host.DEFAULT_HOOK_TIMEOUT
seconds unless the user sets `hook_timeout`); a plugin that runs over it is disabled for the session.
What a hook prints goes to stderr; sys.exit() or KeyboardInterrupt in a hook disables the plugin.

Each spec says since which plugin API version it exists (planner.api.API_VERSION); docs/plugins.md
has a section for each, with an example, and tests/test_hooks.py a test for each.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

from planner.api import Phase, Practice, Prompt, Score, Task, TaskTemplate, WeekView, hookspec

# --- declaring ----------------------------------------------------------------------------------


@hookspec
def planner_register_practices(register: Callable[[Practice], None]) -> None:
    """Declare the practices this plugin provides by calling `register(Practice(...))` once each.

    Called once when the plugin is loaded, before any other hook. A practice id that another
    plugin already registered is refused, and this plugin is disabled with a message naming both.
    Returns nothing: practices returned instead of passed to `register` are ignored, with a warning
    naming the plugin.

    Since plugin API version 1 (Value Planner 0.1.0).
    """


# --- planning and reviewing a week -------------------------------------------------------------


@hookspec
def planner_prompts(
    practice: Practice, phase: Phase, week: WeekView, settings: Mapping[str, Any]
) -> Sequence[Prompt] | None:
    """Questions to ask for `practice` when planning (`phase == "plan"`) or reviewing
    (`phase == "review"`) `week`.

    Called once per practice each time a week is planned, reviewed or listed (`planner prompts`).
    `settings` are the practice's defaults merged with `[practices.<id>]` from board.toml.
    Returns a list of Prompt (ids unique within the practice), or None for none.

    Since plugin API version 1 (Value Planner 0.1.0).
    """


@hookspec
def planner_task_templates(practice: Practice, settings: Mapping[str, Any]) -> Sequence[TaskTemplate] | None:
    """Suggested tasks for `practice`, offered when adding a task or planning a week.

    Called once per practice whenever templates are shown. Returns a list of TaskTemplate (ids unique
    within the practice), or None for none. The task made from one gets the practice and the
    template's tags.

    Since plugin API version 1 (Value Planner 0.1.0).
    """


@hookspec
def planner_score_week(
    practice: Practice,
    week: WeekView,
    tasks: Sequence[Task],
    settings: Mapping[str, Any],
) -> Score | None:
    """How much value `practice` created in `week`, as a Score from 0 to 100 with a one-line reason.

    Called once per practice whenever a week is scored. `tasks` holds every task that belongs to the
    week, of all practices: scheduled into it, or done during it (deleted ones left out). The week's
    answers and intentions are on `week.plan`. Return None when the practice cannot say anything
    (it is then left out of the weekly value score rather than counted as 0).

    Since plugin API version 1 (Value Planner 0.1.0).
    """


# --- outcomes ------------------------------------------------------------------------------------


@hookspec
def planner_outcome_prompt(practice: Practice, task: Task, settings: Mapping[str, Any]) -> str | None:
    """The question asked for the outcome of `task` when it is marked done, in the practice's words
    ("What did you learn, in one sentence?"); the answer is saved as the task's `outcome`.

    Called once, on the plugin that registered the task's practice, right after the task is marked
    done in the app (the question shows over the board; Enter without text skips it). Returns one
    line of at most 200 characters, or None for the planner's own question ("What did this change,
    and for whom?").

    Since plugin API version 2 (Value Planner 0.2.0).
    """


# --- notifications -------------------------------------------------------------------------------


@hookspec
def planner_task_completed(task: Task, practice: Practice | None) -> None:
    """A task was just marked done (by the CLI, the board, or a move into the done column).

    Called on every plugin, after the change is saved (in the background in the app: the screen
    does not wait); `practice` is the task's practice when one is loaded, else None. The return
    value is ignored.

    Since plugin API version 1 (Value Planner 0.1.0).
    """


@hookspec
def planner_week_reviewed(week: WeekView, scores: Mapping[str, Score]) -> None:
    """The user finished reviewing `week`; `scores` maps each practice id to its score.

    Called on every plugin, after the review is saved (in the background in the app). The return
    value is ignored.

    Since plugin API version 1 (Value Planner 0.1.0).
    """
