"""`planner sync` with real git: a bare repository in a temp folder is the remote, two plan folders
are two machines whose clocks differ by minutes. Every scenario ends with both machines holding the
same parseable tree with every edit in it."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tomllib
from pathlib import Path

import pytest

from cli_runner import PlannerRunner

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git (.ci/run installs it)")

#: Machine B's clock runs seven minutes ahead of machine A's, as real machines' clocks drift.
A_CLOCK = "2026-11-26T10:00:00+00:00"
B_CLOCK = "2026-11-26T10:07:00+00:00"


def at(minutes: int, machine: str = "a") -> dict[str, str]:
    """An environment whose clock reads `minutes` after 10:00 on that machine's clock."""
    start = 0 if machine == "a" else 7
    return {"PLANNER_NOW": f"2026-11-26T{10 + (start + minutes) // 60:02d}:{(start + minutes) % 60:02d}:00+00:00"}


class Machine(PlannerRunner):
    """A plan folder on one machine, with git set up as a new user's (no global config)."""

    def __init__(self, root: Path, clock: str) -> None:
        super().__init__(root)
        root.mkdir(parents=True, exist_ok=True)
        empty = root / "gitconfig"
        empty.write_text("")
        self.env.update(PLANNER_NOW=clock, GIT_CONFIG_GLOBAL=str(empty), GIT_CONFIG_NOSYSTEM="1")
        for key in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
            self.env.pop(key, None)

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """git as the person at this machine runs it by hand (with a name and an email)."""
        person = {"GIT_AUTHOR_NAME": "Pat", "GIT_AUTHOR_EMAIL": "pat@example.org",
                  "GIT_COMMITTER_NAME": "Pat", "GIT_COMMITTER_EMAIL": "pat@example.org"}
        return subprocess.run(["git", *args], cwd=self.plans, env={**self.env, **person}, capture_output=True,
                              text=True, check=check)

    def sync(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.ok("sync", *args)

    def task(self, task_id: str) -> dict:
        return tomllib.loads((self.plans / "tasks" / f"{task_id}.toml").read_text())

    def add(self, title: str, *options: str, when: dict[str, str] | None = None) -> str:
        result = self("add", title, *options, "--json", env=when)
        assert result.returncode == 0, result.stderr
        import json

        return json.loads(result.stdout)["id"]

    def edit(self, task_id: str, *options: str, when: dict[str, str]) -> None:
        result = self(*options[:1], task_id, *options[1:], env=when) if options[0] in ("move", "rm", "done", "restore") \
            else self("edit", task_id, *options, env=when)
        assert result.returncode == 0, result.stderr


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    path = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(path)], check=True)
    return path


def git_before_2_38(folder: Path) -> Path:
    """A folder holding a `git` that answers `merge-tree --write-tree` as git before 2.38 does (a
    usage error; Ubuntu 22.04 ships 2.34) and is the real git for everything else."""
    folder.mkdir()
    script = folder / "git"
    script.write_text("#!/bin/sh\n"
                      'for arg in "$@"; do\n'
                      '  if [ "$arg" = "--write-tree" ]; then\n'
                      '    echo "usage: git merge-tree <base-tree> <branch1> <branch2>" >&2; exit 129\n'
                      "  fi\n"
                      "done\n"
                      f'exec {shutil.which("git")} "$@"\n')
    script.chmod(0o755)
    return folder


@pytest.fixture(params=["git", "git before 2.38"])
def machines(request: pytest.FixtureRequest, tmp_path: Path, remote: Path) -> tuple[Machine, Machine]:
    """Machine A made the plan and pushed it; machine B cloned it with `planner sync --init URL`.
    Every test runs twice: with this machine's git, where sync merges in memory (`git merge-tree`),
    and with a git too old for that, where sync merges in the working tree (`git merge`)."""
    a, b = Machine(tmp_path / "a", A_CLOCK), Machine(tmp_path / "b", B_CLOCK)
    if request.param != "git":
        older = git_before_2_38(tmp_path / "older-git")
        for machine in (a, b):
            machine.env["PATH"] = f"{older}{os.pathsep}{machine.env['PATH']}"
    a.ok("init")
    a.sync("--init", str(remote))
    b.sync("--init", str(remote))
    return a, b


def files(machine: Machine) -> dict[str, bytes]:
    tracked = machine.git("ls-files", "-z").stdout.split("\0")
    return {path: (machine.plans / path).read_bytes() for path in tracked if path}


def on_disk(machine: Machine) -> dict[str, bytes]:
    """Every file of the plan folder but git's own."""
    return {path.relative_to(machine.plans).as_posix(): path.read_bytes() for path in machine.plans.rglob("*")
            if path.is_file() and ".git" not in path.relative_to(machine.plans).parts}


def sync_both(a: Machine, b: Machine) -> None:
    """A, then B, then A: afterwards both hold the same tree, every file parses, no markers."""
    for machine in (a, b, a):
        machine.sync()
    assert files(a) == files(b)
    for machine in (a, b):
        check = machine("check")
        assert check.returncode == 0, check.stdout + check.stderr
        assert machine.git("status", "--porcelain").stdout == ""
        for path, data in files(machine).items():
            assert b"<<<<<<<" not in data, path
            if path.endswith(".toml"):
                tomllib.loads(data.decode())


def one_task_edited_on_both_sides(a: Machine, b: Machine) -> str:
    """A task both machines have: A changed its title and synced, B changed its estimate and has
    not synced yet (so B's next sync has one file to merge). Its id."""
    one = a.add("One")
    sync_both(a, b)
    a.edit(one, "--title", "One, edited on A", when=at(5))
    a.sync()
    b.edit(one, "--estimate", "45m", when=at(6, "b"))
    return one


def test_init_sets_up_the_repository_and_the_merge_driver(machines: tuple[Machine, Machine]) -> None:
    a, b = machines
    for machine in machines:
        assert "tasks/*.toml merge=planner" in (machine.plans / ".gitattributes").read_text()
        assert ".planner.lock" in (machine.plans / ".gitignore").read_text()
        driver = machine.git("config", "merge.planner.driver").stdout
        assert "-P -m planner merge-driver %O %A %B %P" in driver
    assert files(a) == files(b)


def test_edits_of_different_tasks_both_arrive(machines: tuple[Machine, Machine]) -> None:
    a, b = machines
    one, two = a.add("One"), a.add("Two")
    sync_both(a, b)
    a.edit(one, "--title", "One, edited on A", when=at(5))
    b.edit(two, "--title", "Two, edited on B", when=at(6, "b"))
    sync_both(a, b)
    assert a.task(one)["title"] == "One, edited on A" and a.task(two)["title"] == "Two, edited on B"


def test_commit_message_says_what_changed(machines: tuple[Machine, Machine]) -> None:
    a, _ = machines
    one = a.add("One")
    a.add("Two")
    a.sync()
    a.edit(one, "--title", "One again", when=at(3))
    a.add("Three")
    a.ok("intend", "skills", "Finish module 4", "--week", "2026-W48")
    a.sync()
    assert a.git("log", "-1", "--format=%s").stdout.strip() == "1 task edited, 1 added; week 2026-W48 added"


def test_both_add_tasks_and_answers_to_the_same_week(machines: tuple[Machine, Machine]) -> None:
    a, b = machines
    a.ok("intend", "skills", "Base intention", "--week", "2026-W48")
    sync_both(a, b)
    on_a = a.add("Added on A", "--week", "2026-W48", when=at(1))
    on_b = b.add("Added on B", "--week", "2026-W48", when=at(1, "b"))
    a.ok("intend", "skills", "A's intention", "--week", "2026-W48")
    b.ok("intend", "relationships", "B's intention", "--week", "2026-W48")
    a.ok("answer", "skills.focus", "A's answer", "--week", "2026-W48")
    b.ok("answer", "change.experiment", "B's answer", "--week", "2026-W48")
    sync_both(a, b)
    week = tomllib.loads((a.plans / "weeks" / "2026-W48.toml").read_text())
    # change.experiment states the change intention: B's answer became it (skills keeps A's own words).
    assert week["intentions"] == {"skills": "A's intention", "relationships": "B's intention",
                                  "change": "B's answer"}
    assert week["plan"] == {"skills.focus": "A's answer", "change.experiment": "B's answer"}
    assert {task["id"] for task in a.json("list", "--week", "2026-W48", "--json")} >= {on_a, on_b}


@pytest.mark.parametrize("edit_a, edit_b, expected", [
    (("--title", "New title"), ("--due", "2026-12-04"), {"title": "New title", "due": "2026-12-04"}),
    (("move", "doing"), ("--add-tag", "focus"), {"column": "doing", "tags": ["focus"]}),
    (("--estimate", "1h"), ("--notes", "Written on B"), {"estimate": 60, "notes": "Written on B"}),
])
def test_different_fields_of_one_task_both_apply(machines: tuple[Machine, Machine], edit_a: tuple[str, ...],
                                                 edit_b: tuple[str, ...], expected: dict) -> None:
    a, b = machines
    task_id = a.add("Shared")
    sync_both(a, b)
    a.edit(task_id, *edit_a, when=at(10))
    b.edit(task_id, *edit_b, when=at(10, "b"))
    sync_both(a, b)
    task = a.task(task_id)
    for key, value in expected.items():
        assert str(task[key]) == str(value), (key, task)
    assert "conflicts" not in task
    assert task["updated"].isoformat() == "2026-11-26T10:17:00+00:00"  # the later of the two, never a conflict


def test_the_same_field_on_both_sides_keeps_the_later_and_the_loser(machines: tuple[Machine, Machine]) -> None:
    a, b = machines
    task_id = a.add("Original")
    sync_both(a, b)
    b.edit(task_id, "--title", "Title from B", when=at(2, "b"))   # 10:09 by the clocks
    a.edit(task_id, "--title", "Title from A", when=at(12))       # 10:12: later, though B edited first
    sync_both(a, b)
    task = a.task(task_id)
    assert task["title"] == "Title from A"
    assert task["conflicts"] == [{"field": "title", "value": "Title from B",
                                  "updated": task["updated"].replace(minute=9)}]
    shown = a.ok("show", task_id).stdout
    assert "⚠ conflict title" in shown and "'Title from B'" in shown
    check = a.ok("check")
    assert "warning: title was changed on two machines; the other value was 'Title from B'" in check.stdout
    assert "1 conflicts kept by sync" in check.stdout
    # Both versions are in the history.
    log = a.git("log", "-p", "--", f"tasks/{task_id}.toml").stdout
    assert 'title = "Title from B"' in log and 'title = "Title from A"' in log
    # Resolved on B (take the other value), and the resolution travels back.
    b.ok("resolve", task_id, "title", "other")
    sync_both(a, b)
    assert a.task(task_id)["title"] == "Title from B" and "conflicts" not in a.task(task_id)


def test_a_move_on_both_sides_moves_as_a_whole(machines: tuple[Machine, Machine]) -> None:
    a, b = machines
    task_id = a.add("Moved twice")
    sync_both(a, b)
    a.edit(task_id, "move", "doing", when=at(1))
    b.edit(task_id, "move", "done", when=at(1, "b"))  # later by B's clock: B's move wins, all of it
    sync_both(a, b)
    task = a.task(task_id)
    assert (task["column"], task["status"]) == ("done", "done") and "done_at" in task
    lost = {entry["field"]: entry.get("value") for entry in task["conflicts"]}
    assert lost["column"] == "doing" and lost["status"] == "open"
    b.ok("resolve", task_id, "column", "other")  # taking the other column takes its status too
    task = b.task(task_id)
    assert (task["column"], task["status"]) == ("doing", "open") and "done_at" not in task
    assert "conflicts" not in task


def test_tags_added_and_removed_on_both_sides_merge_as_sets(machines: tuple[Machine, Machine]) -> None:
    a, b = machines
    task_id = a.add("Tagged", "--tag", "keep,drop-a,drop-b")
    sync_both(a, b)
    a.edit(task_id, "--add-tag", "work", "--remove-tag", "drop-a", when=at(3))
    b.edit(task_id, "--add-tag", "home", "--remove-tag", "drop-b", when=at(3, "b"))
    sync_both(a, b)
    assert sorted(a.task(task_id)["tags"]) == ["home", "keep", "work"]
    assert "conflicts" not in a.task(task_id)


def test_notes_appended_on_both_sides_keep_both(machines: tuple[Machine, Machine]) -> None:
    a, b = machines
    task_id = a.add("Noted", "--notes", "First line")
    sync_both(a, b)
    a.edit(task_id, "--notes", "First line\nAdded on A", when=at(4))
    b.edit(task_id, "--notes", "First line\nAdded on B", when=at(4, "b"))
    sync_both(a, b)
    # Both, in the order the clocks say they were written (A at 10:04, B at 10:11).
    assert a.task(task_id)["notes"].splitlines() == ["First line", "Added on A", "Added on B"]


@pytest.mark.parametrize("deleting", ["a", "b"])
def test_an_edit_beats_a_delete_both_ways(machines: tuple[Machine, Machine], deleting: str) -> None:
    a, b = machines
    task_id = a.add("Contested")
    sync_both(a, b)
    deleter, editor = (a, b) if deleting == "a" else (b, a)
    # The delete is the later change by the clocks, and still the edit wins.
    editor.edit(task_id, "--title", "Edited, so kept", when=at(1, "a" if editor is a else "b"))
    deleter.edit(task_id, "rm", when=at(30, "a" if deleter is a else "b"))
    sync_both(a, b)
    task = a.task(task_id)
    assert task["status"] == "open" and task["title"] == "Edited, so kept"


def test_an_edit_beats_a_file_removed_by_git(machines: tuple[Machine, Machine]) -> None:
    a, b = machines
    task_id = a.add("Removed by hand on B")
    sync_both(a, b)
    b.git("rm", "--quiet", f"tasks/{task_id}.toml")
    b.git("commit", "--quiet", "-m", "tidy up")
    a.edit(task_id, "--title", "Edited on A", when=at(5))
    sync_both(a, b)
    assert b.task(task_id)["title"] == "Edited on A"


def test_board_changed_on_both_sides(machines: tuple[Machine, Machine]) -> None:
    a, b = machines
    board_a = (a.plans / "board.toml").read_text()
    (a.plans / "board.toml").write_text(board_a.replace('title = "My plan"', 'title = "Leaving the help desk"'))
    board_b = (b.plans / "board.toml").read_text()
    assert "[practices.skills]\nweight = 1" in board_b
    (b.plans / "board.toml").write_text(board_b.replace("[practices.skills]\nweight = 1", "[practices.skills]\nweight = 2"))
    sync_both(a, b)
    board = tomllib.loads((b.plans / "board.toml").read_text())
    assert board["title"] == "Leaving the help desk" and board["practices"]["skills"]["weight"] == 2


def test_a_malformed_file_blocks_sync_and_nothing_is_committed(machines: tuple[Machine, Machine]) -> None:
    a, _ = machines
    a.add("Fine")
    broken = a.plans / "tasks" / "broken.toml"
    broken.write_bytes(b'id = "broken"\ntitle = "Cut\n')
    head = a.git("rev-parse", "HEAD").stdout
    remote_head = a.git("ls-remote", "origin", "HEAD").stdout
    result = a("sync")
    assert result.returncode == 2
    assert "plans/tasks/broken.toml:2:" in result.stderr or "tasks/broken.toml:2:" in result.stderr
    assert "nothing was committed or sent" in result.stderr and "Traceback" not in result.stderr
    assert broken.read_bytes() == b'id = "broken"\ntitle = "Cut\n'
    assert a.git("rev-parse", "HEAD").stdout == head
    assert a.git("ls-remote", "origin", "HEAD").stdout == remote_head


def test_conflict_markers_from_a_plain_pull_are_reported_and_resolved(machines: tuple[Machine, Machine]) -> None:
    a, b = machines
    task_id = a.add("Pulled plainly", "--tag", "x")
    sync_both(a, b)
    a.edit(task_id, "--title", "A's title", "--add-tag", "from-a", when=at(5))
    b.edit(task_id, "--due", "2026-12-02", "--add-tag", "from-b", when=at(5, "b"))
    b.sync()
    a.git("commit", "--quiet", "-am", "A's edit by hand")
    # A plain `git pull` on a machine where the driver is not configured: git's text merge.
    a.git("config", "--remove-section", "merge.planner")
    pulled = a.git("pull", "--no-rebase", "--quiet", "origin", "HEAD", check=False)
    assert pulled.returncode != 0 and "<<<<<<<" in (a.plans / "tasks" / f"{task_id}.toml").read_text()
    # Reported, not silently left out.
    check = a("check")
    assert check.returncode == 2 and "unfinished git merge" in check.stdout and "planner sync --resolve" in check.stdout
    listed = a("list")
    assert listed.returncode == 2 and "could not be read" in listed.stderr
    refused = a("sync")
    assert refused.returncode == 2 and "unfinished git merge" in refused.stderr and "--resolve" in refused.stderr
    resolved = a.ok("sync", "--resolve")
    assert f"tasks/{task_id}.toml" in resolved.stdout
    task = a.task(task_id)
    assert task["title"] == "A's title" and str(task["due"]) == "2026-12-02"
    assert sorted(task["tags"]) == ["from-a", "from-b", "x"]
    sync_both(a, b)


def test_committed_conflict_markers_are_resolved_too(machines: tuple[Machine, Machine]) -> None:
    a, b = machines
    task_id = a.add("Committed with markers")
    sync_both(a, b)
    a.edit(task_id, "--title", "Title A", when=at(1))
    b.edit(task_id, "--title", "Title B", when=at(1, "b"))
    b.sync()
    a.git("commit", "--quiet", "-am", "A")
    a.git("config", "--remove-section", "merge.planner")
    a.git("pull", "--no-rebase", "--quiet", "origin", "HEAD", check=False)
    a.git("commit", "--quiet", "-am", "committed the markers by mistake")
    assert "<<<<<<<" in (a.plans / "tasks" / f"{task_id}.toml").read_text()
    a.ok("sync", "--resolve")
    task = a.task(task_id)
    assert task["title"] == "Title B"  # B's clock says later
    assert task["conflicts"][0]["value"] == "Title A"
    sync_both(a, b)


def test_a_fresh_git_clone_gets_the_driver_on_its_first_sync(machines: tuple[Machine, Machine], tmp_path: Path,
                                                             remote: Path) -> None:
    a, _ = machines
    task_id = a.add("Cloned by hand")
    a.sync()
    c = Machine(tmp_path / "c", B_CLOCK)
    subprocess.run(["git", "clone", "--quiet", str(remote), str(c.plans)], check=True, env=c.env)
    assert c.git("config", "merge.planner.driver", check=False).returncode != 0
    a.edit(task_id, "--title", "Title from A", when=at(3))
    c.edit(task_id, "--due", "2026-12-05", when=at(3, "b"))
    for machine in (a, c, a):
        machine.sync()
    assert files(a) == files(c)
    task = c.task(task_id)
    assert task["title"] == "Title from A" and str(task["due"]) == "2026-12-05"


def test_an_unreachable_remote_keeps_the_commit_and_the_next_sync_sends_it(machines: tuple[Machine, Machine],
                                                                          remote: Path) -> None:
    a, b = machines
    moved = remote.with_name("away.git")
    remote.rename(moved)
    task_id = a.add("Made offline")
    tree = on_disk(a)
    result = a("sync")
    assert result.returncode == 4, result.stdout + result.stderr
    assert "could not reach origin" in result.stdout and "your commit is kept" in result.stdout
    assert "1 task added" in a.git("log", "-1", "--format=%s").stdout
    assert a.git("status", "--porcelain").stdout == "" and on_disk(a) == tree
    moved.rename(remote)
    assert "pushed" in a.sync().stdout
    b.sync()
    assert b.task(task_id)["title"] == "Made offline"


def test_the_remote_moving_between_fetch_and_push_is_retried(machines: tuple[Machine, Machine]) -> None:
    a, b = machines
    on_b = b.add("Pushed by B during A's sync", when=at(1, "b"))
    b.ok("check")
    on_a = a.add("A's task", when=at(1))
    # A pre-push hook on A syncs B first, once: A's push is then refused as the remote moved.
    hook = a.plans / ".git" / "hooks" / "pre-push"
    flag = a.root / "hook-ran"
    command = " ".join(b.command)
    hook.write_text(f"#!/bin/sh\nif [ ! -e {flag} ]; then touch {flag}; cd {b.root} && "
                    f"PLANNER_PLANS={b.plans} {command} sync >/dev/null 2>&1; fi\nexit 0\n")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    result = a("sync")
    assert result.returncode == 0, result.stdout + result.stderr
    assert flag.exists() and "pushed" in result.stdout
    hook.unlink()
    sync_both(a, b)
    ids = {task["id"] for task in b.json("list", "--json")}
    assert {on_a, on_b} <= ids


def test_sync_outside_a_repository_says_how_to_start(tmp_path: Path) -> None:
    machine = Machine(tmp_path / "solo", A_CLOCK)
    machine.ok("init")
    result = machine("sync")
    assert result.returncode == 1 and "planner sync --init" in result.stderr
    assert "no remote" in machine.sync("--init").stdout  # a local repository, committed
    assert machine.git("log", "--oneline").stdout.count("\n") == 1


def test_a_plain_git_pull_uses_the_driver_and_no_code_from_the_plan_folder(machines: tuple[Machine, Machine]) -> None:
    """After `planner sync` set it up, a `git pull` typed by hand merges plan files field by field
    too; git runs the driver in the plan folder, and a `planner` package there must not run."""
    a, b = machines
    task_id = a.add("Safe")
    sync_both(a, b)
    evil = b.plans / "planner"
    evil.mkdir()
    (evil / "__init__.py").write_text("raise SystemExit('the plan folder ran code')\n")
    (evil / "__main__.py").write_text("raise SystemExit('the plan folder ran code')\n")
    a.edit(task_id, "--title", "A", when=at(1))
    b.edit(task_id, "--due", "2026-12-03", when=at(1, "b"))
    a.sync()
    b.git("commit", "--quiet", "-am", "B's edit")
    pulled = b.git("pull", "--no-rebase", "--no-edit", "origin", "HEAD", check=False)
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert b.task(task_id)["title"] == "A" and str(b.task(task_id)["due"]) == "2026-12-03"
    shutil.rmtree(evil)
    sync_both(a, b)


# --- the app: a sync while it is open, in a real terminal, on the real clock -------------------------

@pytest.mark.skipif(shutil.which("tmux") is None and not os.environ.get("CI"), reason="needs tmux")
def test_sync_from_the_app_shows_the_merge_and_the_next_save_builds_on_it(machines: tuple[Machine, Machine]) -> None:
    import sys
    import time

    from test_e2e_tmux import Terminal

    a, b = machines
    task_id = a.add("Shared task", "--column", "this-week")
    sync_both(a, b)
    # B's app: the real console script in tmux, the machine's own clock, the folder watcher on.
    env = {key: value for key, value in b.env.items() if key != "PLANNER_NOW"}
    env.update(TERM="xterm-256color", HOME=str(b.root))
    terminal = Terminal(["sh", "-c", f"{sys.executable} -m planner; echo \"exit status $?\"; sleep 60"],
                        env, size=(120, 40))
    try:
        terminal.wait_for("Shared task")
        a.edit(task_id, "--title", "Renamed on machine A", "--add-tag", "from-a", when=at(30))
        a.sync()
        terminal.keys("S")
        terminal.wait_for("Synced", 20)  # the notice of the result
        screen = terminal.wait_for("Renamed on", 5)  # the merged title, on the card (wrapped)
        assert "#from-a" in screen and "Traceback" not in screen
        # The app's next save (the card moved on) builds on the merged file: nothing of A's is lost.
        terminal.keys(">")
        deadline = time.monotonic() + 10
        while b.task(task_id)["column"] != "doing" and time.monotonic() < deadline:
            time.sleep(0.1)
        task = b.task(task_id)
        assert (task["column"], task["title"], task["tags"]) == ("doing", "Renamed on machine A", ["from-a"])
        terminal.keys("q")
        assert "exit status 0" in terminal.wait_for("exit status", 10)
    finally:
        terminal.close()
    sync_both(a, b)
    assert a.task(task_id)["column"] == "doing"


def test_the_merge_leaves_the_repository_attributes_as_they_were(machines: tuple[Machine, Machine]) -> None:
    """Sync merges with its own lines in .git/info/attributes (git then starts no driver per file)
    and takes them out after, also when a killed sync left them behind; the user's lines stay."""
    from planner.sync import UNMERGED_ATTRIBUTES

    a, b = machines
    one = a.add("One")
    sync_both(a, b)
    attributes = b.plans / ".git" / "info" / "attributes"
    attributes.write_text("*.md diff=markdown\n" + UNMERGED_ATTRIBUTES)
    a.edit(one, "--title", "One, edited on A", when=at(5))
    b.edit(one, "--estimate", "45m", when=at(6, "b"))
    sync_both(a, b)
    assert b.task(one)["title"] == "One, edited on A" and b.task(one)["estimate"] == 45
    assert attributes.read_text() == "*.md diff=markdown\n"
    assert not (a.plans / ".git" / "info" / "attributes").exists()


def test_files_the_person_staged_themselves_stay_out_of_the_sync_commit(machines: tuple[Machine, Machine]) -> None:
    """Sync commits plan files only: a file the person staged by hand stays staged, uncommitted,
    and so does an untracked one."""
    a, b = machines
    one = a.add("One")
    sync_both(a, b)
    (b.plans / "notes.md").write_text("my own notes, staged\n")
    (b.plans / "scratch.txt").write_text("not even staged\n")
    b.git("add", "notes.md")
    b.edit(one, "--title", "One, edited on B", when=at(3, "b"))
    b.sync()
    assert b.git("show", "--name-only", "--format=", "HEAD").stdout.split() == [f"tasks/{one}.toml"]
    assert b.git("diff", "--cached", "--name-only").stdout.split() == ["notes.md"]
    assert "?? scratch.txt" in b.git("status", "--porcelain").stdout
    a.sync()
    assert a.task(one)["title"] == "One, edited on B" and not (a.plans / "notes.md").exists()


def test_a_sync_that_merged_files_returns_only_once_they_are_on_disk(machines: tuple[Machine, Machine],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Merged files are flushed to the disk (one os.sync, in a thread while git commits them), and
    sync waits for it before it says it is done."""
    import threading
    import time

    from planner import sync
    from planner.store import PlanStore

    a, b = machines
    one = one_task_edited_on_both_sides(a, b)
    flushed: list[str] = []

    def slow_sync() -> None:
        time.sleep(0.5)
        flushed.append(threading.current_thread().name)

    monkeypatch.setattr(sync.os, "sync", slow_sync)
    for key, value in {**b.env, "GIT_AUTHOR_NAME": "Pat", "GIT_AUTHOR_EMAIL": "pat@example.org",
                       "GIT_COMMITTER_NAME": "Pat", "GIT_COMMITTER_EMAIL": "pat@example.org"}.items():
        monkeypatch.setenv(key, value)
    result = sync.sync(PlanStore(b.plans), interactive=False)
    assert flushed == ["planner-sync-flush"], "sync returned before the merged files were flushed"
    assert result.received == [f"tasks/{one}.toml"] and result.pushed
    assert b.task(one)["title"] == "One, edited on A" and b.task(one)["estimate"] == 45


def refused_merge(b: Machine, staged: str = "") -> tuple[subprocess.CompletedProcess[str], dict[str, bytes]]:
    """B's sync refused to merge: exit 2, one readable message, and every file of B's folder and
    git's state the same as before the sync (B's own edits committed, nothing merged; `staged`:
    what `git status --porcelain` still shows)."""
    before = on_disk(b)
    result = b("sync")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "your folder is as it was" in result.stderr and "Traceback" not in result.stderr
    assert on_disk(b) == before
    assert b.git("status", "--porcelain").stdout == staged
    assert not (b.plans / ".git" / "MERGE_HEAD").exists()
    return result, before


def test_a_received_file_that_does_not_parse_is_not_taken_in(machines: tuple[Machine, Machine]) -> None:
    """A file from the remote that is not a valid plan file stops the merge before anything in the
    folder changes; once it is fixed there, the next sync brings everything."""
    a, b = machines
    one = a.add("One")
    sync_both(a, b)
    (a.plans / "tasks" / "bad.toml").write_text('schema = 1\nid = "bad"\ntitle = "Cut\n')
    a.git("add", "tasks/bad.toml")
    a.git("commit", "--quiet", "-m", "a broken file, committed by hand")
    a.edit(one, "--title", "One, edited on A", when=at(5))
    a.sync()
    b.edit(one, "--estimate", "45m", when=at(6, "b"))  # so that the merge has a file to merge too
    result, _ = refused_merge(b)
    assert "tasks/bad.toml:3:" in result.stderr and "do not parse" in result.stderr
    assert b.task(one)["estimate"] == 45 and b.task(one)["title"] == "One"
    assert b.git("log", "-1", "--format=%s").stdout.strip() == "1 task edited"  # its own edit, not merged
    (a.plans / "tasks" / "bad.toml").write_text('schema = 1\nid = "bad"\ntitle = "Mended"\n')
    sync_both(a, b)
    assert b.task(one)["title"] == "One, edited on A" and b.task(one)["estimate"] == 45
    assert b.task("bad")["title"] == "Mended"


def test_a_file_both_sides_changed_that_is_not_a_plan_file_stops_the_merge(machines: tuple[Machine, Machine]) -> None:
    a, b = machines
    one = a.add("One")
    (a.plans / "README.md").write_text("first\n")
    a.git("add", "README.md")
    a.git("commit", "--quiet", "-m", "readme")
    sync_both(a, b)
    for machine, text in ((a, "from A\n"), (b, "from B\n")):
        (machine.plans / "README.md").write_text(text)
        machine.git("commit", "--quiet", "-am", "readme edited")
    a.edit(one, "--title", "One, edited on A", when=at(5))
    a.sync()
    result, _ = refused_merge(b)
    assert "README.md: changed on both sides, and not a plan file" in result.stderr
    assert b.task(one)["title"] == "One"


def test_a_merge_that_would_overwrite_the_persons_own_file_is_not_made(machines: tuple[Machine, Machine]) -> None:
    """git will not overwrite a file of the person's own that it does not track: sync stops with
    git's reason, and nothing in the folder changes."""
    a, b = machines
    one = a.add("One")
    sync_both(a, b)
    (a.plans / "notes.md").write_text("A's notes, committed\n")
    a.git("add", "notes.md")
    a.git("commit", "--quiet", "-m", "notes")
    a.edit(one, "--title", "One, edited on A", when=at(5))
    a.sync()
    (b.plans / "notes.md").write_text("B's own notes, never committed\n")
    b.edit(one, "--estimate", "45m", when=at(6, "b"))
    before = on_disk(b)
    result = b("sync")
    assert result.returncode == 2 and "your folder is as it was" in result.stderr
    assert "notes.md" in result.stderr and "Traceback" not in result.stderr
    assert on_disk(b) == before and not (b.plans / ".git" / "MERGE_HEAD").exists()
    assert b.git("status", "--porcelain").stdout == "?? notes.md\n"


def test_sync_merges_in_memory_where_git_can(machines: tuple[Machine, Machine], request: pytest.FixtureRequest) -> None:
    """With git 2.38 or later the merge commit is written by sync itself (`git merge-tree`, then
    plumbing); with an older git it concludes `git merge`. The reflog says which ran."""
    a, b = machines
    one_task_edited_on_both_sides(a, b)
    b.sync()
    how = b.git("reflog", "-1", "--format=%gs").stdout.strip()
    expected = "planner sync: merge origin/" if request.node.callspec.params["machines"] == "git" \
        else "commit (merge): planner sync: merge origin/"
    assert how.startswith(expected), how
    assert b.git("rev-list", "--parents", "-1", "HEAD").stdout.count(" ") == 2  # a merge: two parents


def test_two_plans_started_apart_merge_on_the_first_sync(machines: tuple[Machine, Machine], tmp_path: Path,
                                                         remote: Path) -> None:
    """A plan made on its own (`planner init`, then `sync --init` with a remote that already holds
    a plan): the histories share no commit, and both plans' tasks end up on both machines."""
    a, b = machines
    from_a = a.add("Made on A")
    sync_both(a, b)
    c = Machine(tmp_path / "c", B_CLOCK)
    c.env["PATH"] = a.env["PATH"]  # the same git as the other two
    c.ok("init")
    from_c = c.add("Made on C, before it ever synced", when=at(3, "b"))
    c.sync("--init", str(remote))
    assert {from_a, from_c} <= {path.stem for path in (c.plans / "tasks").glob("*.toml")}
    assert c.git("rev-list", "--parents", "-1", "HEAD").stdout.count(" ") == 2
    sync_both(a, c)
    assert a.task(from_c)["title"] == "Made on C, before it ever synced"
    assert c("check").returncode == 0


def test_a_merge_is_not_made_over_files_the_person_staged(machines: tuple[Machine, Machine]) -> None:
    """A merge commit takes in what is staged: with a file the person staged themselves, sync does
    not merge (it says how to go on) and the file stays staged; a fast-forward needs no commit and
    goes ahead, the file still staged and uncommitted."""
    a, b = machines
    one = a.add("One")
    sync_both(a, b)
    (b.plans / "notes.md").write_text("my own notes, staged\n")
    b.git("add", "notes.md")
    a.edit(one, "--title", "One, edited on A", when=at(5))
    a.sync()
    b.sync()  # nothing of B's own to merge: a fast-forward
    assert b.task(one)["title"] == "One, edited on A"
    assert b.git("diff", "--cached", "--name-only").stdout.split() == ["notes.md"]
    a.edit(one, "--title", "One, edited on A again", when=at(10))
    a.sync()
    b.edit(one, "--estimate", "45m", when=at(11, "b"))
    result, _ = refused_merge(b, staged="A  notes.md\n")
    assert "you staged notes.md yourself" in result.stderr and "restore --staged notes.md" in result.stderr
    b.git("restore", "--staged", "notes.md")
    b.sync()
    assert b.task(one)["title"] == "One, edited on A again" and b.task(one)["estimate"] == 45
    assert "notes.md" not in b.git("show", "--name-only", "--format=", "HEAD").stdout


def test_merge_commits_are_signed_when_the_person_signs_every_commit(machines: tuple[Machine, Machine],
                                                                     tmp_path: Path) -> None:
    """commit.gpgSign holds for sync's merge commits as for `git commit` (git's plumbing needs -S)."""
    a, b = machines
    signer = tmp_path / "fake-gpg"  # what git needs of gpg: a signature, and SIG_CREATED on its status
    signer.write_text("#!/bin/sh\ncat > /dev/null\necho '[GNUPG:] SIG_CREATED D 1 8 00 1 X' >&2\n"
                      "printf -- '-----BEGIN PGP SIGNATURE-----\\nfake\\n-----END PGP SIGNATURE-----\\n'\n")
    signer.chmod(0o755)
    b.git("config", "gpg.program", str(signer))
    b.git("config", "commit.gpgSign", "true")
    one_task_edited_on_both_sides(a, b)
    b.sync()
    merge_commit = b.git("cat-file", "commit", "HEAD").stdout
    assert merge_commit.count("\nparent ") == 2 and "\ngpgsig -----BEGIN PGP SIGNATURE-----" in merge_commit
    assert "gpgsig" in b.git("cat-file", "commit", "HEAD^1").stdout  # B's own commit, signed by git commit


def test_syncs_on_the_real_clock_merge_round_after_round(machines: tuple[Machine, Machine]) -> None:
    """No pinned clock: three rounds of edits on both machines, each command and each sync a new
    process (the index and the driver setting warm from the round before). Fields each side changed
    both arrive; the same field changed on both keeps the later change and the other in conflicts."""
    a, b = machines
    for machine in (a, b):
        machine.env.pop("PLANNER_NOW")
    one = a.add("One")
    sync_both(a, b)
    for round_ in (1, 2, 3):
        a.edit(one, "--title", f"Title from A, round {round_}", when={})
        b.edit(one, "--estimate", f"{30 + round_}m", when={})
        sync_both(a, b)
        task = b.task(one)
        assert task["title"] == f"Title from A, round {round_}" and task["estimate"] == 30 + round_
        assert a.task(one) == task
    import time

    a.edit(one, "--notes", "A's note", when={})
    b.edit(one, "--title", "B's title, earlier", when={})
    time.sleep(1.1)  # `updated` is kept to the second: A's title is then the later by the clocks
    a.edit(one, "--title", "A's title", when={})
    sync_both(a, b)
    task = a.task(one)
    assert task["title"] == "A's title" and task["notes"] == "A's note"
    assert [entry["field"] for entry in task.get("conflicts", [])] == ["title"]
