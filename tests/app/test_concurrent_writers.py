"""Several writers at once on the same tasks: three processes running the real `planner edit` two at a time and the
app under Pilot, each applying random operations. Afterwards every file must equal a model that
applied the same operations: tag additions and removals commute, so none may be lost whatever the
order the writers took the lock in; each field is set by one writer only, so its last value wins.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
from pathlib import Path

from cli_runner import planner_command
from planner.app.app import PlannerApp
from planner.model import TaskChanges
from planner.session import Session
from planner.store import PlanStore

WORKERS = 3
BATCHES = 8  # each CLI writer runs its edits two at a time, as `planner edit ... & planner edit ... &` does
BATCH = 2

WORKER = """
import json, subprocess, sys
command, plans, batches = json.loads(sys.argv[1])
for batch in batches:
    running = [(arguments, subprocess.Popen([*command, "--plans", plans, *arguments], stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, text=True)) for arguments in batch]
    for arguments, process in running:
        _, errors = process.communicate()
        if process.returncode != 0:
            sys.exit(f"planner {' '.join(arguments)}: {errors}")
"""


def plan_operations(rng: random.Random, writer: str, task_ids: list[str], own_task: str | None,
                    tags: dict[str, set[str]], fields: dict[str, dict[str, object]],
                    batch_size: int = BATCH) -> list[list[list[str]]]:
    """Random edits by one writer, in batches run at once, applied to the model as they are planned.
    A batch removes only tags added by an earlier batch, and sets its writer's own fields once."""
    batches: list[list[list[str]]] = []
    added: list[tuple[str, str]] = []
    for number in range(BATCHES):
        batch: list[list[str]] = []
        new: list[tuple[str, str]] = []
        kinds = rng.sample(["add", "add", "remove", "both", "field"] if own_task else ["add", "add", "remove"],
                           batch_size)
        for index, kind in enumerate(kinds):
            task_id = rng.choice(task_ids)
            tag = f"{writer}-{number}-{index}"
            if kind in ("remove", "both") and added:
                old_task, old_tag = added.pop(rng.randrange(len(added)))
                if kind == "both":
                    batch.append(["edit", old_task, "--add-tag", tag, "--remove-tag", old_tag])
                    tags[old_task].add(tag)
                    new.append((old_task, tag))
                else:
                    batch.append(["edit", old_task, "--remove-tag", old_tag])
                tags[old_task].discard(old_tag)
            elif kind == "field" and own_task:
                estimate, title = rng.randint(1, 500), f"Owned by {writer}, version {number}"
                batch.append(["edit", own_task, "--estimate", str(estimate), "--title", title])
                fields[own_task] = {"estimate": estimate, "title": title}
            else:
                batch.append(["edit", task_id, "--add-tag", tag])
                tags[task_id].add(tag)
                new.append((task_id, tag))
        batches.append(batch)
        added += new
    return batches


async def test_three_cli_processes_and_the_app_lose_no_edit(plans: Path, store: PlanStore) -> None:
    session = Session(plans)
    shared = [session.add_task(f"Shared task {number}").id for number in range(2)]
    owned = [session.add_task(f"Owned task {number}").id for number in range(WORKERS)]
    tags: dict[str, set[str]] = {task_id: set() for task_id in shared + owned}
    fields: dict[str, dict[str, object]] = {}
    rng = random.Random(9)
    workers = []
    for number in range(WORKERS):
        operations = plan_operations(rng, f"cli{number}", shared + owned, owned[number], tags, fields)
        workers.append(subprocess.Popen(
            [sys.executable, "-c", WORKER, json.dumps([planner_command(), str(plans), operations])],
            env={**os.environ, "PYTHONUTF8": "1"}, stderr=subprocess.PIPE, text=True))
    # The app, meanwhile, with its own operations on the shared tasks (its own tags only).
    app_operations = [operation for batch in plan_operations(rng, "app", shared, None, tags, fields, 1)
                      for operation in batch]
    app = PlannerApp(Session(plans), watch=True)
    async with app.run_test(size=(120, 40)) as pilot:
        for arguments in app_operations:
            task_id = arguments[1]
            if arguments[2] == "--add-tag":
                changes = TaskChanges(add_tags=(arguments[3],))
            else:
                changes = TaskChanges(remove_tags=(arguments[3],))
            assert app.change_task(task_id, changes.apply, "edit") is not None
            await asyncio.sleep(rng.uniform(0.05, 0.3))
            await pilot.pause()
    for worker in workers:
        _, errors = worker.communicate(timeout=120)
        assert worker.returncode == 0, errors
    saved = PlanStore(plans).read_tasks()[0]
    lost = {task_id: tags[task_id] - set(saved[task_id].tags) for task_id in tags}
    extra = {task_id: set(saved[task_id].tags) - tags[task_id] for task_id in tags}
    assert all(not found for found in lost.values()), f"tags lost: {lost}"
    assert all(not found for found in extra.values()), f"tags that were removed came back: {extra}"
    for task_id, values in fields.items():
        assert (saved[task_id].estimate, saved[task_id].title) == (values["estimate"], values["title"])
