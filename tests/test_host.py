"""The plugin host: loading from every origin, isolating each failure, and the practice contract."""

from __future__ import annotations

import textwrap
from datetime import date, datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from planner.api import Practice, Prompt, Score, TaskTemplate, hookimpl
from planner.host import PluginError, PluginHost
from planner.model import Board, Task, make_week_view
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
        def __init__(self, name: str, loader) -> None:
            self.name, self.value, self.dist, self._loader = name, f"fake:{name}", None, loader

        def load(self):
            return self._loader()

    def broken():
        raise ModuleNotFoundError("No module named 'gone'")

    entries = [FakeEntryPoint("aaa-broken", broken), FakeEntryPoint("zzz-good", lambda: GoodPlugin("zzz"))]
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
    host = CONTRACT_HOST
    assert host.owner_of(practice_id).active
    plan_prompts = host.prompts(practice_id, "plan", WEEK, BOARD)
    review_prompts = host.prompts(practice_id, "review", WEEK, BOARD)
    templates = host.templates(practice_id, BOARD)
    assert len(plan_prompts) >= 3 and len(review_prompts) >= 2
    assert len(templates) >= 5 and all(isinstance(t, TaskTemplate) and t.estimate for t in templates)
    done = Task(id="t1", title="Practice", created=NOW, updated=NOW, practice=practice_id, status="done",
                done_at=NOW, estimate=60, tags=("self-started", "@ana", "ask-feedback"), due=date(2026, 11, 27))
    for tasks in ([], [done]):
        score = host.score_week(practice_id, WEEK, tasks, BOARD)
        assert score is None or (0 <= score.value <= 100 and score.reason.strip())
    assert host.owner_of(practice_id).active, host.owner_of(practice_id).error
