"""Load and save timings of the core at 10,000 tasks, beside a floor measured in the same run.

    python benchmarks/bench_core.py [--tasks 10000] [--runs 5]

Builds a plan of N tasks over 3 years (about 1 in 10 open) in a temporary folder, then reports, as
medians of --runs runs of the real `planner` command:
- `planner list --json` and `planner score --weeks 12`, each against the floor: a Python process that
  only reads and parses every task file with tomllib (target: at most 1.5x the floor); once with the
  derived index in the cache folder (every run after the first) and once without (the first run);
- saving one edit (PlanStore.update_task) at 1,000 and at N tasks (target: within 1.2x, i.e. a save
  does not grow with the plan).
This is a benchmark, not a test: it prints numbers and exits 0; read them against the targets.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from planner.dates import week_of
from planner.model import Board, Task, edit_task
from planner.schema import dumps, task_to_toml
from planner.store import PlanStore

PRACTICES = ("skills", "change", "initiative", "relationships", "proactive", "feedback", "learning")
FLOOR = """
import os, sys, tomllib
folder = os.path.join(sys.argv[1], "tasks")
for name in os.listdir(folder):
    with open(os.path.join(folder, name), "rb") as handle:
        tomllib.loads(handle.read().decode())
"""
NOW = datetime(2026, 11, 26, 9, tzinfo=timezone.utc)


def planner_env(folder: Path, plans: Path | None = None, **settings: str) -> dict[str, str]:
    """The environment of a timed `planner`: every folder it uses inside `folder`, the fixed clock,
    file events on (as users run it), and bytecode kept as an installed package keeps it (where
    writing it is turned off, every start would compile the sources again, which no user's does)."""
    env = {key: value for key, value in os.environ.items() if key not in ("PLANNER_WATCH", "PYTHONDONTWRITEBYTECODE")}
    env.update({f"PLANNER_{name.upper()}_DIR": str(folder / name) for name in ("config", "data", "cache", "state")})
    env["PLANNER_NOW"] = NOW.isoformat()
    if plans is not None:
        env["PLANNER_PLANS"] = str(plans)
    env.update(settings)
    return env


OUTCOMES = ("Saved the team an hour a week", "Cut the report from a day to 10 minutes; used by @ana",
            "Learned how window frames work", "Changed the chart after @li's review")


def build_plan(root: Path, count: int, seed: int = 1, outcomes: bool = False) -> list[str]:
    """A plan of `count` tasks spread over 3 years before NOW; about one in ten still open.
    `outcomes`: about a third of the done tasks carry an outcome, half of those a number."""
    random_ = random.Random(seed)
    store = PlanStore(root)
    store.create(Board())
    ids = []
    for index in range(count):
        created = NOW - timedelta(minutes=random_.randrange(3 * 365 * 24 * 60))
        is_open = random_.random() < 0.1
        task = Task(
            id=f"{int(created.timestamp() * 1000):010x}{index:06x}"[:16],
            title=f"Task {index}: {random_.choice(['Read', 'Write', 'Ask', 'Fix', 'Plan'])} something useful",
            created=created,
            updated=created,
            practice=random_.choice(PRACTICES),
            column=random_.choice(["backlog", "this-week", "doing"]) if is_open else "done",
            status="open" if is_open else "done",
            week=week_of(created.date()),
            estimate=random_.choice([15, 30, 45, 60, 90]),
            tags=tuple(random_.sample(["sql", "@ana", "@li", "self-started", "ask-feedback", "course"], 2)),
            notes="A short takeaway." if random_.random() < 0.3 else "",
            done_at=None if is_open else created + timedelta(hours=random_.randrange(1, 72)),
        )
        if outcomes and not is_open and random_.random() < 1 / 3:
            impact = {"minutes_saved_per_week": random_.randrange(10, 200)} if random_.random() < 0.5 else {}
            task = replace(task, outcome=random_.choice(OUTCOMES), impact=impact)
        path = root / "tasks" / f"{task.id}.toml"
        path.write_bytes(dumps(task_to_toml(task)))
        os.utime(path, (created.timestamp(), created.timestamp()))  # history is old, as in real use
        ids.append(task.id)
    return ids


def median_seconds(command: list[str], runs: int, env: dict[str, str], cold: bool = False) -> float:
    """Median wall time of `command`; `cold` empties the derived index before each run."""
    times = []
    for _ in range(runs):
        if cold:
            shutil.rmtree(env["PLANNER_CACHE_DIR"], ignore_errors=True)
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def median_save_ms(root: Path, task_ids: list[str], runs: int = 200) -> float:
    store = PlanStore(root)
    board = store.read_board()
    times = []
    for run in range(runs):
        task_id = task_ids[run % len(task_ids)]
        started = time.perf_counter()
        store.update_task(task_id, lambda task: edit_task(task, NOW, board, notes=f"edit {run}"))
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    planner = [sys.executable, "-m", "planner"]
    with tempfile.TemporaryDirectory() as folder:
        big, small = Path(folder) / "big", Path(folder) / "small"
        started = time.perf_counter()
        big_ids = build_plan(big, args.tasks)
        small_ids = build_plan(small, 1_000)
        print(f"built plans of {args.tasks} and 1000 tasks in {time.perf_counter() - started:.1f}s")
        env = planner_env(Path(folder), big)
        floor = median_seconds([sys.executable, "-c", FLOOR, str(big)], args.runs, env)
        timings = {}
        for name, command in (("planner list --json", ["list", "--json"]),
                              ("planner score --weeks 12", ["score", "--weeks", "12"])):
            timings[f"{name} (no index)"] = median_seconds(planner + command, args.runs, env, cold=True)
            timings[name] = median_seconds(planner + command, args.runs, env)
        save_small = median_save_ms(small, small_ids)
        save_big = median_save_ms(big, big_ids)
    print(f"{f'floor: read+parse {args.tasks} task files':<36} {floor * 1000:7.0f} ms")
    for name, seconds in timings.items():
        ratio = seconds / floor
        verdict = "ok" if ratio <= 1.5 else "OVER TARGET"
        print(f"{name:<36} {seconds * 1000:7.0f} ms  {ratio:4.2f}x floor (target <= 1.5x) {verdict}")
    ratio = save_big / save_small
    verdict = "ok" if ratio <= 1.2 else "OVER TARGET"
    print(f"save one edit: 1000 tasks {save_small:.2f} ms, {args.tasks} tasks {save_big:.2f} ms: "
          f"{ratio:.2f}x (target <= 1.2x) {verdict}")


if __name__ == "__main__":
    main()
