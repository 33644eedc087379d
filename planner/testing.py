"""Helpers and pytest fixtures for testing practice plugins: `from planner.testing import ...`.

    from planner.testing import assert_practice_contract, make_host, task, week

    host = make_host(my_plugin)                      # a plugin host with only your plugin in it
    assert_practice_contract(host)                   # identity, prompts, templates, score range
    score = host.score_week("reading", week(), [task(practice="reading", estimate=60, done=True)], board())
    host = load_plugin_file("reading.py")            # a single-file plugin, as the config folder loads it
    result = run_planner("score", folder=tmp_path)   # the `planner` command, in this process

Everything here is pinned to one moment, `NOW` (Thursday 2026-11-26 10:00 UTC, in week 2026-W48), so
a test gives the same answer on any machine and any day. Installing Value Planner also installs a
pytest plugin (entry point `pytest11`, name `planner`) that offers these fixtures in every test:

    planner_plugins  the plugins under test: override it (in conftest.py or the test module) to list yours
    planner_host     a strict PluginHost holding only `planner_plugins`
    planner_week     week(): the WeekView of 2026-W48, with today = NOW's date
    planner_board    board(): a Board with default settings
    planner_cli      run_planner(...) in the test's tmp_path, with `planner_plugins` loaded
    fixed_now        NOW
    fixed_clock      FixedClock(): a clock that always says NOW

Nothing here imports Textual, and pytest only for the fixtures.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from planner.api import PHASES, Practice, Score
from planner.dates import FixedClock as _FixedClock
from planner.dates import week_of
from planner.host import DEFAULT_HOOK_TIMEOUT, PluginDeprecationWarning, PluginError, PluginHost
from planner.model import Board, Task, WeekPlan, WeekView, frozen_mapping, make_week_view

#: The moment every helper here is pinned to: Thursday of plan week 2026-W48, 10:00 UTC.
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
TODAY = NOW.date()
#: The plan week holding NOW: Monday 23 to Sunday 29 November 2026.
WEEK = "2026-W48"

_ids = itertools.count(1)


@dataclass(frozen=True)
class FixedClock(_FixedClock):
    """A clock that always says the same time (NOW unless told otherwise), as the planner's own tests use."""

    moment: datetime = NOW

    def plus(self, **delta: float) -> FixedClock:
        """A clock `timedelta(**delta)` later: `clock.plus(days=1)`."""
        return FixedClock(self.moment + timedelta(**delta))


# --- builders ---------------------------------------------------------------------------------------


def _moment(value: datetime | str) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _day(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def task(
    title: str = "A task",
    *,
    practice: str | None = None,
    done: bool = False,
    done_at: datetime | str | None = None,
    status: str | None = None,
    estimate: int | None = None,
    spent: int | None = None,
    tags: Iterable[str] = (),
    week: str | None = WEEK,
    day: date | str | None = None,
    due: date | str | None = None,
    column: str | None = None,
    notes: str = "",
    created: datetime | str | None = None,
    id: str | None = None,  # noqa: A002 - the Task field's own name
) -> Task:
    """A Task as the planner would hand it to a plugin, with sensible defaults.

    Open and scheduled into WEEK unless told otherwise. `done=True` marks it done at NOW; `done_at`
    (a datetime or an ISO string such as "2026-11-24T09:00", UTC when no zone is given) marks it done
    then. `status="deleted"` makes a tombstone. `day` ("2026-11-27") also sets the week that holds it.
    """
    finished = _moment(done_at) if done_at is not None else (NOW if done else None)
    made = _moment(created) if created is not None else NOW - timedelta(days=3)
    on_day = _day(day)
    state = status or ("done" if finished else "open")
    return Task(
        id=id or f"t{next(_ids):015d}",
        title=title,
        created=made,
        updated=finished or made,
        column=column or ("done" if state == "done" else "this-week" if week or on_day else "backlog"),
        status=state,  # type: ignore[arg-type]
        practice=practice,
        week=week_of(on_day) if on_day else week,
        day=on_day,
        due=_day(due),
        estimate=estimate,
        spent=spent,
        tags=tuple(tags),
        notes=notes,
        done_at=finished,
    )


def week(
    label: str = WEEK,
    *,
    today: date | str = TODAY,
    intentions: Mapping[str, str] | None = None,
    plan_answers: Mapping[str, str] | None = None,
    review_answers: Mapping[str, str] | None = None,
    notes: str = "",
    reviewed_at: datetime | str | None = None,
    week_start: int = 0,
) -> WeekView:
    """The WeekView a plugin receives. Answers are keyed `<practice id>.<prompt id>`, as in the week
    file: `week(plan_answers={"reading.book": "Dune"})`."""
    plan = WeekPlan(
        label,
        intentions=frozen_mapping(intentions),
        plan_answers=frozen_mapping(plan_answers),
        review_answers=frozen_mapping(review_answers),
        notes=notes,
        reviewed_at=_moment(reviewed_at) if reviewed_at is not None else None,
    )
    return make_week_view(label, plan, week_start, _day(today))  # type: ignore[arg-type]


def board(practices: Mapping[str, Mapping[str, Any]] | None = None, **fields: Any) -> Board:
    """A Board (board.toml); `practices` is its `[practices.<id>]` tables:
    `board({"reading": {"target_minutes": 90}})`."""
    return Board(practices=frozen_mapping({key: dict(value) for key, value in (practices or {}).items()}), **fields)


def make_host(*plugins: Any, strict: bool = True, hook_timeout: float | None = DEFAULT_HOOK_TIMEOUT) -> PluginHost:
    """A PluginHost holding only `plugins` (modules, or objects with `@hookimpl` methods), loaded
    exactly as the planner loads an installed one. A plugin can be given as a `(name, plugin)` pair;
    otherwise it is named after its module (or class).

    Strict by default: a plugin that raises, or returns what its hook spec does not allow, raises
    PluginError in the test (with the original error as its cause) instead of being disabled quietly.
    `hook_timeout` is the time budget of each call into the plugin, in seconds (None: no limit), as
    PLANNER_HOOK_TIMEOUT sets it for the planner: a hook that runs over it raises PluginError too.
    """
    host = PluginHost(strict=strict, hook_timeout=hook_timeout)
    for name, plugin in map(_named, plugins):
        host.add_plugin(plugin, name)
    return host


def _plugin_name(plugin: Any) -> str:
    name = getattr(plugin, "__name__", None) or type(plugin).__name__
    return name.rpartition(".")[2]


def _named(plugin: Any) -> tuple[str, Any]:
    return plugin if isinstance(plugin, tuple) else (_plugin_name(plugin), plugin)


def load_plugin_file(path: str | os.PathLike[str], *, strict: bool = True,
                     hook_timeout: float | None = DEFAULT_HOOK_TIMEOUT) -> PluginHost:
    """A PluginHost holding only the single-file plugin at `path`, loaded the way the planner loads
    each `plugins/*.py` of the config folder: imported from the file and named after it
    (`reading.py` is plugin `reading`). Strict by default, as make_host is: a file that fails to
    import raises PluginError here, with the original error as its cause. `hook_timeout` as in make_host."""
    host = PluginHost(strict=strict, hook_timeout=hook_timeout)
    host.load_file(Path(path))
    return host


# --- the `planner` command, run in this process -----------------------------------------------------


@dataclass(frozen=True)
class PlannerResult:
    """What one run_planner call gave: the exit code (0 is success; 1 a mistake in the command, 2
    bad data in the plan folder) and everything printed."""

    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """stdout parsed as JSON, for a command run with `--json`."""
        return json.loads(self.stdout)


#: The planner's own variables: run_planner sets these and removes the rest for the run.
_PLANNER_VARIABLES = ("PLANNER_PLANS", "PLANNER_CONFIG_DIR", "PLANNER_CACHE_DIR", "PLANNER_DATA_DIR", "PLANNER_NOW",
                      "PLANNER_STRICT_PLUGINS", "PLANNER_PLUGINS_ALLOW", "PLANNER_PLUGINS_BLOCK", "PLANNER_TRACE_HOOKS",
                      "PLANNER_HOOK_TIMEOUT")


def run_planner(
    *args: str,
    folder: str | os.PathLike[str],
    plugins: Iterable[Any] = (),
    input: str = "",  # noqa: A002 - the name subprocess.run and Click's CliRunner use
    strict: bool = True,
    env: Mapping[str, str] | None = None,
) -> PlannerResult:
    """Run `planner ARGS` in this process, as Click's CliRunner runs a command, and return what it
    printed. Every folder the planner uses is inside `folder`: the plan is `folder/plans`, the
    config folder `folder/config` (a file copied into `folder/config/plugins/` loads as a
    single-file plugin), the cache `folder/cache`, the data folder `folder/data`. Calls with the
    same `folder` see one another's changes, as commands typed one after the other do.

    `plugins` (modules or objects; a `(name, plugin)` pair names one) are loaded beside the
    installed plugins, for a plugin that is not installed yet. The clock says NOW. `input` is what
    the command reads from stdin. `env` adds environment variables. Strict by default: a failing
    hook raises PluginError in the test instead of disabling the plugin (strict=False gives the
    user's behaviour: a `planner: plugin ... disabled` line on stderr). The environment, stdin,
    stdout and stderr are restored afterwards.
    """
    from planner.cli import main

    root = Path(folder)
    settings = {"PLANNER_PLANS": root / "plans", "PLANNER_CONFIG_DIR": root / "config",
                "PLANNER_CACHE_DIR": root / "cache", "PLANNER_DATA_DIR": root / "data",
                "PLANNER_NOW": NOW.isoformat(), **({"PLANNER_STRICT_PLUGINS": "1"} if strict else {}), **(env or {})}
    saved = {name: os.environ.get(name) for name in {*_PLANNER_VARIABLES, *settings}}
    stdout, stderr = io.StringIO(), io.StringIO()
    stdin = sys.stdin
    try:
        for name in _PLANNER_VARIABLES:
            os.environ.pop(name, None)
        os.environ.update({name: str(value) for name, value in settings.items()})
        sys.stdin = io.StringIO(input)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                exit_code = main(list(args), plugins=[_named(plugin) for plugin in plugins])
            except SystemExit as stop:  # --help, --version, a usage mistake, `planner check`
                exit_code = stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 1
                if isinstance(stop.code, str):
                    print(stop.code, file=sys.stderr)
    finally:
        sys.stdin = stdin
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return PlannerResult(exit_code, stdout.getvalue(), stderr.getvalue())


# --- the practice contract ------------------------------------------------------------------------


def check_practice_contract(
    host_or_plugin: Any,
    practice_id: str | None = None,
    *,
    board: Board | None = None,
    plan_prompts: int = 3,
    review_prompts: int = 2,
    templates: int = 5,
) -> list[str]:
    """Run the contract every built-in practice keeps over a plugin; return the problems found (an
    empty list means it passes).

    Give a PluginHost (e.g. the `planner_host` fixture) or the plugin itself (a module or object).
    Checks each practice the host holds, or only `practice_id`: its plugin loads (on a supported API
    version) and stays enabled; the Practice is valid; it asks at least `plan_prompts` planning and
    `review_prompts` review questions (also once every plan question is answered at length, for
    review prompts that quote answers back); it offers at least `templates` task templates, each with
    an estimate; and it scores an empty week and a week of sample tasks with a value from 0 to 100
    and a one-line reason (or None), the same way twice. Pass 0 for a count your practice does not
    offer (e.g. `templates=0`).
    """
    if isinstance(host_or_plugin, PluginHost):
        host = host_or_plugin
    else:
        host = make_host(host_or_plugin, strict=False)
    plan_board = board or Board()
    problems = [f"plugin {record.name!r} is disabled: {record.error}"
                for record in host.records.values() if record.status == "error"]
    problems += [f"plugin {record.name!r}: {warning}" for record in host.records.values() for warning in record.warnings]
    if practice_id is not None and practice_id not in host.practices:
        known = ", ".join(host.practices) or "none"
        return problems + [f"no practice {practice_id!r} is registered (registered: {known})"]
    practice_ids = [practice_id] if practice_id is not None else list(host.practices)
    if not practice_ids and not problems:
        problems.append("no practice is registered: implement planner_register_practices")
    for each in practice_ids:
        try:
            problems += [f"practice {each!r}: {problem}"
                         for problem in _practice_problems(host, each, plan_board, plan_prompts, review_prompts,
                                                           templates)]
        except PluginError as error:  # a strict host re-raises instead of disabling
            cause = f" ({error.__cause__!r})" if error.__cause__ else ""
            problems.append(f"practice {each!r}: {error}{cause}")
    return problems


def _practice_problems(host: PluginHost, practice_id: str, plan_board: Board, plan_prompts: int,
                       review_prompts: int, templates: int) -> list[str]:
    problems: list[str] = []
    record = host.owner_of(practice_id)
    practice = host.practices[practice_id]

    def disabled() -> bool:
        if record is not None and not record.active:
            problems.append(f"its plugin {record.name!r} was disabled: {record.error}")
            return True
        return False

    _validate(practice, problems)

    plain = week()
    minimum = {"plan": plan_prompts, "review": review_prompts}
    for phase in PHASES:
        prompts = host.prompts(practice_id, phase, plain, plan_board)
        if disabled():
            return problems
        if len(prompts) < minimum[phase]:
            problems.append(f"{len(prompts)} {phase} prompts; the contract asks for at least {minimum[phase]}")
    long_answer = "An answer that runs on and on, as real answers do. " * 12
    answered = week(plan_answers={f"{practice_id}.{prompt.id}": long_answer
                                  for prompt in host.prompts(practice_id, "plan", plain, plan_board)})
    host.prompts(practice_id, "review", answered, plan_board)
    if disabled():
        return problems

    offered = host.templates(practice_id, plan_board)
    if disabled():
        return problems
    if len(offered) < templates:
        problems.append(f"{len(offered)} task templates; the contract asks for at least {templates}")
    if templates:
        problems += [f"template {template.id!r} has no estimate" for template in offered if not template.estimate]

    for label, tasks in (("an empty week", []), ("a week of sample tasks", sample_tasks(practice_id))):
        first = host.score_week(practice_id, plain, tasks, plan_board)
        if disabled():
            return problems
        second = host.score_week(practice_id, plain, tasks, plan_board)
        if disabled():
            return problems
        if first != second:
            problems.append(f"scores {label} differently on a second call: {first} then {second}")
        if first is not None:
            _validate(first, problems, f"its score of {label}: ")
    return problems


def _validate(value: Practice | Score, problems: list[str], prefix: str = "") -> None:
    try:
        value.validate()
    except ValueError as error:
        problems.append(f"{prefix}{error}")


def sample_tasks(practice_id: str) -> list[Task]:
    """Tasks of every kind a score must cope with: done in the week (with estimate, spent, tags, a
    person and a due day), open, scheduled on a day, of another practice, without a practice, done
    the week before, and deleted."""
    return [
        task("Done this week", practice=practice_id, done_at="2026-11-24T16:00", estimate=60, spent=75,
             tags=("self-started", "@ana", "ask-feedback"), due="2026-11-27"),
        task("Done without an estimate", practice=practice_id, done=True),
        task("Still open", practice=practice_id, estimate=30, day="2026-11-27", due="2026-11-25"),
        task("Another practice's", practice="another-practice", done=True, estimate=45),
        task("No practice", done=True, estimate=20),
        task("Done last week", practice=practice_id, done_at="2026-11-19T09:00", week="2026-W47", estimate=60),
        task("Deleted", practice=practice_id, status="deleted", done_at="2026-11-25T09:00", estimate=60),
    ]


def assert_practice_contract(host_or_plugin: Any, practice_id: str | None = None, **options: Any) -> None:
    """check_practice_contract(...), failing the test with every problem listed when there is one."""
    problems = check_practice_contract(host_or_plugin, practice_id, **options)
    if problems:
        raise AssertionError("the practice contract is broken:\n" + "\n".join(f"- {problem}" for problem in problems))


# --- pytest fixtures (registered through the `pytest11` entry point named "planner") ----------------

try:
    import pytest
except ImportError:  # the helpers above work without pytest; only the fixtures need it
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    @pytest.fixture
    def planner_plugins() -> Sequence[Any]:
        """The plugins under test; override this fixture to name yours: `return [my_plugin]`."""
        return ()

    @pytest.fixture
    def planner_host(planner_plugins: Sequence[Any]) -> PluginHost:
        """A strict PluginHost holding only the plugins of `planner_plugins`."""
        return make_host(*planner_plugins)

    @pytest.fixture
    def planner_week() -> WeekView:
        """The WeekView of 2026-W48 with today = 2026-11-26."""
        return week()

    @pytest.fixture
    def planner_board() -> Board:
        """A Board with default settings (no `[practices.<id>]` tables)."""
        return board()

    @pytest.fixture
    def planner_cli(tmp_path: Path, planner_plugins: Sequence[Any]) -> Callable[..., PlannerResult]:
        """`planner_cli("add", "A task")`: run_planner with its folders in this test's tmp_path
        (`tmp_path / "config" / "plugins"` is the config folder's plugin folder) and the plugins
        of `planner_plugins` loaded; other run_planner options pass through."""

        def run(*args: str, **options: Any) -> PlannerResult:
            options.setdefault("plugins", planner_plugins)
            return run_planner(*args, folder=tmp_path, **options)

        return run

    @pytest.fixture
    def fixed_now() -> datetime:
        """NOW: Thursday 2026-11-26 10:00 UTC."""
        return NOW

    @pytest.fixture
    def fixed_clock() -> FixedClock:
        """A clock that always says NOW."""
        return FixedClock()


__all__ = [
    "NOW",
    "TODAY",
    "WEEK",
    "FixedClock",
    "PluginDeprecationWarning",
    "PluginError",
    "PlannerResult",
    "assert_practice_contract",
    "board",
    "check_practice_contract",
    "load_plugin_file",
    "make_host",
    "run_planner",
    "sample_tasks",
    "task",
    "week",
]
