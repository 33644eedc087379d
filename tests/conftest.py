"""Shared fixtures: run the real `planner` console script in a throw-away plan folder.

`run("add", "A task", "--day", "fri")` returns the CompletedProcess of the installed console script
(or `python -m planner` when the script is not installed), with every folder the planner uses pointed
into the test's tmp_path and the clock pinned to Thursday 2026-11-26 10:00 UTC.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

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

    def json(self, *args: str, input: str | None = None) -> Any:
        """Run a command that prints JSON (pass --json yourself) and return the parsed value."""
        return json.loads(self.ok(*args, input=input).stdout)


@pytest.fixture
def planner_runner(tmp_path: Path) -> PlannerRunner:
    return PlannerRunner(tmp_path)


@pytest.fixture
def run(planner_runner: PlannerRunner) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`run(*args, input=None) -> CompletedProcess` of the real console script (any exit status)."""
    return planner_runner


@pytest.fixture
def run_json(planner_runner: PlannerRunner) -> Callable[..., Any]:
    """`run_json(*args) -> parsed stdout`, asserting exit status 0."""
    return planner_runner.json


@pytest.fixture(autouse=True)
def private_user_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user's config, data or cache folders, nor their plan."""
    root = tmp_path_factory.mktemp("user")
    for name in ("CONFIG", "DATA", "CACHE"):
        monkeypatch.setenv(f"PLANNER_{name}_DIR", str(root / name.lower()))
    monkeypatch.setenv("PLANNER_PLANS", str(root / "plans"))
    for name in ("PLANNER_PLUGINS_ALLOW", "PLANNER_PLUGINS_BLOCK", "PLANNER_STRICT_PLUGINS", "PLANNER_TRACE_HOOKS"):
        monkeypatch.delenv(name, raising=False)
