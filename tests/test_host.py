"""The plugin host: loading from every origin, isolating each failure, and the practice contract."""

from __future__ import annotations

import json
import sys
import types
import textwrap
from datetime import date, datetime, timezone
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import pytest

from planner import host as host_module
from planner.api import InvalidValue, Practice, Prompt, Score, hookimpl
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
    (folder / "future.py").write_text("planner_api_version = 3\n" + RAISING_FILE_PLUGIN)
    result = run("plugins", "--json")
    assert result.returncode == 0
    [record] = [record for record in json.loads(result.stdout) if record["name"] == "future"]
    assert record["status"] == "error"
    assert record["error"] == "built for plugin API version 3; this planner provides [1, 2]: upgrade one of them"
    assert "plugin 'future'" in result.stderr and "plugin API version 3" in result.stderr


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


# --- issue #8, plugin authors: what a plugin did wrong is kept, listed and said in one line ----------

FIXED_FILE_PLUGIN = RAISING_FILE_PLUGIN.replace("raise ValueError('score exploded')",
                                                "return Score(40, 'fixed')").replace("hookimpl\n", "hookimpl, Score\n", 1)


def test_a_hook_error_is_kept_for_later_runs_until_the_plugin_file_changes(run, tmp_path: Path) -> None:
    folder = tmp_path / "config" / "plugins"
    folder.mkdir(parents=True)
    (folder / "shaky.py").write_text(RAISING_FILE_PLUGIN)
    assert "disabled: planner_score_week raised ValueError: score exploded" in run("score").stderr
    # The next command is a new process: the plugin stays disabled, and says why.
    [record] = [row for row in json.loads(run("plugins", "--json").stdout) if row["name"] == "shaky"]
    assert record["status"] == "error"
    assert record["error"].startswith("planner_score_week raised ValueError: score exploded (in an earlier run")
    listing = run("plugins").stdout
    assert "shaky  [error]  file " in listing and "    error: planner_score_week raised ValueError" in listing
    assert "shaky" not in {row["id"] for row in json.loads(run("score", "--json").stdout)[0]["practices"]}
    # Fixing the file (a new size and time) forgets the error: the plugin is active again.
    (folder / "shaky.py").write_text(FIXED_FILE_PLUGIN)
    [record] = [row for row in json.loads(run("plugins", "--json").stdout) if row["name"] == "shaky"]
    assert (record["status"], record["error"]) == ("active", None)
    assert "shaky" not in json.loads((tmp_path / "cache" / "plugin-errors.json").read_text())


def _module_plugin(tmp_path: Path, name: str, body: str) -> types.ModuleType:
    """A module with a file of its own, as an installed package's module has."""
    path = tmp_path / f"{name}.py"
    path.write_text(body)
    module = types.ModuleType(name)
    module.__file__ = str(path)
    exec(compile(body, str(path), "exec"), module.__dict__)  # noqa: S102 - the plugin under test
    return module


def test_a_kept_hook_error_is_forgotten_when_the_package_version_changes(tmp_path: Path) -> None:
    memory = tmp_path / "cache" / "plugin-errors.json"
    plugin = _module_plugin(tmp_path, "shaky_package", RAISING_FILE_PLUGIN)

    def host(version: str, **options: object) -> PluginHost:
        loaded = PluginHost(error_memory=memory, **options)  # type: ignore[arg-type]
        loaded.add_plugin(plugin, "shaky", origin="package", source=f"planner-shaky {version}")
        return loaded

    first = host("1.0")
    assert first.score_week("shaky", WEEK, [], BOARD) is None and first.records["shaky"].status == "error"
    again = host("1.0")
    assert again.records["shaky"].status == "error" and "shaky" not in again.practices
    assert "in an earlier run" in again.records["shaky"].error
    # Strict mode (plugin authors) ignores what was kept: the hook runs, and raises.
    with pytest.raises(PluginError, match="score exploded"):
        host("1.0", strict=True).score_week("shaky", WEEK, [], BOARD)
    upgraded = host("1.1")
    assert upgraded.records["shaky"].active and "shaky" in upgraded.practices


def test_an_error_while_loading_is_not_kept(tmp_path: Path) -> None:
    """A plugin that fails to import or to register fails again at the next load; kept, it would stay
    disabled after the missing dependency is installed."""
    memory = tmp_path / "plugin-errors.json"
    (tmp_path / "needs.py").write_text("import not_installed_yet\n")
    PluginHost(error_memory=memory).load_directory(tmp_path)
    assert not memory.exists()


def test_a_duplicate_plugin_is_listed_with_its_status_and_reason(run, tmp_path: Path) -> None:
    folder = tmp_path / "config" / "plugins"
    folder.mkdir(parents=True)
    (folder / "skills.py").write_text(RAISING_FILE_PLUGIN)  # the built-in's name
    rows = [row for row in json.loads(run("plugins", "--json").stdout) if row["name"] == "skills"]
    assert [(row["origin"], row["status"]) for row in rows] == [("built-in", "active"), ("file", "duplicate")]
    assert rows[1]["error"] == "a plugin named 'skills' is already loaded from built-in; not loaded again"
    assert rows[1]["source"] == str(folder / "skills.py")
    listing = run("plugins")
    assert f"skills  [duplicate]  file {folder / 'skills.py'}\n    error: a plugin named 'skills'" in listing.stdout
    assert "plugin 'skills' (file " in listing.stderr and ") refused: a plugin named 'skills'" in listing.stderr


def test_the_host_lists_refused_duplicates_in_load_order() -> None:
    host = host_with(("twin", GoodPlugin("one")), ("other", GoodPlugin("two")), ("twin", GoodPlugin("three")))
    assert [(record.name, record.status) for record in host.listing()] == [
        ("twin", "active"), ("other", "active"), ("twin", "duplicate")]
    assert host.records["twin"].practices == ("one",)  # the first one stays the plugin of that name


class ReturnsPractice:
    @hookimpl
    def planner_register_practices(self, register):
        return practice("returned")


class ReturnsPractices:
    @hookimpl
    def planner_register_practices(self, register):
        return [practice("first"), practice("second")]


@pytest.mark.parametrize(("plugin", "kind"), [(ReturnsPractice(), "a Practice"), (ReturnsPractices(), "a list of Practices")])
def test_returning_practices_instead_of_calling_register_warns(plugin: object, kind: str) -> None:
    host = host_with(("returner", plugin), ("good", GoodPlugin()))
    expected = (f"planner_register_practices returned {kind}, which the planner ignores: call register(practice) "
                "once for each practice instead")
    assert host.records["returner"].warnings == [expected]
    assert host.warnings == [f"plugin 'returner' (test returner): {expected}"]
    assert host.records["returner"].active and list(host.practices) == ["good"]


class Unmarked:
    """Hooks without @hookimpl: pluggy never calls them."""

    planner_api_version = 1  # a value, not a function: no warning

    def planner_prompts(self, phase):  # forgot @hookimpl
        return [Prompt("never", "Never asked?")]

    def planner_score_weak(self, tasks):  # misspelled, and no @hookimpl
        return Score(1, "never")

    def planner_format_minutes(self, minutes):  # a helper with a hook-like name
        return f"{minutes} min"

    @hookimpl
    def planner_register_practices(self, register):
        register(practice("unmarked"))


def test_planner_functions_without_hookimpl_warn_by_name_and_the_plugin_keeps_working() -> None:
    host = host_with(("unmarked", Unmarked()), ("good", GoodPlugin()))
    record = host.records["unmarked"]
    assert record.warnings == [
        "function planner_format_minutes is not a hook and is not marked @hookimpl, so the planner never calls it "
        "(a helper? the planner_ prefix is for hooks)",
        "function planner_prompts is not marked @hookimpl, so the planner never calls it: put @hookimpl (from "
        "planner.api) above it",
        "function planner_score_weak is not a hook (did you mean planner_score_week?) and is not marked @hookimpl, "
        "so the planner never calls it",
    ]
    assert all(warning.startswith("plugin 'unmarked' (test unmarked): function planner_") and "\n" not in warning
               for warning in host.warnings)
    assert record.active and record.hooks == ("planner_register_practices",) and "unmarked" in host.practices
    assert host.prompts("unmarked", "plan", WEEK, BOARD) == []  # accepted as a practice, never asked
    assert [prompt.id for prompt in host.prompts("good", "plan", WEEK, BOARD)] == ["focus"]


def test_a_misspelled_hook_with_hookimpl_says_what_was_meant() -> None:
    host = host_with(("typo", SimpleNamespace(planner_score_weak=hookimpl(lambda: None))))
    assert host.records["typo"].error == ("implements unknown hook planner_score_weak (a typo, or a newer planner's "
                                          "hook); did you mean planner_score_week?")


def test_a_misspelled_hook_argument_is_one_line_naming_plugin_hook_and_argument() -> None:
    class Misspelled:
        @hookimpl
        def planner_prompts(self, practice, phaze):
            return []

    host = host_with(("misspelled", Misspelled()), ("good", GoodPlugin()))
    message = ("planner_prompts takes an argument 'phaze' that the hook does not pass (did you mean 'phase'?); "
               "it passes practice, phase, week, settings")
    assert host.records["misspelled"].error == message
    assert host.warnings == [f"plugin 'misspelled' (test misspelled) disabled: {message}"]
    assert host.records["good"].active


@pytest.mark.parametrize("value", [Decimal("42.5"), Fraction(85, 2)])
def test_a_score_of_any_real_number_is_accepted_as_a_float(value: object) -> None:
    plugin = GoodPlugin("exact")
    plugin.planner_score_week = hookimpl(lambda: Score(value, "exact arithmetic"))  # type: ignore[method-assign]
    host = host_with(("exact", plugin))
    score = host.score_week("exact", WEEK, [], BOARD)
    assert host.records["exact"].active, host.records["exact"].error
    assert score == Score(42.5, "exact arithmetic") and type(score.value) is float


@pytest.mark.parametrize(("value", "message"), [
    (Decimal("NaN"), "outside 0-100"), (Decimal("sNaN"), "outside 0-100"), (Fraction(201, 2), "outside 0-100"),
    (True, "must be a number"), ("50", "must be a number"),
])
def test_a_score_that_is_not_a_real_number_from_0_to_100_is_refused(value: object, message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        Score(value, "a reason").validate()  # type: ignore[arg-type]


def test_plugins_lists_the_warnings_of_a_plugin_file_and_the_rest_works(run, tmp_path: Path) -> None:
    folder = tmp_path / "config" / "plugins"
    folder.mkdir(parents=True)
    (folder / "unmarked.py").write_text(RAISING_FILE_PLUGIN.replace("@hookimpl\ndef planner_score_week",
                                                                    "def planner_score_week"))
    result = run("plugins", "--json")
    [record] = [row for row in json.loads(result.stdout) if row["name"] == "unmarked"]
    warning = ("function planner_score_week is not marked @hookimpl, so the planner never calls it: put @hookimpl "
               "(from planner.api) above it")
    assert (record["status"], record["warnings"]) == ("active", [warning])
    assert f"planner: plugin 'unmarked' (file {folder / 'unmarked.py'}): {warning}\n" in result.stderr
    assert f"    warning: {warning}\n" in run("plugins").stdout
    score = run("score")
    assert score.returncode == 0 and "Traceback" not in score.stderr  # never called, so never raised


class TwoPractices:
    @hookimpl
    def planner_register_practices(self, register):
        register(practice("first"))
        register(practice("second"))


def test_a_plugin_is_off_in_the_plan_only_when_the_board_switches_off_all_its_practices() -> None:
    host = host_with(("pair", TwoPractices()), ("quiet", object()))
    pair, quiet = host.records["pair"], host.records["quiet"]
    one_off = Board(practices={"first": {"enabled": False}})
    both_off = Board(practices={"first": {"enabled": False}, "second": {"enabled": False}})
    assert not host.off_in_plan(pair, Board())
    assert not host.off_in_plan(pair, one_off)
    assert [p.id for p in host.enabled_practices(one_off)] == ["second"]
    assert host.off_in_plan(pair, both_off)
    assert not host.off_in_plan(quiet, both_off)  # declares no practice: nothing for the plan to switch
    assert pair.status == "active"  # a choice of the plan, not a fault of the plugin
