"""The cyclic garbage collector through the app's start: off while Textual is imported, the first
screen drawn and the plan read (it would only walk their objects again and again), on again once
the plan is loaded, and on again whatever ends the app."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

import planner.app
import planner.app.app
from planner.app.app import PlannerApp
from planner.session import Session


@pytest.fixture
def collector_restored():
    yield
    gc.enable()
    gc.unfreeze()


async def test_the_collector_is_on_again_once_the_plan_is_loaded(plans: Path, collector_restored: None) -> None:
    gc.disable()  # as run_app starts the app
    app = PlannerApp(Session(plans), watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert app.session.is_loaded
        assert gc.isenabled(), "the plan is loaded and the collector is still off"
        assert gc.get_freeze_count() > 0  # what was loaded is left out of its walks


@pytest.mark.parametrize("ending", ["quit", "crash"])
def test_run_app_turns_the_collector_on_again_however_the_app_ends(plans: Path, collector_restored: None,
                                                                 monkeypatch: pytest.MonkeyPatch, ending: str) -> None:
    seen: list[bool] = []

    class Ending:
        return_code = 0

        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def run(self, **kwargs: object) -> None:
            seen.append(gc.isenabled())
            if ending == "crash":
                raise RuntimeError("ended before the plan was loaded")

    monkeypatch.setattr(planner.app.app, "PlannerApp", Ending)
    monkeypatch.setattr(planner.app, "_end_on_hang_up", lambda: None)
    gc.enable()
    if ending == "crash":
        with pytest.raises(RuntimeError):
            planner.app.run_app(Session(plans))
    else:
        assert planner.app.run_app(Session(plans)) is None
    assert seen == [False], "the app did not start with the collector off"
    assert gc.isenabled()
