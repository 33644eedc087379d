"""Start-up, key latency and live reload of the full-screen planner, each beside its floor in the same run.

    python benchmarks/bench_tui.py [--runs 15] [--keys 60] [--idle-seconds 10] [--edits 10]

The plan: 10,000 tasks over 3 years, 1,000 of them open (benchmarks/bench_core.py builds it), and one
of 1,000 tasks for the moves. The planner runs as users run it: watching its folder for changes made
elsewhere (planner.watch).
- start-up: process start to the first frame of the board handed to the terminal (headless driver),
  against a bare Textual app showing one OptionList of 1,000 items, the two taking turns; target at
  most 1.5x. The derived task index is warm, as it is from the second start on; the cold start (no
  index: the first start on a machine, which parses every task file) is reported too.
- cursor: key press to repaint when moving the cursor on the board of 1,000 open cards, against the bare
  OptionList's cursor move; target median at most 1.5x.
- move: moving a card from "This week" to "Doing" and back (a 1,000-task plan has too few cards for
  one-way moves), each move including the save; target median under 33 ms (2 frames), and at 10,000
  tasks within 1.2x of the same moves at 1,000; the floor: the moves at 10,000 with the watcher off.
  The three take turns. Keys are timed headless, once the whole plan is read.
- idle: CPU the planner uses while nobody touches it, in a real terminal (a tmux pane), with the watcher
  on; target under 0.5 % of a core; the floor: the same with the watcher off.
- outside edit: a task file saved by another process until its new title is on the tmux pane; target
  under 1 s; the floor: a key's effect reaching the same pane. The fallback that polls the folder is
  measured too (PLANNER_WATCH=poll), for reference.
This is a benchmark, not a test: it prints numbers and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_core import build_plan, planner_env  # noqa: E402

from planner.store import PlanStore  # noqa: E402

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
import gc, sys, time
gc.disable()  # as planner.app.run_app starts the app (the app turns it on once the plan is loaded)
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

Timed(Session()).run(headless=True)
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


async def key_latencies(app, setup, keys: str | tuple[str, ...], count: int, changed) -> list[float]:
    """Milliseconds from a key press until the first frame showing its effect has been composed;
    `keys` are pressed in turn.

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
        await app.workers.wait_for_complete()  # the whole plan read (keys during that read are not typical)
        await pilot.pause()
        await setup(app, pilot)
        keys = (keys,) if isinstance(keys, str) else keys
        for number in range(count):
            await pilot.pause()
            waiting.clear()
            waiting["state"] = changed(app, None)
            started = time.perf_counter()
            app.simulate_key(keys[number % len(keys)])
            while "frame" not in waiting and time.perf_counter() - started < 2:
                await asyncio.sleep(0.0002)
            if "frame" in waiting:
                times.append((waiting["frame"] - started) * 1000)
            waiting.clear()
    return times


def measure_keys(count: int, big: Path, small: Path) -> dict[str, list[float]]:
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

    async def first_of_this_week(app, pilot):
        cards = app.screen.query_one("#cards-this-week")
        cards.focus()
        cards.highlighted = 0
        await pilot.pause()

    def cursor_moved(app, before):
        highlighted = app.focused.highlighted
        return highlighted if before is None else highlighted != before

    def card_moved(app, before):
        # The cursor follows the moved card into its new column.
        column = app.focused.column_id
        return column if before is None else column != before

    figures = {
        "bare": asyncio.run(key_latencies(Bare(), focus_list, "down", count, changed=cursor_moved)),
        "cursor": asyncio.run(key_latencies(PlannerApp(Session(big)), focus_backlog, "down", count,
                                            changed=cursor_moved)),
    }
    # The three take turns, so that a machine that slows down or speeds up during the run weighs on
    # all of them alike (a median of 60 moves still drifts by a tenth from one minute to the next).
    for _ in range(MOVE_ROUNDS):
        for name, plans, watch in (("move", big, True), ("move 1000", small, True), ("move unwatched", big, False)):
            figures.setdefault(name, []).extend(asyncio.run(key_latencies(
                PlannerApp(Session(plans), watch=watch), first_of_this_week, ("greater_than_sign", "less_than_sign"),
                count // MOVE_ROUNDS, changed=card_moved)))
    return figures


MOVE_ROUNDS = 3


class Terminal:
    """The planner in a real terminal: the pane of a tmux server of its own (other tmux sessions on the
    machine are never touched)."""

    def __init__(self, env: dict[str, str], name: str) -> None:
        self.env = env
        self.socket = f"bench-tui-{os.getpid()}-{name}"

    def tmux(self, *arguments: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *arguments], env=self.env, capture_output=True,
                              text=True, check=True).stdout

    def start(self, *command: str) -> int:
        """Run `command` in a 120x40 pane; returns its process id."""
        # exec: the shell tmux starts the command with becomes the command, so the pane's process is it.
        self.tmux("-f", os.devnull, "new-session", "-d", "-s", "main", "-x", "120", "-y", "40",
                  "-e", "TERM=xterm-256color", "-e", "COLORTERM=truecolor", f"exec {shlex.join(command)}")
        return int(self.tmux("display-message", "-p", "-t", "main", "#{pane_pid}"))

    def screen(self, escapes: bool = False) -> str:
        return self.tmux("capture-pane", "-p", *(["-e"] if escapes else []), "-t", "main")

    def seconds_until(self, shown: Callable[["Terminal"], bool], limit: float) -> float:
        started = time.perf_counter()
        while not shown(self):
            if time.perf_counter() - started > limit:
                raise TimeoutError(f"not on the screen after {limit} s:\n{self.screen()}")
        return time.perf_counter() - started

    def stop(self) -> None:
        socket = subprocess.run(["tmux", "-L", self.socket, "display-message", "-p", "#{socket_path}"],
                                env=self.env, capture_output=True, text=True).stdout.strip()
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], env=self.env, capture_output=True)
        if socket:  # a killed server can leave its socket file behind
            Path(socket).unlink(missing_ok=True)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process, all its threads included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def terminal_figures(env: dict[str, str], plans: Path, mode: str, idle_seconds: float,
                     edits: int) -> dict[str, list[float] | float]:
    """In a tmux pane, with PLANNER_WATCH=`mode`: the planner's CPU while idle (% of a core); then
    (unless not watching) milliseconds from another process saving a task file to its new title on
    the pane; and (with file events) from a key to its effect on the pane."""
    terminal = Terminal({**env, "PLANNER_WATCH": mode}, mode)
    pid = terminal.start(sys.executable, "-m", "planner", "--plans", str(plans))
    figures: dict[str, list[float] | float] = {}
    try:
        terminal.seconds_until(lambda pane: "value " in pane.screen(), 60)  # the score: the whole plan is read
        time.sleep(3)  # the index written, the first score computed: what follows is idle
        before, started = cpu_seconds(pid), time.monotonic()
        time.sleep(idle_seconds)
        figures["idle"] = (cpu_seconds(pid) - before) / (time.monotonic() - started) * 100
        if mode == "off":
            return figures
        tasks = PlanStore(plans).read_tasks()[0].values()
        first = min((task for task in tasks if task.column == "backlog" and task.status == "open"),
                    key=lambda task: (task.rank, task.id))
        outside = PlanStore(plans)  # another process's store: its saves are changes made elsewhere
        figures["edit"] = []
        for number in range(edits):
            title = f"Edited {mode[0]}{number}"
            outside.update_task(first.id, lambda task: replace(task, title=title))
            figures["edit"].append(terminal.seconds_until(lambda pane: title in pane.screen(), 10) * 1000)
            time.sleep(0.3)
        if mode == "events":
            figures["key"] = []
            for number in range(edits):
                before_key = terminal.screen(escapes=True)
                started_key = time.perf_counter()
                terminal.tmux("send-keys", "-t", "main", "Down" if number % 2 == 0 else "Up")
                terminal.seconds_until(lambda pane: pane.screen(escapes=True) != before_key, 5)
                figures["key"].append((time.perf_counter() - started_key) * 1000)
                time.sleep(0.3)
    finally:
        terminal.stop()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keys", type=int, default=60)
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    parser.add_argument("--edits", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        plans, small = Path(folder) / "plans", Path(folder) / "small"
        build_plan(plans, 10_000)
        build_plan(small, 1_000)
        env = planner_env(Path(folder), plans)
        open_tasks = sum(1 for path in (plans / "tasks").iterdir() if 'status = "open"' in path.read_text())
        print(f"plan: 10000 tasks, {open_tasks} open")
        # Let the files settle (the index never trusts a file younger than a few seconds), then
        # let the CLI write the index, as any earlier start of the planner would have.
        time.sleep(3.5)
        for folder_of_plan in (plans, small):
            subprocess.run([sys.executable, "-m", "planner", "--plans", str(folder_of_plan), "list", "--json"],
                           env=env, capture_output=True, check=True)
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
        in_terminal = {mode: terminal_figures(env, plans, mode, args.idle_seconds, args.edits)
                       for mode in ("events", "off", "poll")}
        os.environ.update({key: value for key, value in env.items() if key.startswith("PLANNER_")})
        keys = measure_keys(args.keys, plans, small)
    print(f"start-up, bare OptionList app       {bare * 1000:6.0f} ms")
    for name, seconds in (("start-up, planner (index warm)", warm), ("start-up, planner (no index)", cold)):
        ratio = seconds / bare
        print(f"{name:<35} {seconds * 1000:6.0f} ms  {ratio:4.2f}x (target <= 1.5x) {'ok' if ratio <= 1.5 else 'OVER'}")
    bare_median, cursor_median = statistics.median(keys["bare"]), statistics.median(keys["cursor"])
    ratio = cursor_median / bare_median
    print(f"cursor key, bare OptionList         {bare_median:6.1f} ms median")
    print(f"cursor key, board of {open_tasks} cards     {cursor_median:6.1f} ms median  {ratio:4.2f}x "
          f"(target <= 1.5x) {'ok' if ratio <= 1.5 else 'OVER'}")
    move, small_move, floor = (statistics.median(keys[name]) for name in ("move", "move 1000", "move unwatched"))
    print(f"move card + save, 10000 tasks       {move:6.1f} ms median, p95 {p95(keys['move']):.1f} ms "
          f"(target median < 33 ms) {'ok' if move < 33 else 'OVER'}; floor, watcher off {floor:.1f} ms")
    ratio = move / small_move
    print(f"move card + save, 1000 tasks        {small_move:6.1f} ms median; 10000 tasks {ratio:4.2f}x "
          f"(target <= 1.2x) {'ok' if ratio <= 1.2 else 'OVER'}")
    events, off, poll = in_terminal["events"], in_terminal["off"], in_terminal["poll"]
    print(f"idle CPU, watcher on                {events['idle']:6.2f} % of a core (target < 0.5 %) "
          f"{'ok' if events['idle'] < 0.5 else 'OVER'}; floor, watcher off {off['idle']:.2f} %")
    edit = statistics.median(events["edit"])
    print(f"outside edit to screen              {edit:6.0f} ms median, max {max(events['edit']):.0f} ms "
          f"(target < 1000 ms) {'ok' if max(events['edit']) < 1000 else 'OVER'}; "
          f"floor, a key to the screen {statistics.median(events['key']):.0f} ms")
    print(f"fallback, PLANNER_WATCH=poll        idle {poll['idle']:.2f} % of a core, outside edit "
          f"{statistics.median(poll['edit']):.0f} ms median, max {max(poll['edit']):.0f} ms")


def p95(times: list[float]) -> float:
    return sorted(times)[int(len(times) * 0.95) - 1]


if __name__ == "__main__":
    main()
