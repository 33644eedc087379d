"""`planner sync` on a plan of 10,000 tasks, beside plain git doing the same transfer in the same run.

    python benchmarks/bench_sync.py [--tasks 10000] [--changed 100] [--runs 3]

Builds a plan (benchmarks/bench_core.py's generator), pushes it to a bare repository in a temporary
folder, clones it as a second machine, then reports medians of --runs runs of:
- `planner sync` with nothing to do, beside the floor `git fetch && git merge` with nothing to do;
- `planner sync` after --changed tasks were edited on each machine (a different field of the same
  tasks, so git's text merge would conflict and the planner's driver merges each file), beside the
  floor: the same edits, committed, fetched and merged by plain git with the `ours` strategy option
  (git's cheapest way to complete such a merge, which keeps only one side: a floor, not an equal).
Target: at most 1.5x the floor. Also printed: `planner --version`, the start-up every planner command
pays (Python and its imports), which against a remote on the same disk is most of the floor's time.
A benchmark, not a test: it prints numbers and exits 0.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_core import build_plan  # noqa: E402

GIT_ENV = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.org"}


def run(args: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return elapsed


def edit_tasks(plans: Path, ids: list[str], key: str, value: str) -> None:
    """Change one line of each task file, as `planner edit` would (a field and `updated`)."""
    for task_id in ids:
        path = plans / "tasks" / f"{task_id}.toml"
        lines = path.read_text().splitlines()
        lines = [line for line in lines if not line.startswith((f"{key} =", "updated ="))]
        lines += [f'{key} = "{value}"' if key != "estimate" else f"{key} = {value}",
                  f"updated = 2026-11-30 10:{len(value) % 60:02d}:00+00:00"]
        path.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    planner = [str(Path(sys.executable).parent / "planner")]
    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        env = {**os.environ, **GIT_ENV, "PLANNER_CONFIG_DIR": str(work / "config"),
               "PLANNER_CACHE_DIR": str(work / "cache"), "PLANNER_STATE_DIR": str(work / "state")}
        env.pop("PLANNER_NOW", None)
        remote = work / "remote.git"
        subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
        a, b = work / "a", work / "b"
        ids = build_plan(a, options.tasks)
        run([*planner, "--plans", str(a), "sync", "--init", str(remote)], work, env)
        run([*planner, "--plans", str(b), "sync", "--init", str(remote)], work, env)
        # Plain git's floor works on its own remote and pair of clones, with the same history.
        floor_remote, fa, fb = work / "floor.git", work / "floor-a", work / "floor-b"
        run(["git", "clone", "--quiet", "--bare", str(remote), str(floor_remote)], work, env)
        for clone in (fa, fb):
            run(["git", "clone", "--quiet", str(floor_remote), str(clone)], work, env)

        idle, idle_floor, changed, changed_floor, startup = [], [], [], [], []
        for round_ in range(options.runs):
            startup.append(run([*planner, "--version"], work, env))
            idle.append(run([*planner, "--plans", str(b), "sync"], work, env))
            idle_floor.append(run(["sh", "-c", "git fetch --quiet && git merge --quiet FETCH_HEAD"], fb, env))
            chosen = ids[round_ * options.changed:(round_ + 1) * options.changed]
            # Each machine edits a different field of the same tasks; A syncs first, B merges.
            edit_tasks(a, chosen, "title", f"Edited on A, round {round_}")
            edit_tasks(b, chosen, "estimate", str(30 + round_))
            run([*planner, "--plans", str(a), "sync"], work, env)
            changed.append(run([*planner, "--plans", str(b), "sync"], work, env))
            run([*planner, "--plans", str(a), "sync"], work, env)
            # The floor: the same edits in the floor clones, committed, then fetch + merge by plain git.
            edit_tasks(fa, chosen, "title", f"Edited on A, round {round_}")
            edit_tasks(fb, chosen, "estimate", str(30 + round_))
            for clone in (fa, fb):
                run(["git", "add", "-A"], clone, env)
                run(["git", "commit", "--quiet", "-m", "edits"], clone, env)
            run(["git", "push", "--quiet", "origin", "HEAD"], fa, env)
            changed_floor.append(run(["sh", "-c", "git fetch --quiet && git merge --quiet -X ours --no-edit "
                                            "FETCH_HEAD && git push --quiet origin HEAD"], fb, env))
            run(["git", "pull", "--quiet", "--no-rebase", "--no-edit"], fa, env)  # level for the next round
        print(f"plan: {options.tasks} tasks; {options.changed} tasks edited on each side per round; "
              f"{options.runs} runs, medians")
        for label, values, floor in (("sync, nothing to do", idle, idle_floor),
                                     (f"sync, {options.changed} tasks changed on each side", changed, changed_floor)):
            median, floor_median = statistics.median(values), statistics.median(floor)
            print(f"{label:<45} {median * 1000:8.0f} ms   floor (git fetch + merge) {floor_median * 1000:8.0f} ms"
                  f"   {median / floor_median:4.2f}x (target <= 1.5x)")
        print(f"{'planner --version (the cost of any planner command)':<45} {statistics.median(startup) * 1000:8.0f} ms")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
