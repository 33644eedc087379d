"""Start-up and key latency of the full-screen planner, beside a bare Textual app in the same run.

    python benchmarks/bench_tui.py [--runs 15] [--keys 60]

The plan: 10,000 tasks over 3 years, 1,000 of them open (benchmarks/bench_core.py builds it).
The baseline: a bare Textual app showing one OptionList of 1,000 items.
- start-up: process start to the first frame of the board handed to the terminal (headless driver),
  against the bare app's first frame, the two taking turns; target at most 1.5x. The derived task
  index is warm, as it is from the second start on; the cold start (no index: the first start on a
  machine, which parses every task file) is reported too.
- cursor: key press to repaint when moving the cursor on the board of 1,000 open cards, against the bare
  OptionList's cursor move; target median at most 1.5x.
- move: moving a card to the next column, including the save; target median under 33 ms (2 frames).
This is a benchmark, not a test: it prints numbers and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_core import NOW, build_plan  # noqa: E402

# Both apps print the time of their first frame: the first screen update handed to the terminal
# (`App._display`; headless, nothing is written). Work an app puts off until after that frame (the
# planner's history, the rest of a long column's measuring) does not delay what the user sees.
BARE_APP = """
import sys, time
from textual.app import App
from textual.widgets import OptionList

class Bare(App):
    def compose(self):
        yield OptionList(*[f"Item {n}: something to do" for n in range(1000)])
    def _display(self, screen, renderable):
        super()._display(screen, renderable)
        if renderable is not None and not self._batch_count and not hasattr(self, "shown"):
            self.shown = time.time()
            print(self.shown)
            self.exit()

Bare().run(headless=True)
"""

PLANNER_APP = """
import sys, time
from planner.app.app import PlannerApp
from planner.session import Session

class Timed(PlannerApp):
    def _display(self, screen, renderable):
        super()._display(screen, renderable)
        if (renderable is not None and not self._batch_count and type(screen).__name__ == "BoardScreen"
                and not hasattr(self, "shown")):
            self.shown = time.time()
            print(self.shown)
            self.exit()

Timed(Session(), watch=False).run(headless=True)
"""


def start_seconds(code: str, env: dict[str, str]) -> float:
    started = time.time()
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return float(result.stdout.strip().splitlines()[-1]) - started


def median_start(code: str, env: dict[str, str], runs: int, cold: bool = False) -> float:
    start_seconds(code, env)  # a first run warms the disk cache and writes bytecode, as any install has
    times = []
    for _ in range(runs):
        if cold:
            shutil.rmtree(env["PLANNER_CACHE_DIR"], ignore_errors=True)
        times.append(start_seconds(code, env))
    return statistics.median(times)


async def key_latencies(app, setup, key: str, count: int, before_each=None, changed=None) -> list[float]:
    """Milliseconds from a key press until the first frame showing its effect has been composed.

    `App._display` is where a composed frame goes to the terminal (a no-op write when headless):
    timing up to it measures the app's work, not a test harness's idle wait. `changed(app, state)`
    says whether the key has taken effect (`state` is what `changed(app, None)` returned before the
    press). It is asked as each frame is displayed: a frame composed after the change shows it, and
    the test never has to catch the moment between the change and its frame."""
    display = app._display
    waiting: dict = {}

    def timed_display(screen, renderable):
        display(screen, renderable)
        if "state" in waiting and "frame" not in waiting and changed(app, waiting["state"]):
            waiting["frame"] = time.perf_counter()

    app._display = timed_display
    times = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await setup(app, pilot)
        for _ in range(count):
            if before_each is not None:
                before_each(app)
            await pilot.pause()
            waiting.clear()
            waiting["state"] = changed(app, None)
            started = time.perf_counter()
            app.simulate_key(key)
            while "frame" not in waiting and time.perf_counter() - started < 2:
                await asyncio.sleep(0.0002)
            if "frame" in waiting:
                times.append((waiting["frame"] - started) * 1000)
            waiting.clear()
    return times


def measure_keys(count: int) -> tuple[list[float], list[float], list[float]]:
    from textual.app import App
    from textual.widgets import OptionList

    from planner.app.app import PlannerApp
    from planner.session import Session

    class Bare(App):
        def compose(self):
            yield OptionList(*[f"Item {n}: something to do" for n in range(1000)])

    async def focus_list(app, pilot):
        app.query_one(OptionList).focus()
        await pilot.pause()

    async def focus_backlog(app, pilot):
        app.screen.query_one("#cards-backlog").focus()
        await pilot.pause()

    async def focus_this_week(app, pilot):
        app.screen.query_one("#cards-this-week").focus()
        await pilot.pause()

    def cursor_moved(app, before):
        highlighted = app.focused.highlighted
        return highlighted if before is None else highlighted != before

    def card_moved(app, before):
        moved = app.screen.query_one("#cards-doing").task_ids[-1:]
        return moved if before is None else moved != before

    bare = asyncio.run(key_latencies(Bare(), focus_list, "down", count, changed=cursor_moved))
    cursor = asyncio.run(key_latencies(PlannerApp(Session(), watch=False), focus_backlog, "down", count,
                                       changed=cursor_moved))
    def first_of_this_week(app):
        cards = app.screen.query_one("#cards-this-week")
        cards.focus()
        cards.highlighted = 0

    # Each press moves the first card of "This week" on to "Doing" (a column of hundreds of cards).
    moves = asyncio.run(key_latencies(PlannerApp(Session(), watch=False), focus_this_week, "greater_than_sign",
                                      count, before_each=first_of_this_week, changed=card_moved))
    return bare, cursor, moves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keys", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        plans = Path(folder) / "plans"
        build_plan(plans, 10_000)
        env = {**os.environ, "PLANNER_PLANS": str(plans), "PLANNER_CONFIG_DIR": str(Path(folder) / "config"),
               "PLANNER_DATA_DIR": str(Path(folder) / "data"), "PLANNER_CACHE_DIR": str(Path(folder) / "cache"),
               "PLANNER_NOW": NOW.isoformat()}
        # Installed packages have their bytecode compiled; an editable checkout gets it on first
        # import, unless (as in some sandboxes) writing it is turned off: then every start would
        # compile the planner's sources again, which no user's start does.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        open_tasks = sum(1 for path in (plans / "tasks").iterdir() if 'status = "open"' in path.read_text())
        print(f"plan: 10000 tasks, {open_tasks} open")
        # Let the files settle (the index never trusts a file younger than a few seconds), then
        # let the CLI write the index, as any earlier start of the planner would have.
        time.sleep(3.5)
        subprocess.run([sys.executable, "-m", "planner", "list", "--json"], env=env, capture_output=True, check=True)
        # The bare app and the planner take turns, so that a machine that slows down or speeds up
        # during the run weighs on both alike.
        start_seconds(BARE_APP, env)  # a first run warms the disk cache and writes bytecode
        start_seconds(PLANNER_APP, env)
        bare_runs, warm_runs = [], []
        for _ in range(args.runs):
            bare_runs.append(start_seconds(BARE_APP, env))
            warm_runs.append(start_seconds(PLANNER_APP, env))
        bare, warm = statistics.median(bare_runs), statistics.median(warm_runs)
        cold = median_start(PLANNER_APP, env, max(3, args.runs // 3), cold=True)
        os.environ.update({key: value for key, value in env.items() if key.startswith("PLANNER_")})
        bare_keys, cursor_keys, move_keys = measure_keys(args.keys)
    print(f"start-up, bare OptionList app       {bare * 1000:6.0f} ms")
    for name, seconds in (("start-up, planner (index warm)", warm), ("start-up, planner (no index)", cold)):
        ratio = seconds / bare
        print(f"{name:<35} {seconds * 1000:6.0f} ms  {ratio:4.2f}x (target <= 1.5x) {'ok' if ratio <= 1.5 else 'OVER'}")
    bare_median, cursor_median = statistics.median(bare_keys), statistics.median(cursor_keys)
    ratio = cursor_median / bare_median
    print(f"cursor key, bare OptionList         {bare_median:6.1f} ms median")
    print(f"cursor key, board of {open_tasks} cards     {cursor_median:6.1f} ms median  {ratio:4.2f}x "
          f"(target <= 1.5x) {'ok' if ratio <= 1.5 else 'OVER'}")
    move_median = statistics.median(move_keys)
    print(f"move card + save                    {move_median:6.1f} ms median, p95 "
          f"{sorted(move_keys)[int(len(move_keys) * 0.95) - 1]:.1f} ms (target median < 33 ms) "
          f"{'ok' if move_median < 33 else 'OVER'}")


if __name__ == "__main__":
    main()
