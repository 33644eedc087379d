"""planner.testing: the builders, the contract check and the pytest fixtures plugin authors get."""

from __future__ import annotations

import os
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from planner.api import Practice, Prompt, Score, TaskTemplate, hookimpl
from planner.host import PluginError, PluginHost
from planner.testing import (
    NOW,
    FixedClock,
    PlannerResult,
    assert_practice_contract,
    board,
    check_practice_contract,
    load_plugin_file,
    make_host,
    run_planner,
    sample_tasks,
    task,
    week,
)
from planner_practices import learning, skills


class Fine:
    """A practice that keeps the whole contract; tests below break one thing at a time."""

    def __init__(self, practice_id: str = "fine") -> None:
        self.practice_id = practice_id

    @hookimpl
    def planner_register_practices(self, register):
        register(Practice(self.practice_id, "Fine", "Keeps the contract.", "#228844", "FINE",
                          settings={"target": 2}))

    @hookimpl
    def planner_prompts(self, phase, week):
        count = 3 if phase == "plan" else 2
        return [Prompt(f"{phase}-{index}", f"Question {index}?") for index in range(count)]

    @hookimpl
    def planner_task_templates(self):
        return [TaskTemplate(f"t{index}", f"Template {index}", estimate=30) for index in range(5)]

    @hookimpl
    def planner_score_week(self, practice, week, tasks, settings):
        done = [each for each in tasks if each.practice == practice.id and each.is_done and week.contains(each.done_at)]
        return Score(min(100, 100 * len(done) / settings["target"]), f"{len(done)} of {settings['target']} done")


@pytest.fixture
def planner_plugins():
    """Overrides planner.testing's fixture for this module: the host holds Fine only."""
    return [Fine()]


# --- the fixtures from the pytest11 entry point -------------------------------------------------------

def test_fixtures_give_a_host_of_only_the_plugins_under_test(planner_host: PluginHost) -> None:
    assert list(planner_host.records) == ["Fine"] and list(planner_host.practices) == ["fine"]
    assert planner_host.strict


def test_fixtures_pin_time_and_week(fixed_now: datetime, fixed_clock: FixedClock, planner_week, planner_board) -> None:
    assert fixed_now == NOW == datetime(2026, 11, 26, 10, tzinfo=timezone.utc)
    assert fixed_clock.now() == fixed_now and fixed_clock.plus(days=1).now().day == 27
    assert planner_week.label == "2026-W48" and planner_week.today == date(2026, 11, 26)
    assert (planner_week.start, planner_week.end) == (date(2026, 11, 23), date(2026, 11, 29))
    assert planner_board.practices == {}


def test_the_pytest_plugin_is_registered_by_entry_point(pytestconfig: pytest.Config) -> None:
    plugin = pytestconfig.pluginmanager.get_plugin("planner")
    assert plugin is not None and plugin.__name__ == "planner.testing"


# --- builders -----------------------------------------------------------------------------------------

def test_task_builder_defaults_and_shortcuts() -> None:
    plain = task()
    assert (plain.status, plain.week, plain.column, plain.done_at) == ("open", "2026-W48", "this-week", None)
    done = task("Ship it", practice="skills", done=True, estimate=30, tags=["a", "b"])
    assert (done.status, done.done_at, done.column, done.tags, done.minutes) == ("done", NOW, "done", ("a", "b"), 30)
    earlier = task(done_at="2026-11-24T09:30")
    assert earlier.is_done and earlier.done_at == datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc)
    on_day = task(day="2026-12-01", due="2026-12-02")
    assert (on_day.week, on_day.day, on_day.due) == ("2026-W49", date(2026, 12, 1), date(2026, 12, 2))
    assert task(status="deleted", done=True).status == "deleted"
    assert task().id != task().id


def test_week_and_board_builders() -> None:
    answered = week(plan_answers={"skills.focus": "SQL"}, intentions={"skills": "practise"})
    assert answered.plan.plan_answers["skills.focus"] == "SQL" and answered.plan.intentions == {"skills": "practise"}
    assert week("2026-W01", today="2026-01-01").days[0] == date(2025, 12, 29)
    tuned = board({"skills": {"target_minutes": 60}})
    assert tuned.practice_settings("skills") == {"target_minutes": 60}


def test_make_host_names_plugins_and_is_strict() -> None:
    host = make_host(skills, ("other", Fine("other")))
    assert set(host.records) == {"skills", "other"}

    class Raising(Fine):
        @hookimpl
        def planner_score_week(self):
            raise RuntimeError("boom")

    with pytest.raises(PluginError, match="planner_score_week raised RuntimeError: boom"):
        make_host(Raising()).score_week("fine", week(), [], board())


# --- the contract check -------------------------------------------------------------------------------

def test_contract_passes_for_good_practices() -> None:
    assert check_practice_contract(Fine()) == []
    assert check_practice_contract(make_host(skills, learning)) == []
    assert_practice_contract(make_host(skills), "skills")


def test_sample_tasks_cover_the_kinds_a_score_meets() -> None:
    tasks = sample_tasks("x")
    assert {each.status for each in tasks} == {"open", "done", "deleted"}
    assert {each.practice for each in tasks} == {"x", "another-practice", None}


class FewPrompts(Fine):
    @hookimpl
    def planner_prompts(self, phase):
        return [Prompt("only", "Just one?")]


class NoEstimates(Fine):
    @hookimpl
    def planner_task_templates(self):
        return [TaskTemplate(f"t{index}", f"Template {index}") for index in range(5)]


class TooHigh(Fine):
    @hookimpl
    def planner_score_week(self, tasks):
        return Score(100 + len(tasks), "too much")


class Raising(Fine):
    @hookimpl
    def planner_task_templates(self):
        raise KeyError("target")


class Moody(Fine):
    calls = 0

    @hookimpl
    def planner_score_week(self):
        Moody.calls += 1
        return Score(Moody.calls, "changes every call")


class LongQuote(Fine):
    @hookimpl
    def planner_prompts(self, practice, phase, week):
        if phase == "plan":
            return [Prompt(f"p{index}", "Plan?") for index in range(3)]
        answer = week.plan.plan_answers.get(f"{practice.id}.p0", "")
        return [Prompt("r0", f"You planned: {answer}"), Prompt("r1", "And?")]


class Future(Fine):
    planner_api_version = 3


class Nothing:
    @hookimpl
    def planner_task_completed(self, task):
        pass


class Unmarked(Fine):
    def planner_task_completed(self, task):  # no @hookimpl: never called
        pass


@pytest.mark.parametrize(
    ("plugin", "problem"),
    [
        (FewPrompts(), "practice 'fine': 1 plan prompts; the contract asks for at least 3"),
        (NoEstimates(), "practice 'fine': template 't0' has no estimate"),
        (TooHigh(), "score value 107 is outside 0-100"),
        (Raising(), "planner_task_templates raised KeyError: 'target'"),
        (Moody(), "scores an empty week differently on a second call"),
        (LongQuote(), "prompt 'r0' text is longer than 300 characters"),
        (Future(), "built for plugin API version 3"),
        (Nothing(), "no practice is registered: implement planner_register_practices"),
        (Unmarked(), "plugin 'Unmarked': function planner_task_completed is not marked @hookimpl"),
    ],
)
def test_contract_names_what_is_broken(plugin: object, problem: str) -> None:
    problems = check_practice_contract(plugin)
    assert any(problem in each for each in problems), problems
    with pytest.raises(AssertionError, match="the practice contract is broken"):
        assert_practice_contract(plugin)


def test_contract_on_a_strict_host_reports_instead_of_raising() -> None:
    problems = check_practice_contract(make_host(Raising()))
    assert len(problems) == 1 and "planner_task_templates raised KeyError" in problems[0]


def test_contract_counts_can_be_relaxed_and_the_practice_chosen() -> None:
    assert check_practice_contract(FewPrompts(), plan_prompts=1, review_prompts=1) == []
    assert check_practice_contract(NoEstimates(), templates=0) == []
    assert check_practice_contract(Fine(), "missing") == ["no practice 'missing' is registered (registered: fine)"]


# --- a single-file plugin, and the `planner` command in this process -------------------------------------

FINE_FILE = """\
from planner.api import Practice, Prompt, Score, TaskTemplate, hookimpl


@hookimpl
def planner_register_practices(register):
    register(Practice("tea", "Tea", "A cup a day.", "#228844", "TEA"))


@hookimpl
def planner_prompts(phase):
    return [Prompt(f"{phase}{index}", f"Question {index}?") for index in range(3)]


@hookimpl
def planner_task_templates():
    return [TaskTemplate(f"t{index}", f"Template {index}", estimate=5) for index in range(2)]


@hookimpl
def planner_score_week(practice, week, tasks):
    done = [each for each in tasks if each.practice == practice.id and each.is_done and week.contains(each.done_at)]
    return Score(min(100, 50 * len(done)), f"{len(done)} cups")
"""


def test_load_plugin_file_loads_it_as_the_config_folder_does(tmp_path: Path) -> None:
    (tmp_path / "tea.py").write_text(FINE_FILE)
    host = load_plugin_file(tmp_path / "tea.py")
    record = host.records["tea"]
    assert (record.origin, record.source, record.practices) == ("file", str(tmp_path / "tea.py"), ("tea",))
    assert_practice_contract(host, "tea", templates=2)
    assert host.score_week("tea", week(), [task(practice="tea", done=True)], board()).value == 50
    (tmp_path / "broken.py").write_text("raise RuntimeError('cannot start')\n")
    with pytest.raises(PluginError, match="plugin 'broken' failed to import: RuntimeError: cannot start"):
        load_plugin_file(tmp_path / "broken.py")
    assert load_plugin_file(tmp_path / "broken.py", strict=False).records["broken"].status == "error"


def test_run_planner_runs_the_command_against_a_folder_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANNER_PLANS", "/the/users/own/plans")
    monkeypatch.setenv("PLANNER_PLUGINS_BLOCK", "skills")
    before = dict(os.environ)
    added = run_planner("add", "Tea with Ana", "--practice", "skills", "--day", "today", "--json", folder=tmp_path)
    assert isinstance(added, PlannerResult) and added.exit_code == 0, added.stderr
    assert added.json()["day"] == "2026-11-26"  # the clock says NOW
    assert (tmp_path / "plans" / "board.toml").is_file()  # the plan is inside the folder
    assert dict(os.environ) == before  # the user's settings are back, and were not used (skills loaded)
    listed = run_planner("list", folder=tmp_path)
    assert "Tea with Ana" in listed.stdout and listed.stderr == ""
    answered = run_planner("answer", "skills.focus", "-", input="SQL window functions\n", folder=tmp_path)
    assert answered.exit_code == 0, answered.stderr
    assert run_planner("week", "--json", folder=tmp_path).json()["answers"]["plan"] == {"skills.focus": "SQL window functions"}
    mistake = run_planner("show", "nope", folder=tmp_path)
    assert (mistake.exit_code, mistake.stdout) == (1, "") and mistake.stderr.startswith("planner: error: ")
    version = run_planner("--version", folder=tmp_path)
    assert version.exit_code == 0 and version.stdout.startswith("planner ")


def test_run_planner_loads_plugins_under_test_and_is_strict(tmp_path: Path) -> None:
    scored = run_planner("score", "--json", folder=tmp_path, plugins=[Fine()]).json()
    assert "fine" in {row["id"] for row in scored[0]["practices"]}

    class Raising(Fine):
        @hookimpl
        def planner_score_week(self):
            raise RuntimeError("boom")

    with pytest.raises(PluginError, match="planner_score_week raised RuntimeError: boom"):
        run_planner("score", folder=tmp_path, plugins=[("raising", Raising())])
    lenient = run_planner("score", folder=tmp_path, plugins=[("raising", Raising())], strict=False)
    assert lenient.exit_code == 0
    assert "planner: plugin 'raising' (test raising) disabled: planner_score_week raised RuntimeError: boom" in lenient.stderr


def test_run_planner_skips_a_plugin_under_test_that_is_installed_too(tmp_path: Path) -> None:
    rows = run_planner("plugins", "--json", folder=tmp_path, plugins=[skills]).json()
    assert [(row["name"], row["status"]) for row in rows if "skills" in row["practices"]] == [("skills", "active")]
    assert not [row for row in rows if row["status"] != "active"]


def test_run_planner_sees_a_file_in_the_config_folder_and_remembers_its_error(tmp_path: Path) -> None:
    plugins = tmp_path / "config" / "plugins"
    plugins.mkdir(parents=True)
    (plugins / "tea.py").write_text(FINE_FILE.replace('return Score(min(100, 50 * len(done)), f"{len(done)} cups")',
                                                      "raise ValueError('no tea')"))
    assert "disabled: planner_score_week raised ValueError: no tea" in run_planner(
        "score", folder=tmp_path, strict=False).stderr
    rows = run_planner("plugins", "--json", folder=tmp_path, strict=False).json()
    [row] = [row for row in rows if row["name"] == "tea"]
    assert row["status"] == "error" and "in an earlier run" in row["error"]
    with pytest.raises(PluginError, match="no tea"):  # strict: the kept error is ignored, the hook runs again
        run_planner("score", folder=tmp_path)


def test_the_planner_cli_fixture_loads_planner_plugins(planner_cli, tmp_path: Path) -> None:
    result = planner_cli("templates", "--practice", "fine")
    assert result.exit_code == 0 and "fine.t0  Template 0" in result.stdout
    assert planner_cli("add", "A cup", "--practice", "fine").exit_code == 0
    assert [row["practice"] for row in planner_cli("list", "--json").json()] == ["fine"]
    assert (tmp_path / "plans" / "board.toml").is_file()
