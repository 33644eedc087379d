"""Evidence of value at 10,000 tasks: `planner brag` over a year beside `planner list --json` in the
same run (target: at most 1.5x), and opening the Impact screen on a year beside the board's start-up.

    python benchmarks/bench_brag.py [--tasks 10000] [--runs 5]

The plan is benchmarks/bench_core.py's (3 years of tasks) with outcomes on about a third of the done
tasks. Both commands run with the derived index warm, as every run after the first does. The Impact
screen is timed in a headless app (Textual's Pilot): from the key `5` and `y` (a year) until the
outcomes and the weekly value scores are shown, beside the time from starting the app to the board.
A benchmark, not a test: it prints numbers and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_core import build_plan, median_seconds, planner_env  # noqa: E402


async def screen_times(plans: Path) -> tuple[float, float]:
    """Seconds from starting the app to the board, and from `5` `y` to the whole Impact screen."""
    from planner.app.app import PlannerApp
    from planner.app.screens.impact import ImpactScreen, OutcomeList
    from planner.session import Session

    started = time.perf_counter()
    app = PlannerApp(Session(plans))  # the folder watcher on, as users run it
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        board = time.perf_counter() - started
        started = time.perf_counter()
        await pilot.press("5", "y")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ImpactScreen) and screen.query_one(OutcomeList).option_count > 0
        impact = time.perf_counter() - started
    return board, impact


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    planner = [sys.executable, "-m", "planner"]
    with tempfile.TemporaryDirectory() as folder:
        plans = Path(folder) / "plans"
        build_plan(plans, args.tasks, outcomes=True)
        env = planner_env(Path(folder), plans)
        os.environ.update({key: env[key] for key in ("PLANNER_CONFIG_DIR", "PLANNER_CACHE_DIR", "PLANNER_NOW")})
        median_seconds(planner + ["list", "--json"], 1, env)  # the derived index, as after a first run
        year = ["--from", "2025-11-27", "--to", "2026-11-26"]
        listing = median_seconds(planner + ["list", "--json"], args.runs, env)
        brag = {kind: median_seconds(planner + ["brag", *year, "--format", kind], args.runs, env)
                for kind in ("json", "markdown", "html")}
        screens = [asyncio.run(screen_times(plans)) for _ in range(args.runs)]
    print(f"plan: {args.tasks} tasks over 3 years, outcomes on about a third of the done ones; "
          f"{args.runs} runs, medians")
    print(f"{'planner list --json':<40} {listing * 1000:7.0f} ms")
    for kind, seconds in brag.items():
        ratio = seconds / listing
        print(f"{f'planner brag (a year, {kind})':<40} {seconds * 1000:7.0f} ms  {ratio:4.2f}x list --json "
              f"(target <= 1.5x) {'ok' if ratio <= 1.5 else 'OVER TARGET'}")
    board = statistics.median(board for board, _ in screens)
    impact = statistics.median(impact for _, impact in screens)
    print(f"{'app start to the board (headless)':<40} {board * 1000:7.0f} ms")
    print(f"{'Impact screen, a year (5 y)':<40} {impact * 1000:7.0f} ms  {impact / board:4.2f}x the board's start-up")


if __name__ == "__main__":
    main()
