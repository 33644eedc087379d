"""The real `planner` command in a real terminal (tmux): start, type, read the screen, quit, check files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

DEMO_PLAN = Path(__file__).resolve().parent.parent / "examples" / "demo-plan"

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None and not os.environ.get("CI"),
    reason="tmux is not installed (CI installs it, so there this test always runs)",
)


class Terminal:
    """One tmux server of our own (its own socket), running one command at a fixed size."""

    def __init__(self, command: list[str], env: dict[str, str], size: tuple[int, int] = (100, 30)) -> None:
        self.socket = f"planner-test-{uuid.uuid4().hex[:8]}"
        exports = [f"{key}={value}" for key, value in env.items()]
        self.tmux("new-session", "-d", "-s", "main", "-x", str(size[0]), "-y", str(size[1]),
                  "env", *exports, *command)

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args], check=True,
                              capture_output=True, text=True).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "main")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "main", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "main", "-l", text)

    def wait_for(self, text: str, seconds: float = 20) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not on screen after {seconds}s; screen was:\n{self.screen()}")

    def wait_until_gone(self, text: str, seconds: float = 20) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            screen = self.screen()
            if text not in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} still on screen after {seconds}s; screen was:\n{self.screen()}")

    def running(self) -> bool:
        result = subprocess.run(["tmux", "-L", self.socket, "list-panes", "-t", "main", "-F", "#{pane_dead}"],
                                capture_output=True, text=True)
        return result.returncode == 0 and result.stdout.strip() == "0"

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def test_add_a_task_in_a_real_terminal_and_quit(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    shutil.copytree(DEMO_PLAN, plans)
    env = {
        "PLANNER_PLANS": str(plans), "PLANNER_CONFIG_DIR": str(tmp_path / "config"),
        "PLANNER_DATA_DIR": str(tmp_path / "data"), "PLANNER_CACHE_DIR": str(tmp_path / "cache"),
        "PLANNER_NOW": "2026-11-26T17:30:00+00:00", "TERM": "xterm-256color", "COLORTERM": "truecolor",
        "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
    }
    terminal = Terminal([sys.executable, "-m", "planner"], env)
    try:
        terminal.wait_for("Backlog")
        terminal.wait_for("This week")
        terminal.keys("n")
        terminal.wait_for("New task")
        terminal.type("Draft the [bold]portfolio[/] README")
        terminal.keys("C-s")
        terminal.wait_until_gone("New task")
        # The new card, at the end of the column that had the cursor, its title shown literally
        # (wrapped in the narrow column, so look for a piece of it).
        screen = terminal.wait_for("[bold]portfolio[/")
        assert "Backlog 34" in screen
        terminal.keys("q")
        deadline = time.monotonic() + 10
        while terminal.running() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not terminal.running(), "q did not quit the planner"
    finally:
        terminal.close()
    titles = [path.read_text() for path in (plans / "tasks").glob("*.toml")]
    assert sum('title = "Draft the [bold]portfolio[/] README"' in text for text in titles) == 1


# --- starting again and again, on the real clock ----------------------------------------------------

def _real_clock_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Every folder private, and no PLANNER_NOW: the clock is the machine's, as a person has it."""
    return {
        "PLANNER_CONFIG_DIR": str(tmp_path / "config"), "PLANNER_DATA_DIR": str(tmp_path / "data"),
        "PLANNER_CACHE_DIR": str(tmp_path / "cache"), "PLANNER_STATE_DIR": str(tmp_path / "state"),
        "TERM": "xterm-256color", "COLORTERM": "truecolor",
        "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "PYTHONUTF8": "1", **extra,
    }


def _start_and_quit(env: dict[str, str], label: str) -> None:
    """One start of the real planner: a board on screen, still no traceback once the whole plan
    and its index have been read (work that runs after the first frame), then `q` exits with 0."""
    # The shell stays after the planner exits, to show its exit status and the terminal's mode.
    shell = f"{sys.executable} -m planner; echo \"exit status $?\"; stty -a | tr ' ' '\\n' | grep -x -- '-*icanon'; sleep 60"
    terminal = Terminal(["sh", "-c", shell], env, size=(120, 40))
    try:
        screen = terminal.wait_for("Backlog")
        time.sleep(2.5)  # the rest of the plan loads in a thread after the first frame
        screen = terminal.screen()
        assert "Traceback" not in screen and "Error" not in screen, f"{label}:\n{screen}"
        assert "Backlog" in screen, f"{label}: no board:\n{screen}"
        terminal.keys("q")
        screen = terminal.wait_for("exit status", 10)
        assert "exit status 0" in screen, f"{label}:\n{screen}"
        assert "-icanon" not in screen, f"{label}: the terminal was left in raw mode:\n{screen}"
    finally:
        terminal.close()


@pytest.mark.parametrize("plan", ["demo", "history"])
def test_three_starts_in_a_row_on_the_real_clock(tmp_path: Path, plan: str) -> None:
    """The README's first command, started three times (the index warm from the second start), on the
    real clock: the demo plan it makes when there is no plan folder, and a plan with months of history
    in another time zone than the machine's. Pinned clocks and single starts hid a crash here."""
    if plan == "demo":
        env = _real_clock_env(tmp_path, PLANNER_PLANS=str(tmp_path / "no-plan-yet"), TZ="UTC")
    else:
        plans = tmp_path / "plans"
        shutil.copytree(DEMO_PLAN, plans)
        board = plans / "board.toml"
        board.write_text(board.read_text().replace('timezone = "Europe/London"', 'timezone = "Asia/Kolkata"'))
        env = _real_clock_env(tmp_path, PLANNER_PLANS=str(plans), TZ="America/Los_Angeles")
    cache = tmp_path / "cache"
    for start in (1, 2, 3):
        _start_and_quit(env, f"start {start} of the {plan} plan")
        if start == 2:  # files younger than a few seconds are not indexed: a fresh demo waits a start
            assert list(cache.glob("index-*-recent.json")), "no warm index for the third start"
    assert not (tmp_path / "no-plan-yet").exists(), "opening the demo made the user's plan folder"


CRASHING_APP = """
import sys
from planner.app.app import PlannerApp

def crash(self, *args):
    raise RuntimeError("a bug in the planner")

PlannerApp._plan_loaded = crash
from planner.cli import main
sys.exit(main())
"""


def test_a_crash_exits_non_zero_and_leaves_the_terminal_usable(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    shutil.copytree(DEMO_PLAN, plans)
    script = tmp_path / "crashing.py"
    script.write_text(CRASHING_APP)
    env = _real_clock_env(tmp_path, PLANNER_PLANS=str(plans))  # the folder watcher on, as people run it
    shell = f"{sys.executable} {script}; echo \"exit status $?\"; stty -a | tr ' ' '\\n' | grep -x -- '-*icanon'; sleep 60"
    terminal = Terminal(["sh", "-c", shell], env, size=(120, 40))
    try:
        screen = terminal.wait_for("exit status", 30)
        assert "exit status 3" in screen, screen
        assert "RuntimeError" in screen and "a bug in the planner" in screen, screen
        assert "every change made before it is saved" in screen, screen
        [report] = (tmp_path / "state" / "crashes").glob("crash-*.log")
        assert report.name in screen.replace("\n", ""), screen  # the path is printed (wrapped, maybe)
        assert "RuntimeError: a bug in the planner" in report.read_text()
        assert "-icanon" not in screen and "icanon" in screen, f"the terminal was left in raw mode:\n{screen}"
    finally:
        terminal.close()
