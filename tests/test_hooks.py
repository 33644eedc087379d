"""One test per hook in planner/hookspecs.py, each calling it through the host as the planner does.

tests/test_plugin_docs.py insists that every hook spec has a test here whose name contains it: a new
hook without a test of its own fails the suite.
"""

from __future__ import annotations

from typing import Any

import pytest

from planner.api import Practice, Prompt, Score, TaskTemplate, hookimpl
from planner.host import PluginHost
from planner.testing import board, make_host, task, week


def practice(practice_id: str, **fields: Any) -> Practice:
    return Practice(practice_id, practice_id.title(), f"The {practice_id} practice.", "#336699",
                    practice_id[:4].upper(), **fields)


class Recorder:
    """A plugin that registers one practice and records what each hook was given."""

    def __init__(self, practice_id: str = "rec", **fields: Any) -> None:
        self.practice = practice(practice_id, **fields)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    @hookimpl
    def planner_register_practices(self, register):
        register(self.practice)


def test_planner_register_practices_declares_practices_in_their_order() -> None:
    class Two:
        @hookimpl
        def planner_register_practices(self, register):
            register(practice("later", order=50))
            register(practice("sooner", order=5))

    host = make_host(("two", Two()), ("one", Recorder("middle", order=20)))
    assert list(host.practices) == ["sooner", "middle", "later"]
    assert host.records["two"].practices == ("later", "sooner")
    assert host.owner_of("sooner") is host.records["two"]
    # register() checks each Practice: a bad one disables the plugin that sent it, and names it.
    class Bad:
        @hookimpl
        def planner_register_practices(self, register):
            register(practice("Not An Id"))

    lenient = make_host(("bad", Bad()), strict=False)
    assert lenient.records["bad"].status == "error"
    assert "planner_register_practices: practice id 'Not An Id'" in lenient.records["bad"].error


def test_planner_prompts_gets_practice_phase_week_and_merged_settings() -> None:
    class Asking(Recorder):
        @hookimpl
        def planner_prompts(self, practice, phase, week, settings):
            self.calls.append(("prompts", {"practice": practice, "phase": phase, "week": week,
                                           "settings": dict(settings)}))
            return [Prompt("q", f"{phase} question for {week.label}, {settings['minutes']} minutes")]

    plugin = Asking(settings={"minutes": 30, "kept": True})
    host = make_host(plugin)
    prompts = host.prompts("rec", "review", week("2026-W49"), board({"rec": {"minutes": 45}}))
    assert [prompt.text for prompt in prompts] == ["review question for 2026-W49, 45 minutes"]
    [(_, given)] = plugin.calls
    assert given["practice"] is host.practices["rec"] and given["phase"] == "review"
    assert given["settings"] == {"minutes": 45, "kept": True}


def test_planner_prompts_none_means_no_prompts() -> None:
    class Silent(Recorder):
        @hookimpl
        def planner_prompts(self):
            return None

    assert make_host(Silent()).prompts("rec", "plan", week(), board()) == []


def test_planner_task_templates_gets_practice_and_settings() -> None:
    class Suggesting(Recorder):
        @hookimpl
        def planner_task_templates(self, practice, settings):
            return [TaskTemplate("one", f"A {practice.id} task of {settings['minutes']} minutes",
                                 estimate=settings["minutes"], tags=("t",))]

    host = make_host(Suggesting(settings={"minutes": 30}))
    [template] = host.templates("rec", board({"rec": {"minutes": 50}}))
    assert (template.title, template.estimate, template.tags) == ("A rec task of 50 minutes", 50, ("t",))


def test_planner_outcome_prompt_asks_in_the_practices_words_else_the_planners() -> None:
    class Asking(Recorder):
        @hookimpl
        def planner_outcome_prompt(self, practice, task, settings):
            return f"What did {task.title!r} change, {settings['who']}?" if task.tags else None

    host = make_host(Asking(settings={"who": "you"}))
    tagged = task(title="Ship it", practice="rec", tags=("t",), status="done")
    assert host.outcome_prompt(tagged, board()) == "What did 'Ship it' change, you?"
    assert host.outcome_prompt(task(title="Plain", practice="rec"), board()) == "What did this change, and for whom?"
    assert host.outcome_prompt(task(title="No practice"), board()) == "What did this change, and for whom?"


def test_planner_outcome_prompt_that_returns_no_text_disables_the_plugin() -> None:
    class Wrong(Recorder):
        @hookimpl
        def planner_outcome_prompt(self):
            return 42

    host = make_host(Wrong(), strict=False)
    assert host.outcome_prompt(task(title="x", practice="rec"), board()) == "What did this change, and for whom?"
    assert "rec" not in host.practices


def test_the_built_in_practices_ask_their_own_outcome_question() -> None:
    from planner_practices import feedback, learning

    host = make_host(feedback, learning)
    assert host.outcome_prompt(task(title="Read", practice="learning"), board()) == \
        "What did you learn, in one sentence?"
    assert host.outcome_prompt(task(title="Fix", practice="feedback"), board()) == \
        "What did you change after the feedback?"


def test_planner_score_week_gets_the_weeks_tasks_and_settings() -> None:
    class Scoring(Recorder):
        @hookimpl
        def planner_score_week(self, practice, week, tasks, settings):
            self.calls.append(("score", {"tasks": tasks}))
            done = [each for each in tasks if each.practice == practice.id and week.contains(each.done_at)]
            return Score(min(100, 100 * len(done) / settings["target"]), f"{len(done)} of {settings['target']}")

    plugin = Scoring(settings={"target": 4})
    host = make_host(plugin)
    tasks = [task(practice="rec", done=True), task(practice="rec", done=True), task(practice="other", done=True)]
    score = host.score_week("rec", week(), tasks, board())
    assert score == Score(50, "2 of 4")
    assert isinstance(plugin.calls[0][1]["tasks"], tuple)  # read-only, like every value a plugin gets
    assert host.score_week("rec", week(), tasks, board({"rec": {"target": 2}})) == Score(100, "2 of 2")


def test_planner_score_week_none_is_left_out_of_the_weekly_value() -> None:
    from planner.scoring import score_week

    class Unsure(Recorder):
        @hookimpl
        def planner_score_week(self):
            return None

    class Sure(Recorder):
        @hookimpl
        def planner_score_week(self):
            return Score(80, "sure")

    host = make_host(("unsure", Unsure("unsure")), ("sure", Sure("sure")))
    result = score_week(host, board(), week(), [])
    assert result.by_practice() == {"sure": Score(80, "sure")}
    assert result.value == 80


def test_planner_task_completed_reaches_every_plugin_with_the_tasks_practice() -> None:
    class Listening(Recorder):
        @hookimpl
        def planner_task_completed(self, task, practice):
            self.calls.append(("completed", {"task": task.id, "practice": practice.id if practice else None}))

    own, other = Listening("own"), Listening("other")
    host = make_host(("own", own), ("other", other))
    host.task_completed(task(practice="own", done=True, id="t1"))
    host.task_completed(task(practice="gone", done=True, id="t2"))  # a practice that is not loaded
    expected = [("completed", {"task": "t1", "practice": "own"}), ("completed", {"task": "t2", "practice": None})]
    assert own.calls == other.calls == expected


def test_planner_task_completed_is_sent_when_the_cli_marks_a_task_done(run, tmp_path) -> None:
    plugins = tmp_path / "config" / "plugins"
    plugins.mkdir(parents=True)
    log = tmp_path / "completed.log"
    (plugins / "listening.py").write_text(
        "from planner.api import hookimpl\n\n"
        "@hookimpl\n"
        "def planner_task_completed(task, practice):\n"
        f"    with open({str(log)!r}, 'a') as out:\n"
        "        out.write(f'{task.title}|{practice.id if practice else None}\\n')\n"
    )
    added = run("add", "Finish the chapter", "--practice", "skills", "--json")
    assert added.returncode == 0, added.stderr
    assert not log.exists()
    done = run("done", __import__("json").loads(added.stdout)["id"])
    assert done.returncode == 0, done.stderr
    assert log.read_text() == "Finish the chapter|skills\n"


def test_planner_week_reviewed_gets_the_week_and_every_score() -> None:
    class Reviewing(Recorder):
        @hookimpl
        def planner_week_reviewed(self, week, scores):
            self.calls.append(("reviewed", {"week": week.label, "scores": dict(scores)}))

    plugin = Reviewing()
    host = make_host(plugin)
    scores = {"rec": Score(40, "forty"), "skills": Score(90, "ninety")}
    host.week_reviewed(week(), scores)
    assert plugin.calls == [("reviewed", {"week": "2026-W48", "scores": scores})]


def test_planner_week_reviewed_is_sent_by_planner_review(run, tmp_path) -> None:
    plugins = tmp_path / "config" / "plugins"
    plugins.mkdir(parents=True)
    log = tmp_path / "reviewed.log"
    (plugins / "reviewing.py").write_text(
        "from planner.api import hookimpl\n\n"
        "@hookimpl\n"
        "def planner_week_reviewed(week, scores):\n"
        f"    with open({str(log)!r}, 'a') as out:\n"
        "        out.write(f'{week.label}|{sorted(scores)}\\n')\n"
    )
    assert run("init").returncode == 0
    result = run("review")
    assert result.returncode == 0, result.stderr
    label, practices = log.read_text().strip().split("|")
    assert label == "2026-W48" and "skills" in practices


@pytest.mark.parametrize("hook", ["planner_prompts", "planner_task_templates", "planner_score_week"])
def test_per_practice_hooks_are_called_only_on_the_owner(hook: str) -> None:
    """Not a first-result race: each practice's hook goes to the plugin that registered it."""
    calls: list[str] = []

    def plugin(practice_id: str) -> Recorder:
        recorder = Recorder(practice_id)

        @hookimpl
        def implementation(practice):
            calls.append(f"{practice_id} got {practice.id}")

        setattr(recorder, hook, implementation)
        return recorder

    host = PluginHost(strict=True)
    host.add_plugin(plugin("aaa"), "aaa")
    host.add_plugin(plugin("bbb"), "bbb")
    kwargs = {"planner_prompts": ("plan", week()), "planner_task_templates": (),
              "planner_score_week": (week(), [])}[hook]
    method = {"planner_prompts": host.prompts, "planner_task_templates": host.templates,
              "planner_score_week": host.score_week}[hook]
    method("bbb", *kwargs, board())
    assert calls == ["bbb got bbb"]
