"""The example practice plugin installs like a third-party package and the planner then uses it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from planner.testing import check_practice_contract

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "practice-plugin"


@pytest.fixture(scope="module")
def installed_example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The example installed from its folder as a user would, into a folder of its own that is put on
    the path: the environment of this test run plus the example, and nothing left behind."""
    target = tmp_path_factory.mktemp("site")
    source = tmp_path_factory.mktemp("source") / "practice-plugin"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    # No build isolation: the build backend comes from this environment, so the test needs no network.
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(target), str(source)], check=True)
    return {**os.environ, "PYTHONPATH": str(target)}


def test_the_example_plugin_is_listed_and_scores(installed_example: dict[str, str], tmp_path: Path) -> None:
    env = {**installed_example, "PLANNER_PLANS": str(tmp_path / "plans"), "PLANNER_CONFIG_DIR": str(tmp_path / "config"),
           "PLANNER_CACHE_DIR": str(tmp_path / "cache"), "PLANNER_NOW": "2026-11-26T10:00:00+00:00"}
    def planner(*args: str) -> str:
        return subprocess.run([sys.executable, "-m", "planner", *args], env=env, check=True, capture_output=True,
                              text=True).stdout

    plugins = {row["name"]: row for row in json.loads(planner("plugins", "--json"))}
    deep_work = plugins["deep-work"]
    assert deep_work["status"] == "active" and deep_work["origin"] == "package"
    assert deep_work["source"] == "planner-deep-work 0.1.0" and deep_work["practices"] == ["deep-work"]
    planner("add", "Write the analysis chapter", "--practice", "deep-work", "--estimate", "2h", "--day", "today")
    task_id = json.loads(planner("list", "--json"))[0]["id"]
    planner("done", task_id)
    week = json.loads(planner("score", "--json"))[0]
    scores = {row["id"]: row for row in week["practices"]}
    assert scores["deep-work"]["score"] > 0


def test_the_example_plugin_passes_its_own_tests(installed_example: dict[str, str]) -> None:
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLE / "tests")],
                            capture_output=True, text=True, cwd=EXAMPLE, env=installed_example)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout.splitlines()[-1]


def test_the_example_plugin_passes_the_practice_contract() -> None:
    """The check plugin authors run (planner.testing), over the example module loaded from its source."""
    import importlib.util

    path = EXAMPLE / "src" / "planner_deep_work" / "__init__.py"
    spec = importlib.util.spec_from_file_location("example_deep_work", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert check_practice_contract(module) == []
    assert check_practice_contract(module, "deep-work") == []


def test_the_example_plugin_tests_import_only_the_plugin_api_and_testing_helpers() -> None:
    """planner.api and planner.testing are what the planner promises plugin authors; its other modules
    (planner.host, planner.model ...) may change in any release, so the example does not lean on them."""
    import ast

    for path in (EXAMPLE / "tests").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        modules |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        planner_modules = {module for module in modules if module == "planner" or module.startswith("planner.")}
        assert planner_modules <= {"planner.api", "planner.testing"}, f"{path.name} imports {sorted(planner_modules)}"
