"""Runs the real `planner` console script with every folder it uses inside a test's tmp folder.

A module of its own (not conftest.py): tests import it by name, and tests/ and tests/app/ each have a
conftest.py, which Python cannot tell apart by module name.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

#: Thursday of ISO week 2026-W48: every date in the CLI tests is relative to this moment.
PLANNER_NOW = "2026-11-26T10:00:00+00:00"
CLI_TIMEOUT_SECONDS = 30


def planner_command() -> list[str]:
    """The installed console script beside this interpreter, else `python -m planner`."""
    script = Path(sys.executable).parent / "planner"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "planner"]


def planner_environment(root: Path) -> dict[str, str]:
    """The process environment with every planner setting pointed into `root`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PLANNER_")}
    env.update(
        PLANNER_PLANS=str(root / "plans"),
        PLANNER_CONFIG_DIR=str(root / "config"),
        PLANNER_DATA_DIR=str(root / "data"),
        PLANNER_CACHE_DIR=str(root / "cache"),
        PLANNER_STATE_DIR=str(root / "state"),
        PLANNER_NOW=PLANNER_NOW,
        TZ="UTC",  # the time zone a new plan folder is given
        PYTHONUTF8="1",  # ✓ and █ in the output, whatever the locale
    )
    env.pop("PYTHONSTARTUP", None)
    return env


class PlannerRunner:
    """Calls the console script in `root` (its working folder, so messages show `plans/...`)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.plans = root / "plans"
        self.data = root / "data"
        self.env = planner_environment(root)
        self.command = planner_command()

    def __call__(self, *args: str, input: str | None = None,
                 env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.command, *args],
            input=input,
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=self.root,
            env={**self.env, **(env or {})},
            timeout=CLI_TIMEOUT_SECONDS,
        )

    def ok(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run and insist on exit status 0, showing stderr when it is not."""
        result = self(*args, input=input)
        assert result.returncode == 0, f"planner {' '.join(args)} -> {result.returncode}\n{result.stderr}"
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def incomplete(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a command that answers as far as it can and exits 2, because a plan file it may
        need cannot be read (the files are named on stderr)."""
        result = self(*args)
        assert result.returncode == 2, f"planner {' '.join(args)} -> {result.returncode}\n{result.stderr}"
        assert "Traceback" not in result.stderr, result.stderr
        assert "could not be read, so this answer may be incomplete" in result.stderr, result.stderr
        return result

    def json(self, *args: str, input: str | None = None, incomplete: bool = False) -> Any:
        """Run a command that prints JSON (pass --json yourself) and return the parsed value;
        `incomplete`: a plan file cannot be read, so it must exit 2 after its output."""
        return json.loads((self.incomplete(*args) if incomplete else self.ok(*args, input=input)).stdout)
