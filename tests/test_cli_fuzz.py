"""Odd command-line values never give a traceback: every command, any arguments, one line and an
exit status of 0, 1 or 2 (3 is the planner's own bug, written to a crash report)."""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.cli import EXIT_BUG, main

COMMANDS = {
    "add": ["--practice", "--column", "--week", "--day", "--due", "--estimate", "--tag", "--notes", "--template",
            "--json", "--repeat"],
    "list": ["--column", "--practice", "--week", "--tag", "--all", "--done", "--deleted", "--json"],
    "show": ["--json"],
    "edit": ["--title", "--practice", "--column", "--week", "--day", "--due", "--estimate", "--spent", "--tag",
             "--add-tag", "--remove-tag", "--notes", "--repeat"],
    "move": [], "done": ["--spent"], "rm": [], "restore": [], "undo": [], "redo": [],
    "week": ["--json"], "prompts": ["--phase", "--week", "--json"], "answer": ["--week"],
    "intend": ["--week"], "review": [], "score": ["--weeks", "--json"], "check": [],
    "export": ["--format", "--week", "--from", "--to"], "templates": ["--practice", "--json"], "init": ["--timezone", "--week-start"],
}

#: Values people mistype, and values that once broke a command.
ODD_VALUES = [
    "+99999999d", "-99999999w", "+999999", "-999999", "9999-W52", "0001-W01", "2026-W53", "2025-W53",
    "2026-02-30", "9998-12-31", "1899-12-31", "next fri", "last", "this", "9" * 400, "1e400h", "99999h",
    "1.5h", "-5", "0", "none", "-", "", " ", "\x00", "\x1b[2J", "\udcff", "snowman ☃", "skills", "skills.focus",
    "done", "doing", "Backlog", "100000000", "520", "521", "\u202e", "a" * 5000, "@maria", "#sql", "Europe/Berlin",
    "Mars/Base", "sunday", "funday", "json", "markdown",
]

values = st.sampled_from(ODD_VALUES) | st.text(max_size=40)


@st.composite
def command_lines(draw) -> list[str]:
    command = draw(st.sampled_from(sorted(COMMANDS)))
    line = [command]
    line += draw(st.lists(values, max_size=2))  # positional arguments: ids, titles, weeks, texts
    for option in draw(st.lists(st.sampled_from(COMMANDS[command] or ["--json"]), max_size=3)):
        line.append(option)
        if option not in ("--json", "--all", "--done", "--deleted"):
            line.append(draw(values))
    return line


@pytest.fixture
def plan_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    plans = tmp_path / "plans"
    monkeypatch.setenv("PLANNER_PLANS", str(plans))
    monkeypatch.setenv("PLANNER_NOW", "2026-11-26T10:00:00+00:00")
    monkeypatch.chdir(tmp_path)  # `init DIR` makes its folders in here
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["init"]) == 0
    for title in ("One", "Two"):
        assert main(["add", title, "--practice", "skills", "--day", "today"]) == 0
    return plans


def run_quietly(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as exit:  # check's exit 2, as the console script would see it
            status = exit.code if isinstance(exit.code, int) else 1
    return status, err.getvalue()


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=command_lines())
def test_no_command_line_gives_a_traceback(plan_folder: Path, argv: list[str]) -> None:
    status, errors = run_quietly(argv)
    assert status != EXIT_BUG, f"planner {argv!r} hit a bug: {errors}"
    assert status in (0, 1, 2), (argv, status, errors)
    assert "Traceback" not in errors
    for line in errors.splitlines():
        assert line.startswith("planner: "), (argv, errors)


@pytest.mark.parametrize("argv", [
    ["add", "x", "--day", "+99999999d"], ["add", "x", "--week", "+999999"], ["add", "x", "--estimate", "9" * 400],
    ["add", "\udcff"], ["score", "--weeks", "100000000"], ["week", "9999-W52"], ["score", "9999-W52"],
    ["export", "--week", "9999-W52"], ["prompts", "--week", "9999-W52"], ["review", "9999-W52"],
])
def test_the_values_that_once_broke_commands_are_one_line_and_write_nothing(plan_folder: Path,
                                                                           argv: list[str]) -> None:
    before = sorted(path.relative_to(plan_folder) for path in plan_folder.rglob("*"))
    status, errors = run_quietly(argv)
    assert status == 1 and errors.count("\n") == 1 and errors.startswith("planner: error: "), errors
    assert sorted(path.relative_to(plan_folder) for path in plan_folder.rglob("*")) == before
    assert run_quietly(["export", "--format", "json"])[0] == 0
