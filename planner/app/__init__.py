"""The full-screen planner (Textual). Only this package imports Textual; the core never does."""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from planner.session import Session


def run_app(session: "Session") -> BaseException | None:
    """Open the planner on `session`'s plan; returns when the user quits: None, or the error that
    stopped it (Textual has restored the terminal and printed the traceback by then)."""
    from planner.app.app import PlannerApp

    app = PlannerApp(session)
    with _terminal_restored():
        app.run()
    if not app.return_code:
        return None
    # Textual keeps the error that ended the app (a failed worker wraps it); say something even if
    # a later version does not keep it.
    from textual.worker import WorkerFailed

    error = getattr(app, "_exception", None)
    if isinstance(error, WorkerFailed):
        error = error.error
    return error or RuntimeError(f"the app ended with status {app.return_code}")


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
