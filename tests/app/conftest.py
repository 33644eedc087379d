"""Apps for Pilot tests: a copy of the demo plan, a pinned clock, no folder watching."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from planner.app.app import PlannerApp
from planner.session import Session
from planner.store import PlanStore

DEMO_PLAN = Path(__file__).resolve().parents[2] / "examples" / "demo-plan"
DEMO_NOW = "2026-11-26T17:30:00+00:00"


@pytest.fixture
def plans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of examples/demo-plan, with the clock pinned to the demo's 'now'."""
    monkeypatch.setenv("PLANNER_NOW", DEMO_NOW)
    folder = tmp_path / "plans"
    shutil.copytree(DEMO_PLAN, folder)
    return folder


@pytest.fixture
def store(plans: Path) -> PlanStore:
    """The plan folder as the disk has it, to check what the app saved."""
    store = PlanStore(plans)
    store.read_board()
    return store


@pytest.fixture
def app(plans: Path) -> PlannerApp:
    return PlannerApp(Session(plans), watch=False)


@pytest.fixture
def empty_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PlannerApp:
    """An app on a new, empty plan folder."""
    monkeypatch.setenv("PLANNER_NOW", DEMO_NOW)
    session = Session(tmp_path / "empty")
    session.ensure_plan()
    return PlannerApp(session, watch=False)
