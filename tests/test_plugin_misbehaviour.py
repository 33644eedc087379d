"""Issue #9, section 6: plugins that misbehave. A plugin that exits, raises KeyboardInterrupt, prints,
sleeps or is disabled half-way through a command is named in one line and left out; the command's
output stays whole, the user's ctrl+c still stops the planner, and a plan folder is never on sys.path.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from cli_runner import planner_environment
from planner.api import Practice, Score, hookimpl
from planner.host import PluginError, PluginHost
from planner.model import Board, Task, make_week_view

ROOT = Path(__file__).resolve().parent.parent
BOARD = Board()
WEEK = make_week_view("2026-W48", None, 0, date(2026, 11, 26))


def done_task() -> Task:
    from planner.testing import task

    return task("Send the report", done=True)


def plugin_file(tmp_path: Path, name: str, hooks: str, *, top: str = "") -> Path:
    """A single-file plugin in the config folder, registering practice `name` and implementing `hooks`."""
    folder = tmp_path / "config" / "plugins"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.py"
    path.write_text(
        "import os, sys, time\n"
        "from planner.api import Practice, Prompt, Score, TaskTemplate, hookimpl\n"
        f"{top}\n"
        "@hookimpl\n"
        "def planner_register_practices(register):\n"
        f"    register(Practice({name!r}, {name.title()!r}, 'A practice for tests.', '#445566', 'TEST'))\n\n"
        f"{hooks}\n",
        encoding="utf-8",
    )
    return path


def one_line_naming(stderr: str, plugin: str, *words: str) -> str:
    """The one stderr line about `plugin`; there is no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if f"plugin {plugin!r}" in line]
    assert len(lines) == 1, stderr
    assert all(word in lines[0] for word in words), lines[0]
    return lines[0]


class Probe:
    """Registers practice 'probe'; its prompts raise."""

    @hookimpl
    def planner_register_practices(self, register):
        register(Practice("probe", "Probe", "Raises in prompts.", "#445566", "PROBE"))

    @hookimpl
    def planner_prompts(self, phase):
        raise RuntimeError("prompts broke")


# --- a practice disabled half-way through a command ----------------------------------------------------

PROMPTS_RAISE = "@hookimpl\ndef planner_prompts(phase):\n    raise RuntimeError('prompts broke')\n"


@pytest.mark.parametrize(("command", "shown"), [
    (("week",), "Sun 29 Nov"), (("export",), "Weekly value score"), (("prompts",), "skills."),
])
def test_a_plugin_raising_in_prompts_leaves_week_and_export_whole(
        run, tmp_path: Path, command: tuple[str, ...], shown: str) -> None:
    """The plan phase disables the plugin; the review phase then asked for its prompts by practice id."""
    run("init")
    plugin_file(tmp_path, "probe", PROMPTS_RAISE)
    result = run(*command)
    assert result.returncode == 0, result.stderr
    one_line_naming(result.stderr, "probe", "disabled: planner_prompts raised RuntimeError: prompts broke")
    assert "KeyError" not in result.stderr and shown in result.stdout


def test_the_per_practice_hooks_of_a_practice_gone_meanwhile_give_nothing() -> None:
    host = PluginHost()
    host.add_plugin(Probe(), "probe")
    practices = host.enabled_practices(BOARD)  # a caller takes the list first, then asks each practice
    assert [practice.id for practice in practices] == ["probe"]
    assert host.prompts("probe", "plan", WEEK, BOARD) == []  # disables the plugin
    assert host.prompts("probe", "review", WEEK, BOARD) == []
    assert host.templates("probe", BOARD) == [] and host.score_week("probe", WEEK, [], BOARD) is None
    assert host.settings("probe", Board()) == {}
    assert host.records["probe"].status == "error"


def test_a_plugin_with_two_practices_failing_on_the_first_is_left_out_of_the_second() -> None:
    class Twins:
        @hookimpl
        def planner_register_practices(self, register):
            register(Practice("one", "One", "First.", "#445566", "ONE"))
            register(Practice("two", "Two", "Second.", "#445566", "TWO"))

        @hookimpl
        def planner_score_week(self, practice):
            raise ValueError(f"cannot score {practice.id}")

    from planner.scoring import score_week

    host = PluginHost()
    host.add_plugin(Twins(), "twins")
    result = score_week(host, BOARD, WEEK, [])
    assert "one" not in result.by_practice() and "two" not in result.by_practice()
    assert host.records["twins"].error == "planner_score_week raised ValueError: cannot score one"


# --- exits and KeyboardInterrupt in plugin code ---------------------------------------------------------

EXITS = [
    ("sys.exit(3)", "planner_score_week called sys.exit(3)"),
    ("sys.exit()", "planner_score_week called sys.exit()"),
    ("exit('bye')", "planner_score_week called sys.exit('bye')"),
    ("raise KeyboardInterrupt", "planner_score_week raised KeyboardInterrupt"),
    ("os._exit(0)", "planner_score_week called os._exit(0)"),
]


@pytest.mark.parametrize(("statement", "message"), EXITS)
def test_a_hook_that_exits_is_named_and_the_command_goes_on(run, tmp_path: Path, statement: str, message: str) -> None:
    plugin_file(tmp_path, "quitter", f"@hookimpl\ndef planner_score_week(tasks):\n    {statement}\n")
    result = run("score", "--json")
    assert result.returncode == 0, result.stderr
    practices = {row["id"] for row in json.loads(result.stdout)[0]["practices"]}
    assert "skills" in practices and "quitter" not in practices
    one_line_naming(result.stderr, "quitter", f"disabled: {message}")


@pytest.mark.parametrize(("statement", "message"), [
    ("sys.exit(3)", "called sys.exit(3) while being imported"),
    ("os._exit(0)", "called os._exit(0) while being imported"),
    ("raise KeyboardInterrupt", "raised KeyboardInterrupt while being imported"),
])
def test_a_plugin_that_exits_while_imported_is_named(run, tmp_path: Path, statement: str, message: str) -> None:
    plugin_file(tmp_path, "quitter", "", top=statement)
    result = run("score", "--json")
    assert result.returncode == 0, result.stderr
    assert "skills" in {row["id"] for row in json.loads(result.stdout)[0]["practices"]}
    one_line_naming(result.stderr, "quitter", f"disabled: {message}")


def test_exits_in_hooks_disable_only_their_plugin_in_the_host() -> None:
    def exiting(task):
        sys.exit(3)

    def interrupting(task):
        raise KeyboardInterrupt

    def os_exiting(task):
        os._exit(0)

    told: list[str] = []
    host = PluginHost()
    for name, function in (("exiting", exiting), ("interrupting", interrupting), ("os-exiting", os_exiting)):
        host.add_plugin(SimpleNamespace(planner_task_completed=hookimpl(function)), name)
    host.add_plugin(SimpleNamespace(planner_task_completed=hookimpl(lambda task: told.append(task.id))), "good")
    host.task_completed(done_task())
    assert told and host.records["good"].active
    assert host.records["exiting"].error == "planner_task_completed called sys.exit(3)"
    assert host.records["interrupting"].error == "planner_task_completed raised KeyboardInterrupt"
    assert host.records["os-exiting"].error == "planner_task_completed called os._exit(0)"


def test_os_exit_outside_plugin_code_is_left_alone() -> None:
    """Only plugin code is guarded: the planner's own code, and a forked child, really exit."""
    PluginHost()  # installs the guard
    code = ("import os\nfrom planner.host import PluginHost\nPluginHost()\n"
            "pid = os.fork()\nif pid == 0:\n    os._exit(7)\n"
            "_, status = os.waitpid(pid, 0)\nprint(os.waitstatus_to_exitcode(status), flush=True)\nos._exit(5)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert (result.returncode, result.stdout.strip()) == (5, "7"), result.stderr


def test_strict_mode_surfaces_an_exit_as_a_plugin_error() -> None:
    host = PluginHost(strict=True)
    with pytest.raises(PluginError, match="plugin 'exiting' planner_task_completed called sys.exit") as raised:
        host.add_plugin(SimpleNamespace(planner_task_completed=hookimpl(lambda task: sys.exit(2))), "exiting")
        host.task_completed(done_task())
    assert isinstance(raised.value.__cause__, SystemExit)


def test_ctrl_c_from_the_user_during_a_hook_still_stops_the_planner_with_130(run, tmp_path: Path) -> None:
    started = tmp_path / "hook-started"
    plugin_file(tmp_path, "sleeper", "@hookimpl\ndef planner_score_week(tasks):\n"
                                     f"    open({str(started)!r}, 'w').close()\n    time.sleep(30)\n")
    process = subprocess.Popen(
        [*run.command, "score"], cwd=tmp_path, env={**run.env, "PLANNER_HOOK_TIMEOUT": "60"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as a terminal's shell leaves it
    )
    try:
        deadline = time.monotonic() + 20
        while not started.exists():
            assert time.monotonic() < deadline and process.poll() is None, process.communicate()
            time.sleep(0.02)
        pressed = time.monotonic()
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert time.monotonic() - pressed < 5
    assert "Traceback" not in stderr


# --- print() in plugin code ---------------------------------------------------------------------------

PRINTING = """
print('printed at import')

@hookimpl
def planner_prompts(phase):
    print('printed in prompts')
    return [Prompt('focus', 'What is the focus?')]

@hookimpl
def planner_task_templates():
    print('printed in templates')
    return [TaskTemplate('one', 'One thing', estimate=30)]

@hookimpl
def planner_score_week(tasks):
    print('printed in score')
    return Score(50, 'half')

@hookimpl
def planner_task_completed(task):
    print('printed in task_completed')

@hookimpl
def planner_week_reviewed(week):
    print('printed in week_reviewed')
"""

JSON_COMMANDS = [
    ("score", "--json"), ("score", "--weeks", "3", "--json"), ("week", "--json"), ("prompts", "--json"),
    ("templates", "--json"), ("plugins", "--json"), ("export", "--format", "json"),
    ("export", "--format", "json", "--week", "this"), ("add", "Printed", "--practice", "printer", "--json"),
]


def test_print_in_plugin_code_goes_to_stderr_and_json_output_stays_whole(run, tmp_path: Path) -> None:
    run("init")
    plugin_file(tmp_path, "printer", PRINTING)
    said = ""
    for command in JSON_COMMANDS:
        result = run(*command)
        assert result.returncode == 0, (command, result.stderr)
        json.loads(result.stdout)  # nothing else on stdout
        assert "printed" not in result.stdout and "disabled" not in result.stderr, (command, result.stderr)
        said += result.stderr
    for hook in ("at import", "in prompts", "in templates", "in score"):
        assert f"printed {hook}" in said
    done = run("add", "Finished", "--column", "done")
    assert done.returncode == 0 and "printed" not in done.stdout and "printed in task_completed" in done.stderr
    reviewed = run("review")
    assert reviewed.returncode == 0 and "printed" not in reviewed.stdout
    assert "printed in week_reviewed" in reviewed.stderr


def test_print_goes_to_stderr_only_on_the_plugins_thread_not_the_callers_or_others(capsys) -> None:
    """redirect_stdout would send every thread's output to stderr while a hook runs."""
    hook_running, other_printed = threading.Event(), threading.Event()

    class Chatty:
        @hookimpl
        def planner_task_completed(self, task):
            print("from the plugin")
            hook_running.set()
            assert other_printed.wait(5)

    def other_thread() -> None:
        assert hook_running.wait(5)
        print("from another thread")
        other_printed.set()

    host = PluginHost()
    host.add_plugin(Chatty(), "chatty")
    other = threading.Thread(target=other_thread)
    other.start()
    host.task_completed(done_task())
    other.join()
    print("from the caller")
    captured = capsys.readouterr()
    assert captured.err == "from the plugin\n"
    assert captured.out == "from another thread\nfrom the caller\n"
    assert host.records["chatty"].active


# --- the time budget ------------------------------------------------------------------------------------

SLEEPS_IN_SCORE = "@hookimpl\ndef planner_score_week(tasks):\n    time.sleep(30)\n    return Score(1, 'late')\n"


@pytest.mark.parametrize("setting", ["env", "config"])
def test_a_hook_over_its_time_budget_is_disabled_and_the_command_goes_on(run, tmp_path: Path, setting: str) -> None:
    plugin_file(tmp_path, "sleeper", SLEEPS_IN_SCORE)
    env = {}
    if setting == "env":
        env["PLANNER_HOOK_TIMEOUT"] = "0.5"
    else:
        (tmp_path / "config" / "config.toml").write_text("[plugins]\nhook_timeout = 0.5\n")
    started = time.monotonic()
    result = run("score", "--weeks", "4", "--json", env=env)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert elapsed < 10  # one budget, then the plugin is out: not 30 s a call
    rows = json.loads(result.stdout)
    assert len(rows) == 4 and "sleeper" not in {row["id"] for row in rows[-1]["practices"]}
    line = one_line_naming(result.stderr, "sleeper", "disabled: planner_score_week did not return within 0.5 s")
    assert "hook_timeout" in line and "PLANNER_HOOK_TIMEOUT" in line
    # Not kept for later runs: a slow moment passes.
    listing = json.loads(run("plugins", "--json").stdout)
    assert [row["status"] for row in listing if row["name"] == "sleeper"] == ["active"]


def test_a_plugin_slow_to_import_is_disabled_within_the_budget(run, tmp_path: Path) -> None:
    plugin_file(tmp_path, "slowstart", "", top="time.sleep(30)")
    started = time.monotonic()
    result = run("plugins", "--json", env={"PLANNER_HOOK_TIMEOUT": "0.5"})
    assert time.monotonic() - started < 10
    assert result.returncode == 0, result.stderr
    [record] = [row for row in json.loads(result.stdout) if row["name"] == "slowstart"]
    assert record["status"] == "error" and record["error"].startswith("was not imported within 0.5 s")
    one_line_naming(result.stderr, "slowstart", "disabled: was not imported within 0.5 s")


@pytest.mark.parametrize(("value", "expected"), [("2.5", 2.5), ("0", None), (" 1 ", 1.0), ("inf", None)])
def test_the_budget_comes_from_the_environment(tmp_path: Path, value: str, expected: float | None) -> None:
    from planner.host import hook_timeout_setting

    config = SimpleNamespace(raw={"plugins": {"hook_timeout": 9}}, folder=tmp_path)
    assert hook_timeout_setting(config, {"PLANNER_HOOK_TIMEOUT": value}) == expected


def test_the_budget_comes_from_config_toml_else_the_default(tmp_path: Path) -> None:
    from planner.host import DEFAULT_HOOK_TIMEOUT, hook_timeout_setting

    assert hook_timeout_setting(SimpleNamespace(raw={"plugins": {"hook_timeout": 12}}, folder=tmp_path), {}) == 12
    assert hook_timeout_setting(SimpleNamespace(raw={"plugins": {"hook_timeout": 0}}, folder=tmp_path), {}) is None
    assert hook_timeout_setting(SimpleNamespace(raw={}, folder=tmp_path), {}) == DEFAULT_HOOK_TIMEOUT
    assert 1 <= DEFAULT_HOOK_TIMEOUT <= 10


@pytest.mark.parametrize(("env", "toml", "message"), [
    ({"PLANNER_HOOK_TIMEOUT": "soon"}, "", "PLANNER_HOOK_TIMEOUT must be a number of seconds (0 for no limit), not 'soon'"),
    ({"PLANNER_HOOK_TIMEOUT": "-1"}, "", "PLANNER_HOOK_TIMEOUT must be a number of seconds"),
    ({}, "[plugins]\nhook_timeout = 'five'\n", "plugins.hook_timeout must be a number of seconds (0 for no limit), not 'five'"),
    ({}, "[plugins]\nhook_timeout = true\n", "plugins.hook_timeout must be a number of seconds"),
])
def test_a_bad_budget_is_one_line_and_exit_2(run, tmp_path: Path, env: dict[str, str], toml: str, message: str) -> None:
    if toml:
        (tmp_path / "config").mkdir(parents=True, exist_ok=True)
        (tmp_path / "config" / "config.toml").write_text(toml)
    result = run("score", env=env)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_an_overrunning_call_is_left_behind_and_its_result_dropped() -> None:
    release = threading.Event()
    calls: list[str] = []

    class Slow:
        @hookimpl
        def planner_register_practices(self, register):
            register(Practice("slow", "Slow", "Slow to score.", "#445566", "SLOW"))

        @hookimpl
        def planner_score_week(self, tasks):
            calls.append("score")
            release.wait(10)
            return Score(99, "too late")

    host = PluginHost(hook_timeout=0.2)
    host.add_plugin(Slow(), "slow")
    started = time.monotonic()
    assert host.score_week("slow", WEEK, [], BOARD) is None
    assert 0.2 <= time.monotonic() - started < 3
    assert host.records["slow"].error.startswith("planner_score_week did not return within 0.2 s")
    assert host.score_week("slow", WEEK, [], BOARD) is None and calls == ["score"]  # not called again
    release.set()


def test_strict_mode_raises_when_a_hook_overruns() -> None:
    from planner.testing import make_host

    release = threading.Event()
    slow = SimpleNamespace(planner_task_completed=hookimpl(lambda task: release.wait(10)))
    host = make_host(("slow", slow), hook_timeout=0.2)
    try:
        with pytest.raises(PluginError, match="plugin 'slow' planner_task_completed did not return within 0.2 s"):
            host.task_completed(done_task())
    finally:
        release.set()


def test_no_budget_waits_for_the_hook() -> None:
    host = PluginHost(hook_timeout=None)
    host.add_plugin(SimpleNamespace(planner_task_completed=hookimpl(lambda task: time.sleep(0.3))), "patient")
    host.task_completed(done_task())
    assert host.records["patient"].active


def test_hooks_see_the_callers_context_variables() -> None:
    import contextvars

    variable: contextvars.ContextVar[str] = contextvars.ContextVar("variable", default="unset")
    seen: list[str] = []
    host = PluginHost()
    host.add_plugin(SimpleNamespace(planner_task_completed=hookimpl(lambda task: seen.append(variable.get()))), "p")
    variable.set("the caller's")
    host.task_completed(done_task())
    assert seen == ["the caller's"]


def test_many_quick_calls_cost_little() -> None:
    """A year of weeks times seven practices: the hand-over to the plugin thread stays cheap."""
    from planner.testing import make_host
    from planner_practices import skills

    host = make_host(skills)
    start = time.perf_counter()
    for _ in range(52 * 7):
        host.score_week("skills", WEEK, [], BOARD)
    per_call = (time.perf_counter() - start) / (52 * 7)
    assert per_call < 0.005, f"{per_call * 1e6:.0f} microseconds a call"


# --- notification hooks do not block the app's screen -------------------------------------------------------


def test_in_an_event_loop_notifications_run_in_the_background() -> None:
    release, told = threading.Event(), threading.Event()

    class Slow:
        @hookimpl
        def planner_task_completed(self, task):
            release.wait(10)
            told.set()

    host = PluginHost()
    host.add_plugin(Slow(), "slow")

    async def complete() -> float:
        started = time.monotonic()
        host.task_completed(done_task())
        return time.monotonic() - started

    assert asyncio.run(complete()) < 1
    assert not told.is_set()
    release.set()
    assert host.wait_for_notifications(5) and told.is_set()
    assert host.records["slow"].active


def test_a_background_notification_that_overruns_tells_the_app_on_its_loop() -> None:
    release = threading.Event()
    order: list[str] = []

    class Slow:
        @hookimpl
        def planner_task_completed(self, task):
            order.append("hook")
            release.wait(10)

    host = PluginHost(hook_timeout=0.2)
    host.add_plugin(Slow(), "slow")
    host.add_plugin(SimpleNamespace(planner_task_completed=hookimpl(lambda task: order.append("next"))), "next")

    async def complete_and_wait() -> threading.Thread:
        loop_thread = threading.current_thread()
        told = asyncio.Event()
        host.late_warnings = lambda: (order.append("told"), told.set(),
                                      order.append("on loop" if threading.current_thread() is loop_thread else "off"))
        host.task_completed(done_task())
        order.append("returned")
        await asyncio.wait_for(told.wait(), 5)
        return loop_thread

    asyncio.run(complete_and_wait())
    release.set()
    # The caller went on long before the budget ran out; the next plugin was told after it.
    assert sorted(order[:2]) == ["hook", "returned"] and order[2:] == ["next", "told", "on loop"]
    assert any("did not return within 0.2 s" in warning for warning in host.warnings)


def test_outside_an_event_loop_notifications_are_told_before_returning() -> None:
    told: list[str] = []
    host = PluginHost()
    host.add_plugin(SimpleNamespace(planner_task_completed=hookimpl(lambda task: (time.sleep(0.2), told.append("x")))),
                    "p")
    host.task_completed(done_task())
    assert told == ["x"]


# --- the plan folder is never on sys.path --------------------------------------------------------------------


def test_python_m_planner_inside_a_plan_folder_does_not_import_its_python_files(run, tmp_path: Path) -> None:
    run("init")
    plans = tmp_path / "plans"
    marker = tmp_path / "imported"
    for module in ("pluggy", "json", "tomllib", "planner_practices"):
        (plans / f"{module}.py").write_text(f"open({str(marker)!r}, 'a').write({module!r} + '\\n')\n"
                                            f"raise SystemExit('the plan folder was imported: {module}')\n")
    env = planner_environment(tmp_path)
    result = subprocess.run([sys.executable, "-m", "planner", "score", "--json"], cwd=plans, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert not marker.exists(), marker.read_text()
    assert "skills" in {row["id"] for row in json.loads(result.stdout)[0]["practices"]}


def test_python_m_planner_still_runs_from_a_source_checkout(tmp_path: Path) -> None:
    """-S: no site-packages, so `planner` is found only in the working folder, the checkout."""
    env = {**planner_environment(tmp_path), "PYTHONPATH": ""}
    result = subprocess.run([sys.executable, "-S", "-m", "planner", "--version"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("planner ")
