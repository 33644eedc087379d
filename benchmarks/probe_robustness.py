"""Robustness probe for issue 9 ("reliability"): the real `planner` console script against hostile
users, hostile plan files and hostile plugins, counted in five outcomes that must all be 0.

    python benchmarks/probe_robustness.py            # everything, about 4-5 minutes on 2 cores
    python benchmarks/probe_robustness.py --quick    # fewer commands and kills, one TUI run (~1 min)
    options: --jobs N  --seed S  --timeout SECONDS  --no-tui  --only FAMILY,...  --keep  --log FILE  -v

It runs the `planner` script beside this interpreter (the venv's). To probe a frozen copy of the code
while others edit the tree, export it and put it first on PYTHONPATH (planner/, plugins/ as
planner_practices/, themes/ as planner_themes/): the probe passes the environment on.

Every scenario builds its own folder /tmp/probe-XXXX/ holding `plan/` (the plan folder), a sibling
`outside/` with sentinel files (which no command may change), and the config, data, cache and state
folders of that scenario (PLANNER_CONFIG_DIR and friends), so nothing touches the user's own plans.
The clock is pinned with PLANNER_NOW (Thursday of 2026-W48) so dates are reproducible; --seed fixes
the random choices (kill delays; interleavings are still up to the OS scheduler). Folders of failing
scenarios are kept for a look; the others are removed.

Families (--only names): malformed (bad plan folders x every command), arguments (odd argument
values, odd environment, writes that would exceed the plan file size limit), plugins (a config-folder
plugin misbehaving at import and in each hook), escapes (terminal escapes in every kind of plan text
and in arguments), kills (SIGKILL mid-write of a ~1 MB task, in a loop), concurrency (parallel
writers on the same tasks and week, one of them SIGKILLed), tui (the full-screen app in tmux).

Outcomes counted (a scenario is named in the table for each failure):
- crash: exit status not in {0, 1, 2} (3 is "planner bug, crash report written"), or "Traceback" on
  stderr, or a TUI that exits non-zero or never shows the board;
- hang: a run that does not finish within --timeout seconds (killed), or a plugin hook that sleeps
  30 s but is not cut off within 8 s under PLANNER_HOOK_TIMEOUT=1;
- lost update: an acknowledged (exit 0) change missing from disk (after concurrent writers, a
  SIGKILL, a CLI edit while the app is open), an acknowledged write that leaves a file the planner
  itself then refuses, a plan file that no longer parses, a file that is neither the old nor the new
  content, a temp file older than 60 s that survives the next write, or a malformed file overwritten;
- escape to terminal: a C0 control (but \\n and \\t), DEL, a C1 control, a raw byte that is not
  UTF-8, U+2028/9 or a bidi embedding/override/isolate in stdout or stderr of a command (for --json:
  in the JSON text); in the TUI, an OSC/DCS sequence carrying plan text in the bytes written to the
  terminal, raw controls or bidi characters there, a pane title or tmux clipboard set from plan text;
- write outside plan: any change (new file, content, mtime, type) in the sibling `outside/` folder,
  or a folder with a link out of it that `planner check` passes.
Extra rows, also failures: "messy error" (an error exit whose stderr is not one readable line: lines
that are not `planner: ` messages, two error lines, or the error repeated as a notice; notices about
*other* unreadable files after an error are counted under "Counted, not failures"), "bad --json"
(exit 0 but stdout does not parse), "bad value not refused" (a bad argument not refused with exit 1),
"refused but wrote" (a refused command that changed the plan folder), "check silent" (a malformed
folder that `planner check` passes). The exit status is 1 when any row is not 0, else 0.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

NOW = "2026-11-26T10:00:00+00:00"  # Thursday of ISO week 2026-W48
WEEK = "2026-W48"
MAIN = ("crash", "hang", "lost update", "escape to terminal", "write outside plan")
EXTRA = ("messy error", "bad --json", "bad value not refused", "refused but wrote", "check silent")

# What must never reach a terminal from plan text: C0 but \n and \t, DEL, C1, undecodable bytes
# (surrogateescape'd to U+DC80-U+DCFF), U+2028/9, and the bidi embeddings/overrides/isolates.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\udc80-\udcff]")

PAYLOADS = {
    "osc52": "\x1b]52;c;cHduZWQ=\x07",
    "clear": "\x1b[2J\x1b[H",
    "title": "\x1b]0;PWNED-TITLE\x07",
    "title2": "\x1b]2;PWNED-TITLE2\x1b\\",
    "c1csi": "\x9b31mred",
    "rlo": "\u202eevil\u202c",
    "isolate": "\u2066iso\u2069",
    "nul": "\x00nul",
    "bell": "\x07\x08\x7f",
    "cr": "over\rwrite",
    "nel": "\x85next",
    "lsep": "\u2028line",
    "dcs": "\x1bP+q544e\x1b\\",
}
HOSTILE = "".join(PAYLOADS.values())
ARGV_HOSTILE = HOSTILE.replace("\x00", "")  # argv cannot hold NUL


# --- bookkeeping ------------------------------------------------------------------------------------

LOCATION = re.compile(r"[^:\n]+:\d+:\d+: ")


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.runs = 0
        self.scenarios: set[str] = set()
        self.failures: dict[str, list[tuple[str, str]]] = {name: [] for name in MAIN + EXTRA}
        self.notes: list[str] = []
        self.timings: dict[str, float] = {}
        self.log: Any = None
        self.counters: dict[str, int] = {}

    def run(self) -> None:
        with self.lock:
            self.runs += 1

    def scenario(self, name: str) -> None:
        with self.lock:
            self.scenarios.add(name)

    def fail(self, category: str, scenario: str, detail: str) -> None:
        with self.lock:
            self.failures[category].append((scenario, detail))

    def record(self, scenario: str, result: "Result") -> None:
        if self.log is None:
            return
        line = json.dumps({"scenario": scenario, "args": shown_args(result.args), "rc": result.rc,
                           "elapsed": round(result.elapsed, 3), "stdout": result.out[:1500],
                           "stderr": result.err[:3000]}, ensure_ascii=True)
        with self.lock:
            self.log.write(line + "\n")

    def count(self, what: str) -> None:
        with self.lock:
            self.counters[what] = self.counters.get(what, 0) + 1

    def note(self, text: str) -> None:
        with self.lock:
            self.notes.append(text)


TALLY = Tally()
VERBOSE = False


def log(text: str) -> None:
    if VERBOSE:
        print(text, file=sys.stderr, flush=True)


def shown_args(args: Sequence[str | bytes], limit: int = 160) -> str:
    text = _shown_args(args)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _shown_args(args: Sequence[str | bytes]) -> str:
    parts = []
    for arg in args:
        text = arg.decode("utf-8", "backslashreplace") if isinstance(arg, bytes) else arg
        if len(text) > 40:
            text = text[:37] + "..."
        parts.append(text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text)
    return " ".join(parts)


def planner_command() -> list[str]:
    script = Path(sys.executable).parent / "planner"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "planner"]


PLANNER = planner_command()


@dataclass
class Result:
    args: Sequence[str | bytes]
    rc: int | None
    out: str
    err: str
    elapsed: float
    hung: bool

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


# --- snapshots --------------------------------------------------------------------------------------

def _entry(path: Path, with_mtime: bool) -> tuple:
    st = os.lstat(path)
    mode = st.st_mode
    import stat as s

    if s.S_ISLNK(mode):
        return ("link", os.readlink(path))
    if s.S_ISDIR(mode):
        return ("dir",)
    if s.S_ISREG(mode):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        return ("file", digest, st.st_size) + ((st.st_mtime_ns,) if with_mtime else ())
    return ("other", s.S_IFMT(mode))


def snapshot(root: Path, *, with_mtime: bool = False, skip: Callable[[str], bool] = lambda rel: False) -> dict:
    """Every entry under `root` (links not followed): type and sha256 (and mtime) of each file."""
    found: dict[str, tuple] = {}
    if not os.path.lexists(root):
        return found
    found["."] = _entry(root, with_mtime=False)
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            path = Path(folder) / name
            rel = str(path.relative_to(root))
            if skip(rel):
                continue
            try:
                found[rel] = _entry(path, with_mtime)
            except OSError as error:
                found[rel] = ("error", error.errno)
    return found


def diff(before: dict, after: dict) -> str:
    changes = []
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            what = "new" if key not in before else "gone" if key not in after else "changed"
            changes.append(f"{key} {what}")
    return ", ".join(changes[:5]) + (" ..." if len(changes) > 5 else "")


def plan_skip(rel: str) -> bool:
    return rel == ".planner.lock"


# --- a scenario's folders and runs ------------------------------------------------------------------

OUTSIDE_TASK = 'schema = 1\nid = "outsidetask"\ntitle = "Outside task"\ncreated = 2026-11-20T09:00:00Z\n'
OUTSIDE_WEEK = f'schema = 1\nweek = "{WEEK}"\nnotes = "outside week"\n'


class Case:
    """One scenario: /tmp/probe-XXXX/ with plan/, outside/ and the planner's own folders."""

    def __init__(self, probe: "Probe", name: str, *, template: bool = True) -> None:
        self.probe = probe
        self.name = name
        TALLY.scenario(name)
        self.root = Path(tempfile.mkdtemp(prefix="probe-", dir=probe.tmp))
        self.plan = self.root / "plan"
        self.outside = self.root / "outside"
        self.outside.mkdir()
        (self.outside / "sentinel.txt").write_text("sentinel: nothing may change this folder\n")
        (self.outside / "f").write_text("lock target sentinel\n")
        (self.outside / "task.toml").write_text(OUTSIDE_TASK)
        (self.outside / "outsidetask.toml").write_text(OUTSIDE_TASK)
        (self.outside / f"{WEEK}.toml").write_text(OUTSIDE_WEEK)
        (self.outside / "board.toml").write_text('schema = 1\ntitle = "Outside board"\n')
        (self.outside / "sub").mkdir()
        (self.outside / "sub" / "deep.txt").write_text("deep sentinel\n")
        self.env = {key: value for key, value in os.environ.items()
                    if not key.startswith("PLANNER_") and key not in ("PYTHONSTARTUP", "EDITOR", "VISUAL")}
        self.env.update(
            PLANNER_PLANS=str(self.plan),
            PLANNER_CONFIG_DIR=str(self.root / "home" / "config"),
            PLANNER_DATA_DIR=str(self.root / "home" / "data"),
            PLANNER_CACHE_DIR=str(self.root / "home" / "cache"),
            PLANNER_STATE_DIR=str(self.root / "home" / "state"),
            PLANNER_NOW=NOW,
            TZ="UTC",
            PYTHONUTF8="1",
            LANG="C.UTF-8",
            HOME=str(self.root / "home"),
        )
        (self.root / "home").mkdir()
        if template:
            shutil.copytree(probe.template, self.plan, symlinks=True)
        self.ids = dict(probe.ids)
        self.failed = False
        self.allow_plugin_lines = False
        self.plugin_noise = False
        self.outside_base = snapshot(self.outside, with_mtime=True)

    # every failure of this case goes through here
    def fail(self, category: str, detail: str) -> None:
        self.failed = True
        TALLY.fail(category, self.name, detail)
        log(f"  FAIL [{category}] {self.name}: {detail}")

    def check_outside(self, what: str) -> None:
        now = snapshot(self.outside, with_mtime=True)
        if now != self.outside_base:
            self.fail("write outside plan", f"{what}: outside/ changed: {diff(self.outside_base, now)}")
            self.outside_base = now

    def run(self, *args: str | bytes, json_out: bool | None = None, env: dict[str, str] | None = None,
            timeout: float | None = None, stdin: bytes | None = None, check_outside: bool = True) -> Result:
        timeout = timeout or self.probe.timeout
        if json_out is None:
            json_out = "--json" in args or ("export" in args and "json" in args)
        full_env = {**self.env, **(env or {})}
        started = time.monotonic()
        process = subprocess.Popen([*PLANNER, *args], cwd=self.root, env=full_env, start_new_session=True,
                                   stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        hung = False
        try:
            out, err = process.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            hung = True
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
        elapsed = time.monotonic() - started
        TALLY.run()
        result = Result(args, None if hung else process.returncode, out.decode("utf-8", "surrogateescape"),
                        err.decode("utf-8", "surrogateescape"), elapsed, hung)
        TALLY.record(self.name, result)
        what = f"planner {shown_args(args)}"
        log(f"  [{self.name}] {what} -> {result.rc} ({elapsed:.2f}s)")
        if hung:
            self.fail("hang", f"{what}: no exit within {timeout:.0f} s (killed)")
        else:
            self.check_result(result, what, json_out)
        if check_outside:
            self.check_outside(what)
        return result

    def check_result(self, result: Result, what: str, json_out: bool) -> None:
        rc = result.rc
        if rc not in (0, 1, 2) or "Traceback" in result.err:
            first = next((line for line in result.err_lines if "Traceback" in line or "error" in line),
                         result.err_lines[-1] if result.err_lines else "")
            self.fail("crash", f"{what}: exit {rc}: {first[:200]!r}")
        elif rc in (1, 2):
            self.check_error_lines(result, what)
        streams = [("stderr", result.err)] if json_out else [("stdout", result.out), ("stderr", result.err)]
        for stream, text in streams:
            found = UNSAFE.findall(text)
            if found:
                self.fail("escape to terminal", f"{what}: {stream} holds {''.join(sorted(set(found)))!r}")
        if json_out:
            found = UNSAFE.findall(result.out.replace("\n", ""))
            if found:
                self.fail("escape to terminal", f"{what}: --json stdout holds raw {''.join(sorted(set(found)))!r}")
            if rc == 0:
                try:
                    json.loads(result.out)
                except ValueError as error:
                    self.fail("bad --json", f"{what}: stdout is not JSON ({error}): {result.out[:120]!r}")

    def check_error_lines(self, result: Result, what: str) -> None:
        """An error is one readable line: exactly one `planner: error:` line and nothing else (plugin
        notices aside, where a plugin misbehaves). Exit 2 without an error line is a partial answer
        (a plan file could not be read): every line must then be a `planner: ` notice. `check`
        lists its problems on stdout."""
        lines = result.err_lines
        if self.allow_plugin_lines:
            lines = [line for line in lines if not line.startswith("planner: plugin ")]
        if self.plugin_noise:  # what a plugin printed (the planner sends it to stderr)
            lines = [line for line in lines if "noise" not in line]
        errors = [line for line in lines if line.startswith("planner: error: ")]
        unreadable = [line for line in lines if not line.startswith("planner: ")]
        command = next((arg for arg in result.args if isinstance(arg, str) and not arg.startswith("-")), "")
        shown = " | ".join(line[:160] for line in lines[:4])
        if unreadable:
            self.fail("messy error", f"{what}: exit {result.rc}, {len(unreadable)} stderr lines that are not "
                                     f"planner messages: {shown!r}")
        elif command == "check" and result.rc == 2 and not errors:
            if not result.out.strip():
                self.fail("messy error", f"{what}: exit 2 and no problem listed")
        elif len(errors) > 1:
            self.fail("messy error", f"{what}: exit {result.rc} with {len(errors)} error lines: {shown!r}")
        elif errors and len(lines) > 1:
            # Notices about other files the command left out are information; the same problem as the
            # error said twice (or anything else) is not one readable line.
            where = LOCATION.match(errors[0].removeprefix("planner: error: "))
            others = [line for line in lines if line is not errors[0]]
            repeats = [line for line in others if where and line.startswith(f"planner: {where.group(0)}")]
            unrelated = [line for line in others if LOCATION.match(line.removeprefix("planner: "))
                         and line not in repeats]
            if repeats or len(unrelated) != len(others):
                self.fail("messy error", f"{what}: exit {result.rc}, the error and {len(others)} more stderr "
                                         f"line(s){' repeating it' if repeats else ''}: {shown!r}")
            else:
                TALLY.count("error lines followed by notices about other files")
        elif not errors and (result.rc == 1 or not lines):
            self.fail("messy error", f"{what}: exit {result.rc} without an error line: {shown!r}")

    def plan_state(self) -> dict:
        return snapshot(self.plan, skip=plan_skip)

    def task_file(self, task_id: str) -> Path:
        return self.plan / "tasks" / f"{task_id}.toml"

    def read_task(self, task_id: str) -> dict | None:
        try:
            return tomllib.loads(self.task_file(task_id).read_text("utf-8"))
        except FileNotFoundError:
            return None


def toml_str(text: str) -> str:
    """A TOML basic string holding `text` exactly (every non-printable character escaped)."""
    out = ['"']
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char.isprintable() and char not in "\u2028\u2029":
            out.append(char)
        else:
            code = ord(char)
            out.append(f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def task_toml(task_id: str, title: str, **fields: Any) -> str:
    lines = ["schema = 1", f"id = {toml_str(task_id)}", f"title = {toml_str(title)}"]
    for key, value in fields.items():
        if isinstance(value, str):
            value = toml_str(value)
        elif isinstance(value, (list, tuple)):
            value = "[" + ", ".join(toml_str(v) for v in value) + "]"
        lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"


# --- the probe ----------------------------------------------------------------------------------------

class Probe:
    def __init__(self, options: argparse.Namespace) -> None:
        self.quick = options.quick
        self.timeout = options.timeout
        self.jobs = options.jobs
        self.random = random.Random(options.seed)
        self.seed = options.seed
        self.keep = options.keep
        self.tui = options.tui
        self.tmp = options.tmp
        self.base = Path(tempfile.mkdtemp(prefix="probe-template-", dir=self.tmp))
        self.template = self.base / "plan"
        self.ids: dict[str, str] = {}
        self.cases: list[Case] = []

    def make_template(self) -> None:
        """A plan made by the planner itself: two open tasks, one done, an intention."""
        case = Case(self, "template", template=False)
        case.run("init", str(case.plan), "--timezone", "UTC", "--title", "Probe plan")
        for key, title, extra in (("good", "Good task", ["--tag", "probe", "--day", "fri"]),
                                  ("good2", "Second task", ["--practice", "skills", "--estimate", "30m"]),
                                  ("doneone", "Finished task", ["--practice", "learning"])):
            result = case.run("add", title, *extra, "--json")
            self.ids[key] = json.loads(result.out)["id"]
        case.run("done", self.ids["doneone"], "--spent", "20m")
        case.run("intend", "skills", "Probe intention")
        shutil.copytree(case.plan, self.template, symlinks=True)
        shutil.rmtree(case.root)
        TALLY.scenarios.discard("template")

    def new_case(self, name: str, **kwargs: Any) -> Case:
        case = Case(self, name, **kwargs)
        self.cases.append(case)
        return case

    def cleanup(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)
        for case in self.cases:
            if self.keep or case.failed:
                continue
            shutil.rmtree(case.root, ignore_errors=True)


# =====================================================================================================
# 1. Malformed folders x commands
# =====================================================================================================

BAD_ID = "badtask"  # the id (and file name) of the planted bad task, where there is one


def deep(depth: int = 5000) -> str:
    return "[" * depth + "]" * depth


@dataclass
class Bad:
    name: str
    build: Callable[[Case], list[Path]]  # plants the bad files; returns the paths that must not change
    task: str | None = BAD_ID            # a task id to aim edit/move/rm at
    problem: bool = True                 # `planner check` must exit non-zero
    board_ok: bool = True                # whether the board is usable (commands can succeed)


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def _task(case: Case, content: bytes | str, name: str = BAD_ID) -> list[Path]:
    return [_write(case.plan / "tasks" / f"{name}.toml", content)]


def _board_append(case: Case, text: str) -> list[Path]:
    board = case.plan / "board.toml"
    board.write_text(board.read_text() + text)
    return [board]


def _board_replace(case: Case, old: str, new: str) -> list[Path]:
    board = case.plan / "board.toml"
    text = board.read_text()
    assert old in text, old
    board.write_text(text.replace(old, new, 1))
    return [board]


def _week(case: Case, content: bytes | str, label: str = WEEK) -> list[Path]:
    return [_write(case.plan / "weeks" / f"{label}.toml", content)]


def _fifo(case: Case) -> list[Path]:
    path = case.plan / "tasks" / f"{BAD_ID}.toml"
    os.mkfifo(path)
    return [path]


def _link(path: Path, target: str | Path) -> list[Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    if os.path.lexists(path):
        path.unlink()
    os.symlink(target, path)
    return [path]


def _replace_dir_with_link(case: Case, name: str, target: str) -> list[Path]:
    folder = case.plan / name
    if folder.is_dir():
        for item in folder.iterdir():  # keep the plan's files beside the link, as a merge might
            shutil.move(str(item), str(case.root / f"moved-{name}-{item.name}"))
        folder.rmdir()
    os.symlink(target, folder)
    return [folder]


def _relink(path: Path, target: str) -> list[Path]:
    if os.path.lexists(path):
        path.unlink()
    return _link(path, target)


def _remove_board(case: Case) -> list[Path]:
    (case.plan / "board.toml").unlink()
    return []


def _board_fifo(case: Case) -> list[Path]:
    path = case.plan / "board.toml"
    path.unlink()
    os.mkfifo(path)
    return [path]


def _board_dir(case: Case) -> list[Path]:
    path = case.plan / "board.toml"
    path.unlink()
    path.mkdir()
    return [path]


def _board_unreadable(case: Case) -> list[Path]:
    path = case.plan / "board.toml"
    os.chmod(path, 0)
    return [path]


def _tasks_is_file(case: Case) -> list[Path]:
    shutil.rmtree(case.plan / "tasks")
    return [_write(case.plan / "tasks", "not a folder\n")]


def _hardlink(case: Case) -> list[Path]:
    os.link(case.outside / "outsidetask.toml", case.plan / "tasks" / "outsidetask.toml")
    return []


def _stale_temp(case: Case) -> list[Path]:
    _write(case.plan / "tasks" / f".{case.ids['good']}.toml.abc123.tmp", "half a fil")  # a fresh one: ignored
    return []


GOOD = 'created = 2026-11-20T09:00:00Z\n'


def bad_folders() -> list[Bad]:
    big = b'schema = 1\nid = "badtask"\ntitle = "' + b"x" * 10_000_000 + b'"\n'
    return [
        Bad("deep-task", lambda c: _task(c, f'schema = 1\nid = "badtask"\ntitle = "t"\nx = {deep()}\n')),
        Bad("deep-task-tables", lambda c: _task(c, 'schema = 1\nid = "badtask"\ntitle = "t"\nx = '
                                                + "{ a = " * 5000 + "1" + " }" * 5000 + "\n")),
        Bad("deep-week", lambda c: _week(c, f'schema = 1\nweek = "{WEEK}"\nx = {deep()}\n'), task=None),
        Bad("deep-board", lambda c: _board_append(c, "deep = " + "{ a = " * 5000 + "1" + " }" * 5000 + "\n"),
            task=None, board_ok=False),
        Bad("deep-board-arrays", lambda c: _board_append(c, f"deep = {deep()}\n"), task=None, board_ok=False),
        Bad("fifo-task", _fifo),
        Bad("devzero-task", lambda c: _link(c.plan / "tasks" / "badtask.toml", "/dev/zero")),
        Bad("devzero-week", lambda c: _link(c.plan / "weeks" / f"{WEEK}.toml", "/dev/zero"), task=None),
        Bad("symlink-loop", lambda c: _link(c.plan / "tasks" / "badtask.toml", "badtask.toml")),
        Bad("symlink-loop-pair", lambda c: _link(c.plan / "tasks" / "badtask.toml", "other.toml")
            + _link(c.plan / "tasks" / "other.toml", "badtask.toml")),
        Bad("dangling-link", lambda c: _link(c.plan / "tasks" / "badtask.toml", "/nonexistent/x.toml")),
        Bad("task-is-folder", lambda c: (c.plan / "tasks" / "badtask.toml").mkdir() or [c.plan / "tasks" / "badtask.toml"]),
        Bad("huge-task-10MB", lambda c: _task(c, big)),
        Bad("huge-board-10MB", lambda c: _board_append(c, 'junk = "' + "x" * 10_000_000 + '"\n'), task=None,
            board_ok=False),
        Bad("missing-board", _remove_board, task=None, board_ok=False),
        Bad("empty-board", lambda c: [_write(c.plan / "board.toml", "")], task=None, board_ok=False),
        Bad("board-fifo", _board_fifo, task=None, board_ok=False),
        Bad("board-is-folder", _board_dir, task=None, board_ok=False),
        Bad("board-chmod-000", _board_unreadable, task=None, board_ok=os.geteuid() == 0,
            problem=os.geteuid() != 0),
        Bad("board-devzero", lambda c: _relink(c.plan / "board.toml", "/dev/zero"), task=None, board_ok=False),
        Bad("rank-tilde", lambda c: _task(c, task_toml(BAD_ID, "Rank tilde", rank="~") + GOOD)),
        Bad("rank-upper", lambda c: _task(c, task_toml(BAD_ID, "Rank upper", rank="ZZZ") + GOOD)),
        Bad("rank-huge", lambda c: _task(c, task_toml(BAD_ID, "Rank huge", rank="z" * 5000) + GOOD)),
        Bad("weight-inf", lambda c: _board_replace(c, "[practices.skills]\nweight = 1.0", "[practices.skills]\nweight = inf"),
            task=None, board_ok=False),
        Bad("weight-nan", lambda c: _board_replace(c, "[practices.skills]\nweight = 1.0", "[practices.skills]\nweight = nan"),
            task=None, board_ok=False),
        Bad("weight-negative", lambda c: _board_replace(c, "[practices.skills]\nweight = 1.0",
                                                        "[practices.skills]\nweight = -1e308"), task=None, board_ok=False),
        Bad("target-huge", lambda c: _board_replace(c, "target_minutes = 180", "target_minutes = 1e308"),
            task=None, problem=False),
        Bad("target-zero", lambda c: _board_replace(c, "target_minutes = 180", "target_minutes = 0"),
            task=None, problem=False),
        Bad("target-string", lambda c: _board_replace(c, "target_minutes = 180", 'target_minutes = "lots"'),
            task=None, problem=False),
        Bad("bad-utf8-line4", lambda c: _task(c, b'schema = 1\nid = "badtask"\ntitle = "ok"\nnotes = "caf\xe9 \xff\xfe"\n')),
        Bad("bad-utf8-board", lambda c: [_write(c.plan / "board.toml", (c.plan / "board.toml").read_bytes()
                                                + b'\n# \xff\xfe\n')], task=None, board_ok=False),
        Bad("missing-id", lambda c: _task(c, 'schema = 1\ntitle = "No id"\n')),
        Bad("missing-title", lambda c: _task(c, 'schema = 1\nid = "badtask"\n')),
        Bad("upper-case-id", lambda c: _task(c, 'schema = 1\nid = "BADTASK"\ntitle = "Upper"\n', name="BADTASK"),
            task="BADTASK", problem=False),
        Bad("id-mismatch", lambda c: _task(c, 'schema = 1\nid = "someoneelse"\ntitle = "Mismatch"\n')),
        Bad("id-path-chars", lambda c: _task(c, 'schema = 1\nid = "../board"\ntitle = "Traversal"\n')),
        Bad("conflict-markers", lambda c: _task(c, 'schema = 1\nid = "badtask"\n<<<<<<< HEAD\ntitle = "Mine"\n'
                                                   '=======\ntitle = "Theirs"\n>>>>>>> origin/main\n')),
        Bad("conflict-in-board", lambda c: _board_append(c, "<<<<<<< HEAD\ntitle = \"a\"\n=======\ntitle = \"b\"\n>>>>>>> x\n"),
            task=None, board_ok=False),
        Bad("duplicate-keys", lambda c: _task(c, 'schema = 1\nid = "badtask"\ntitle = "One"\ntitle = "Two"\n')),
        Bad("wrong-types", lambda c: _task(c, 'schema = 1\nid = "badtask"\ntitle = 5\ntags = "x"\nestimate = "long"\n'
                                              'day = "tomorrow"\nstatus = "weird"\n')),
        Bad("wrong-type-tags", lambda c: _task(c, 'schema = 1\nid = "badtask"\ntitle = "t"\ntags = [1, [2], {a = 3}]\n')),
        Bad("huge-numbers", lambda c: _task(c, 'schema = 1\nid = "badtask"\ntitle = "Huge"\nestimate = 9223372036854775807\n'
                                               'spent = 9223372036854775807\n')),
        Bad("negative-numbers", lambda c: _task(c, 'schema = 1\nid = "badtask"\ntitle = "Neg"\nestimate = -5\nspent = -1\n')),
        Bad("extreme-dates", lambda c: _task(c, 'schema = 1\nid = "badtask"\ntitle = "Far"\nday = 9999-12-31\n'
                                                'due = 0001-01-01\ncreated = 9999-12-31T23:59:59-23:59\n'
                                                'done_at = 0001-01-01T00:00:00+23:59\nweek = "9999-W52"\n'),
            problem=True),
        Bad("week-label-junk", lambda c: _task(c, 'schema = 1\nid = "badtask"\ntitle = "W"\nweek = "2026-W99"\n')),
        Bad("unknown-column-practice", lambda c: _task(c, 'schema = 1\nid = "badtask"\ntitle = "Odd"\ncolumn = "nowhere"\n'
                                                          'practice = "nosuch"\n' + GOOD), problem=False),
        Bad("newer-schema-task", lambda c: _task(c, 'schema = 99\nid = "badtask"\ntitle = "Future"\n')),
        Bad("newer-schema-board", lambda c: _board_replace(c, "schema = 1", "schema = 99"), task=None, board_ok=False),
        Bad("schema-string", lambda c: _task(c, 'schema = "1"\nid = "badtask"\ntitle = "S"\n')),
        Bad("bom-and-crlf", lambda c: _task(c, b'\xef\xbb\xbfschema = 1\r\nid = "badtask"\r\ntitle = "Bom"\r\n')),
        Bad("nul-bytes", lambda c: _task(c, b'schema = 1\nid = "badtask"\ntitle = "N\x00UL"\n')),
        Bad("week-bad-name", lambda c: _week(c, 'schema = 1\nweek = "notaweek"\n', label="notaweek")
            + _week(c, 'schema = 1\nweek = "2026-W99"\n', label="2026-W99"), task=None),
        Bad("week-name-mismatch", lambda c: _week(c, 'schema = 1\nweek = "2026-W47"\nnotes = "x"\n'), task=None),
        Bad("week-wrong-types", lambda c: _week(c, f'schema = 1\nweek = "{WEEK}"\nintentions = "x"\nplan = 5\n'
                                                   'reviewed_at = "yesterday"\n'), task=None),
        Bad("board-columns-junk", lambda c: _board_replace(c, 'columns = [', 'columns = "x"\nold_columns = ['),
            task=None, board_ok=False),
        Bad("board-no-columns", lambda c: [_write(c.plan / "board.toml", 'schema = 1\ncolumns = []\n')],
            task=None, board_ok=False),
        Bad("board-duplicate-columns", lambda c: _board_replace(c, '{ id = "doing"', '{ id = "backlog"'),
            task=None, board_ok=False),
        Bad("board-done-column-missing", lambda c: _board_replace(c, 'done_column = "done"', 'done_column = "nope"'),
            task=None, board_ok=False),
        Bad("board-timezone-junk", lambda c: _board_replace(c, 'timezone = "UTC"', 'timezone = "../../../etc/passwd"'),
            task=None, board_ok=False),
        Bad("board-week-start-junk", lambda c: _board_replace(c, 'week_start = "monday"', 'week_start = "blursday"'),
            task=None, board_ok=False),
        Bad("board-wip-junk", lambda c: _board_replace(c, 'wip = 3', 'wip = -7'), task=None, board_ok=False),
        Bad("tasks-is-a-file", _tasks_is_file, task=None),
        Bad("tasks-link-outside", lambda c: _replace_dir_with_link(c, "tasks", "../outside"), task="outsidetask"),
        Bad("weeks-link-outside", lambda c: _replace_dir_with_link(c, "weeks", "../outside"), task=None),
        Bad("lock-link-outside", lambda c: _relink(c.plan / ".planner.lock", "../outside/f"), task=None),
        Bad("lock-link-dangling", lambda c: _relink(c.plan / ".planner.lock", "../outside/newlock"), task=None),
        Bad("task-link-outside", lambda c: _link(c.plan / "tasks" / "outsidetask.toml", "../../outside/outsidetask.toml"),
            task="outsidetask"),
        Bad("week-link-outside", lambda c: _link(c.plan / "weeks" / f"{WEEK}.toml", f"../../outside/{WEEK}.toml"),
            task=None),
        Bad("board-link-outside", lambda c: _relink(c.plan / "board.toml", "../outside/board.toml"),
            task=None, board_ok=False),
        Bad("task-dir-link-outside", lambda c: _link(c.plan / "tasks" / "sub.toml", "../../outside/sub"), task="sub"),
        Bad("task-hardlink-outside", _hardlink, task="outsidetask", problem=False),
        Bad("stale-temp-file", _stale_temp, task=None, problem=False),
    ]


READ_COMMANDS: list[list[str]] = [
    ["list"], ["list", "--all", "--json"], ["show", "{good}", "--json"], ["week"], ["week", "--json"],
    ["score"], ["score", "--json", "--weeks", "4"], ["export", "--format", "json"],
    ["export", "--format", "markdown"], ["prompts"], ["plugins"], ["check"],
]
WRITE_COMMANDS: list[list[str]] = [
    ["add", "Probe add", "--tag", "p", "--day", "fri"], ["move", "{good}", "doing"],
    ["edit", "{good}", "--title", "Edited", "--add-tag", "e"], ["done", "{good2}"],
    ["intend", "skills", "Probe intention 2"], ["answer", "skills.focus", "Probe answer"], ["review"],
    ["undo"], ["init"],
]
BAD_TARGET_COMMANDS: list[list[str]] = [
    ["show", "{bad}"], ["edit", "{bad}", "--title", "x"], ["move", "{bad}", "doing"], ["rm", "{bad}"],
]
QUICK_COMMANDS = [["list"], ["list", "--all", "--json"], ["week", "--json"], ["score"], ["check"],
                  ["add", "Probe add"], ["edit", "{good}", "--title", "Edited"], ["intend", "skills", "x"],
                  ["edit", "{bad}", "--title", "x"]]


def fill(command: Sequence[str], ids: dict[str, str], bad: str | None) -> list[str] | None:
    out = []
    for arg in command:
        if arg == "{bad}":
            if bad is None:
                return None
            arg = bad
        elif arg.startswith("{") and arg.endswith("}"):
            arg = ids[arg[1:-1]]
        out.append(arg)
    return out


def family_malformed(probe: Probe, bad: Bad) -> None:
    case = probe.new_case(f"malformed/{bad.name}")
    planted = bad.build(case)
    # A malformed file is never to be written; a planted file the planner accepts (problem=False:
    # an upper-case id, an unknown column) may be edited like any other task.
    protected = planted if bad.problem else []
    before = {path: _entry(path, with_mtime=True) for path in protected}
    case.outside_base = snapshot(case.outside, with_mtime=True)
    if probe.quick:
        commands = QUICK_COMMANDS
    else:
        commands = READ_COMMANDS + WRITE_COMMANDS + BAD_TARGET_COMMANDS
    for command in commands:
        args = fill(command, case.ids, bad.task)
        if args is None:
            continue
        result = case.run(*args)
        for path in protected:
            try:
                now = _entry(path, with_mtime=True)
            except FileNotFoundError:
                now = None
            if now != before[path]:
                case.fail("lost update", f"planner {shown_args(args)} (exit {result.rc}) changed the malformed "
                                         f"{path.relative_to(case.root)}")
                before[path] = now
    result = case.run("check")
    if bad.problem and result.rc == 0:
        category = "write outside plan" if "outside" in bad.name else "check silent"
        case.fail(category, "planner check exit 0 on the malformed folder")
    # Every file the planner wrote must parse (a half-written file is a lost update).
    for path in (case.plan / "tasks").glob("*.toml") if (case.plan / "tasks").is_dir() and not (case.plan / "tasks").is_symlink() else []:
        if path in planted or path.is_symlink() or not path.is_file():
            continue
        try:
            tomllib.loads(path.read_text("utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            case.fail("lost update", f"{path.relative_to(case.root)} does not parse after the run: {error}")


# =====================================================================================================
# 2. Odd argument values
# =====================================================================================================

LONG = "x" * 100_000
DIGITS = "9" * 400


def odd_arguments(ids: dict[str, str]) -> list[tuple[str, list[str | bytes], str]]:
    """(name, args, expectation): 'bad' (exit 1, nothing written), 'refuse' (exit 1 or 2: a path that is
    not a plan folder), or 'any' (any exit in {0, 1, 2}; checked for crashes, escapes, writes)."""
    good = ids["good"]
    cases: list[tuple[str, list[str | bytes], str]] = [
        ("day +99999999d", ["add", "t", "--day", "+99999999d"], "bad"),
        ("day -99999999d", ["add", "t", "--day", "-99999999d"], "bad"),
        ("day +400digits", ["add", "t", "--day", f"+{DIGITS}d"], "bad"),
        ("day year 99999", ["add", "t", "--day", "99999-12-01"], "bad"),
        ("day year 0", ["add", "t", "--day", "0000-01-01"], "bad"),
        ("day 9999-12-31", ["add", "t", "--day", "9999-12-31"], "any"),
        ("day 0001-01-01", ["add", "t", "--day", "0001-01-01"], "any"),
        ("day feb 30", ["add", "t", "--day", "2026-02-30"], "bad"),
        ("due +99999999d", ["add", "t", "--due", "+99999999d"], "bad"),
        ("edit day +99999999d", ["edit", good, "--day", "+99999999d"], "bad"),
        ("week +999999", ["add", "t", "--week", "+999999"], "bad"),
        ("week 9999-W53", ["add", "t", "--week", "9999-W53"], "bad"),
        ("week 9999-W52", ["add", "t", "--week", "9999-W52"], "any"),
        ("week 0001-W01", ["add", "t", "--week", "0001-W01"], "any"),
        ("week W00", ["add", "t", "--week", "2026-W00"], "bad"),
        ("estimate 400 digits", ["add", "t", "--estimate", DIGITS], "bad"),
        ("estimate 400 digits m", ["add", "t", "--estimate", DIGITS + "m"], "bad"),
        ("estimate 400 digits h", ["add", "t", "--estimate", DIGITS + "h"], "bad"),
        ("estimate negative", ["add", "t", "--estimate", "-5m"], "bad"),
        ("estimate inf", ["add", "t", "--estimate", "inf"], "bad"),
        ("estimate nan", ["add", "t", "--estimate", "nan"], "bad"),
        ("estimate 1e309m", ["add", "t", "--estimate", "1e309m"], "bad"),
        ("estimate 1.5h", ["add", "t", "--estimate", "1.5h"], "any"),
        ("spent 400 digits", ["edit", good, "--spent", DIGITS], "bad"),
        ("done spent negative", ["done", good, "--spent", "-1h"], "bad"),
        ("score weeks 100000000", ["score", "--weeks", "100000000"], "bad"),
        ("score weeks 400 digits", ["score", "--weeks", DIGITS], "bad"),
        ("score weeks -1", ["score", "--weeks", "-1"], "bad"),
        ("score weeks 0", ["score", "--weeks", "0"], "bad"),
        ("score weeks 520", ["score", "--weeks", "520", "--json"], "any"),
        ("score 0001-W01 weeks 3", ["score", "0001-W01", "--weeks", "3"], "any"),
        ("score 9999-W52", ["score", "9999-W52", "--json"], "any"),
        ("week 9999-W52", ["week", "9999-W52"], "any"),
        ("week 9999-W53", ["week", "9999-W53"], "bad"),
        ("week 10000-W01", ["week", "10000-W01"], "bad"),
        ("week 0000-W01", ["week", "0000-W01"], "bad"),
        ("review 0000-W01", ["review", "0000-W01"], "bad"),
        ("review 9999-W52", ["review", "9999-W52"], "any"),
        ("review 0001-W01", ["review", "0001-W01"], "any"),
        ("export 9999-W52", ["export", "--week", "9999-W52"], "any"),
        ("export json 0001-W01", ["export", "--format", "json", "--week", "0001-W01"], "any"),
        ("prompts 9999-W52", ["prompts", "--week", "9999-W52"], "any"),
        ("intend 9999-W52", ["intend", "skills", "x", "--week", "9999-W52"], "any"),
        ("answer 0000-W01", ["answer", "skills.focus", "x", "--week", "0000-W01"], "bad"),
        ("empty title", ["add", ""], "bad"),
        ("blank title", ["add", "   "], "bad"),
        ("long title", ["add", LONG], "any"),
        ("long notes", ["add", "t", "--notes", LONG], "any"),
        ("long tag", ["add", "t", "--tag", LONG], "any"),
        ("control chars title", ["add", "t\x01\x02\x1b[31m\x7f\u202e"], "any"),
        ("edit title control", ["edit", good, "--title", "\x1b]0;x\x07\x9b"], "any"),
        ("edit empty title", ["edit", good, "--title", ""], "bad"),
        ("empty tag", ["add", "t", "--tag", ""], "any"),
        ("commas tag", ["add", "t", "--tag", ",,,"], "any"),
        ("space tag", ["add", "t", "--tag", "a b"], "any"),
        ("column empty", ["add", "t", "--column", ""], "any"),
        ("column unknown", ["add", "t", "--column", "nowhere"], "bad"),
        ("practice unknown", ["add", "t", "--practice", "nosuch"], "bad"),
        ("template unknown", ["add", "--template", "nosuch.x"], "bad"),
        ("template dot", ["add", "--template", "."], "bad"),
        ("template practice only", ["add", "--template", "skills."], "bad"),
        ("show empty", ["show", ""], "bad"),
        ("show long", ["show", LONG], "bad"),
        ("show dot dot board", ["show", "../board"], "bad"),
        ("edit dot dot board", ["edit", "../board", "--title", "x"], "bad"),
        ("edit traversal outside", ["edit", "../../outside/outsidetask", "--title", "x"], "bad"),
        ("rm traversal outside", ["rm", "../../outside/outsidetask"], "bad"),
        ("show absolute", ["show", "/etc/passwd"], "bad"),
        ("move empty column", ["move", good, ""], "bad"),
        ("move unknown column", ["move", good, "nowhere"], "bad"),
        ("edit nothing", ["edit", good], "bad"),
        ("edit day none", ["edit", good, "--day", "none"], "any"),
        ("intend empty practice", ["intend", "", "x"], "bad"),
        ("intend unknown", ["intend", "nosuch", "x"], "bad"),
        ("answer unknown", ["answer", "nosuch.x", "y"], "bad"),
        ("answer empty id", ["answer", "", "y"], "bad"),
        ("answer stdin", ["answer", "skills.focus", "-"], "any"),
        ("init existing", ["init"], "bad"),
        ("init bad tz", ["init", "{root}/newplan", "--timezone", "Mars/Olympus"], "bad"),
        ("init tz traversal", ["init", "{root}/newplan2", "--timezone", "../../../etc/passwd"], "bad"),
        ("init bad week start", ["init", "{root}/newplan3", "--week-start", "blursday"], "bad"),
        ("init into file", ["init", "{root}/outside/sentinel.txt"], "refuse"),
        ("plans dev null", ["--plans", "/dev/null", "list"], "any"),
        ("plans empty", ["--plans", "", "list"], "any"),
        ("unknown command", ["frobnicate"], "bad"),
        ("unknown option", ["list", "--bogus"], "bad"),
        ("missing value", ["add", "t", "--estimate"], "bad"),
        ("bad phase", ["prompts", "--phase", "lunch"], "bad"),
        ("score weeks text", ["score", "--weeks", "lots"], "bad"),
        ("utf8 title", ["add", b"\xff\xfe title"], "bad"),
        ("utf8 edit title", ["edit", good, "--title", b"\x80\x9b"], "bad"),
        ("utf8 tag", ["add", "t", "--tag", b"\xc3"], "bad"),
        ("utf8 id", ["show", b"\xff"], "bad"),
        ("utf8 week", ["week", b"2026-W4\xff"], "bad"),
        ("utf8 plans", ["--plans", b"/tmp/\xff\xfeplan", "list"], "bad"),
        ("utf8 command", [b"l\xffist"], "bad"),
        ("utf8 answer", ["answer", "skills.focus", b"\xed\xa0\x80"], "bad"),
        ("no command without a terminal", [], "bad"),
        ("plugins new traversal", ["plugins", "new", "../outside/evil", "--dir", "{root}/pkgs"], "bad"),
        ("plugins new traversal 2", ["plugins", "new", "x/../../../outside/evil", "--dir", "{root}/pkgs"], "bad"),
        ("plugins new escape name", ["plugins", "new", "\x1b]0;PWNED\x07", "--dir", "{root}/pkgs"], "bad"),
        ("plugins new spaces", ["plugins", "new", "Deep Work", "--dir", "{root}/pkgs"], "bad"),
        ("plugins new ok", ["plugins", "new", "deep-work", "--dir", "{root}/pkgs"], "any"),
    ]
    return cases


ODD_ENVIRONMENTS: list[tuple[str, dict[str, str], list[str], str]] = [
    ("env hook timeout text", {"PLANNER_HOOK_TIMEOUT": "abc"}, ["list"], "refuse"),
    ("env hook timeout nan", {"PLANNER_HOOK_TIMEOUT": "nan"}, ["list"], "refuse"),
    ("env now junk", {"PLANNER_NOW": "yesterday-ish"}, ["list"], "any"),
    ("env now year 9999", {"PLANNER_NOW": "9999-12-31T23:59:59+00:00"}, ["week"], "any"),
    ("env now year 1", {"PLANNER_NOW": "0001-01-01T00:00:00+00:00"}, ["score", "--weeks", "4"], "any"),
    ("env allow junk", {"PLANNER_PLUGINS_ALLOW": ",,\x1b[2J,"}, ["list"], "any"),
    ("env plans relative dots", {"PLANNER_PLANS": "../../../../../../../../tmp/../tmp"}, ["list"], "any"),
]


def family_odd_arguments(probe: Probe, chunk: list[tuple[str, list[str | bytes], str, dict[str, str]]]) -> None:
    for name, args, expect, env in chunk:
        case = probe.new_case(f"argument/{name}")
        args = [arg.replace("{root}", str(case.root)) if isinstance(arg, str) else arg for arg in args]
        before = case.plan_state()
        result = case.run(*args, env=env, stdin=b"from stdin\n" if args[-1:] == ["-"] else None)
        after = case.plan_state()
        what = f"planner {shown_args(args)}"
        if result.hung:
            continue
        if expect == "bad" and result.rc != 1 or expect == "refuse" and result.rc not in (1, 2):
            case.fail("bad value not refused", f"{what}: exit {result.rc} (expected 1): "
                                               f"{(result.err_lines or [result.out[:100]])[-1][:160]!r}")
        if result.rc != 0 and before != after:
            case.fail("refused but wrote", f"{what}: exit {result.rc} but the plan folder changed: {diff(before, after)}")
        if result.rc == 0:
            problem = case.run("check")
            if problem.rc != 0:
                case.fail("lost update", f"{what} (exit 0) left a plan `planner check` rejects: "
                                         f"{(problem.out + problem.err)[:200]!r}")


def family_oversize(probe: Probe, variant: str) -> None:
    """A write the planner acknowledges must be readable afterwards: here each one would make a plan
    file bigger than a plan file may hold (1,000,000 bytes). Refusing is fine; exit 0 and a file the
    next command leaves out is a lost update."""
    case = probe.new_case(f"argument/oversize-{variant}")
    piece = "x" * 120_000  # one argv string may hold 128 KiB
    stdin = None
    if variant == "add-many-tags":
        args = ["add", "Big task", "--notes", piece] + [arg for i in range(9) for arg in ("--tag", f"t{i}" + piece)]
    elif variant == "answer-stdin":
        args, stdin = ["answer", "skills.focus", "-"], ("a" * 1_200_000 + "\n").encode()
    elif variant == "edit-big-task":
        big = "bigtask"
        case.task_file(big).write_text(task_toml(big, "Big", notes="n" * 940_000) + GOOD)
        args = ["edit", big, "--title", piece]
    else:
        raise ValueError(variant)
    before = case.plan_state()
    result = case.run(*args, stdin=stdin)
    if result.rc != 0:
        if case.plan_state() != before:
            case.fail("refused but wrote", f"planner {shown_args(args)}: exit {result.rc} but the plan folder changed")
        return
    check = case.run("check")
    if check.rc != 0:
        case.fail("lost update", f"planner {shown_args(args)} exit 0 ({result.out.strip()[:60]!r}), then planner "
                                 f"check exit {check.rc}: {check.out.strip()[:160]!r}")


# =====================================================================================================
# 3. Kills mid-write
# =====================================================================================================

BIG_NOTES = 940_000  # a plan file may hold at most 1,000,000 bytes (planner.store.MAX_FILE_BYTES): stay just below


def _parse_all(case: Case) -> list[str]:
    problems = []
    for folder in ("tasks", "weeks"):
        for path in (case.plan / folder).glob("*.toml"):
            try:
                tomllib.loads(path.read_bytes().decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as error:
                problems.append(f"{folder}/{path.name}: {error}")
    return problems


def _temps(case: Case) -> list[Path]:
    found = []
    for folder in (case.plan, case.plan / "tasks", case.plan / "weeks"):
        found += [path for path in folder.iterdir() if path.name.startswith(".") and path.name.endswith(".tmp")]
    return found


def family_kills(probe: Probe, rounds: int) -> None:
    case = probe.new_case("kills/sigkill-mid-write")
    rng = random.Random(probe.seed + 3)
    big = "bigtasknotes0001"
    line = "Takeaway: ROWS vs RANGE frames differ on ties; redo exercise 4.3 tomorrow.\n"
    notes = (line * (BIG_NOTES // len(line) + 1))[:BIG_NOTES]
    case.task_file(big).write_text(task_toml(big, "Big notes task", notes=notes) + GOOD)
    warm = case.run("edit", big, "--title", "Big notes task (warm)")
    if warm.rc != 0:
        case.fail("lost update", f"could not edit the 1 MB task before the kills: {warm.err[:200]!r}")
        return
    timings = []
    for _ in range(3):
        started = time.monotonic()
        case.run("edit", big, "--add-tag", "warm")
        timings.append(time.monotonic() - started)
    full = sorted(timings)[1]
    TALLY.timings["uninterrupted 1 MB edit"] = full
    size = case.task_file(big).stat().st_size
    ops = ["title", "tag", "estimate", "move", "add", "intend"]
    killed = finished = caught_tmp = 0
    for index in range(rounds):
        op = ops[index % len(ops)]
        old = case.read_task(big)
        old_bytes = case.task_file(big).read_bytes()
        week_path = case.plan / "weeks" / f"{WEEK}.toml"
        old_week = tomllib.loads(week_path.read_text()) if week_path.exists() else {}
        args: list[str]
        if op == "title":
            args = ["edit", big, "--title", f"Title {index}"]
        elif op == "tag":
            args = ["edit", big, "--add-tag", f"k{index}"]
        elif op == "estimate":
            args = ["edit", big, "--estimate", f"{index + 1}m"]
        elif op == "move":
            args = ["move", big, ["doing", "backlog", "this-week"][index % 3]]
        elif op == "add":
            args = ["add", f"Added {index}", "--notes", "n" * 100_000]
        else:
            args = ["intend", "skills", f"Intention {index}"]
        mode = ["early", "late", "tmp"][index % 3]
        old_temps = {path.name for path in _temps(case)}
        process = subprocess.Popen([*PLANNER, *args], cwd=case.root, env=case.env, start_new_session=True,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if mode == "early":
            time.sleep(rng.uniform(0, 0.05))
        elif mode == "late":
            time.sleep(rng.uniform(0.05, full * 1.2))
        else:
            deadline = time.monotonic() + full * 3
            folders = [case.plan / "tasks", case.plan / "weeks"]
            while time.monotonic() < deadline and process.poll() is None:
                if any(name.endswith(".tmp") and name not in old_temps for folder in folders for name in os.listdir(folder)):
                    caught_tmp += 1
                    break
        with_kill = process.poll() is None
        if with_kill:
            os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        TALLY.run()
        rc = process.returncode
        what = f"planner {shown_args(args)} ({mode} kill, exit {rc})"
        if rc == -signal.SIGKILL:
            killed += 1
        else:
            finished += 1
            case.check_result(Result(args, rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), 0, False),
                              what, False)
        acked = rc == 0
        for problem in _parse_all(case):
            case.fail("lost update", f"after {what}: {problem}")
        now = case.read_task(big)
        if now is None:
            case.fail("lost update", f"after {what}: the 1 MB task file is gone")
            continue
        if now.get("notes") != notes:
            case.fail("lost update", f"after {what}: the 1 MB notes changed")
        changed = {key for key in set(old) | set(now) if old.get(key) != now.get(key)} - {"updated"}
        expected_keys = {"title": {"title"}, "tag": {"tags"}, "estimate": {"estimate"},
                         "move": {"column", "rank", "status", "done_at"}}.get(op, set())
        if not changed <= expected_keys:
            case.fail("lost update", f"after {what}: unexpected keys changed: {sorted(changed)}")
        new_value_present = {
            "title": lambda: now.get("title") == f"Title {index}",
            "tag": lambda: f"k{index}" in now.get("tags", []),
            "estimate": lambda: now.get("estimate") == index + 1,
            "move": lambda: now.get("column") == args[-1],
        }
        if op in new_value_present:
            present = new_value_present[op]()
            if acked and not present:
                case.fail("lost update", f"after {what}: acknowledged change missing")
            if not present and case.task_file(big).read_bytes() != old_bytes and not changed:
                case.fail("lost update", f"after {what}: file bytes differ from the old content")
        elif op == "add":
            titles = [tomllib.loads(path.read_text())["title"] for path in (case.plan / "tasks").glob("*.toml")]
            if acked and f"Added {index}" not in titles:
                case.fail("lost update", f"after {what}: acknowledged add missing")
        else:
            week = tomllib.loads(week_path.read_text()) if week_path.exists() else {}
            value = week.get("intentions", {}).get("skills")
            if acked and value != f"Intention {index}":
                case.fail("lost update", f"after {what}: acknowledged intention missing")
            if value not in (f"Intention {index}", old_week.get("intentions", {}).get("skills")):
                case.fail("lost update", f"after {what}: intention is neither old nor new: {value!r}")
    TALLY.note(f"kills: {rounds} runs on a {size:,}-byte task file, {killed} killed by SIGKILL ({caught_tmp} "
               f"right after a .tmp file appeared), {finished} finished first; an uninterrupted edit takes {full:.2f} s")
    # Temp files left by the kills (and two planted ones): older than 60 s must go with the next write.
    leftovers = _temps(case)
    planted_old = [case.plan / "tasks" / f".{big}.toml.planted.tmp", case.plan / "weeks" / f".{WEEK}.toml.planted.tmp"]
    fresh = case.plan / "tasks" / f".{big}.toml.fresh.tmp"
    for path in planted_old + [fresh]:
        path.write_text("half a fi")
    past = time.time() - 120
    for path in leftovers + planted_old:
        os.utime(path, (past, past), follow_symlinks=False)
    names = sorted(str(path.relative_to(case.plan)) for path in leftovers)
    TALLY.note(f"kills: {len(leftovers)} temp files left behind by killed writers (e.g. {', '.join(names[:2]) or '-'}); "
               f"backdated 120 s with 2 planted ones, then one task edit and one week write")
    case.run("edit", big, "--title", "After the kills")
    case.run("intend", "skills", "After the kills")
    for path in leftovers + planted_old:
        if path.exists():
            case.fail("lost update", f"{path.relative_to(case.plan)} (backdated 120 s) survived the next write")
    if not fresh.exists():
        TALLY.note("kills: a fresh (< 60 s) temp file was removed by the next write")
    result = case.run("check")
    if result.rc != 0:
        case.fail("lost update", f"planner check after the kills: exit {result.rc}: {(result.out + result.err)[:300]!r}")
    for command in ("undo", "redo", "undo"):  # the undo history was written by killed processes too
        case.run(command)
    for problem in _parse_all(case):
        case.fail("lost update", f"after undo/redo: {problem}")


# =====================================================================================================
# 4. Concurrent writers
# =====================================================================================================

def family_concurrency(probe: Probe, writers: int, rounds: int, targets: int = 4) -> None:
    case = probe.new_case(f"concurrency/{writers}x{rounds}")
    ids = []
    for index in range(targets):
        result = case.run("add", f"Target {index}", "--json")
        ids.append(json.loads(result.out)["id"])
    lock = threading.Lock()
    acked: dict[tuple, Any] = {}        # (task, field) -> last acknowledged value
    tags_acked: dict[str, set[str]] = {task: set() for task in ids}
    tags_removed: dict[str, set[str]] = {task: set() for task in ids}
    added: list[tuple[str, str]] = []
    refused: list[str] = []
    columns = ["backlog", "this-week", "doing"]
    practices = ["skills", "change", "initiative", "relationships", "proactive", "feedback", "learning"]

    def run(args: list[str]) -> Result:
        return case.run(*args, check_outside=False)

    def worker(role: str) -> None:
        for k in range(rounds):
            task = ids[k % targets]
            if role == "title":
                result = run(["edit", task, "--title", f"title-{k}"])
                key, value = (task, "title"), f"title-{k}"
            elif role == "notes":
                result = run(["edit", task, "--notes", f"notes-{k}"])
                key, value = (task, "notes"), f"notes-{k}"
            elif role == "estimate":
                result = run(["edit", task, "--estimate", f"{k + 1}m"])
                key, value = (task, "estimate"), k + 1
            elif role == "move":
                column = columns[k % len(columns)]
                result = run(["move", task, column])
                key, value = (task, "column"), column
            elif role.startswith("tag"):
                tag = f"{role}-{k}"
                result = run(["edit", task, "--add-tag", tag])
                if result.rc == 0:
                    with lock:
                        tags_acked[task].add(tag)
                if k >= targets and k % 2:  # also take off a tag this worker put on earlier
                    old = f"{role}-{k - targets}"
                    removal = run(["edit", task, "--remove-tag", old])
                    if removal.rc == 0:
                        with lock:
                            tags_acked[task].discard(old)
                            tags_removed[task].add(old)
                key = None
            elif role.startswith("add"):
                result = run(["add", f"{role}-{k}", "--tag", role, "--json"])
                if result.rc == 0:
                    with lock:
                        added.append((json.loads(result.out)["id"], f"{role}-{k}"))
                key = None
            elif role == "intend":
                practice = practices[k % len(practices)]
                result = run(["intend", practice, f"intend-{k}"])
                key, value = ("week", "intentions", practice), f"intend-{k}"
            elif role == "killer":
                # An edit of a field nobody checks (due), SIGKILLed at a random moment, lock held or not.
                process = subprocess.Popen([*PLANNER, "edit", task, "--due", f"+{k + 1}d"], cwd=case.root,
                                           env=case.env, start_new_session=True, stdin=subprocess.DEVNULL,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(rng.uniform(0.0, 0.4))
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                TALLY.run()
                continue
            elif role == "answer":
                prompt = ["skills.focus", "change.experiment", "learning.source"][k % 3]
                result = run(["answer", prompt, f"answer-{k}"])
                key, value = ("week", "plan", prompt), f"answer-{k}"
            else:
                raise ValueError(role)
            if result.rc != 0:
                with lock:
                    refused.append(f"{role}: exit {result.rc}: {result.err.strip()[:120]}")
            elif key is not None:
                with lock:
                    acked[key] = value

    roles = ["title", "tag-a", "move", "killer", "add-a", "tag-b", "notes", "intend", "answer", "estimate",
             "add-b"][:writers]
    rng = random.Random(probe.seed + writers)
    threads = [threading.Thread(target=worker, args=(role,)) for role in roles]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    TALLY.note(f"concurrency: {writers} writers x {rounds} rounds ({', '.join(roles)}) in "
               f"{time.monotonic() - started:.1f} s; {len(refused)} refused"
               + (f" (e.g. {refused[0]!r})" if refused else ""))
    for problem in _parse_all(case):
        case.fail("lost update", problem)
    for key, value in acked.items():
        if key[0] == "week":
            data = tomllib.loads((case.plan / "weeks" / f"{WEEK}.toml").read_text())
            have = data.get(key[1], {}).get(key[2])
        else:
            data = case.read_task(key[0]) or {}
            have = data.get(key[1])
        if have != value:
            case.fail("lost update", f"{'.'.join(key)}: last acknowledged {value!r}, on disk {have!r}")
    for task in ids:
        tags = set((case.read_task(task) or {}).get("tags", []))
        missing = tags_acked[task] - tags
        if missing:
            case.fail("lost update", f"task {task}: acknowledged tags missing: {sorted(missing)}")
        back = tags & tags_removed[task]
        if back:
            case.fail("lost update", f"task {task}: acknowledged tag removals undone: {sorted(back)}")
    for task_id, title in added:
        data = case.read_task(task_id)
        if data is None or data.get("title") != title:
            case.fail("lost update", f"acknowledged add {title!r} ({task_id}) missing")
    result = case.run("check")
    if result.rc != 0:
        case.fail("lost update", f"planner check after concurrent writers: exit {result.rc}: {result.out[:200]!r}")
    # The undo history (one file per plan, written by every one of those processes) must still work.
    for command in ("undo", "undo", "redo", "list"):
        case.run(command)
    for problem in _parse_all(case):
        case.fail("lost update", f"after undo/redo: {problem}")


# =====================================================================================================
# 5. Misbehaving plugins
# =====================================================================================================

HOOKS = {
    # hook: (signature, commands that call it)
    "planner_register_practices": ("register", [["list", "--json"], ["plugins"]]),
    "planner_prompts": ("practice, phase, week, settings", [["prompts", "--json"], ["week"], ["export", "--format", "markdown"]]),
    "planner_task_templates": ("practice, settings", [["templates", "--json"], ["add", "--template", "{plugin}.x", "--json"]]),
    "planner_score_week": ("practice, week, tasks, settings", [["score", "--json"], ["review"], ["export", "--format", "json", "--week", WEEK]]),
    "planner_task_completed": ("task, practice", [["done", "{good}"]]),
    "planner_week_reviewed": ("week, scores", [["review"]]),
}
BEHAVIOURS = {
    "raise": "raise RuntimeError('plugin broke')",
    "sys-exit-3": "sys.exit(3)",
    "os-exit-0": "os._exit(0)",
    "keyboard-interrupt": "raise KeyboardInterrupt",
    "print-stdout": "print('plugin noise on stdout {not json'); print('more noise', file=sys.stdout, flush=True)",
    "sleep-30": "time.sleep(30)",
    "garbage-return": "return object()",
    "recursion": "import sys as _s; _s.setrecursionlimit(100000); (lambda f: f(f))(lambda f: f(f))",
}
PLUGIN = """import os, sys, time
from planner.api import Practice, Prompt, Score, TaskTemplate, hookimpl
{top}
@hookimpl
def planner_register_practices(register):
    {register}
    register(Practice({name!r}, 'Probe practice', 'A practice that misbehaves.', '#445566', 'PRB'))
"""


def plugin_source(name: str, hook: str | None, behaviour: str) -> str:
    code = BEHAVIOURS[behaviour]
    top = code if hook == "import" else ""
    register = code if hook == "planner_register_practices" else "pass"
    if behaviour == "garbage-return" and hook == "planner_register_practices":
        register = "return object()"
    source = PLUGIN.format(top=top if behaviour != "garbage-return" else "", register=register, name=name)
    if hook not in (None, "import", "planner_register_practices"):
        signature = HOOKS[hook][0]
        source += f"\n@hookimpl\ndef {hook}({signature}):\n    {code}\n"
    return source


def family_plugins(probe: Probe, hook: str, behaviour: str) -> None:
    name = "probeplug"
    case = probe.new_case(f"plugin/{hook.removeprefix('planner_')}/{behaviour}")
    case.allow_plugin_lines = True
    case.plugin_noise = behaviour == "print-stdout"
    folder = Path(case.env["PLANNER_CONFIG_DIR"]) / "plugins"
    folder.mkdir(parents=True)
    (folder / f"{name}.py").write_text(plugin_source(name, hook, behaviour))
    commands = [["list", "--json"], ["plugins", "--json"]]
    if hook == "import":
        commands += [["week"], ["score", "--json"], ["add", "Plugin add", "--json"]]
    else:
        commands += HOOKS[hook][1]
    if probe.quick:  # the first command that calls the hook, and a --json listing beside it
        commands = commands[2:3] + commands[1:2]
    named_somewhere = False
    for index, command in enumerate(commands):
        args = [arg.replace("{plugin}", name) for arg in fill(command, case.ids, None) or []]
        env = {"PLANNER_HOOK_TIMEOUT": "1", "PLANNER_CACHE_DIR": str(case.root / "home" / f"cache{index}")}
        result = case.run(*args, env=env)
        if result.hung:
            continue
        if behaviour == "sleep-30" and result.elapsed > 8:
            case.fail("hang", f"planner {shown_args(args)} took {result.elapsed:.1f} s with PLANNER_HOOK_TIMEOUT=1")
        if f"'{name}'" in result.err or f"plugin {name}" in result.err:
            named_somewhere = True
        if result.rc == 0 and args[0] == "done":
            now = case.read_task(case.ids["good"]) or {}
            if now.get("status") != "done":
                case.fail("lost update", f"planner {shown_args(args)} exit 0 but the task is not done on disk")
        if result.rc == 0 and args[0] == "add":
            try:
                new_id = json.loads(result.out)["id"]
            except (ValueError, KeyError, TypeError):
                continue
            if case.read_task(new_id) is None:
                case.fail("lost update", f"planner {shown_args(args)} exit 0 but no task file")
        if result.rc == 0 and args[0] == "review":
            week = case.plan / "weeks" / f"{WEEK}.toml"
            if "reviewed_at" not in (tomllib.loads(week.read_text()) if week.exists() else {}):
                case.fail("lost update", "planner review exit 0 but the week is not marked reviewed")
    ignored = behaviour == "garbage-return" and hook in ("planner_task_completed", "planner_week_reviewed")
    if behaviour != "print-stdout" and not ignored and not named_somewhere:  # (return values of notifications are ignored)
        case.fail("messy error", f"the plugin {name!r} is never named on stderr")


# =====================================================================================================
# 6. Escapes in plan text
# =====================================================================================================

def build_hostile_plan(case: Case) -> dict[str, str]:
    """Plan text full of terminal escapes: task titles, notes, tags, practice, column, board title and
    columns, week notes, intentions and answers, a file name, a key name, a bad file's content."""
    board = case.plan / "board.toml"
    text = board.read_text()
    text = text.replace('title = "Probe plan"', f"title = {toml_str('Plan ' + PAYLOADS['title'])}")
    text = text.replace('{ id = "backlog", title = "Backlog" }',
                        f'{{ id = "backlog", title = {toml_str("Back" + PAYLOADS["title2"] + PAYLOADS["rlo"])} }}')
    text = text.replace('{ id = "doing", title = "Doing"', f'{{ id = "doing", title = {toml_str("Doing" + PAYLOADS["osc52"])}')
    board.write_text(text)
    hostile = {}
    for index, (key, payload) in enumerate(PAYLOADS.items()):
        task_id = f"hostile{index:02d}"
        hostile[key] = task_id
        fields = dict(notes=f"Notes {payload} line two\n{payload}", tags=[f"t{payload}", f"@p{payload}"],
                      column=["backlog", "this-week", "doing"][index % 3], week=WEEK, day="2026-11-2" + str(3 + index % 5))
        body = task_toml(task_id, f"Title {key} {payload} end", **{k: v for k, v in fields.items() if k != "day"})
        body += f"day = 2026-11-{23 + index % 5}\n" + GOOD
        (case.plan / "tasks" / f"{task_id}.toml").write_text(body)
    (case.plan / "tasks" / "hostilepractice.toml").write_text(
        task_toml("hostilepractice", "Practice " + PAYLOADS["clear"], practice="x" + PAYLOADS["title"],
                  column="c" + PAYLOADS["osc52"], **{toml_str("key" + PAYLOADS["title"]): "v"}) + GOOD)
    (case.plan / "tasks" / f"name{PAYLOADS['title']}{PAYLOADS['rlo']}.toml").write_text(
        task_toml(f"name{PAYLOADS['title']}{PAYLOADS['rlo']}", "Escape in the file name") + GOOD)
    (case.plan / "tasks" / "rawbytes.toml").write_bytes(b'schema = 1\nid = "rawbytes"\ntitle = "raw \x1b]0;RAW\x07 \x9b"\n')
    (case.plan / "tasks" / "badtype.toml").write_text(
        f'schema = 1\nid = "badtype"\ntitle = "t"\nestimate = {toml_str(PAYLOADS["title"])}\n'
        f'status = {toml_str(PAYLOADS["clear"])}\n')
    week = ["schema = 1", f'week = "{WEEK}"', f"notes = {toml_str('Week ' + HOSTILE)}", "[intentions]",
            f"skills = {toml_str('Intend ' + PAYLOADS['osc52'] + PAYLOADS['rlo'])}",
            f"{toml_str('x' + PAYLOADS['title'])} = {toml_str(PAYLOADS['clear'])}", "[plan]",
            f'"skills.focus" = {toml_str("Focus " + PAYLOADS["title"])}', "[review]",
            f'"skills.progress" = {toml_str("Progress " + PAYLOADS["c1csi"] + PAYLOADS["isolate"])}']
    (case.plan / "weeks" / f"{WEEK}.toml").write_text("\n".join(week) + "\n")
    (case.plan / "weeks" / f"2026-W47{PAYLOADS['title']}.toml").write_text('schema = 1\nweek = "2026-W47"\n')
    return hostile


def family_escapes(probe: Probe, part: int) -> None:
    case = probe.new_case(f"escapes/hostile-plan-{part}")
    hostile = build_hostile_plan(case)
    ids = list(hostile.values())
    if part == 0:
        commands = [["list"], ["list", "--all"], ["list", "--column", "backlog"], ["list", "--tag", "t" + PAYLOADS["osc52"]],
                    ["week"], ["week", WEEK], ["prompts"], ["prompts", "--phase", "review"], ["score"],
                    ["score", "--weeks", "3"], ["export"], ["export", "--format", "markdown", "--week", WEEK],
                    ["check"], ["templates"], ["plugins"], ["review", WEEK]]
        commands += [["list", "--json"], ["list", "--all", "--json"], ["week", "--json"], ["prompts", "--json"],
                     ["score", "--json"], ["export", "--format", "json"], ["templates", "--json"], ["plugins", "--json"]]
        commands += [["show", task_id] for task_id in ids] + [["show", task_id, "--json"] for task_id in ids[:4]]
    else:
        commands = []
        for index, task_id in enumerate(ids):
            commands.append([["edit", task_id, "--add-tag", "x"], ["move", task_id, "doing"], ["done", task_id],
                             ["rm", task_id], ["restore", task_id]][index % 5])
        commands += [["undo"], ["redo"], ["undo"]]
        commands += [["add", "New " + PAYLOADS["title"], "--tag", PAYLOADS["clear"], "--notes", ARGV_HOSTILE],
                     ["add", "New json " + ARGV_HOSTILE, "--json"],
                     ["show", PAYLOADS["title"]], ["show", "hostile"], ["move", ids[0], PAYLOADS["clear"]],
                     ["list", "--column", PAYLOADS["rlo"]], ["answer", "x" + PAYLOADS["title"] + ".y", "z"],
                     ["intend", PAYLOADS["c1csi"], "x"], ["add", "t", "--practice", PAYLOADS["osc52"]],
                     ["add", "--template", PAYLOADS["title"]], ["edit", ids[0], "--day", PAYLOADS["clear"]],
                     ["score", "--weeks", PAYLOADS["title"]], ["week", PAYLOADS["rlo"]], ["list", PAYLOADS["title"]],
                     ["edit", "hostilepractice", "--title", "x"], ["edit", "rawbytes", "--title", "x"],
                     ["edit", "badtype", "--title", "x"], ["--plans", str(case.root / ("p" + PAYLOADS["title"])), "list"],
                     ["init", str(case.root / ("q" + PAYLOADS["title2"] + PAYLOADS["rlo"]))],
                     ["intend", "skills", "I " + PAYLOADS["title"]], ["answer", "skills.focus", "A " + PAYLOADS["osc52"]],
                     ["week"], ["prompts"], ["list", "--all"]]
    for command in commands:
        case.run(*command)
    if case.run("check").rc == 0:
        case.fail("check silent", "planner check exit 0 with bad files in the hostile plan")


# --- the TUI in tmux ------------------------------------------------------------------------------------

class Tmux:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def __call__(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=20,
                              check=check)


def family_tui(probe: Probe, variant: str) -> None:
    case = probe.new_case(f"tui/{variant}")
    if variant == "hostile-text":
        build_hostile_plan(case)
    elif variant == "malformed-files":
        _task(case, f'schema = 1\nid = "badtask"\ntitle = "t"\nx = {deep()}\n')
        _link(case.plan / "tasks" / "zero.toml", "/dev/zero")
        os.mkfifo(case.plan / "tasks" / "fifo.toml")
        _link(case.plan / "tasks" / "outsidetask.toml", "../../outside/outsidetask.toml")
        (case.plan / "tasks" / "esc.toml").write_text(task_toml("esc", "Esc " + HOSTILE) + GOOD)
    elif variant == "raising-plugin":
        folder = Path(case.env["PLANNER_CONFIG_DIR"]) / "plugins"
        folder.mkdir(parents=True)
        (folder / "probeplug.py").write_text(plugin_source("probeplug", "planner_prompts", "raise")
                                             + "\n@hookimpl\ndef planner_score_week(practice):\n"
                                               "    raise RuntimeError('score broke')\n")
    case.outside_base = snapshot(case.outside, with_mtime=True)
    socket = f"probe-{os.getpid()}-{variant}"
    tmux = Tmux(socket)
    rc_file = case.root / "tui.rc"
    raw_file = case.root / "tui.raw"
    script = case.root / "run-tui.sh"
    exports = "".join(f"export {key}={shell_quote(value)}\n" for key, value in case.env.items()
                      if key.startswith(("PLANNER_", "PYTHON", "LANG", "HOME", "TZ", "PATH")))
    script.write_text(f"#!/bin/sh\n{exports}cd {shell_quote(str(case.root))}\n"
                      f"{' '.join(shell_quote(part) for part in PLANNER)}\necho $? > {shell_quote(str(rc_file))}\n")
    script.chmod(0o755)
    TALLY.run()
    try:
        tmux("-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40", "-s", "probe", "sleep 1000", check=True)
        tmux("set-option", "-g", "set-clipboard", "on")
        tmux("set-option", "-g", "allow-rename", "on")
        tmux("set-option", "-g", "remain-on-exit", "off")
        # A control: raw OSC 0 and OSC 52 in this pane do reach tmux (so the checks below can see them).
        tmux("respawn-pane", "-k", "-t", "probe", "printf '\\033]2;CONTROL-TITLE\\033\\\\\\033]52;c;Y29udHJvbA==\\007'; sleep 1000")
        time.sleep(1.0)
        control_title = tmux("display-message", "-p", "-t", "probe", "#{pane_title}").stdout.strip()
        detector_works = "CONTROL-TITLE" in control_title
        if not detector_works:
            TALLY.note(f"tui/{variant}: control OSC 2 did not set the pane title ({control_title!r}); title check weak")
        if "control" not in tmux("list-buffers", "-F", "#{buffer_sample}").stdout:
            TALLY.note(f"tui/{variant}: control OSC 52 did not reach the tmux clipboard; clipboard check weak")
        while tmux("delete-buffer").returncode == 0:
            pass
        tmux("select-pane", "-t", "probe", "-T", "before-planner")
        tmux("respawn-pane", "-k", "-t", "probe", f"sh {shell_quote(str(script))}")
        # Every byte the planner sends to the terminal, to look for sequences built from plan text.
        tmux("pipe-pane", "-t", "probe", "-o", f"cat > {shell_quote(str(raw_file))}")
        deadline = time.monotonic() + 40
        screen = ""
        marker = "This week"
        while time.monotonic() < deadline:
            time.sleep(0.5)
            screen = tmux("capture-pane", "-p", "-t", "probe").stdout
            if marker in screen and ("Probe plan" in screen or "Plan" in screen or "Backlog" in screen or "Back" in screen):
                break
            if exit_status(rc_file):
                break
        else:
            case.fail("hang", f"TUI ({variant}): the board did not show within 40 s: {screen[-300:]!r}")
        if exit_status(rc_file):
            case.fail("crash", f"TUI ({variant}): exited before showing the board (exit {exit_status(rc_file)}): "
                               f"{screen[-400:]!r}")
            return
        time.sleep(1.5)  # let the first paint finish, then look
        board_screen = tmux("capture-pane", "-p", "-t", "probe").stdout
        keys: tuple[str, ...] = ("2", "3", "4", "1", "Enter", "Escape")
        if variant == "cli-while-open":
            # A CLI edit while the app is open, then a move of the same card in the app: both stay.
            edit = case.run("edit", case.ids["good2"], "--title", "CLI title", "--add-tag", "fromcli")
            time.sleep(1.5)
            keys = (">",)
        # Walk the other screens (week, insights, practices) and a card's details, then back.
        for key in keys:
            tmux("send-keys", "-t", "probe", key)
            time.sleep(1.0)
            if exit_status(rc_file):
                break
        screen = board_screen
        styled = tmux("capture-pane", "-p", "-e", "-t", "probe").stdout
        title = tmux("display-message", "-p", "-t", "probe", "#{pane_title}").stdout.strip()
        buffers = tmux("list-buffers", "-F", "#{buffer_sample}").stdout
        (case.root / "screen.txt").write_text(styled)
        if "PWNED" in title or "PLUGIN" in title or "RAW" in title:
            case.fail("escape to terminal", f"TUI ({variant}): pane title became {title!r}")
        if "pwned" in buffers:
            case.fail("escape to terminal", f"TUI ({variant}): OSC 52 set the tmux clipboard: {buffers!r}")
        if "Traceback" in screen:
            case.fail("crash", f"TUI ({variant}): a traceback on screen")
        if marker not in screen:
            case.fail("crash", f"TUI ({variant}): the board is not on screen: {screen[:300]!r}")
        if not exit_status(rc_file):
            tmux("send-keys", "-t", "probe", "q")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not exit_status(rc_file):
            time.sleep(0.25)
        if not exit_status(rc_file):
            case.fail("hang", f"TUI ({variant}): still running 20 s after q")
        else:
            rc = exit_status(rc_file)
            if rc != "0":
                case.fail("crash", f"TUI ({variant}): exit {rc} after q")
        time.sleep(0.3)
        raw = raw_file.read_bytes().decode("utf-8", "surrogateescape") if raw_file.exists() else ""
        if not raw:
            TALLY.note(f"tui/{variant}: the raw terminal stream could not be recorded")
        for problem in raw_stream_problems(raw):
            case.fail("escape to terminal", f"TUI ({variant}): {problem}")
        final = tmux("display-message", "-p", "-t", "probe", "#{pane_title}").stdout.strip()
        if "PWNED" in final or "RAW" in final:
            case.fail("escape to terminal", f"TUI ({variant}): pane title after quitting {final!r}")
        if variant == "cli-while-open":
            task = case.read_task(case.ids["good2"]) or {}
            if edit.rc == 0 and (task.get("title") != "CLI title" or "fromcli" not in task.get("tags", [])):
                case.fail("lost update", f"TUI ({variant}): the CLI edit made while the app was open is gone: {task}")
            TALLY.note(f"tui/{variant}: after a CLI edit and '>' in the app the task reads title={task.get('title')!r}, "
                       f"tags={task.get('tags')}, column={task.get('column')!r}")
        TALLY.note(f"tui/{variant}: board shown, pane title {title!r}, exit {exit_status(rc_file) or '?'}, "
                   f"{len(raw):,} characters written to the terminal")
    finally:
        tmux("kill-server")
        socket_file = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}" / socket
        socket_file.unlink(missing_ok=True)
        case.check_outside(f"TUI ({variant})")


INJECTED = re.compile(r"PWNED|cHduZWQ|RAW|544e")
OSC = re.compile(r"\x1b\]([^\x07\x1b]*)")
DCS = re.compile(r"\x1bP([^\x1b]*)")
RAW_UNSAFE = re.compile("[\x00-\x06\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x80-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\udc80-\udcff]")


def raw_stream_problems(raw: str) -> list[str]:
    """What in the bytes the TUI wrote to its terminal came from plan text: an OSC or DCS sequence
    carrying an injected payload, or a raw C1 control, bidi override or stray C0 control."""
    problems = []
    for match in OSC.finditer(raw):
        if INJECTED.search(match.group(1)):
            problems.append(f"an OSC sequence from plan text reached the terminal: {match.group(0)[:60]!r}")
    for match in DCS.finditer(raw):
        if INJECTED.search(match.group(1)):
            problems.append(f"a DCS sequence from plan text reached the terminal: {match.group(0)[:60]!r}")
    found = sorted(set(RAW_UNSAFE.findall(raw)))
    if found:
        problems.append(f"raw controls/bidi characters in the terminal stream: {''.join(found)!r}")
    return problems


def exit_status(path: Path) -> str:
    """The exit status the wrapper wrote, once it is whole ('' before)."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return ""
    return text.strip() if text.endswith("\n") else ""


def shell_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


# =====================================================================================================
# Self-test of the detectors (a probe that cannot see a failure proves nothing)
# =====================================================================================================

def self_test(probe: Probe) -> None:
    case = Case(probe, "self-test")
    TALLY.scenarios.discard("self-test")
    checks = []
    fake = Result(["x"], 0, "a\x1b]0;x\x07b", "", 0, False)
    case.failed = False
    before = {k: len(v) for k, v in TALLY.failures.items()}
    case.check_result(fake, "self-test escape", False)
    case.check_result(Result(["x"], 3, "", "planner: error: bug", 0, False), "self-test crash", False)
    case.check_result(Result(["x"], 1, "", "a\nb\n", 0, False), "self-test messy", False)
    case.check_result(Result(["x"], 0, "{not json", "", 0, False), "self-test json", True)
    checks.append(("raw terminal stream", bool(raw_stream_problems("a\x1b]0;PWNED\x07b"))
                   and bool(raw_stream_problems("\u202e")) and not raw_stream_problems("\x1b[2J\x1b]22;default\x1b\\")))
    (case.outside / "new").write_text("x")
    case.check_outside("self-test outside")
    after = {k: len(v) for k, v in TALLY.failures.items()}
    for category in ("escape to terminal", "crash", "messy error", "bad --json", "write outside plan"):
        checks.append((category, after[category] - before[category] >= 1))
    for category in TALLY.failures:
        del TALLY.failures[category][before[category]:]
    shutil.rmtree(case.root)
    broken = [name for name, ok in checks if not ok]
    if broken:
        raise SystemExit(f"probe self-test failed: the detectors for {broken} see nothing")


# =====================================================================================================

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer commands per scenario, fewer kills (about a minute)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="scenarios run in parallel")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds before a run counts as a hang")
    parser.add_argument("--no-tui", dest="tui", action="store_false", help="skip the tmux TUI scenarios")
    parser.add_argument("--keep", action="store_true", help="keep every scenario folder (failing ones are always kept)")
    parser.add_argument("--tmp", default="/tmp", help="where the /probe-XXXX folders go")
    parser.add_argument("--only", default="", help="comma-separated families: malformed,arguments,kills,"
                                                    "concurrency,plugins,escapes,tui")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every run on stderr")
    parser.add_argument("--details", type=int, default=12, metavar="N", help="detail lines shown per row")
    parser.add_argument("--log", metavar="FILE", help="write every run (args, exit, stdout, stderr) as JSON lines")
    options = parser.parse_args()
    if options.log:
        TALLY.log = open(options.log, "w", encoding="utf-8")
    global VERBOSE
    VERBOSE = options.verbose
    probe = Probe(options)
    only = set(filter(None, options.only.split(",")))
    wanted = lambda family: not only or family in only  # noqa: E731
    started = time.monotonic()
    print(f"planner: {' '.join(PLANNER)}  mode: {'quick' if probe.quick else 'full'}  jobs: {probe.jobs}  "
          f"seed: {probe.seed}  timeout: {probe.timeout:.0f} s", flush=True)
    try:
        probe.make_template()
        self_test(probe)
        work: list[tuple[str, Callable[[], None]]] = []
        if wanted("malformed"):
            folders = bad_folders()
            for bad in folders:
                work.append(("malformed", lambda bad=bad: family_malformed(probe, bad)))
        if wanted("arguments"):
            odd = [(name, args, expect, {}) for name, args, expect in odd_arguments(probe.ids)]
            odd += [(name, args, expect, env) for name, env, args, expect in ODD_ENVIRONMENTS]
            if probe.quick:
                odd = odd[::3]
            for start in range(0, len(odd), 8):
                work.append(("arguments", lambda chunk=odd[start:start + 8]: family_odd_arguments(probe, chunk)))
            for variant in ("add-many-tags", "answer-stdin", "edit-big-task"):
                work.append(("arguments", lambda variant=variant: family_oversize(probe, variant)))
        if wanted("plugins"):
            hooks = ["import", *HOOKS]
            for hook in hooks:
                for behaviour in BEHAVIOURS:
                    if probe.quick and behaviour not in ("raise", "os-exit-0", "print-stdout", "sleep-30"):
                        continue
                    if hook == "import" and behaviour == "garbage-return":
                        continue
                    work.append(("plugins", lambda h=hook, b=behaviour: family_plugins(probe, h, b)))
        if wanted("escapes"):
            for part in (0, 1):
                work.append(("escapes", lambda part=part: family_escapes(probe, part)))
        family_started: dict[str, float] = {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=probe.jobs) as pool:
            futures = {}
            for family, job in work:
                family_started.setdefault(family, time.monotonic())
                futures[pool.submit(job)] = family
            for future in concurrent.futures.as_completed(futures):
                error = future.exception()
                if error is not None:
                    import traceback

                    traceback.print_exception(error)
                    TALLY.note(f"PROBE ERROR in {futures[future]}: {error!r}")
        TALLY.timings["malformed+arguments+plugins+escapes"] = time.monotonic() - started
        # Kills and concurrency run alone: their timing is what they probe.
        if wanted("kills"):
            t = time.monotonic()
            family_kills(probe, 18 if probe.quick else 72)
            TALLY.timings["kills"] = time.monotonic() - t
        if wanted("concurrency"):
            t = time.monotonic()
            if probe.quick:
                family_concurrency(probe, 4, 4)
            else:
                family_concurrency(probe, 4, 20)
                family_concurrency(probe, 8, 15)
                family_concurrency(probe, 11, 10)
            TALLY.timings["concurrency"] = time.monotonic() - t
        if probe.tui and wanted("tui") and shutil.which("tmux"):
            t = time.monotonic()
            variants = ["hostile-text"] if probe.quick else ["hostile-text", "malformed-files", "raising-plugin", "cli-while-open"]
            for variant in variants:
                family_tui(probe, variant)
            TALLY.timings["tui"] = time.monotonic() - t
    finally:
        probe.cleanup()
    elapsed = time.monotonic() - started
    return report(elapsed, probe, options.details)


def report(elapsed: float, probe: Probe, details: int) -> int:
    print()
    print(f"Scenarios run: {len(TALLY.scenarios)}    planner runs: {TALLY.runs}    time: {elapsed:.0f} s")
    print()
    width = max(len(name) for name in MAIN + EXTRA)
    print(f"{'outcome':<{width}}  count  scenarios")
    print(f"{'-' * width}  -----  ---------")
    bad = 0
    for name in MAIN + EXTRA:
        if name == EXTRA[0]:
            print(f"{'-' * width}  -----  (extra rows)")
        found = TALLY.failures[name]
        bad += len(found)
        scenarios = sorted({scenario for scenario, _ in found})
        shown = ", ".join(scenarios[:12]) + (f", ... ({len(scenarios)} scenarios)" if len(scenarios) > 12 else "")
        print(f"{name:<{width}}  {len(found):>5}  {shown}")
    if bad:
        print(f"\nDetails (at most {details} per row; --details N shows more):")
        for name in MAIN + EXTRA:
            found = TALLY.failures[name]
            for scenario, detail in found[:details]:
                print(f"  [{name}] {scenario}: {detail}")
            if len(found) > details:
                print(f"  [{name}] ... and {len(found) - details} more")
        kept = sorted({str(case.root) for case in probe.cases if case.failed})
        print(f"\nFolders of failing scenarios kept: {len(kept)} (e.g. {kept[0] if kept else '-'})")
    if TALLY.notes:
        print("\nNotes:")
        for note in TALLY.notes:
            print(f"  {note}")
    if TALLY.counters:
        print("\nCounted, not failures: " + "; ".join(f"{what}: {number}" for what, number in TALLY.counters.items()))
    if TALLY.timings:
        print("\nTimings: " + ", ".join(f"{name} {value:.1f} s" for name, value in TALLY.timings.items()))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
