"""docs/plugins.md stays true: every hook is documented as specified, has a test of its own, and
every example on the page runs (the tutorial's package is built, tested, installed and used).

Adding a hook to planner/hookspecs.py without a section in docs/plugins.md, a runnable example there
and a test in tests/test_hooks.py fails here, by name.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from cli_runner import planner_environment
from planner import api, hookspecs, testing
from planner.api import PHASES, Score
from planner.host import PluginHost
from planner.model import Task, WeekPlan, WeekView
from planner.testing import board, sample_tasks, task, week

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "plugins.md"
HOOKS = sorted(name for name, value in vars(hookspecs).items() if name.startswith("planner_") and callable(value))
FENCE = re.compile(r"^(\s*)```(\w*)\s*$")


@dataclasses.dataclass
class Block:
    language: str
    code: str


@dataclasses.dataclass
class Section:
    level: int
    title: str
    text: str = ""
    blocks: list[Block] = dataclasses.field(default_factory=list)
    parent: str = ""


def parse(markdown: str) -> list[Section]:
    """Sections by heading (a `#` inside a code block is not a heading), with their fenced blocks."""
    sections = [Section(0, "")]
    parents: dict[int, str] = {}
    fence: tuple[str, str, list[str]] | None = None
    for line in markdown.splitlines():
        match = FENCE.match(line)
        if fence is not None:
            if match and match.group(1) == fence[0]:
                sections[-1].blocks.append(Block(fence[1], "\n".join(fence[2]) + "\n"))
                fence = None
            else:
                fence[2].append(line[len(fence[0]):])
            sections[-1].text += line + "\n"
            continue
        if match:
            fence = (match.group(1), match.group(2), [])
        heading = re.match(r"^(#{1,6}) (.+)$", line)
        if heading:
            level = len(heading.group(1))
            parents[level] = heading.group(2)
            sections.append(Section(level, heading.group(2), parent=parents.get(level - 1, "")))
        sections[-1].text += line + "\n"
    assert fence is None, "a code block is not closed"
    return sections


SECTIONS = parse(DOC.read_text(encoding="utf-8"))


def hook_section(hook: str) -> Section:
    found = [section for section in SECTIONS if section.title == f"`{hook}`" and section.parent == "Hook reference"]
    assert len(found) == 1, f"docs/plugins.md needs one '### `{hook}`' section under '## Hook reference'"
    return found[0]


def table_row(section: Section, name: str) -> str:
    row = re.search(rf"^\| {name} \| (.+) \|$", section.text, re.M)
    assert row, f"the {section.title} section has no '| {name} | ... |' row"
    return row.group(1)


def example(section: Section) -> str:
    [code] = [block.code for block in section.blocks if block.language == "python" and "@hookimpl" in block.code]
    return code


# --- every hook is documented, with its arguments -------------------------------------------------------

@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented_with_its_signature_and_arguments(hook: str) -> None:
    section = hook_section(hook)
    spec = getattr(hookspecs, hook)
    signature = next(block.code.strip() for block in section.blocks if block.code.startswith(f"def {hook}("))
    documented = ast.parse(signature + ": ...").body[0]
    assert isinstance(documented, ast.FunctionDef)
    parameters = inspect.signature(spec).parameters
    assert [arg.arg for arg in documented.args.args] == list(parameters), "arguments differ from hookspecs.py"
    for arg in documented.args.args:
        assert ast.unparse(arg.annotation) == spec.__annotations__[arg.arg], f"{arg.arg}'s type differs"
    assert ast.unparse(documented.returns) == spec.__annotations__["return"]
    arguments = table_row(section, "Arguments")
    for name in parameters:
        assert f"`{name}`" in arguments, f"the Arguments row does not explain `{name}`"


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_says_when_it_is_called_what_it_returns_and_since_when(hook: str) -> None:
    section = hook_section(hook)
    for row in ("Called", "Returns"):
        assert table_row(section, row).strip()
    assert re.match(r"(Yes|No)\b", table_row(section, "First result"))
    since = re.search(r"Since (plugin API version \d+ \(Value Planner [\d.]+\))", inspect.getdoc(getattr(hookspecs, hook)))
    assert since, f"the docstring of {hook} in hookspecs.py does not say since which API version it exists"
    assert table_row(section, "Since") == since.group(1)


def test_no_section_documents_a_hook_that_does_not_exist() -> None:
    documented = {section.title.strip("`") for section in SECTIONS if section.parent == "Hook reference"}
    assert documented == set(HOOKS)


def test_every_hook_has_a_test_of_its_own() -> None:
    tree = ast.parse((ROOT / "tests" / "test_hooks.py").read_text(encoding="utf-8"))
    names = [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]
    missing = [hook for hook in HOOKS if not any(hook in name for name in names)]
    assert not missing, f"tests/test_hooks.py has no test named after {', '.join(missing)}"


# --- every name plugin authors meet is documented ---------------------------------------------------------

def test_every_public_name_of_planner_api_and_planner_testing_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in [*api.__all__, *testing.__all__]:
        assert re.search(rf"`{re.escape(name)}[`(]", text), f"docs/plugins.md does not mention `{name}`"
    fixtures = [node.name for node in ast.walk(ast.parse(Path(testing.__file__).read_text(encoding="utf-8")))
                if isinstance(node, ast.FunctionDef)
                and any(ast.unparse(decorator) == "pytest.fixture" for decorator in node.decorator_list)]
    assert fixtures, "no fixtures found in planner/testing.py"
    for name in fixtures:
        assert f"`{name}`" in text, f"docs/plugins.md does not mention the fixture `{name}`"
    for name in ("PLANNER_TRACE_HOOKS", "PLANNER_STRICT_PLUGINS", "DEPRECATED_HOOKS", "DEPRECATED_ARGUMENTS",
                 "SUPPORTED_API_VERSIONS", "planner_api_version", "planner plugins new",
                 "PLANNER_HOOK_TIMEOUT", "hook_timeout", "DEFAULT_HOOK_TIMEOUT"):
        assert name in text, f"docs/plugins.md does not mention {name}"


def test_the_time_budget_output_and_exits_are_written_down() -> None:
    """What the host does to a plugin that is slow, prints or exits (issue #9, section 6), as it does it."""
    from planner import host

    [section] = [section for section in SECTIONS if section.title == "Time, output and exits"]
    assert f"Each call has {host.DEFAULT_HOOK_TIMEOUT:g} seconds" in section.text
    assert "goes to stderr" in section.text and "`0` for no limit" in section.text
    for what in ("sys.exit()", "os._exit()", "raise KeyboardInterrupt", "ctrl+c", "exit status 130"):
        assert what in section.text, what
    line = next(block.code for block in section.blocks if "did not return within" in block.code).strip()
    budget = host._overrun(host.DEFAULT_HOOK_TIMEOUT)
    assert line.endswith(f"disabled: planner_score_week did not return within {budget}")


@pytest.mark.parametrize("kind", [api.Practice, api.Prompt, api.TaskTemplate, api.Score, Task, WeekView, WeekPlan])
def test_every_field_of_the_values_is_documented(kind: type) -> None:
    [values] = [section for section in SECTIONS if section.title == "Values and helpers"]
    text = "".join(section.text for section in SECTIONS if section is values or section.parent == values.title)
    for field in dataclasses.fields(kind):
        assert f"`{field.name}`" in text or re.search(rf"\b{field.name}[,=)]", text), \
            f"docs/plugins.md does not describe {kind.__name__}.{field.name}"


# --- the hook examples run -----------------------------------------------------------------------------

def check_register(host: PluginHost, home: Path) -> None:
    assert list(host.practices) == ["writing"] and host.practices["writing"].settings == {"target_words": 2000}


def check_prompts(host: PluginHost, home: Path) -> None:
    assert [prompt.id for prompt in host.prompts("mentoring", "plan", week(), board())] == ["who", "topic"]
    [review] = host.prompts("mentoring", "review", week(plan_answers={"mentoring.who": "Ana"}), board())
    assert review.text == "What did Ana learn, and what did you?"


def check_templates(host: PluginHost, home: Path) -> None:
    walk, stretch = host.templates("fitness", board())
    assert (walk.estimate, stretch.estimate) == (30, 10)
    assert host.templates("fitness", board({"fitness": {"walk_minutes": 45}}))[0].estimate == 45


def check_score(host: PluginHost, home: Path) -> None:
    assert host.score_week("promises", week(), [], board()) is None
    late = task(practice="promises", due="2026-11-24", done_at="2026-11-25T09:00")
    on_time = task(practice="promises", due="2026-11-25", done_at="2026-11-25T09:00")
    assert host.score_week("promises", week(), [late, on_time], board()) == Score(
        50.0, "1 of 2 promised tasks done by their due day")


def check_outcome_prompt(host: PluginHost, home: Path) -> None:
    assert host.outcome_prompt(task("Pair on the parser", practice="mentoring", tags=("@ana",)), board()) == \
        "What can they do now that they could not before?"
    assert host.outcome_prompt(task("Write notes", practice="mentoring"), board()) == \
        "What did this change, and for whom?"


def check_completed(host: PluginHost, home: Path) -> None:
    assert (home / "done-journal.txt").read_text(encoding="utf-8").endswith("2026-11-26 10:00  -       Send the report\n")


def check_reviewed(host: PluginHost, home: Path) -> None:
    assert (home / "value-scores.csv").read_text(encoding="utf-8").splitlines() == ["2026-W48,skills,50,half done"]


CHECKS: dict[str, Callable[[PluginHost, Path], None]] = {
    "planner_register_practices": check_register,
    "planner_prompts": check_prompts,
    "planner_task_templates": check_templates,
    "planner_score_week": check_score,
    "planner_outcome_prompt": check_outcome_prompt,
    "planner_task_completed": check_completed,
    "planner_week_reviewed": check_reviewed,
}


def exercise(host: PluginHost) -> None:
    """Call every hook the way the planner does."""
    for practice_id in list(host.practices):
        for phase in PHASES:
            host.prompts(practice_id, phase, week(), board())
        host.templates(practice_id, board())
        host.score_week(practice_id, week(), sample_tasks(practice_id), board())
        host.outcome_prompt(task("Send the report", practice=practice_id, done=True), board())
    host.task_completed(task("Send the report", done=True))
    host.week_reviewed(week(), {"skills": Score(50, "half done")})


@pytest.mark.parametrize("hook", HOOKS)
def test_the_hook_example_runs_as_a_plugin_file(hook: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = example(hook_section(hook))
    assert f"def {hook}(" in code, f"the {hook} example does not implement {hook}"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / f"{hook}.py").write_text(code, encoding="utf-8")
    log = tmp_path / "hooks.log"
    host = PluginHost(strict=True, trace=log)
    host.load_directory(folder)
    record = host.records[hook]
    assert record.active and record.origin == "file", record.error
    assert hook in record.hooks
    exercise(host)
    assert f" {hook}.{hook}(" in log.read_text(encoding="utf-8"), f"the {hook} example was never called"
    CHECKS[hook](host, tmp_path / "home")


# --- the tutorial, followed to the letter ----------------------------------------------------------------

def tutorial_files() -> dict[str, str]:
    """The files the tutorial writes: each block whose first line is `# <path>` (or `# <path>, continued`)."""
    [tutorial] = [section for section in SECTIONS if section.title.startswith("Tutorial")]
    steps = [section for section in SECTIONS if section.parent == tutorial.title]
    files: dict[str, str] = {}
    for block in (block for section in steps for block in section.blocks):
        first, _, rest = block.code.partition("\n")
        marker = re.fullmatch(r"# ([\w/.]+\.(?:py|toml))(, continued)?", first)
        if marker is None:
            continue
        path, continued = marker.groups()
        assert (path in files) == bool(continued), f"{path}: 'continued' must follow the file's first block"
        files[path] = files[path] + "\n\n" + rest if continued else rest
    return files


def test_the_rules_plugin_authors_trip_over_are_written_down() -> None:
    """The id pattern (the very one planner.api checks), the empty reason, the reserved setting names,
    where the tutorial relaxes the contract, and the decision about functions without @hookimpl."""
    text = DOC.read_text(encoding="utf-8")
    pattern = api._ID.pattern.strip("^$")
    [values] = [section for section in SECTIONS if section.title == "What a plugin returns"]
    assert f"`{pattern}`" in values.text and "prompts and templates" in values.text
    assert "`reason` must not\nbe empty" in values.text or "`reason` must not be empty" in values.text
    [settings] = [section for section in SECTIONS if section.title.startswith("8. Settings")]
    assert "Those three names are reserved" in settings.text
    assert all(f"`{name}`" in settings.text for name in ("weight", "enabled", "order"))
    [testing_step] = [section for section in SECTIONS if section.title == "6. Test it"]
    first_use = testing_step.text.index("assert_practice_contract(planner_host")
    assert first_use < testing_step.text.index('assert_practice_contract(planner_host, "reading", templates=2)')
    assert "**`@hookimpl` is required.**" in text and "pytest takes any `pytest_*` function" in text


def test_the_tutorial_names_its_files() -> None:
    assert sorted(tutorial_files()) == ["pyproject.toml", "src/planner_reading/__init__.py", "tests/test_reading.py"]


@pytest.fixture(scope="module")
def tutorial_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    package = tmp_path_factory.mktemp("tutorial") / "planner-reading"
    for path, text in tutorial_files().items():
        (package / path).parent.mkdir(parents=True, exist_ok=True)
        (package / path).write_text(text, encoding="utf-8")
    return package


def test_the_tutorial_tests_pass(tutorial_package: Path) -> None:
    """Steps 6, 7 and 9: `PYTHONPATH=src python -m pytest tests` passes as many tests as the tutorial
    says it last did; they use the fixtures, the contract, run_planner (as planner_cli) and
    load_plugin_file."""
    env = {**planner_environment(tutorial_package.parent), "PYTHONPATH": str(tutorial_package / "src")}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                            cwd=tutorial_package, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    counts = re.findall(r"^PYTHONPATH=src python -m pytest tests     # (\d+) passed$", DOC.read_text(encoding="utf-8"), re.M)
    assert counts and result.stdout.splitlines()[-1].startswith(f"{counts[-1]} passed")
    tests = (tutorial_package / "tests" / "test_reading.py").read_text(encoding="utf-8")
    assert "planner_cli(" in tests and "load_plugin_file(" in tests


def test_the_tutorial_package_installs_and_the_planner_uses_it(tutorial_package: Path, tmp_path: Path) -> None:
    """Steps 7 and 8: installed, `planner plugins` lists it and a done chapter scores as shown."""
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(site), str(tutorial_package)], check=True, timeout=120, capture_output=True)
    env = {**planner_environment(tmp_path), "PYTHONPATH": str(site)}

    def planner(*args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True, text=True,
                                encoding="utf-8", env=env, cwd=tmp_path, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    text = DOC.read_text(encoding="utf-8")
    listing = planner("plugins")
    shown = re.search(r"^reading  \[active\]  package planner-reading 0\.1\.0\n    practices: reading\n    hooks: .+$",
                      listing, re.M)
    assert shown and shown.group(0) in text
    added = json.loads(planner("add", "--template", "reading.chapter", "--day", "today", "--json"))
    planner("done", added["id"])
    score_line = next(line for line in planner("score").splitlines() if line.startswith("READ "))
    assert score_line == "READ   Read deliberately    ██████░░░░░░░░░░░░░░  30  45 of 150 minutes of reading done"
    assert score_line in text
    assert "reading.chapter" in planner("templates", "--practice", "reading")


def test_the_tutorial_module_works_as_a_single_file(tutorial_package: Path, tmp_path: Path) -> None:
    """Step 9: the same module copied into the config folder's plugins/ loads as plugin `reading`."""
    plugins = tmp_path / "config" / "plugins"
    plugins.mkdir(parents=True)
    shutil.copy(tutorial_package / "src" / "planner_reading" / "__init__.py", plugins / "reading.py")
    result = subprocess.run([sys.executable, "-m", "planner", "plugins", "--json"], capture_output=True, text=True,
                            encoding="utf-8", env=planner_environment(tmp_path), cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    [record] = [record for record in json.loads(result.stdout) if record["name"] == "reading"]
    assert (record["status"], record["origin"], record["practices"]) == ("active", "file", ["reading"])
