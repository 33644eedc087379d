"""Shared fixtures: run the real `planner` console script in a throw-away plan folder.

`run("add", "A task", "--day", "fri")` returns the CompletedProcess of the installed console script
(or `python -m planner` when the script is not installed), with every folder the planner uses pointed
into the test's tmp_path and the clock pinned to Thursday 2026-11-26 10:00 UTC.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any, Callable

import pytest

from cli_runner import PlannerRunner, planner_environment  # noqa: F401 - re-exported for fixtures


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
    for name in ("CONFIG", "DATA", "CACHE", "STATE"):
        monkeypatch.setenv(f"PLANNER_{name}_DIR", str(root / name.lower()))
    monkeypatch.setenv("PLANNER_PLANS", str(root / "plans"))
    for name in ("PLANNER_PLUGINS_ALLOW", "PLANNER_PLUGINS_BLOCK", "PLANNER_STRICT_PLUGINS", "PLANNER_TRACE_HOOKS",
                 "PLANNER_WATCH"):
        monkeypatch.delenv(name, raising=False)
