"""The core never imports Textual or Rich: the domain stays UI-free and CLI commands start fast."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from datetime import datetime, timezone

import pytest

import planner
from planner.model import Board, Task
from planner.store import PlanStore

#: Every module of the core: all of `planner` but the app package (new modules are checked too).
CORE_MODULES = sorted(f"planner.{module.name}" for module in pkgutil.iter_modules(planner.__path__)
                      if module.name != "app")


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_does_not_import_textual(module: str) -> None:
    code = (f"import sys, {module}; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')); print(bad)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_listing_tasks_does_not_load_plugins_or_pendulum(tmp_path) -> None:
    plans = tmp_path / "plans"
    PlanStore(plans).create(Board(timezone="Europe/Berlin"))
    moment = datetime(2026, 11, 26, 9, tzinfo=timezone.utc)
    PlanStore(plans).add_task(Task(id="01m8bfkkt0fz90nm", title="A task", created=moment, updated=moment))
    code = ("import sys; from planner.cli import main; main(['--plans', sys.argv[1], 'list', '--json']); "
            "print(sorted(m for m in ('pluggy', 'pendulum', 'textual') if m in sys.modules), file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code, str(plans)], capture_output=True, text=True,
                            check=True, env={"PLANNER_CONFIG_DIR": str(tmp_path / "config"), "PATH": ""})
    assert '"title": "A task"' in result.stdout
    assert result.stderr.strip().splitlines()[-1] == "[]"
