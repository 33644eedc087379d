"""End-to-end tests of the `planner` command: the real console script, run as a subprocess.

Every run uses a plan folder inside tmp_path and the clock pinned (conftest.PLANNER_NOW) to
Thursday 2026-11-26 10:00 UTC, in ISO week 2026-W48 (Mon 23 Nov - Sun 29 Nov).
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import tomllib
from typing import Any

import pytest

from cli_runner import PlannerRunner

THIS_WEEK = "2026-W48"
NOW = "2026-11-26T10:00:00+00:00"
TASK_KEYS = {"id", "short_id", "title", "status", "practice", "column", "rank", "week", "day", "due", "estimate",
             "spent", "tags", "notes", "created", "updated", "done_at", "outcome", "impact", "repeat", "series",
             "conflicts"}
WEEK_KEYS = {"week", "days", "intentions", "answers", "notes", "reviewed_at", "tasks"}
PRACTICES = {"change", "feedback", "initiative", "learning", "proactive", "relationships", "skills"}


def add(run: PlannerRunner, title: str, *options: str) -> dict[str, Any]:
    """Add a task and return its JSON."""
    task = run.json("add", title, *options, "--json")
    assert set(task) == TASK_KEYS
    assert task["title"] == title
    return task


def show(run: PlannerRunner, task_id: str) -> dict[str, Any]:
    return run.json("show", task_id, "--json")


def assert_one_line_error(result: subprocess.CompletedProcess[str], status: int) -> str:
    """The failure contract: the exit status, one `planner: error:` line on stderr, no traceback."""
    assert result.returncode == status, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("planner: error: "), result.stderr
    return lines[0]


def unique_prefixes(ids: list[str]) -> dict[str, str]:
    """The shortest prefix of each id that no other id starts with."""
    found = {}
    for task_id in ids:
        for length in range(1, len(task_id) + 1):
            prefix = task_id[:length]
            if not any(other != task_id and other.startswith(prefix) for other in ids):
                found[task_id] = prefix
                break
    return found


@pytest.fixture
def planner(run: PlannerRunner) -> PlannerRunner:
    """A runner whose plan folder already exists (so no `created a new plan folder` notice)."""
    run.ok("init")
    return run


# --- the user story ------------------------------------------------------------------------

def test_user_story_add_week_done_score(run: PlannerRunner) -> None:
    # First command on a new machine: `add` makes the plan folder itself.
    added = run.ok("add", "Finish the SQL course module", "--practice", "skills", "--day", "fri",
                   "--estimate", "45m")
    assert re.fullmatch(r"Added [0-9a-z]{7,}  Finish the SQL course module\n", added.stdout)
    assert "created a new plan folder" in added.stderr
    assert (run.plans / "board.toml").is_file()
    [task_file] = (run.plans / "tasks").glob("*.toml")
    saved = tomllib.loads(task_file.read_text(encoding="utf-8"))
    assert saved["title"] == "Finish the SQL course module"
    assert saved["practice"] == "skills"
    assert saved["day"].isoformat() == "2026-11-27"
    assert saved["week"] == THIS_WEEK
    assert saved["estimate"] == 45
    assert saved["column"] == "this-week"

    week = run.ok("week").stdout
    assert week.startswith("Week 2026-W48  (Mon 23 Nov - Sun 29 Nov 2026)\n")
    assert "Thu 26 Nov  <- today\n  -\n" in week
    assert "Fri 27 Nov\n  · SKILL  Finish the SQL course module  (45m)\n" in week

    before = run.ok("score").stdout
    assert before.startswith("Week 2026-W48\n")
    assert re.search(r"^SKILL\s+Sharpen your skills\s+\S+\s+0  no skill practice done this week", before, re.M)
    assert "Weekly value score" in before

    done = run.ok("done", task_file.stem[:12])
    assert done.stdout.startswith("Done: ")
    after = run.ok("score").stdout
    assert re.search(r"^SKILL\s+Sharpen your skills\s+█{5}░{15}\s+25  45 of 180 target minutes of skill "
                     r"practice done$", after, re.M)
    assert "Fri 27 Nov\n  ✓ SKILL  Finish the SQL course module  (45m)\n" in run.ok("week").stdout


def test_score_json_is_the_weighted_mean_of_the_practice_scores(planner: PlannerRunner) -> None:
    task = add(planner, "Finish the SQL course module", "--practice", "skills", "--day", "fri")
    planner.ok("done", task["id"], "--spent", "90m")
    [result] = planner.json("score", "--json")
    assert set(result) == {"week", "start", "end", "has_data", "value", "practices"}
    assert (result["week"], result["start"], result["end"]) == (THIS_WEEK, "2026-11-23", "2026-11-29")
    by_id = {entry["id"]: entry for entry in result["practices"]}
    assert set(by_id) == PRACTICES
    assert all(set(entry) == {"id", "name", "weight", "score", "reason"} for entry in by_id.values())
    assert by_id["skills"]["score"] == 50.0
    assert by_id["skills"]["reason"] == "90 of 180 target minutes of skill practice done"
    scored = [(entry["weight"], entry["score"]) for entry in by_id.values() if entry["score"] is not None]
    expected = round(sum(w * s for w, s in scored) / sum(w for w, _ in scored), 1)
    assert result["value"] == expected > 0


def test_weeks_before_the_plan_began_are_no_data_not_zeros(planner: PlannerRunner) -> None:
    add(planner, "The first task", "--practice", "skills", "--day", "today")
    results = planner.json("score", "--weeks", "8", "--json")
    assert [result["has_data"] for result in results] == [False] * 7 + [True]
    assert all(result["value"] is None and result["practices"] == [] for result in results[:7])
    assert results[-1]["value"] is not None
    text = planner.ok("score", "--weeks", "8").stdout
    assert text.count("no data (before the plan began)") == 7
    assert not re.search(r"W4[1-7]\s+0\b", text)
    early = planner.ok("score", "2026-W30").stdout
    assert early == "Week 2026-W30: no data (the plan's first week is 2026-W48)\n"


def test_score_over_several_weeks(planner: PlannerRunner) -> None:
    results = planner.json("score", "--weeks", "3", "--json")
    assert [result["week"] for result in results] == ["2026-W46", "2026-W47", THIS_WEEK]
    text = planner.ok("score", "--weeks", "3").stdout
    rows = [line.split()[0] for line in text.splitlines() if re.match(r"\d{4}-W\d\d  ", line)]
    assert rows == ["2026-W46", "2026-W47", THIS_WEEK]
    assert text.splitlines()[0].startswith("week      value ")
    [last] = planner.json("score", "last", "--json")
    assert (last["week"], last["start"]) == ("2026-W47", "2026-11-16")
    [named] = planner.json("score", "2026-W50", "--json")
    assert named["end"] == "2026-12-13"


# --- dates a person types --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("option", "text", "expected"),
    [
        # --day sets the day, the week holding it, and this week's column only for this week
        ("--day", "today", {"day": "2026-11-26", "week": "2026-W48", "column": "this-week"}),
        ("--day", "tomorrow", {"day": "2026-11-27", "week": "2026-W48", "column": "this-week"}),
        ("--day", "fri", {"day": "2026-11-27", "week": "2026-W48", "column": "this-week"}),
        ("--day", "thu", {"day": "2026-11-26", "week": "2026-W48", "column": "this-week"}),
        ("--day", "+3d", {"day": "2026-11-29", "week": "2026-W48", "column": "this-week"}),
        ("--day", "next mon", {"day": "2026-11-30", "week": "2026-W49", "column": "backlog"}),
        ("--day", "2026-12-01", {"day": "2026-12-01", "week": "2026-W49", "column": "backlog"}),
        ("--day", "last fri", {"day": "2026-11-20", "week": "2026-W47", "column": "backlog"}),
        # --due is only a deadline: it schedules nothing
        ("--due", "fri", {"due": "2026-11-27", "day": None, "week": None, "column": "backlog"}),
        ("--due", "next mon", {"due": "2026-11-30", "day": None, "week": None, "column": "backlog"}),
        ("--due", "2026-12-01", {"due": "2026-12-01", "day": None, "week": None, "column": "backlog"}),
        # --week schedules into a week without a day
        ("--week", "this", {"week": "2026-W48", "day": None, "column": "this-week"}),
        ("--week", "next", {"week": "2026-W49", "day": None, "column": "backlog"}),
        ("--week", "last", {"week": "2026-W47", "day": None, "column": "backlog"}),
        ("--week", "2026-w5", {"week": "2026-W05", "day": None, "column": "backlog"}),
    ],
)
def test_natural_dates_resolve_against_the_fixed_clock(run: PlannerRunner, option: str, text: str,
                                                       expected: dict[str, Any]) -> None:
    task = add(run, "Dated", option, text)
    assert {key: task[key] for key in expected} == expected
    assert task["created"] == NOW


@pytest.mark.parametrize(
    ("week", "label", "first_day"),
    [(None, "2026-W48", "2026-11-23"), ("this", "2026-W48", "2026-11-23"), ("next", "2026-W49", "2026-11-30"),
     ("last", "2026-W47", "2026-11-16"), ("2026-W48", "2026-W48", "2026-11-23"),
     ("2027-W01", "2027-W01", "2027-01-04")],
)
def test_week_argument_forms(run: PlannerRunner, week: str | None, label: str, first_day: str) -> None:
    view = run.json("week", *([week] if week else []), "--json")
    assert set(view) == WEEK_KEYS
    assert view["week"] == label
    assert len(view["days"]) == 7 and view["days"][0] == first_day


# --- every command -------------------------------------------------------------------------------

def test_init_with_options_then_refuses_a_second_init(run: PlannerRunner) -> None:
    folder = run.root / "team"
    result = run.ok("init", str(folder), "--title", "Team plan", "--week-start", "sunday",
                    "--timezone", "Europe/Berlin")
    assert f"Created a plan folder at {folder}" in result.stdout
    board = tomllib.loads((folder / "board.toml").read_text(encoding="utf-8"))
    assert (board["title"], board["timezone"], board["week_start"]) == ("Team plan", "Europe/Berlin", "sunday")
    assert (folder / "tasks").is_dir() and (folder / "weeks").is_dir()
    assert not run.plans.exists()  # the DIR argument wins over PLANNER_PLANS
    # A Sunday-start week holding Thursday 26 Nov runs Sun 22 - Sat 28, labelled by its Monday.
    view = run.json("--plans", str(folder), "week", "--json")
    assert (view["week"], view["days"][0], view["days"][-1]) == ("2026-W48", "2026-11-22", "2026-11-28")
    before = (folder / "board.toml").read_bytes()
    again = run("init", str(folder))
    assert "already holds a plan" in assert_one_line_error(again, 1)
    assert (folder / "board.toml").read_bytes() == before


def test_the_first_plan_made_with_init_dir_becomes_the_default(run: PlannerRunner) -> None:
    del run.env["PLANNER_PLANS"]  # a new machine: no plan folder anywhere yet
    folder = run.root / "my plan"
    result = run.ok("init", str(folder))
    config = run.root / "config" / "config.toml"
    assert f"Created a plan folder at {folder}" in result.stdout
    assert f'It is your default plan folder now (plans = "{folder}" in {config}).' in result.stdout
    assert tomllib.loads(config.read_text())["plans"] == str(folder)
    next_line = result.stdout.splitlines()[-1]
    assert next_line == 'Next: planner add "A first task" --practice skills --day fri'
    run.ok(*shlex.split(next_line.removeprefix("Next: planner ")))  # the next step, as printed
    assert [task["title"] for task in run.json("list", "--json")] == ["A first task"]
    assert len(list((folder / "tasks").glob("*.toml"))) == 1
    assert not (run.data / "plans").exists()


def test_init_dir_beside_a_default_plan_says_how_to_use_it(run: PlannerRunner) -> None:
    run.ok("init")  # the default plan folder (PLANNER_PLANS) holds a plan
    folder = run.root / "side project"
    result = run.ok("init", str(folder))
    lines = result.stdout.splitlines()
    assert f"Your default plan folder is still {run.plans}. To work on this one, either" in lines
    quoted = shlex.quote(str(folder))
    assert f"  planner --plans {quoted} COMMAND      (one command)" in lines
    assert f"  export PLANNER_PLANS={quoted}         (this shell)" in lines
    next_line = lines[-1]
    assert next_line.startswith(f"Next: planner --plans {quoted} add ")
    run.ok(*shlex.split(next_line.removeprefix("Next: planner ")))  # the next step, as printed
    assert [task["title"] for task in run.json("--plans", str(folder), "list", "--json")] == ["A first task"]
    assert run.json("list", "--json") == []  # the default plan is untouched
    assert not (run.root / "config" / "config.toml").exists()
    # --default on the existing plan makes it the default (config.toml; the environment still wins)
    result = run.ok("init", str(folder), "--default")
    assert f"{folder} already holds a plan" in result.stdout
    assert "PLANNER_PLANS=" in result.stdout and "still wins in this shell" in result.stdout
    del run.env["PLANNER_PLANS"]
    assert [task["title"] for task in run.json("list", "--json")] == ["A first task"]


def test_plans_option_wins_over_the_environment(run: PlannerRunner) -> None:
    other = run.root / "other"
    run.ok("--plans", str(other), "add", "Elsewhere")
    assert len(list((other / "tasks").glob("*.toml"))) == 1
    assert not run.plans.exists()
    assert [task["title"] for task in run.json("--plans", str(other), "list", "--json")] == ["Elsewhere"]


def test_list_filters_and_text_table(planner: PlannerRunner) -> None:
    b = add(planner, "Bravo", "--practice", "learning")
    add(planner, "Bravo two")
    c = add(planner, "Charlie", "--practice", "skills", "--day", "next mon", "--tag", "@maria")
    a = add(planner, "Alpha", "--practice", "skills", "--day", "fri", "--estimate", "1h30m", "--tag", "sql,#deep")
    d = add(planner, "Delta", "--column", "doing")
    planner.ok("done", d["id"])

    def titles(*options: str) -> list[str]:
        return [task["title"] for task in planner.json("list", *options, "--json")]

    # board order: column by column, then rank within a column; a new task goes to the end of its column
    # (Charlie is scheduled for next week, so it lands at the end of the backlog, not of this week)
    assert titles() == ["Bravo", "Bravo two", "Charlie", "Alpha"]
    assert titles("--practice", "skills") == ["Charlie", "Alpha"]
    assert titles("--column", "backlog") == ["Bravo", "Bravo two", "Charlie"]
    assert titles("--column", "This week") == ["Alpha"]
    assert titles("--week", "next") == ["Charlie"]
    assert titles("--week", "2026-W48") == ["Alpha"]
    assert titles("--tag", "#deep") == ["Alpha"]
    assert titles("--tag", "@maria") == ["Charlie"]
    assert titles("--done") == ["Delta"]
    assert titles("--all") == ["Bravo", "Bravo two", "Charlie", "Alpha", "Delta"]
    assert titles("--deleted") == []
    assert all(set(task) == TASK_KEYS for task in planner.json("list", "--all", "--json"))

    table = planner.ok("list", "--all").stdout.splitlines()
    assert len(table) == 5
    rows = {line.split("  ")[0]: line for line in table}
    short = {task["id"]: next(key for key in rows if task["id"].startswith(key)) for task in (a, b, c, d)}
    assert re.search(r"This week\s+SKILL\s+Alpha  \(on Fri 27 Nov  1h30m  #sql  #deep\)$", rows[short[a["id"]]])
    assert re.search(r"Backlog\s+LEARN\s+Bravo$", rows[short[b["id"]]])
    assert re.search(r"Backlog\s+SKILL\s+Charlie  \(on Mon 30 Nov  @maria\)$", rows[short[c["id"]]])
    assert re.search(r"Done\s+-\s+✓ Delta$", rows[short[d["id"]]])
    assert planner.ok("list", "--practice", "change").stdout == (
        f"No tasks match in {planner.plans} (5 tasks in all; --all lists done ones too).\n")


def test_a_column_lists_what_is_in_it_done_tasks_too(planner: PlannerRunner) -> None:
    done = add(planner, "Finished", "--column", "doing")
    planner.ok("done", done["id"])
    add(planner, "Still going", "--column", "doing")
    assert [task["title"] for task in planner.json("list", "--column", "done", "--json")] == ["Finished"]
    assert "Finished" in planner.ok("list", "--column", "done").stdout
    assert [task["title"] for task in planner.json("list", "--column", "doing", "--json")] == ["Still going"]
    assert [task["title"] for task in planner.json("list", "--json")] == ["Still going"]  # open ones


def test_an_empty_listing_names_the_plan_folder(run: PlannerRunner) -> None:
    assert run.ok("list").stdout == (f"No plan folder at {run.plans} yet: `planner init` makes one "
                                     "(`planner add` does too).\n")
    run.ok("init")
    assert run.ok("list").stdout == f"No tasks yet in {run.plans}.\n"


def test_id_prefixes_resolve_and_an_ambiguous_prefix_is_refused(planner: PlannerRunner) -> None:
    ids = [add(planner, title)["id"] for title in ("One", "Two", "Three")]
    for task_id, prefix in unique_prefixes(ids).items():
        assert show(planner, prefix)["id"] == task_id
    assert show(planner, ids[1][:12].upper())["id"] == ids[1]
    assert show(planner, ids[2])["id"] == ids[2]
    # The short ids `list` prints are unique prefixes too.
    for line in planner.ok("list").stdout.splitlines():
        short, title = line.split()[0], line.split()[-1]
        assert len(short) == 7
        assert show(planner, short)["title"] == title

    # Ids written by earlier versions lead with the time: tasks made together share a long start.
    for suffix in ("a0", "b1"):
        task_id = f"01m8py1x2k00{suffix}zz"
        (planner.plans / "tasks" / f"{task_id}.toml").write_text(
            f'id = "{task_id}"\ntitle = "Old {suffix}"\ncreated = 2026-11-20T09:00:00Z\n')
    message = assert_one_line_error(planner("show", "01m8py1"), 1)
    assert "'01m8py1' matches 2 tasks" in message
    assert "type more of the id" in message
    assert show(planner, "01m8py1x2k00a")["title"] == "Old a0"
    listed = {line.split()[-1]: line.split()[0] for line in planner.ok("list").stdout.splitlines()}
    assert listed["a0"] == "01m8py1x2k00a" and listed["b1"] == "01m8py1x2k00b"
    message = assert_one_line_error(planner("done", "zzzz"), 1)
    assert "no task with an id starting 'zzzz'" in message
    assert [task["status"] for task in planner.json("list", "--all", "--json")] == ["open"] * 5


def test_printed_short_ids_keep_working_as_the_plan_grows(planner: PlannerRunner) -> None:
    """A script adds seven tasks in the same second (the clock is pinned), then moves each by the id
    `add` printed: seven different 7-character ids, each still unique once all seven exist."""
    printed = []
    for number in range(7):
        line = planner.ok("add", f"Task {number}").stdout.strip()
        assert line.startswith("Added ") and line.endswith(f"Task {number}")
        printed.append(line.split()[1])
    assert len(set(printed)) == 7 and all(len(short) == 7 for short in printed)
    for number, short in enumerate(printed):
        assert planner.ok("move", short, "doing").stdout.startswith(f"Moved to Doing: {short}  Task {number}")
    listed = planner.json("list", "--json")
    assert sorted(task["short_id"] for task in listed) == sorted(printed)
    assert all(task["id"].startswith(task["short_id"]) for task in listed)
    assert all(show(planner, task["short_id"])["id"] == task["id"] for task in listed)
    assert f"id        {printed[0]} (full id " in planner.ok("show", printed[0]).stdout


def test_show_text(planner: PlannerRunner) -> None:
    task = add(planner, "Read the paper", "--practice", "learning", "--due", "next mon", "--estimate", "45m",
               "--tag", "reading", "--notes", "Section 3 first")
    lines = planner.ok("show", task["id"][:12]).stdout.splitlines()
    assert lines[0] == "Read the paper"
    assert f"id        {task['short_id']} (full id {task['id']})" in lines
    assert "status    open" in lines
    assert "column    Backlog" in lines
    assert "practice  Continuously learn" in lines
    assert "due       2026-11-30" in lines
    assert "estimate  45m" in lines
    assert "tags      #reading" in lines
    assert lines[-1] == "Section 3 first"


def test_edit_fields(planner: PlannerRunner) -> None:
    task = add(planner, "Draft", "--practice", "skills", "--day", "fri", "--tag", "a")
    short = task["id"][:12]
    result = planner.ok("edit", short, "--title", "Final  version", "--due", "next mon", "--estimate", "1h30m",
                        "--tag", "a,b", "--notes", "Two lines\nof notes")
    assert re.fullmatch(r"Edited [0-9a-z]{7,}  Final version\n", result.stdout)
    edited = show(planner, short)
    assert (edited["title"], edited["due"], edited["estimate"], edited["tags"], edited["notes"]) == \
        ("Final version", "2026-11-30", 90, ["a", "b"], "Two lines\nof notes")
    assert (edited["day"], edited["week"], edited["created"]) == ("2026-11-27", THIS_WEEK, NOW)

    planner.ok("edit", short, "--add-tag", "c", "--remove-tag", "a", "--spent", "20m", "--practice", "none")
    edited = show(planner, short)
    assert (edited["tags"], edited["spent"], edited["practice"]) == (["b", "c"], 20, None)

    planner.ok("edit", short, "--day", "none")
    edited = show(planner, short)
    assert (edited["day"], edited["week"]) == (None, THIS_WEEK)  # unscheduled from the day, not the week
    planner.ok("edit", short, "--week", "next", "--due", "-")
    edited = show(planner, short)
    assert (edited["week"], edited["due"]) == ("2026-W49", None)

    planner.ok("edit", short, "--column", "done")
    edited = show(planner, short)
    assert (edited["column"], edited["status"], edited["done_at"]) == ("done", "done", NOW)


@pytest.mark.parametrize(
    ("option", "text", "column"),
    [("--day", "tomorrow", "this-week"), ("--week", "this", "this-week"), ("--day", "next mon", "backlog")],
)
def test_edit_schedules_a_backlog_task_by_the_same_rule_as_add(planner: PlannerRunner, option: str, text: str,
                                                               column: str) -> None:
    task = add(planner, "Read the paper", "--practice", "skills")
    assert task["column"] == "backlog"
    planner.ok("edit", task["id"][:12], option, text)
    assert show(planner, task["id"][:12])["column"] == column == add(planner, "Same", option, text)["column"]


def test_this_week_is_the_plans_today_for_add_and_edit_alike(run: PlannerRunner) -> None:
    # Sunday 23:30 UTC is already Monday 00:30 of 2026-W49 in Berlin, the plan's time zone.
    run.ok("init", "--timezone", "Europe/Berlin")
    sunday_night = {"PLANNER_NOW": "2026-11-29T23:30:00+00:00"}
    added = json.loads(run.ok("add", "Backlog task", "--json").stdout)
    edited = run("edit", added["id"][:12], "--day", "today", env=sunday_night)
    assert edited.returncode == 0, edited.stderr
    scheduled = run("add", "Added for today", "--day", "today", "--json", env=sunday_night)
    for task in (show(run, added["id"][:12]), json.loads(scheduled.stdout)):
        assert (task["day"], task["week"], task["column"]) == ("2026-11-30", "2026-W49", "this-week")


def test_move_to_the_done_column_marks_done_and_out_of_it_reopens(planner: PlannerRunner) -> None:
    task = add(planner, "Ship it", "--practice", "skills", "--estimate", "30m")
    moved = planner.ok("move", task["id"][:12], "done")
    assert moved.stdout.startswith("Moved to Done: ") and moved.stdout.endswith("  Ship it\n")
    saved = tomllib.loads((planner.plans / "tasks" / f"{task['id']}.toml").read_text(encoding="utf-8"))
    assert (saved["status"], saved["column"]) == ("done", "done")
    assert saved["done_at"].isoformat() == NOW
    assert "30 of 180 target minutes" in planner.ok("score").stdout

    planner.ok("move", task["id"][:12], "This week")  # by title too
    reopened = show(planner, task["id"])
    assert (reopened["status"], reopened["column"], reopened["done_at"]) == ("open", "this-week", None)


def test_rm_leaves_a_tombstone_and_restore_brings_it_back(planner: PlannerRunner) -> None:
    keep = add(planner, "Keep me")
    task = add(planner, "Remove me", "--column", "doing")
    path = planner.plans / "tasks" / f"{task['id']}.toml"
    removed = planner.ok("rm", task["id"][:12])
    assert removed.stdout.startswith("Deleted ") and "kept as a tombstone" in removed.stdout
    assert path.is_file()
    assert tomllib.loads(path.read_text(encoding="utf-8"))["status"] == "deleted"
    assert [t["id"] for t in planner.json("list", "--all", "--json")] == [keep["id"]]
    assert [t["id"] for t in planner.json("list", "--deleted", "--json")] == [task["id"]]
    assert show(planner, task["id"][:12])["status"] == "deleted"  # show still finds a tombstone
    for command in (("done", task["id"]), ("move", task["id"], "done"), ("rm", task["id"])):
        assert "no task with an id starting" in assert_one_line_error(planner(*command), 1)

    restored = planner.ok("restore", task["id"][:12])
    assert restored.stdout.startswith("Restored ")
    assert (show(planner, task["id"])["status"], show(planner, task["id"])["column"]) == ("open", "doing")
    assert "is not deleted" in assert_one_line_error(planner("restore", task["id"]), 1)

    planner.ok("done", task["id"])
    planner.ok("rm", task["id"])
    planner.ok("restore", task["id"])
    assert show(planner, task["id"])["status"] == "done"  # a task deleted from Done comes back done


def test_week_text_and_json(planner: PlannerRunner) -> None:
    fri = add(planner, "Friday task", "--practice", "skills", "--day", "fri", "--estimate", "45m")
    add(planner, "Floating task", "--practice", "learning", "--week", "this")
    add(planner, "Next week task", "--day", "next mon")
    view = planner.json("week", "--json")
    assert view["days"] == [f"2026-11-{day}" for day in range(23, 30)]
    assert [task["title"] for task in view["tasks"]] == ["Friday task", "Floating task"]
    assert view["tasks"][0]["id"] == fri["id"]
    assert (view["intentions"], view["answers"], view["notes"], view["reviewed_at"]) == \
        ({}, {"plan": {}, "review": {}}, "", None)
    text = planner.ok("week").stdout
    assert "Fri 27 Nov\n  · SKILL  Friday task  (45m)\n" in text
    assert text.rstrip().endswith("Any day this week\n  · LEARN  Floating task")
    assert "Next week task" not in text
    assert [task["title"] for task in planner.json("week", "next", "--json")["tasks"]] == ["Next week task"]


def test_prompts_and_answers_round_trip_into_the_week_file(planner: PlannerRunner) -> None:
    rows = planner.json("prompts", "--json")
    assert all(set(row) == {"id", "phase", "practice", "text", "hint", "answer"} for row in rows)
    assert {row["practice"] for row in rows} == PRACTICES
    assert {row["phase"] for row in rows} == {"plan", "review"}
    by_id = {row["id"]: row for row in rows}
    assert by_id["skills.focus"]["phase"] == "plan" and by_id["skills.focus"]["answer"] is None
    assert by_id["skills.progress"]["phase"] == "review"
    assert {row["phase"] for row in planner.json("prompts", "--phase", "review", "--json")} == {"review"}

    # skills.focus states the skills intention: with none written yet, the answer becomes it.
    assert planner.ok("answer", "skills.focus", "  SQL window functions ").stdout == \
        "Saved the answer to skills.focus for 2026-W48 (and the skills intention)\n"
    planner.ok("answer", "skills.drill", "-", input="Rewrite one slow query three ways\n")
    planner.ok("answer", "skills.progress", "Can write a running total", "--week", "2026-W48")
    planner.ok("answer", "skills.focus", "Joins", "--week", "next")

    week = tomllib.loads((planner.plans / "weeks" / "2026-W48.toml").read_text(encoding="utf-8"))
    assert week["week"] == THIS_WEEK
    assert week["plan"] == {"skills.focus": "SQL window functions",
                            "skills.drill": "Rewrite one slow query three ways"}
    assert week["review"] == {"skills.progress": "Can write a running total"}
    assert week["intentions"] == {"skills": "SQL window functions"}
    next_week = tomllib.loads((planner.plans / "weeks" / "2026-W49.toml").read_text(encoding="utf-8"))
    assert next_week["plan"] == {"skills.focus": "Joins"}

    answers = {row["id"]: row["answer"] for row in planner.json("prompts", "--json")}
    assert answers["skills.focus"] == "SQL window functions"
    assert answers["skills.progress"] == "Can write a running total"
    assert answers["skills.calendar"] is None
    text = planner.ok("prompts", "--phase", "plan").stdout
    assert text.startswith("Planning prompts for 2026-W48\n")
    assert "  ✓ skills.focus\n" in text and "    skills.calendar\n" in text
    assert "Review prompts" not in text
    assert planner.json("week", "--json")["answers"]["review"] == {"skills.progress": "Can write a running total"}
    assert "Plan answers" in planner.ok("week").stdout
    # The review question quotes the week's focus back.
    review = {row["id"]: row["text"] for row in planner.json("prompts", "--phase", "review", "--json")}
    assert "SQL window functions" in review["skills.progress"]

    assert planner.ok("answer", "skills.focus", "").stdout.startswith("Cleared the answer to skills.focus")
    week = tomllib.loads((planner.plans / "weeks" / "2026-W48.toml").read_text(encoding="utf-8"))
    assert "skills.focus" not in week["plan"]


def test_an_intention_written_with_intend_is_not_replaced_by_an_answer(planner: PlannerRunner) -> None:
    planner.ok("intend", "skills", "Written by hand")
    assert planner.ok("answer", "skills.focus", "Joins").stdout == "Saved the answer to skills.focus for 2026-W48\n"
    view = planner.json("week", "--json")
    assert view["intentions"] == {"skills": "Written by hand"}
    assert view["answers"]["plan"] == {"skills.focus": "Joins"}


def test_done_with_an_outcome_and_its_numbers(planner: PlannerRunner) -> None:
    task = add(planner, "Automate the weekly report", "--practice", "skills")
    planner.ok("done", task["short_id"], "--outcome", "  Report takes 10 min instead of a day; used by @anna ",
               "--impact", "minutes_saved_per_week=110", "--impact", "team_leads=4")
    shown = show(planner, task["id"])
    assert shown["status"] == "done"
    assert shown["outcome"] == "Report takes 10 min instead of a day; used by @anna"
    assert shown["impact"] == {"minutes_saved_per_week": 110, "team_leads": 4}
    assert "outcome   Report takes 10 min instead of a day; used by @anna" in planner.ok("show", task["id"]).stdout
    # Edited later: a number changed, one removed, the text kept; the file holds them as TOML.
    planner.ok("edit", task["id"], "--impact", "minutes_saved_per_week=90.5", "--impact", "team_leads=")
    shown = show(planner, task["id"])
    assert shown["impact"] == {"minutes_saved_per_week": 90.5} and shown["outcome"].startswith("Report takes")
    data = tomllib.loads((planner.plans / "tasks" / f"{task['id']}.toml").read_text(encoding="utf-8"))
    assert data["outcome"].startswith("Report takes") and data["impact"] == {"minutes_saved_per_week": 90.5}
    planner.ok("edit", task["id"], "--outcome", "")
    assert show(planner, task["id"])["outcome"] == ""


@pytest.mark.parametrize(("value", "message"), [
    ("minutes", "write it as metric=number"),
    ("minutes=lots", "'lots' is not a number"),
    ("Minutes Saved=3", "use lower-case words"),
    ("minutes=inf", "is not a number"),
])
def test_a_bad_impact_is_refused_in_one_line(planner: PlannerRunner, value: str, message: str) -> None:
    task = add(planner, "Something")
    error = assert_one_line_error(planner("done", task["id"], "--impact", value), 1)
    assert message in error
    assert show(planner, task["id"])["status"] == "open"  # nothing was saved


def test_intend_and_review(planner: PlannerRunner) -> None:
    task = add(planner, "Practice", "--practice", "skills", "--day", "today", "--estimate", "1h")
    planner.ok("done", task["id"])
    assert planner.ok("intend", "skills", "Get fluent at SQL windows").stdout == \
        "Saved the skills intention for 2026-W48\n"
    view = planner.json("week", "--json")
    assert view["intentions"] == {"skills": "Get fluent at SQL windows"}
    assert "Intentions\n  SKILL  Get fluent at SQL windows\n" in planner.ok("week").stdout

    reviewed = planner.ok("review").stdout
    assert reviewed.startswith("Reviewed 2026-W48\n")
    assert "60 of 180 target minutes of skill practice done" in reviewed
    assert planner.json("week", "--json")["reviewed_at"] == NOW
    assert planner.ok("week").stdout.splitlines()[0].endswith("reviewed Thu 26 Nov")


def test_templates_and_add_from_a_template(planner: PlannerRunner) -> None:
    rows = planner.json("templates", "--json")
    assert all(set(row) == {"id", "practice", "title", "estimate", "tags"} for row in rows)
    assert {row["practice"] for row in rows} == PRACTICES
    block = {row["id"]: row for row in rows}["skills.practice-block"]
    assert {row["practice"] for row in planner.json("templates", "--practice", "skills", "--json")} == {"skills"}
    assert "skills.practice-block" in planner.ok("templates").stdout

    task = planner.json("add", "--template", "skills.practice-block", "--day", "fri", "--tag", "sql", "--json")
    assert (task["title"], task["practice"], task["estimate"]) == (block["title"], "skills", block["estimate"])
    assert task["tags"] == [*block["tags"], "sql"]
    assert task["day"] == "2026-11-27"
    own = planner.json("add", "My own title", "--template", "practice-block", "--practice", "skills",
                       "--estimate", "25m", "--json")
    assert (own["title"], own["estimate"]) == ("My own title", 25)


def test_plugins_lists_the_seven_built_in_practices(planner: PlannerRunner) -> None:
    records = planner.json("plugins", "--json")
    assert all(set(record) == {"name", "origin", "source", "status", "off_in_plan", "error", "warnings", "hooks",
                                     "practices"}
               for record in records)
    assert {practice for record in records for practice in record["practices"]} == PRACTICES
    assert all(record["status"] == "active" and record["origin"] == "built-in" for record in records)
    skills = next(record for record in records if "skills" in record["practices"])
    assert "planner_score_week" in skills["hooks"]
    text = planner.ok("plugins").stdout
    assert re.search(r"^skills  \[active\]  built-in$", text, re.M)


def test_check_a_clean_plan(planner: PlannerRunner) -> None:
    add(planner, "One")
    add(planner, "Two", "--practice", "skills")
    planner.ok("intend", "skills", "x")
    result = planner.ok("check")
    assert result.stdout == f"{planner.plans}: 2 tasks, 1 weeks, no problems\n"
    assert result.stderr == ""


def test_export_markdown_and_json(planner: PlannerRunner) -> None:
    task = add(planner, "Finish the SQL course module", "--practice", "skills", "--day", "fri",
               "--estimate", "45m")
    add(planner, "Call Maria", "--day", "today")
    add(planner, "Not this week", "--day", "next mon")
    planner.ok("done", task["id"])
    planner.ok("answer", "skills.focus", "SQL window functions")

    markdown = planner.ok("export", "--format", "markdown").stdout
    assert markdown.startswith("# Week 2026-W48 (23 Nov - 29 Nov 2026)\n")
    assert "- [ ] Call Maria (Thu) `-`\n- [x] Finish the SQL course module (Fri) `SKILL`\n" in markdown
    assert "Not this week" not in markdown
    assert "SQL window functions" in markdown
    assert "| Sharpen your skills | 25 | 45 of 180 target minutes of skill practice done |" in markdown
    assert re.search(r"^\*\*Weekly value score: \d+\*\*$", markdown, re.M)
    assert planner.ok("export").stdout == markdown  # markdown is the default

    document = planner.json("export", "--format", "json", "--week", "this")
    assert set(document) == WEEK_KEYS | {"score"}
    assert [t["title"] for t in document["tasks"]] == ["Call Maria", "Finish the SQL course module"]
    assert document["score"]["week"] == THIS_WEEK
    assert {e["id"]: e["score"] for e in document["score"]["practices"]}["skills"] == 25.0

    everything = planner.json("export", "--format", "json")
    assert set(everything) == {"board", "tasks", "weeks"}
    assert everything["board"]["title"] == "My plan"
    assert len(everything["tasks"]) == 3
    [week] = everything["weeks"]
    assert week["week"] == THIS_WEEK and "tasks" not in week
    assert week["answers"] == {"plan": {"skills.focus": "SQL window functions"}, "review": {}}
    assert set(week) == WEEK_KEYS - {"tasks"}
    assert "Not this week" in planner.ok("export", "--week", "next").stdout


def test_help_and_version(run: PlannerRunner) -> None:
    help_text = run.ok("--help").stdout
    for command in ("init", "add", "list", "show", "edit", "move", "done", "rm", "restore", "week", "prompts",
                    "answer", "score", "plugins", "check", "export", "intend", "review", "templates"):
        assert re.search(rf"^\s+{command}\s", help_text, re.M), command
    assert run.ok("--version").stdout.strip() == "planner 0.1.0"
    assert not run.plans.exists()  # neither made a plan folder


# --- user mistakes: exit 1, one line, no traceback --------------------------------------------------

@pytest.fixture(scope="module")
def mistakes_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[PlannerRunner, str]:
    runner = PlannerRunner(tmp_path_factory.mktemp("mistakes"))
    runner.ok("init")
    return runner, runner.json("add", "The only task", "--json")["id"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["show", "zzzz"], "no task with an id starting 'zzzz'"),
        (["edit", "zzzz", "--title", "x"], "no task with an id starting"),
        (["add", "x", "--practice", "nope"], "no practice 'nope' (practices: "),
        (["add", "x", "--day", "notaday"], "not a date: 'notaday'"),
        (["add", "x", "--due", "32nd"], "not a date: '32nd'"),
        (["add", "x", "--day", "2026-02-30"], "not a date: '2026-02-30'"),
        (["add", "x", "--estimate", "soon"], "not a duration: 'soon'"),
        (["add", "x", "--week", "2026-W60"], "2026 has no week 60"),
        (["add", "x", "--column", "nope"], "no column 'nope' (columns: backlog, this-week, doing, done)"),
        (["add", "x", "--tag", "two words"], "a tag cannot contain spaces"),
        (["add", "x", "--template", "skills.nope"], "practice 'skills' has no template 'nope'"),
        (["add"], "give a title"),
        (["add", "   "], "a task needs a title"),
        (["list", "--column", "nope"], "no column 'nope'"),
        (["move", "{id}", "do"], "no column 'do'"),  # `do` is the start of both doing and done
        (["edit", "{id}"], "nothing to change"),
        (["edit", "{id}", "--estimate", "1x"], "not a duration: '1x'"),
        (["restore", "{id}"], "is not deleted"),
        (["week", "someday"], "not a week: 'someday'"),
        (["score", "--weeks", "0"], "--weeks takes a number from 1 to 520 (ten years)"),
        (["score", "--weeks", "many"], "invalid int value: 'many'"),
        (["prompts", "--phase", "later"], "invalid choice: 'later'"),
        (["answer", "skills.nope", "x"], "no prompt 'skills.nope' for 2026-W48"),
        (["answer", "nope.focus", "x"], "no practice 'nope'"),
        (["intend", "nope", "x"], "no practice 'nope'"),
        (["export", "--format", "pdf"], "invalid choice: 'pdf'"),
        (["init"], "already holds a plan"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["list", "--frob"], "unrecognized arguments: --frob"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_user_mistakes_exit_1_with_one_line(mistakes_plan: tuple[PlannerRunner, str], args: list[str],
                                             says: str) -> None:
    runner, task_id = mistakes_plan
    before = {path.name: path.read_bytes() for path in runner.plans.rglob("*.toml")}
    result = runner(*(arg.format(id=task_id) for arg in args))
    assert says in assert_one_line_error(result, 1)
    assert result.stdout == ""
    assert {path.name: path.read_bytes() for path in runner.plans.rglob("*.toml")} == before


# --- bad data in the plan folder: exit 2, never a traceback, never overwritten ------------------------

BROKEN_TOML = 'schema = 1\nid = "0000000000broken"\ntitle = "unterminated\n'
WRONG_TYPE = 'schema = 1\nid = "0000000000wrongt"\ntitle = "Wrong type"\nestimate = "soon"\n'


@pytest.fixture
def broken_plan(planner: PlannerRunner) -> PlannerRunner:
    tasks = planner.plans / "tasks"
    (tasks / "0000000000broken.toml").write_text(BROKEN_TOML, encoding="utf-8")
    (tasks / "0000000000wrongt.toml").write_text(WRONG_TYPE, encoding="utf-8")
    return planner


def test_list_shows_what_it_can_and_exits_2_for_a_malformed_task_file(broken_plan: PlannerRunner) -> None:
    add(broken_plan, "Good task")
    result = broken_plan.incomplete("list")
    assert "Good task" in result.stdout
    warnings = result.stderr.splitlines()
    assert len(warnings) == 3 and warnings[0].startswith("planner: 2 task files could not be read")
    del warnings[0]
    assert re.fullmatch(r"planner: plans/tasks/0000000000broken\.toml:3:\d+: not valid TOML: .*\(left out; "
                        r"`planner check` lists every problem\)", warnings[0])
    assert warnings[1].startswith("planner: plans/tasks/0000000000wrongt.toml:4:12: estimate: expected a whole "
                                  "number of minutes, got text 'soon'")
    assert [task["title"] for task in broken_plan.json("list", "--json", incomplete=True)] == ["Good task"]


def test_check_lists_every_problem_and_exits_2(broken_plan: PlannerRunner) -> None:
    (broken_plan.plans / "weeks" / "2026-W48.toml").write_text('week = "2026-W48"\nnotes = 5\n', encoding="utf-8")
    result = broken_plan("check")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert re.match(r"plans/tasks/0000000000broken\.toml:3:\d+: not valid TOML", lines[0])
    assert lines[1] == "plans/tasks/0000000000wrongt.toml:4:12: estimate: expected a whole number of minutes, " \
                       "got text 'soon'"
    assert lines[2].startswith("plans/weeks/2026-W48.toml:2:9: notes: expected text")


def test_malformed_task_files_are_never_rewritten(broken_plan: PlannerRunner) -> None:
    tasks = broken_plan.plans / "tasks"
    before = {name: (tasks / name).read_bytes() for name in ("0000000000broken.toml", "0000000000wrongt.toml")}
    good = add(broken_plan, "Good task", "--practice", "skills")
    broken_plan.ok("edit", good["id"], "--title", "Still good", "--day", "fri")
    broken_plan.ok("move", good["id"], "doing")
    broken_plan.ok("done", good["id"])
    broken_plan.ok("answer", "skills.focus", "x")
    broken_plan.ok("rm", good["id"])
    broken_plan.ok("restore", good["id"])
    broken_plan.ok("score")
    broken_plan.ok("export")
    assert {name: (tasks / name).read_bytes() for name in before} == before

    # Changing a task that cannot be read is bad data (exit 2), not "no such task" (exit 1).
    for args in (("edit", "0000000000b", "--title", "Fixed"), ("done", "0000000000wrongt"),
                 ("rm", "0000000000broken")):
        result = broken_plan(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr
        errors = [line for line in result.stderr.splitlines() if line.startswith("planner: error: ")]
        assert len(errors) == 1 and f"tasks/{args[1][:11]}" in errors[0], result.stderr
    assert {name: (tasks / name).read_bytes() for name in before} == before



def test_a_reader_that_leaves_early_is_not_an_error(broken_plan: PlannerRunner) -> None:
    # `planner score --weeks 100 --json | head -1`, with a notice (the malformed file) still to print.
    errors = broken_plan.root / "stderr.txt"
    with errors.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen([*broken_plan.command, "score", "--weeks", "100", "--json"],
                                   stdout=subprocess.PIPE, stderr=stderr, cwd=broken_plan.root,
                                   env=broken_plan.env)
        assert process.stdout is not None
        process.stdout.close()
        assert process.wait(timeout=30) == 0
    lines = errors.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and all(line.startswith("planner: plans/tasks/0000000000") for line in lines), lines


def test_a_plan_folder_path_through_a_file_exits_2(run: PlannerRunner) -> None:
    afile = run.root / "afile"
    afile.write_text("not a folder\n", encoding="utf-8")
    message = assert_one_line_error(run("--plans", str(afile), "add", "x"), 2)
    assert message.endswith("afile is a file, not a folder")
    message = assert_one_line_error(run("--plans", str(afile / "plans"), "add", "x"), 2)
    assert message.endswith(f": {afile / 'plans'}")  # the OS's words, then the path
    assert afile.read_text(encoding="utf-8") == "not a folder\n"

BAD_BOARD = 'schema = 1\ntitle = "Wrong board"\ntimezone = "UTC"\nweek_start = 1\n'


@pytest.mark.parametrize(
    "args",
    [["list"], ["list", "--json"], ["add", "x"], ["show", "abc"], ["done", "abc"], ["week"], ["score"],
     ["prompts"], ["answer", "skills.focus", "x"], ["export"]],
    ids=" ".join,
)
def test_a_wrong_type_in_board_toml_exits_2_naming_the_place(run: PlannerRunner, args: list[str]) -> None:
    run.plans.mkdir()
    (run.plans / "board.toml").write_text(BAD_BOARD, encoding="utf-8")
    message = assert_one_line_error(run(*args), 2)
    assert message == "planner: error: plans/board.toml:4:14: week_start: expected a day name such as monday, " \
                      "got an integer 1"
    assert (run.plans / "board.toml").read_text(encoding="utf-8") == BAD_BOARD
    assert sorted(path.name for path in run.plans.iterdir()) == ["board.toml"]


def test_check_reports_a_bad_board(run: PlannerRunner) -> None:
    run.plans.mkdir()
    (run.plans / "board.toml").write_text(BAD_BOARD, encoding="utf-8")
    result = run("check")
    assert result.returncode == 2
    assert result.stdout.startswith("plans/board.toml:4:14: week_start: expected a day name")
    assert "Traceback" not in result.stderr



@pytest.mark.parametrize(("config", "says"), [('[plugins]\nallow = "skills"\n', "plugins.allow must be a list"),
                                              ("plans = [\n", "config.toml: ")])
def test_a_malformed_config_file_exits_2(run: PlannerRunner, config: str, says: str) -> None:
    (run.root / "config").mkdir()
    (run.root / "config" / "config.toml").write_text(config, encoding="utf-8")
    message = assert_one_line_error(run("list"), 2)
    assert str(run.root / "config" / "config.toml") in message and says in message

# --- user text is data, never markup ------------------------------------------------------------------

MARKUP_TITLES = ["[bold]x", "[/", "[@click=app.quit]", "[red]R[/red] $(echo hi) `code` *stars*", "ünïcødé ✓ 😀"]


def test_titles_that_look_like_markup_round_trip_unchanged(planner: PlannerRunner) -> None:
    ids = {title: add(planner, title, "--practice", "skills", "--day", "fri")["id"] for title in MARKUP_TITLES}
    assert [task["title"] for task in planner.json("list", "--json")] == MARKUP_TITLES
    assert show(planner, ids["[/"])["title"] == "[/"
    listed = planner.ok("list").stdout.splitlines()
    for title, task_id in ids.items():
        assert planner.ok("show", task_id).stdout.splitlines()[0] == title
        assert any(line.endswith(f"SKILL  {title}  (on Fri 27 Nov)") for line in listed), title
        saved = tomllib.loads((planner.plans / "tasks" / f"{task_id}.toml").read_text(encoding="utf-8"))
        assert saved["title"] == title
    week = planner.ok("week").stdout
    assert all(f"· SKILL  {title}\n" in week for title in MARKUP_TITLES)


# --- start-up: no Textual for commands that do not open the TUI ----------------------------------------

def test_commands_without_the_tui_do_not_import_textual(planner: PlannerRunner) -> None:
    script = (
        "import json, sys\n"
        "from planner.cli import main\n"
        "commands = [['add', 'x', '--practice', 'skills', '--day', 'fri'], ['list'], ['list', '--json'],\n"
        "            ['score'], ['week'], ['prompts'], ['export'], ['check'], ['plugins']]\n"
        "statuses = [main(command) for command in commands]\n"
        "print(json.dumps({'statuses': statuses,\n"
        "                  'loaded': sorted(name for name in ('textual', 'rich') if name in sys.modules)}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, encoding="utf-8",
                            cwd=planner.root, env=planner.env, timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report == {"statuses": [0] * 9, "loaded": []}


def test_console_script_start_up_imports_no_textual(planner: PlannerRunner) -> None:
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "planner", "list"], capture_output=True,
                            text=True, encoding="utf-8", cwd=planner.root, env=planner.env, timeout=60)
    assert result.returncode == 0, result.stderr
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "planner.cli" in imported
    assert not {name for name in imported if name.split(".")[0] in ("textual", "rich")}


# --- no command: the full-screen planner, which needs a terminal ---------------------------------------

def test_no_command_without_a_terminal_says_so_in_one_line_and_makes_nothing(run: PlannerRunner) -> None:
    """`ssh host planner` without -t: one line, at once; no demo plan made on the way (the demo a
    first start opens is tested in a real terminal, test_e2e_tmux)."""
    result = run()
    assert result.returncode == 1
    assert result.stderr.startswith("planner: error: the full-screen planner needs a terminal: over SSH run "
                                    "`ssh -t HOST planner`")
    assert result.stderr.count("\n") == 1 and "\x1b" not in result.stderr + result.stdout
    assert not (run.data / "demo-plan").exists()
    assert not run.plans.exists()  # the user's plan folder is not made behind their back


def test_no_command_with_a_plan_opens_it_and_no_demo(planner: PlannerRunner) -> None:
    add(planner, "Finish the SQL course module", "--practice", "skills", "--day", "fri")
    result = planner()
    assert result.returncode == 1 and "needs a terminal" in result.stderr
    assert "demo" not in result.stderr
    assert not (planner.data / "demo-plan").exists()


# --- plugins from the config folder: a failing one is named, the command and the others go on ----

FAILING_PLUGINS = {
    "broken_import.py": "raise RuntimeError('cannot start')\n",
    "bad_score.py": (
        "from planner.api import Practice, Prompt, hookimpl\n\n"
        "@hookimpl\n"
        "def planner_register_practices(register):\n"
        "    register(Practice('flaky', 'Flaky', 'Fails when scoring.', '#445566', 'FLAKY'))\n\n"
        "@hookimpl\n"
        "def planner_prompts(phase):\n"
        "    return [Prompt('why', 'Why?')]\n\n"
        "@hookimpl\n"
        "def planner_score_week(tasks):\n"
        "    raise ValueError('score exploded')\n"
    ),
}


def test_failing_user_plugins_are_reported_and_isolated(planner: PlannerRunner) -> None:
    folder = planner.root / "config" / "plugins"
    folder.mkdir(parents=True)
    for name, source in FAILING_PLUGINS.items():
        (folder / name).write_text(source)
    add(planner, "Finish the SQL course module", "--practice", "skills", "--day", "today", "--estimate", "1h")
    task_id = planner.json("list", "--json")[0]["id"]
    planner.ok("done", task_id)
    result = planner.ok("score")
    assert "60 of 180 target minutes of skill practice done" in result.stdout
    assert "Flaky" not in result.stdout
    warnings = [line for line in result.stderr.splitlines() if line.startswith("planner: plugin")]
    assert any("'broken_import'" in line and "RuntimeError: cannot start" in line for line in warnings)
    assert any("'bad_score'" in line and "planner_score_week raised ValueError: score exploded" in line
               for line in warnings)
    records = {record["name"]: record for record in planner.json("plugins", "--json")}
    assert records["broken_import"]["status"] == "error" and records["broken_import"]["origin"] == "file"
    # Its hook failed in the `score` above: it stays disabled, with that error, until its file changes.
    assert records["bad_score"]["status"] == "error"
    assert records["bad_score"]["error"].startswith("planner_score_week raised ValueError: score exploded")
    prompts = planner.json("prompts", "--phase", "plan", "--json")
    assert "flaky.why" not in {row["id"] for row in prompts}


def test_plugins_can_be_blocked_by_environment(planner: PlannerRunner) -> None:
    result = planner("plugins", "--json", env={"PLANNER_PLUGINS_BLOCK": "feedback,learning"})
    records = {record["name"]: record for record in json.loads(result.stdout)}
    assert records["feedback"]["status"] == records["learning"]["status"] == "blocked"
    score = json.loads(planner("score", "--json", env={"PLANNER_PLUGINS_BLOCK": "feedback"}).stdout)
    assert "feedback" not in {row["id"] for row in score[0]["practices"]}


# --- which week a review is about -------------------------------------------------------------------

def test_review_early_in_a_week_reviews_last_week_when_it_was_not_reviewed(run: PlannerRunner) -> None:
    run("add", "Made the week before", env={"PLANNER_NOW": "2026-11-18T10:00:00+00:00"})
    tuesday = {"PLANNER_NOW": "2026-11-24T10:00:00+00:00"}
    first = run("review", env=tuesday)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Reviewing last week (2026-W47): it was not reviewed yet")
    assert "Reviewed 2026-W47" in first.stdout
    # Last week is reviewed now: the next review is this week's, and says nothing about it.
    second = run("review", env=tuesday)
    assert second.stdout.startswith("Reviewed 2026-W48")
    assert run("review", "--week", "2026-W40", env=tuesday).stdout.startswith("Reviewed 2026-W40")


@pytest.mark.parametrize("now, expected", [
    ("2026-11-26T10:00:00+00:00", "2026-W48"),  # Thursday: this week
    ("2026-11-23T10:00:00+00:00", "2026-W47"),  # Monday
])
def test_review_week_depends_on_the_day(run: PlannerRunner, now: str, expected: str) -> None:
    run("add", "Made the week before", env={"PLANNER_NOW": "2026-11-18T10:00:00+00:00"})
    assert f"Reviewed {expected}" in run("review", env={"PLANNER_NOW": now}).stdout


def test_a_plan_begun_this_week_reviews_this_week(run: PlannerRunner) -> None:
    run("add", "Made today", env={"PLANNER_NOW": "2026-11-24T09:00:00+00:00"})
    assert run("review", env={"PLANNER_NOW": "2026-11-24T10:00:00+00:00"}).stdout.startswith("Reviewed 2026-W48")


def test_how_many_days_look_back_is_set_in_the_board(run: PlannerRunner) -> None:
    run("add", "Made the week before", env={"PLANNER_NOW": "2026-11-18T10:00:00+00:00"})
    board = run.plans / "board.toml"
    board.write_text(board.read_text() + "\n[review]\nlast_week_days = 0\n")
    assert run("review", env={"PLANNER_NOW": "2026-11-23T10:00:00+00:00"}).stdout.startswith("Reviewed 2026-W48")


def test_the_parser_built_for_one_command_reads_it_as_the_whole_parser_does() -> None:
    """Only the named command's arguments are built (start-up time); what is parsed and each
    command's help must be what the whole parser gives."""
    import argparse

    from planner.cli import build_parser

    def commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        return next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction)).choices

    whole = commands(build_parser([]))
    for name, sub in whole.items():
        assert commands(build_parser([name]))[name].format_help() == sub.format_help(), name
        assert list(commands(build_parser(["--plans", "x", name]))) == [name]
    for argv in (["--plans", "p", "add", "Title", "-p", "skills", "--tag", "a,b"], ["--plans=p", "list", "--all"],
                 ["--pl", "p", "sync", "--init"], ["plugins", "new", "deep-work", "--dir", "d"], ["week", "next"],
                 ["--plans", "list", "list", "--done"], ["merge-driver", "o", "a", "b", "p"]):
        assert build_parser(argv).parse_args(argv) == build_parser([]).parse_args(argv), argv
    assert len(commands(build_parser(["-h", "sync"]))) == len(whole)  # help before the command lists them all
    assert len(commands(build_parser(["frobnicate"]))) == len(whole)  # an unknown command is named among all
