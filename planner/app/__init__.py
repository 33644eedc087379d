"""The full-screen planner (Textual). Only this package imports Textual; the core never does."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from planner.session import Session
    from planner.terminal import Terminal


def run_app(session: "Session", terminal: "Terminal | None" = None) -> BaseException | None:
    """Open the planner on `session`'s plan; returns when the user quits: None, or the error that
    stopped it (Textual has restored the terminal and printed the traceback by then).

    `terminal`: what the terminal can show (planner.terminal.decide; decided from the environment
    when not given). Textual reads its settings from the environment once, when it is imported, so
    they are set before it is."""
    from planner.terminal import decide, textual_environment

    terminal = terminal or decide(os.environ)
    os.environ.update(textual_environment(terminal))
    # Start-up (Textual's import, the first screen, the plan read after it) makes hundreds of
    # thousands of objects and next to no garbage: the cyclic collector would walk them again and
    # again (40 ms of a start at 10,000 tasks). It is off until the plan is loaded
    # (PlannerApp._plan_loaded turns it back on), and on again here whatever ended the app.
    gc.disable()
    try:
        from planner.app.app import PlannerApp

        app = PlannerApp(session, terminal=terminal)
        _end_on_hang_up()
        with _terminal_restored():
            app.run(mouse=terminal.mouse)
    finally:
        gc.enable()
    if not app.return_code:
        return None
    # Textual keeps the error that ended the app (a failed worker wraps it); say something even if
    # a later version does not keep it.
    from textual.worker import WorkerFailed

    error = getattr(app, "_exception", None)
    if isinstance(error, WorkerFailed):
        error = error.error
    return error or RuntimeError(f"the app ended with status {app.return_code}")


def _end_on_hang_up() -> None:
    """End the planner when its terminal goes away, as a hang-up (SIGHUP) does. A pseudo-terminal that
    is not the process's controlling terminal (some wrappers, multiplexers and test harnesses start it
    so) sends no SIGHUP when its other end closes; Textual's input thread then reads nothing, forever,
    at full speed. Every edit is on disk already, so ending is all there is to do."""
    import select
    import signal
    import threading

    try:
        fd = sys.stdin.fileno()
        poller = select.poll()
        poller.register(fd, select.POLLHUP | select.POLLERR)  # not POLLIN: input is Textual's
    except (AttributeError, OSError, ValueError):
        return

    def watch() -> None:
        while True:
            events = poller.poll()
            if any(mask & (select.POLLHUP | select.POLLERR | select.POLLNVAL) for _, mask in events):
                os.kill(os.getpid(), signal.SIGHUP)
                return

    threading.Thread(target=watch, name="hang-up watch", daemon=True).start()


@contextlib.contextmanager
def _terminal_restored() -> Iterator[None]:
    """Put the terminal's modes back as they were, whatever way the app ended. Textual restores them
    itself; when an error ends the app while another thread (the folder watcher's) is still winding
    down, the terminal was seen left in raw mode (about one crash in three), so the shell after it
    echoed nothing."""
    try:
        import termios

        descriptor = sys.stdin.fileno()
        saved = termios.tcgetattr(descriptor)
    except (ImportError, OSError, ValueError, AttributeError):
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(termios.error, OSError):
            termios.tcsetattr(descriptor, termios.TCSADRAIN, saved)
