"""Crash safety: SIGKILL a process in the middle of saving, many times, and the plan must still load.

A child process rewrites the same few task files and one week file through PlanStore in a tight
loop. Each write carries a per-file counter, and the child logs each counter value just before it
saves it. The parent kills the child at random moments; after every kill each file must parse,
pass the schema, be wholly one version (title, notes and estimate all of the same counter), and hold
either the last counter the child logged for it or the one before (the save in flight either
happened or did not), never going backwards across kills.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
import tomllib
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

from planner.model import Task, WeekPlan
from planner.schema import dumps, task_to_toml
from planner.store import PlanStore

KILLS = 40
MAX_RUN_SECONDS = 0.06
TASK_IDS = ("crash-a", "crash-b", "crash-c")
WEEK = "2026-W48"
WEEK_KEY = f"week:{WEEK}"

# What a file holds at counter n; run by both the child and the parent, so they cannot disagree.
CONTENT = '''
def task_title(n):
    return f"round {n} " + "grow " * (n % 40)

def task_notes(n):
    return "\\n".join(f"line {i} of round {n} [bold]x[/]" for i in range(n % 15))

def week_notes(n):
    return f"week round {n}\\n" + "more notes\\n" * (n % 25)
'''

CHILD = CONTENT + '''
import os, sys
from dataclasses import replace
from planner.store import PlanStore

root, log_path, week = sys.argv[1], sys.argv[2], sys.argv[3]
task_ids = sys.argv[4:]
store = PlanStore(root)
log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)

def logged(key, n):
    os.write(log, f"{key} {n}\\n".encode())  # one write(2) of one line: never torn by SIGKILL
    return n

def next_task(task):
    n = logged(task.id, task.estimate + 1)
    return replace(task, title=task_title(n), notes=task_notes(n), estimate=n)

def next_week(plan):
    n = logged("week:" + plan.week, int(plan.intentions["counter"]) + 1)
    return replace(plan, intentions={"counter": str(n)}, notes=week_notes(n))

rounds = 0
while True:
    for task_id in task_ids:
        store.update_task(task_id, next_task)
    store.update_week(week, next_week)
    rounds += 1
    if rounds == 1:  # every file has been saved once: from here on, kill at will
        print("ready", flush=True)
'''

shared: dict = {}
exec(CONTENT, shared)
task_title, task_notes, week_notes = shared["task_title"], shared["task_notes"], shared["week_notes"]


def make_plan(root: Path) -> PlanStore:
    store = PlanStore(root)
    store.create()
    now = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
    for task_id in TASK_IDS:
        store.add_task(Task(id=task_id, title=task_title(0), notes=task_notes(0), estimate=0,
                            created=now, updated=now))
    store.update_week(WEEK, lambda _: WeekPlan(WEEK, intentions={"counter": "0"}, notes=week_notes(0)))
    # A half-written temporary file, as a kill between write and rename leaves one.
    (store.tasks_dir / f".{TASK_IDS[0]}.toml.k1ll3d.tmp").write_bytes(dumps(task_to_toml(
        store.read_task(TASK_IDS[0])))[:40])  # type: ignore[arg-type]
    (store.weeks_dir / f".{WEEK}.toml.k1ll3d.tmp").write_bytes(b'schema = 1\nweek = "20')
    return store


def last_logged(log_path: Path) -> dict[str, int]:
    """The last counter the child logged for each file (logged just before saving it)."""
    last: dict[str, int] = defaultdict(int)
    if log_path.exists():
        for line in log_path.read_text().splitlines():
            key, number = line.split(" ")
            last[key] = int(number)
    return last


def counters_on_disk(store: PlanStore) -> dict[str, int]:
    """Each file's counter, after checking the file is whole, valid TOML and valid plan data."""
    counters: dict[str, int] = {}
    for task_id in TASK_IDS:
        raw = tomllib.loads(store.task_path(task_id).read_text(encoding="utf-8"))
        n = raw.get("estimate")
        assert isinstance(n, int), f"{task_id} holds no counter: {raw}"
        assert (raw["title"], raw.get("notes", "")) == (task_title(n), task_notes(n)), f"{task_id} is torn"
        counters[task_id] = n
    raw_week = tomllib.loads(store.week_path(WEEK).read_text(encoding="utf-8"))
    n = int(raw_week["intentions"]["counter"])
    assert raw_week["notes"] == week_notes(n), "the week file is torn"
    counters[WEEK_KEY] = n

    tasks, problems = store.read_tasks()
    assert problems == []
    assert sorted(tasks) == sorted(TASK_IDS)  # temporary files are not tasks
    assert {task_id: task.estimate for task_id, task in tasks.items()} == {
        task_id: counters[task_id] for task_id in TASK_IDS}
    week = store.read_week(WEEK)
    assert isinstance(week, WeekPlan) and week.intentions["counter"] == str(counters[WEEK_KEY])
    assert store.week_labels() == [WEEK]
    assert store.check() == []
    return counters


def run_and_kill(command: list[str], pause: float) -> None:
    """Start the writer, let it write for `pause` seconds after its first round, then SIGKILL it."""
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None and child.stderr is not None
        try:
            if child.stdout.readline() != "ready\n":
                raise AssertionError(f"the writer did not start:\n{child.stderr.read()}")
            time.sleep(pause)
            if child.poll() is not None:
                raise AssertionError(f"the writer stopped by itself:\n{child.stderr.read()}")
            child.send_signal(signal.SIGKILL)
        finally:
            child.kill()
            child.wait(timeout=5)
    assert child.returncode == -signal.SIGKILL


def test_killed_writers_leave_every_file_whole(tmp_path: Path) -> None:
    store = make_plan(tmp_path / "plan")
    log_path = tmp_path / "written.log"
    script = tmp_path / "writer.py"
    script.write_text(CHILD)
    command = [sys.executable, str(script), str(store.root), str(log_path), WEEK, *TASK_IDS]
    seed = time.time_ns()
    rng = random.Random(seed)

    previous = counters_on_disk(store)
    assert previous == dict.fromkeys([*TASK_IDS, WEEK_KEY], 0)
    for kill in range(KILLS):
        run_and_kill(command, rng.uniform(0, MAX_RUN_SECONDS))
        where = f"after kill {kill + 1} (seed {seed})"
        current = counters_on_disk(store)
        logged = last_logged(log_path)
        for key, n in current.items():
            assert n in (logged[key], logged[key] - 1), f"{key}: {n} on disk, {logged[key]} logged {where}"
            # never backwards; and forwards, as each run saved every file once before it was killed
            assert n > previous[key], f"{key} went from {previous[key]} to {n} {where}"
        previous = current

    # Each run saved every file at least once before its kill, so every counter moved on each time.
    assert min(previous.values()) >= KILLS, previous
    leftovers = sorted(path.name for path in store.root.rglob(".*.tmp"))
    assert leftovers, "the planted temporary files are gone"
    plan_files = {path.relative_to(store.root).as_posix() for path in store.root.rglob("*.toml")
                  if not path.name.startswith(".")}
    assert plan_files == {"board.toml", *(f"tasks/{task_id}.toml" for task_id in TASK_IDS), f"weeks/{WEEK}.toml"}
    print(f"counters after {KILLS} kills: {previous}; {len(leftovers)} temporary files left")
