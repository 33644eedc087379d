"""The full-screen planner (Textual). Only this package imports Textual; the core never does."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planner.session import Session


def run_app(session: "Session") -> None:
    """Open the planner on `session`'s plan; returns when the user quits."""
    from planner.app.app import PlannerApp

    PlannerApp(session).run()
