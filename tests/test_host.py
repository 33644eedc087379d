"""The plugin host: loading from every origin, isolating each failure, and the practice contract."""

from __future__ import annotations

import json
import sys
import types
import textwrap
from datetime import date, datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from planner import host as host_module
from planner.api import Practice, Prompt, Score, hookimpl
from planner.host import PluginDeprecationWarning, PluginError, PluginHost
from planner.model import Board, Task, make_week_view
from planner.testing import check_practice_contract
from planner_practices import skills as skills_plugin

BOARD = Board()
WEEK = make_week_view("2026-W48", None, 0, date(2026, 11, 26))
NOW = datetime(2026, 11, 26, 10, tzinfo=timezone.utc)
BUILTIN_IDS = {"skills", "change", "initiative", "relationships", "proactive", "feedback", "learning"}


def practice(practice_id: str = "extra") -> Practice:
    return Practice(practice_id, "Extra", "An extra practice for tests.", "#336699", "EXTRA")


class GoodPlugin:
    """A well-behaved plugin used beside the broken ones, to prove it keeps working."""

    def __init__(self, practice_id: str = "good") -> None:
        self.practice_id = practice_id
        self.completed: list[str] = []

    @hookimpl
    def planner_register_practices(self, register):
        register(practice(self.practice_id))

    @hookimpl
    def planner_prompts(self, phase):
        return [Prompt("focus", f"What is your {phase} focus?")]

    @hookimpl
    def planner_score_week(self, tasks):
        return Score(50, f"{len(tasks)} tasks this week")

    @hookimpl
    def planner_task_completed(self, task):
        self.completed.append(task.id)


def host_with(*plugins: tuple[str, object], strict: bool = False) -> PluginHost:
    host = PluginHost(strict=strict)
    for name, plugin in plugins:
        host.add_plugin(plugin, name)
    return host


def test_builtins_load_through_entry_points_as_ordinary_plugins() -> None:
    host = PluginHost()
    host.load_entry_points()
    assert BUILTIN_IDS <= set(host.practices)
    for practice_id in BUILTIN_IDS:
        record = host.owner_of(practice_id)
        assert record is not None and record.origin == "built-in" and record.active
        assert "planner_score_week" in record.hooks


@pytest.mark.parametrize(
    ("hook_source", "expected_error"),
    [
        ("def planner_prompts(phase):\n    raise RuntimeError('boom')", "planner_prompts raised RuntimeError: boom"),
        ("def planner_prompts(phase):\n    return 'not a list'", "planner_prompts returned str instead of a list"),
        ("def planner_prompts(phase):\n    return [Prompt('a', 'x'), Prompt('a', 'y')]", "two Prompts with id 'a'"),
        ("def planner_prompts(phase):\n    return [Prompt('a', '')]", "text must be non-empty"),
    ],
)
def test_a_bad_hook_disables_only_its_plugin(hook_source: str, expected_error: str) -> None:
    namespace: dict = {"Prompt": Prompt}
    exec(textwrap.dedent(hook_source), namespace)  # noqa: S102 - builds the broken hook under test
    bad = SimpleNamespace(
        planner_register_practices=hookimpl(lambda register: register(practice("bad"))),
        planner_prompts=hookimpl(namespace["planner_prompts"]),
    )
    good = GoodPlugin()
    host = host_with(("bad", bad), ("good", good))
    assert host.prompts("bad", "plan", WEEK, BOARD) == []
    assert host.records["bad"].status == "error"
    assert expected_error in host.records["bad"].error
    assert "bad" not in host.practices
    assert any("'bad'" in warning and expected_error in warning for warning in host.warnings)
    # The good plugin is untouched and still answers.
    assert [prompt.text for prompt in host.prompts("good", "plan", WEEK, BOARD)] == ["What is your plan focus?"]
    assert host.records["good"].active


def test_a_plugin_that_fails_on_import_is_reported_and_others_load(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("raise ImportError('missing dependency xyz')\n")
    (tmp_path / "fine.py").write_text(textwrap.dedent("""
        from planner.api import Practice, hookimpl

        @hookimpl
        def planner_register_practices(register):
            register(Practice("fine", "Fine", "A practice from a file.", "#123456", "FINE"))
    """))
    host = PluginHost()
    host.load_directory(tmp_path)
    assert host.records["broken"].status == "error"
    assert "failed to import: ImportError: missing dependency xyz" in host.records["broken"].error
    assert host.records["fine"].origin == "file" and host.records["fine"].source == str(tmp_path / "fine.py")
    assert "fine" in host.practices


def test_a_broken_entry_point_does_not_stop_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeEntryPoint:
        def __init__(self, name: str, value: str) -> None:
            self.name, self.value, self.dist = name, value, None

    good = types.ModuleType("planner_test_good_plugin")
    good.plugin = GoodPlugin("zzz")
    monkeypatch.setitem(sys.modules, good.__name__, good)
    entries = [FakeEntryPoint("aaa-broken", "gone:plugin"),
               FakeEntryPoint("zzz-good", "planner_test_good_plugin:plugin")]
    monkeypatch.setattr("importlib.metadata.entry_points", lambda group: entries)
    host = PluginHost()
    host.load_entry_points()
    assert host.records["aaa-broken"].status == "error"
    assert "No module named 'gone'" in host.records["aaa-broken"].error
    assert host.records["zzz-good"].active and "zzz" in host.practices


def test_registering_a_practice_id_twice_disables_the_second_plugin() -> None:
    host = host_with(("first", GoodPlugin("same")), ("second", GoodPlugin("same")))
    assert host.records["first"].active
    assert host.records["second"].status == "error"
    assert "practice 'same' is already registered by plugin 'first'" in host.records["second"].error
    assert host.owner_of("same") is host.records["first"]


def test_the_same_plugin_name_twice_is_refused() -> None:
    host = host_with(("twin", GoodPlugin("one")), ("twin", GoodPlugin("two")))
    assert "one" in host.practices and "two" not in host.practices
    assert any("already loaded" in warning for warning in host.warnings)


def test_an_unknown_hook_is_reported_not_crashed() -> None:
    typo = SimpleNamespace(planner_score_weak=hookimpl(lambda: None))
    host = host_with(("typo", typo))
    assert host.records["typo"].status == "error"
    assert "unknown hook planner_score_weak" in host.records["typo"].error


def test_an_incompatible_api_version_is_refused() -> None:
    future = GoodPlugin("future")
    future.planner_api_version = 99  # type: ignore[attr-defined]
    host = host_with(("future", future))
    assert host.records["future"].status == "error"
    assert "plugin API version 99" in host.records["future"].error


@pytest.mark.parametrize(
    ("score", "message"),
    [(Score(150, "too much"), "outside 0-100"), (Score(10, "two\nlines"), "one line"), (42, "int instead of a Score")],
)
def test_a_garbage_score_disables_the_plugin(score: object, message: str) -> None:
    plugin = GoodPlugin("scored")
    plugin.planner_score_week = hookimpl(lambda: score)  # type: ignore[method-assign]
    host = host_with(("scored", plugin))
    assert host.score_week("scored", WEEK, [], BOARD) is None
    assert message in host.records["scored"].error


def test_notifications_reach_every_plugin_even_after_one_raises() -> None:
    raising = SimpleNamespace(planner_task_completed=hookimpl(lambda task: 1 / 0))
    good = GoodPlugin()
    host = host_with(("raising", raising), ("good", good))
    task = Task(id="t1", title="x", created=NOW, updated=NOW, status="done", done_at=NOW)
    host.task_completed(task)
    assert good.completed == ["t1"]
    assert "ZeroDivisionError" in host.records["raising"].error


def test_block_and_allow_lists() -> None:
    blocked = PluginHost(block=["good"])
    blocked.add_plugin(GoodPlugin(), "good")
    assert blocked.records["good"].status == "blocked" and "good" not in blocked.practices
    allowed = PluginHost(allow=["other"])
    allowed.add_plugin(GoodPlugin(), "good")
    assert allowed.records["good"].status == "blocked"
    assert allowed.records["good"].error == "not in the allow list"


def test_strict_mode_reraises_for_plugin_authors() -> None:
    raising = SimpleNamespace(planner_task_completed=hookimpl(lambda task: 1 / 0))
    host = host_with(("raising", raising), strict=True)
    with pytest.raises(PluginError, match="raising"):
        host.task_completed(Task(id="t1", title="x", created=NOW, updated=NOW))


def test_hook_calls_are_traced_to_a_file(tmp_path: Path) -> None:
    log = tmp_path / "hooks.log"
    host = PluginHost(trace=log)
    host.add_plugin(GoodPlugin(), "good")
    host.prompts("good", "review", WEEK, BOARD)
    lines = log.read_text().splitlines()
    assert any("good.planner_register_practices(" in line for line in lines)
    assert any("good.planner_prompts(" in line and "What is your review focus?" in line for line in lines)


def test_settings_merge_defaults_with_board() -> None:
    host = PluginHost()
    host.add_plugin(skills_plugin, "skills")
    defaults = host.settings("skills", BOARD)
    board = Board(practices={"skills": {"target_minutes": 60, "weight": 2.0}})
    merged = host.settings("skills", board)
    assert merged["target_minutes"] == 60
    assert set(defaults) <= set(merged)


# --- the contract every registered practice must keep ------------------------------------------

def _loaded_host() -> PluginHost:
    host = PluginHost()
    host.load_entry_points()
    return host


CONTRACT_HOST = _loaded_host()


@pytest.mark.parametrize("practice_id", sorted(CONTRACT_HOST.practices))
def test_practice_contract(practice_id: str) -> None:
    """planner.testing's check, the very one plugin authors run: identity, at least 3 plan and 2 review
    prompts, 5 templates with estimates, and a 0-100 score with a one-line reason for sample weeks."""
    assert check_practice_contract(CONTRACT_HOST, practice_id) == []
    assert CONTRACT_HOST.owner_of(practice_id).active, CONTRACT_HOST.owner_of(practice_id).error


# --- deprecation: a hook or argument on its way out still works, with a notice naming the plugin ------

def test_a_deprecated_hook_warns_and_names_the_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(host_module.DEPRECATED_HOOKS, "planner_task_completed", ("planner_task_finished", 2))
    plugin = GoodPlugin("old")
    with pytest.warns(PluginDeprecationWarning) as caught:
        host = host_with(("old-style", plugin))
    expected = ("plugin 'old-style' (test old-style) uses planner_task_completed, which is deprecated and goes "
                "away in plugin API version 2; use planner_task_finished instead")
    assert [str(warning.message) for warning in caught] == [expected]
    assert caught[0].filename == __file__  # points at the plugin's own function
    assert host.warnings == [expected]
    # Deprecated is not removed: the plugin keeps working and the hook is still called.
    assert host.records["old-style"].active
    host.task_completed(Task(id="t9", title="x", created=NOW, updated=NOW))
    assert plugin.completed == ["t9"]


def test_a_deprecated_argument_warns_only_plugins_that_take_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(host_module.DEPRECATED_ARGUMENTS, ("planner_prompts", "phase"), (None, 3))
    with pytest.warns(PluginDeprecationWarning, match="uses the 'phase' argument of planner_prompts, which is "
                                                      "deprecated and goes away in plugin API version 3$"):
        host_with(("takes-it", GoodPlugin("takes")))
    quiet = SimpleNamespace(planner_prompts=hookimpl(lambda practice: []))
    assert host_with(("leaves-it", quiet)).warnings == []


def test_no_hook_is_deprecated_without_a_replacement_plan() -> None:
    """Every entry names a real hook and a removal version later than the current API."""
    from planner import hookspecs
    from planner.api import API_VERSION

    for hook, (replacement, removal) in host_module.DEPRECATED_HOOKS.items():
        assert hasattr(hookspecs, hook) and removal > API_VERSION
        assert replacement is None or hasattr(hookspecs, replacement)
    for (hook, _argument), (_replacement, removal) in host_module.DEPRECATED_ARGUMENTS.items():
        assert hasattr(hookspecs, hook) and removal > API_VERSION


# --- the switches for plugin authors, set in the environment of the real command ---------------------

RAISING_FILE_PLUGIN = (
    "from planner.api import Practice, hookimpl\n\n"
    "@hookimpl\n"
    "def planner_register_practices(register):\n"
    "    register(Practice('shaky', 'Shaky', 'Fails when scoring.', '#445566', 'SHAKY'))\n\n"
    "@hookimpl\n"
    "def planner_score_week(tasks):\n"
    "    raise ValueError('score exploded')\n"
)


def test_planner_trace_hooks_logs_every_hook_call_to_a_file(run, tmp_path: Path) -> None:
    log = tmp_path / "hooks.log"
    result = run("score", env={"PLANNER_TRACE_HOOKS": str(log)})
    assert result.returncode == 0, result.stderr
    assert "planner_score_week" not in result.stdout + result.stderr  # the screen stays the command's
    lines = log.read_text(encoding="utf-8").splitlines()
    assert any(line.split(" ", 1)[1].startswith("skills.planner_register_practices(register=") for line in lines)
    score_line = next(line for line in lines if " skills.planner_score_week(" in line)
    assert "-> Score(value=0" in score_line and score_line.endswith(" ms]")


def test_planner_strict_plugins_reraises_instead_of_isolating(run, tmp_path: Path) -> None:
    folder = tmp_path / "config" / "plugins"
    folder.mkdir(parents=True)
    (folder / "shaky.py").write_text(RAISING_FILE_PLUGIN)
    isolated = run("score")
    assert isolated.returncode == 0 and "Traceback" not in isolated.stderr
    assert "plugin 'shaky'" in isolated.stderr and "disabled" in isolated.stderr
    strict = run("score", env={"PLANNER_STRICT_PLUGINS": "1"})
    assert strict.returncode != 0
    assert "Traceback" in strict.stderr and "ValueError: score exploded" in strict.stderr
    assert "PluginError: plugin 'shaky' planner_score_week raised ValueError: score exploded" in strict.stderr


def test_an_incompatible_plugin_is_disabled_with_a_message_that_says_so(run, tmp_path: Path) -> None:
    folder = tmp_path / "config" / "plugins"
    folder.mkdir(parents=True)
    (folder / "future.py").write_text("planner_api_version = 2\n" + RAISING_FILE_PLUGIN)
    result = run("plugins", "--json")
    assert result.returncode == 0
    [record] = [record for record in json.loads(result.stdout) if record["name"] == "future"]
    assert record["status"] == "error"
    assert record["error"] == "built for plugin API version 2; this planner provides [1]: upgrade one of them"
    assert "plugin 'future'" in result.stderr and "plugin API version 2" in result.stderr


def test_the_list_of_installed_plugins_is_cached_until_a_package_folder_changes(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from planner import host as host_module

    cache = tmp_path / "cache" / "plugins.json"
    first = host_module.installed_plugins("planner.practices", cache)
    assert ("skills", "planner_practices.skills", first[[p[0] for p in first].index("skills")][2], True) in first
    calls = []
    monkeypatch.setattr("importlib.metadata.entry_points", lambda group: calls.append(group) or [])
    assert host_module.installed_plugins("planner.practices", cache) == first and calls == []
    # A folder on sys.path without package metadata changes nothing.
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a package")
    monkeypatch.syspath_prepend(str(folder))
    assert host_module.installed_plugins("planner.practices", cache) == first and calls == []
    # A package installed there (its .dist-info folder appears): the list is found again.
    (folder / "other_plugin-1.0.dist-info").mkdir()
    assert host_module.installed_plugins("planner.practices", cache) == [] and calls == ["planner.practices"]
