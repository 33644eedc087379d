"""Plan text is data wherever it is shown: no escape sequence in a title, a note, an intention or a
synced file reaches the terminal, from any CLI view or from the app.

Every view of the real console script is run on a plan full of payloads and its bytes checked; then
the same views and the app run in a real terminal (tmux, which keeps what an escape would change: its
clipboard buffers take OSC 52, the pane title takes OSC 0/2) and the terminal must be as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli_runner import PlannerRunner, planner_command
from test_e2e_tmux import Terminal
from test_text import DANGEROUS, PAYLOADS

#: A file as git or an editor could bring it: TOML escapes for what no argument can carry.
SYNCED_TASK = r'''schema = 1
id = "synced0escapes00"
title = "\u001b]52;c;U1lOQ0VE\u0007 synced \u001b]0;SYNCED\u0007 \u009b2J \u202eevil"
status = "open"
column = "backlog"
notes = "first\n\u001b]0;NOTES\u0007\n\u0000 null"
tags = ["x\u001b[2Jy", "@a\u0007b"]
created = 2026-11-24T09:00:00Z
'''


@pytest.fixture
def hostile(run: PlannerRunner) -> PlannerRunner:
    """A plan whose every text field holds payloads (by the CLI and by a synced file)."""
    run.ok("init")
    for number, payload in enumerate(PAYLOADS):
        if "\x00" in payload:  # no argument can hold a NUL: the synced file carries one
            continue
        run.ok("add", f"{number} {payload}", "--notes", payload, "--day", "today", "--practice", "skills",
               "--tag", f"t{number}", "--estimate", "30m")
    run.ok("intend", "skills", PAYLOADS[0])
    run.ok("answer", "skills.focus", PAYLOADS[1])
    (run.plans / "tasks" / "synced0escapes00.toml").write_text(SYNCED_TASK, encoding="utf-8")
    return run


def views(run: PlannerRunner) -> list[list[str]]:
    first = run.json("list", "--json")[0]["short_id"]
    return [["list"], ["list", "--all"], ["show", first], ["show", "synced0"], ["week"], ["prompts"],
            ["export"], ["score"], ["templates"], ["check"], ["list", "--json"], ["show", "synced0", "--json"],
            ["week", "--json"], ["export", "--format", "json"], ["score", "--json"], ["undo"]]


def test_no_cli_view_lets_a_control_character_through(hostile: PlannerRunner) -> None:
    for arguments in views(hostile):
        result = hostile(*arguments)
        assert result.returncode in (0, 1), (arguments, result.stderr)
        for stream in (result.stdout, result.stderr):
            leaked = DANGEROUS & set(stream.replace("\n", ""))
            assert not leaked, f"planner {' '.join(arguments)} printed {sorted(leaked)!r}"
        if "--json" in arguments or "json" in arguments:
            json.loads(result.stdout)  # still valid JSON, escapes and all
    shown = hostile.ok("show", "synced0").stdout
    assert "\\x1b]52;c;U1lOQ0VE\\x07 synced" in shown  # visible, so the person sees what is there
    assert "\\x9b2J \\u202eevil" in shown
    as_json = hostile.json("show", "synced0", "--json")
    assert as_json["title"].startswith("\x1b]52;c;U1lOQ0VE\x07")  # JSON gives scripts the bytes as stored


def test_the_stored_bytes_are_what_the_user_wrote(hostile: PlannerRunner) -> None:
    stored = {task["title"] for task in hostile.json("list", "--all", "--json")}
    assert "0 t \x1b]52;c;SU5KRUNURUQ=\x07 clipboard" in stored


pytestmark_tmux = pytest.mark.skipif(shutil.which("tmux") is None and not os.environ.get("CI"),
                                     reason="tmux is not installed (CI installs it)")


@pytestmark_tmux
def test_a_real_terminal_is_untouched_by_the_cli_and_the_app(hostile: PlannerRunner) -> None:
    env = {**hostile.env, "TERM": "xterm-256color", "COLORTERM": "truecolor", "PATH": os.environ.get("PATH", ""),
           "HOME": str(hostile.root)}
    command = " ".join(planner_command())
    script = hostile.root / "views.sh"
    script.write_text("\n".join(f"{command} {' '.join(map(repr_shell, arguments))}"
                                for arguments in views(hostile)) + f"\necho CLI-DONE\n{command}\n")
    terminal = Terminal(["sh", str(script)], env, size=(120, 40))
    try:
        terminal.tmux("set-option", "-g", "set-clipboard", "on")  # so an OSC 52 would leave a buffer
        terminal.wait_for("Backlog", 60)
        for keys in ("2", "1", "enter"):  # the week, the board, a task's details
            terminal.keys(keys)
            time.sleep(0.7)
        terminal.keys("escape")
        time.sleep(0.3)
        title = terminal.tmux("display-message", "-p", "-t", "main", "#{pane_title}")
        buffers = terminal.tmux("list-buffers")
        assert "PWNED" not in title and "SYNCED" not in title and "NOTES" not in title, title
        assert buffers == "", f"something wrote the clipboard: {buffers!r}"
        terminal.keys("q")
    finally:
        terminal.close()


def repr_shell(argument: str) -> str:
    return "'" + argument.replace("'", "'\\''") + "'"
