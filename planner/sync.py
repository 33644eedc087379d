"""`planner sync`: the plan folder is a git repository, and git (the user's own, with their
credentials, SSH agent and config) is the transport to a remote any git host serves.

One sync: under the plan lock, refuse while a plan file does not parse or a merge is unfinished;
commit the plan files with a message that says what changed. Without the lock: fetch. Under the
lock again: commit what was saved meanwhile, merge (git in memory; planner.merge's rules, in this
process, for every plan file both sides changed), and push, fetching and merging again when the
remote moved. A merge that cannot complete is not made, so the folder is never left half merged.
`planner merge-driver` merges by the same rules when git merges on its own (a plain `git pull`).
See docs/sync.md.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from planner.store import (
    BOARD_FILE,
    GITIGNORE,
    LOCK_FILE,
    TASKS_DIR,
    WEEKS_DIR,
    PlanStore,
    atomic_write,
    is_plan_path,
)

GITATTRIBUTES_LINES = (
    "tasks/*.toml merge=planner",
    "weeks/*.toml merge=planner",
    "board.toml merge=planner",
)
GITATTRIBUTES = ("# Written by Value Planner: plan files merge field by field (`planner merge-driver`).\n"
                 + "\n".join(GITATTRIBUTES_LINES) + "\n")
PLAN_PATHS = (BOARD_FILE, TASKS_DIR, WEEKS_DIR, ".gitattributes", ".gitignore")
#: Added to the repository's own attributes ($GIT_DIR/info/attributes, whose lines win over
#: .gitattributes) while sync runs `git merge`, and removed after: git's built-in `binary` driver
#: leaves each plan file both sides changed unmerged, in git's own process. A driver command
#: (even `false`) would be one process per file: 0.2-0.3 s for 100 files on a small VM.
UNMERGED_ATTRIBUTES = ("# Value Planner: while `planner sync` merges (removed after it)\n"
                       + "".join(line.replace("merge=planner", "merge=binary") + "\n" for line in GITATTRIBUTES_LINES)
                       + "# Value Planner: end\n")
PUSH_ATTEMPTS = 4
#: What git says when a push is refused because the remote moved since our fetch (before the push
#: started, or while it ran: the remote then fails to lock the branch).
REMOTE_MOVED = ("non-fast-forward", "fetch first", "Updates were rejected because", "failed to update ref",
                "cannot lock ref")
NETWORK_TIMEOUT_SECONDS = 120

EXIT_BAD_DATA = 2
EXIT_OFFLINE = 4


class SyncError(Exception):
    """Sync stopped; `status` is the exit status the CLI uses (1 a mistake, 2 the plan or the
    repository needs attention, 4 the remote could not be reached)."""

    def __init__(self, message: str, status: int = EXIT_BAD_DATA) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class SyncResult:
    remote: str | None = None
    committed: str = ""                  # the summary of the local commit, "" when nothing changed
    received: list[str] = field(default_factory=list)   # plan files the merge changed here
    pushed: bool = False
    offline: str = ""                    # why the remote could not be reached
    resolved: list[str] = field(default_factory=list)   # files merged from conflict markers or stages

    def summary(self) -> str:
        parts = [f"committed {self.committed}" if self.committed else "nothing new to commit"]
        if self.remote is None:
            parts.append("no remote to sync with (`planner sync --init URL` adds one)")
        elif self.offline:
            parts.append(f"could not reach {self.remote} ({self.offline}); your commit is kept and the next "
                         "sync sends it")
        else:
            received = len(self.received)
            parts.append(f"received {received} changed file{'s' * (received != 1)} from {self.remote}"
                         if received else f"nothing new from {self.remote}")
            parts.append("pushed" if self.pushed else "nothing to push")
        return "; ".join(parts)


Progress = Callable[[str], None]


class Git:
    """The user's `git`, run in the plan folder; never prompts when `interactive` is False (the
    full-screen app), so a missing credential is an error rather than a frozen screen."""

    def __init__(self, root: Path, *, interactive: bool = True) -> None:
        executable = shutil.which("git")
        if executable is None:
            raise SyncError("git is not installed; planner sync uses your own git (install it, e.g. "
                            "`sudo apt install git`)", 1)
        self.executable = executable
        self.root = root
        self.interactive = interactive
        self.env = dict(os.environ, GIT_MERGE_AUTOEDIT="no", LC_ALL="C")
        if not interactive:
            self.env["GIT_TERMINAL_PROMPT"] = "0"
            self.env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")

    def run(self, *args: str, check: bool = True, timeout: float | None = None,
            input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        try:
            result = subprocess.run(
                [self.executable, *args], cwd=self.root, env=self.env, input=input,
                stdin=None if input is not None else (None if self.interactive else subprocess.DEVNULL),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                start_new_session=not self.interactive)
        except subprocess.TimeoutExpired:
            raise SyncError(f"git {args[0]} took over {timeout:.0f}s and was stopped", EXIT_OFFLINE) from None
        if check and result.returncode != 0:
            raise SyncError(f"git {' '.join(args[:2])} failed: {last_line(result.stderr)}")
        return result

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        """git running in the background, as `run` would run it; `finish` waits for it."""
        return subprocess.Popen(
            [self.executable, *args], cwd=self.root, env=self.env,
            stdin=None if self.interactive else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=not self.interactive)

    def finish(self, process: subprocess.Popen[bytes], *, timeout: float) -> subprocess.CompletedProcess[bytes]:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise SyncError(f"git {process.args[1]} took over {timeout:.0f}s and was stopped", EXIT_OFFLINE) from None
        return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)

    def text(self, *args: str) -> str:
        return self.run(*args).stdout.decode("utf-8", "replace").strip()

    def ok(self, *args: str) -> bool:
        return self.run(*args, check=False).returncode == 0

    @property
    def git_dir(self) -> Path:
        return Path(self.text("rev-parse", "--absolute-git-dir"))


def last_line(output: bytes) -> str:
    """git's reason on one line: its last error, with the paths it lists indented under it, else
    the last line it printed."""
    lines = output.decode("utf-8", "replace").splitlines()
    errors = [at for at, line in enumerate(lines) if line.strip().lower().startswith(("fatal:", "error:"))]
    if not errors:
        shown = [line.strip() for line in lines if line.strip()]
        return shown[-1] if shown else "no message"
    listed = []
    for line in lines[errors[-1] + 1:]:
        if not line.strip() or not line[0].isspace():
            break
        listed.append(line.strip())
    return " ".join([lines[errors[-1]].strip(), ", ".join(listed)]).strip()


# --- setting a folder up -------------------------------------------------------------------------

def repository_state(git: Git) -> str:
    """"own" when the plan folder is the top of a repository, "none" when it is in none, or the
    path of the repository it sits inside (which sync will not touch)."""
    result = git.run("rev-parse", "--show-toplevel", check=False)
    if result.returncode != 0:
        return "none"
    top = Path(result.stdout.decode().strip()).resolve()
    return "own" if top == git.root.resolve() else str(top)


def driver_command() -> str:
    # -P: the plan folder (git runs the driver there) is never on sys.path, so no file in it can
    # stand in for the planner's code.
    return f"{shlex.quote(sys.executable)} -P -m planner merge-driver %O %A %B %P"


def configure(git: Git, store: PlanStore, driver: str | None = None) -> None:
    """Make the repository merge plan files with the planner's driver: .gitattributes, .gitignore
    and the driver in .git/config (which a clone does not copy, so every sync sets it)."""
    for name, lines, whole in ((".gitattributes", GITATTRIBUTES_LINES, GITATTRIBUTES),
                               (".gitignore", (LOCK_FILE, ".*.tmp"), GITIGNORE)):
        path = store.root / name
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise SyncError(f"{store.display_path(path)} is not a plain file; sync will not write it")
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        missing = [line for line in lines if line not in current.splitlines()]
        if not missing:
            continue
        text = whole if not current else current + ("" if current.endswith("\n") else "\n") + "\n".join(missing) + "\n"
        atomic_write(path, text.encode("utf-8"))
    if driver == driver_command():
        return  # `driver`: the setting as read already (the name is set with it)
    wanted = {"merge.planner.name": "Value Planner: merge plan files field by field",
              "merge.planner.driver": driver_command()}
    for key, value in wanted.items():
        current = git.run("config", "--local", "--get", key, check=False).stdout.decode().strip()
        if current != value:
            git.run("config", "--local", key, value)


def identity_env(git: Git) -> None:
    """A commit needs a name and an email; without them in the user's git config, say who on which
    machine rather than failing the sync."""
    if not git.run("config", "user.email", check=False).stdout.strip():
        import getpass
        import socket

        user = getpass.getuser()
        host = socket.gethostname() or "localhost"
        git.env.setdefault("GIT_AUTHOR_NAME", user)
        git.env.setdefault("GIT_COMMITTER_NAME", user)
        git.env.setdefault("GIT_AUTHOR_EMAIL", f"{user}@{host}")
        git.env.setdefault("GIT_COMMITTER_EMAIL", f"{user}@{host}")


def init(store: PlanStore, remote: str | None, progress: Progress = lambda step: None, *,
         interactive: bool = True) -> SyncResult:
    """`planner sync --init [REMOTE]`: clone REMOTE into a folder with no plan yet, or make the plan
    folder a repository (adopting one that is there), set it up, and sync."""
    root = store.root
    git = Git(root if root.is_dir() else root.parent, interactive=interactive)
    empty = not root.exists() or (root.is_dir() and not any(root.iterdir()))
    if remote and empty:
        progress(f"Cloning {remote}")
        root.parent.mkdir(parents=True, exist_ok=True)
        git.run("clone", "--quiet", remote, str(root), timeout=NETWORK_TIMEOUT_SECONDS)
        git = Git(root, interactive=interactive)
        if not store.exists():
            raise SyncError(f"{remote} holds no plan (no board.toml at its top); cloned into {root} anyway")
        configure(git, store)
        return SyncResult(remote="origin")
    if not store.exists():
        raise SyncError(f"{root} is not a plan folder (no board.toml); `planner init` makes one, or give "
                        "`--init URL` with an empty folder to clone a plan", 1)
    git = Git(root, interactive=interactive)
    state = repository_state(git)
    if state not in ("own", "none"):
        raise SyncError(f"{root} is inside the git repository {state}; sync needs the plan folder to be a "
                        "repository of its own (move it out, or make it a submodule)", 1)
    if state == "none":
        progress("Making the plan folder a git repository")
        git.run("init", "--quiet")
    identity_env(git)
    configure(git, store)
    if remote:
        current = git.run("remote", "get-url", "origin", check=False)
        if current.returncode != 0:
            git.run("remote", "add", "origin", remote)
        elif current.stdout.decode().strip() != remote:
            raise SyncError(f"origin is already {current.stdout.decode().strip()}; "
                            f"change it with `git -C {shlex.quote(str(root))} remote set-url origin URL`", 1)
    return sync(store, progress, git=git)


# --- one sync ---------------------------------------------------------------------------------------

@dataclass
class Repository:
    """What one `git rev-parse` and one `git config` say about the plan repository."""

    git_dir: Path
    branch: str
    remote: str | None
    has_email: bool
    driver: str
    sign: bool = False  # commit.gpgSign: git's plumbing (commit-tree) signs only when told to


def look(git: Git, root: Path) -> Repository:
    # Both git runs at once: they are independent, and each costs a process start.
    configured = git.start("config", "--null", "--get-regexp",
                           r"^(merge\.planner\.driver|branch\..*\.remote|user\.email|remote\..*\.url|commit\.gpgsign)$")
    try:
        found = git.run("rev-parse", "--show-toplevel", "--absolute-git-dir", "--symbolic-full-name", "HEAD",
                        check=False)
    finally:
        config_output = git.finish(configured, timeout=NETWORK_TIMEOUT_SECONDS).stdout
    lines = found.stdout.decode("utf-8", "replace").splitlines()
    if found.returncode != 0 and not lines:
        raise SyncError(f"{root} is not a git repository yet: `planner sync --init [URL]` makes one", 1)
    top, git_dir = Path(lines[0]).resolve(), Path(lines[1])
    if top != root.resolve():
        raise SyncError(f"{root} is inside the git repository {top}; sync needs the plan folder to be a "
                        "repository of its own", 1)
    head = lines[2] if len(lines) > 2 else ""
    if not head.startswith("refs/heads/"):  # a new repository has no commit for HEAD to name yet
        head = git.run("symbolic-ref", "--quiet", "HEAD", check=False).stdout.decode().strip()
    if not head.startswith("refs/heads/"):
        raise SyncError("the plan repository is not on a branch (a detached HEAD); "
                        f"`git -C {shlex.quote(str(root))} switch main` first", 1)
    branch = head.removeprefix("refs/heads/")
    config = dict(_config_entries(config_output))
    remotes = sorted(key.split(".")[1] for key in config if key.startswith("remote.") and key.endswith(".url"))
    remote = config.get(f"branch.{branch}.remote") or ("origin" if "origin" in remotes else
                                                       (remotes[0] if remotes else None))
    sign = config.get("commit.gpgsign", "false").lower() in ("", "true", "yes", "on", "1")
    return Repository(git_dir, branch, remote, bool(config.get("user.email")), config.get("merge.planner.driver", ""),
                      sign)


def _config_entries(output: bytes) -> list[tuple[str, str]]:
    entries = []
    for entry in filter(None, output.decode("utf-8", "replace").split("\0")):
        key, _, value = entry.partition("\n")
        entries.append((key.lower() if not key.startswith("branch.") else key, value))
    return entries


def sync(store: PlanStore, progress: Progress = lambda step: None, *, interactive: bool = True,
         git: Git | None = None) -> SyncResult:
    git = git or Git(store.root, interactive=interactive)
    repository = look(git, store.root)
    if not repository.has_email:
        identity_env(git)
    result = SyncResult(remote=repository.remote)
    branch, remote = repository.branch, repository.remote
    # The first fetch starts now and runs while the local changes are checked and committed: it
    # touches only the remote's refs, and waiting on the network is most of a sync's time.
    fetching = git.start("fetch", "--quiet", remote) if remote is not None else None
    lock = PlanLock(store)
    try:
        lock.take()
        configure(git, store, repository.driver)
        changes = local_changes(git, store, repository)
        progress("Committing local changes")
        result.committed = commit_local(git, changes)
        if fetching is None or fetching.poll() is None:
            lock.release()  # git is still waiting on the network: the app may save meanwhile
    except BaseException:
        lock.release()
        if fetching is not None:
            fetching.kill()
            fetching.communicate()
        raise
    if remote is None:
        return result
    tracking = f"refs/remotes/{remote}/{branch}"
    with lock:
        for attempt in range(PUSH_ATTEMPTS):
            progress(f"Fetching from {remote}")
            if fetching is not None:
                fetched, fetching = git.finish(fetching, timeout=NETWORK_TIMEOUT_SECONDS), None
            else:
                fetched = git.run("fetch", "--quiet", remote, check=False, timeout=NETWORK_TIMEOUT_SECONDS)
            if fetched.returncode != 0:
                result.offline = last_line(fetched.stderr)
                return result
            found = git.run("rev-parse", "--quiet", "HEAD", tracking, check=False)
            heads = found.stdout.decode().split()
            theirs_exists = found.returncode == 0 and len(heads) == 2  # not before the first push
            ours, theirs = heads if theirs_exists else ("", "")
            if ours != theirs:
                # One `git merge-base` says both whether theirs is in ours already (then it is the
                # base) and whether the histories are related at all (a base exists).
                base = git.run("merge-base", "HEAD", tracking, check=False).stdout.decode().strip()
                if base != theirs:
                    ours = _merge_under_lock(git, store, repository, result, lock, tracking, base=base,
                                             staged=changes.others_staged, progress=progress)
            lock.release()  # the push (and a fetch again when the remote moved) waits on the network
            if theirs_exists and ours == theirs:
                return result
            progress(f"Pushing to {remote}")
            pushed = git.run("push", "--quiet", "--set-upstream", remote, f"HEAD:refs/heads/{branch}", check=False,
                             timeout=NETWORK_TIMEOUT_SECONDS)
            if pushed.returncode == 0:
                result.pushed = True
                return result
            message = pushed.stderr.decode("utf-8", "replace")
            if not any(sign in message for sign in REMOTE_MOVED):
                result.offline = last_line(pushed.stderr)
                return result
            # The remote moved between our fetch and our push: fetch and merge again.
    raise SyncError(f"{remote} kept moving: pushed {PUSH_ATTEMPTS} times and was refused each time; "
                    "your changes are committed here, sync again in a moment")


class PlanLock:
    """The plan lock, taken and let go more than once in one sync: held while plan files are
    committed and merged, not while git waits on the network."""

    def __init__(self, store: PlanStore) -> None:
        self.store = store
        self._held: contextlib.AbstractContextManager | None = None

    @property
    def held(self) -> bool:
        return self._held is not None

    def take(self) -> None:
        if self._held is None:
            held = self.store.lock()
            held.__enter__()
            self._held = held

    def release(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            held.__exit__(None, None, None)

    def __enter__(self) -> PlanLock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def _merge_under_lock(git: Git, store: PlanStore, repository: Repository, result: SyncResult, lock: PlanLock,
                      tracking: str, *, base: str, staged: list[str], progress: Progress) -> str:
    """Merge `tracking` under the plan lock, recording what came in `result`; the new HEAD. When
    the lock was let go for the fetch, what the app saved meanwhile is committed first (when the
    fetch ended before the local commit did, the lock was kept and nothing can have been saved)."""
    if not lock.held:
        lock.take()
        changes = local_changes(git, store, repository)
        staged = changes.others_staged
        extra = commit_local(git, changes)
        if extra:
            result.committed = f"{result.committed}, then {extra}" if result.committed else extra
    progress(f"Merging {tracking.removeprefix('refs/remotes/')}")
    result.received += merge(git, store, tracking, repository.git_dir, base=base, staged=staged,
                             sign=repository.sign)
    return git.text("rev-parse", "HEAD")


@dataclass
class LocalChanges:
    """What `git status` says: (status, path) of each plan file that differs from the last
    commit, and whether the person staged other files themselves (sync then commits only its own)."""

    files: list[tuple[str, str]]
    others_staged: list[str] = field(default_factory=list)


def local_changes(git: Git, store: PlanStore, repository: Repository) -> LocalChanges:
    """The plan files that differ from the last commit, after refusing (exit 2) an unfinished
    merge and any changed file that does not parse. Only changed files are checked: every
    committed one was checked when sync committed it or merged it."""
    # The whole folder, not just the plan paths: as fast (git reads the whole index either way),
    # and it shows what else is staged.
    listing = git.run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"
                      ).stdout.decode("utf-8", "replace")
    everything = [(entry[:2], entry[3:]) for entry in listing.split("\0") if entry]
    unmerged = sorted(path for status, path in everything if "U" in status or status in ("AA", "DD"))
    refuse_unfinished(repository.git_dir, store, unmerged)
    changes = [(status, path) for status, path in everything if _in_plan_paths(path)]
    others_staged = [path for status, path in everything if status[0] not in " ?!" and not _in_plan_paths(path)]
    problems = [problem for status, path in changes if "D" not in status
                for problem in [store.problem_in(path)] if problem is not None]
    if problems:
        shown = "\n".join(str(problem) for problem in problems[:20])
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise SyncError(f"{shown}{more}\nnothing was committed or sent: fix "
                        f"{'these files' if len(problems) > 1 else 'this file'} first (`planner check` lists them)")
    return LocalChanges(changes, others_staged)


def _in_plan_paths(path: str) -> bool:
    return path.split("/", 1)[0] in PLAN_PATHS


def refuse_unfinished(git_dir: Path, store: PlanStore, unmerged: list[str]) -> None:
    quoted = shlex.quote(str(store.root))
    for marker, what in (("rebase-merge", "rebase"), ("rebase-apply", "rebase"), ("CHERRY_PICK_HEAD", "cherry-pick")):
        if (git_dir / marker).exists():
            raise SyncError(f"an unfinished git {what} in {store.root}: finish or abort it with git "
                            f"(`git -C {quoted} {what} --abort`)")
    if (git_dir / "MERGE_HEAD").exists() or unmerged:
        files = ", ".join(unmerged) or "every file merged, not yet committed"
        raise SyncError(f"an unfinished git merge in {store.root} ({files}): `planner sync --resolve` merges the "
                        f"files with the planner's rules and finishes it; `git -C {quoted} merge --abort` undoes it")


def commit_local(git: Git, local: LocalChanges) -> str:
    """Commit the plan files that changed; the summary of what changed, or "" for nothing."""
    changes = local.files
    if not changes:
        return ""
    import socket  # here, not at the top: a sync with nothing to commit does not need it

    summary = describe_changes([("A" if "?" in status or "A" in status else "D" if "D" in status else "M", path)
                                for status, path in changes])
    paths = sorted({path for _, path in changes})
    # `git commit --include -- PATHS` stages the files as they are (removals too) and commits all
    # that is staged, in one write of the index; only a file git does not know yet has to be
    # added first. When the person staged other files, `--only` (git's default with paths, which
    # builds a second, temporary index: 1.5-2x slower) commits the plan files and leaves theirs.
    new = sorted({path for status, path in changes if status == "??"})
    if new:
        git.run("add", "--", *new)
    git.run("commit", "--quiet", "--no-verify", "-m", summary, "-m",
            f"planner sync on {socket.gethostname() or 'this machine'}",
            "--only" if local.others_staged else "--include", "--", *paths)
    return summary


def describe_changes(changes: list[tuple[str, str]]) -> str:
    """"3 tasks edited, 1 added; week 2026-W48 edited; board edited" from (A/M/D, path) pairs."""
    verbs = {"A": "added", "M": "edited", "D": "removed"}
    tasks: dict[str, int] = {}
    parts = []
    for status, path in changes:
        verb = verbs.get(status[:1], "edited")
        if path.startswith(TASKS_DIR + "/"):
            tasks[verb] = tasks.get(verb, 0) + 1
        elif path.startswith(WEEKS_DIR + "/"):
            parts.append(f"week {Path(path).stem} {verb}")
        elif path == BOARD_FILE:
            parts.append(f"board {verb}")
        elif path:
            parts.append(f"{path} {verb}")
    if tasks:
        counted = [(verb, tasks[verb]) for verb in ("edited", "added", "removed") if verb in tasks]
        first_verb, first_count = counted[0]
        words = [f"{first_count} task{'s' * (first_count != 1)} {first_verb}"]
        words += [f"{count} {verb}" for verb, count in counted[1:]]
        parts.insert(0, ", ".join(words))
    return "; ".join(parts)


def unmerged_paths(git: Git) -> dict[str, dict[int, str]]:
    """path -> {stage: blob} for each file git could not merge (1 base, 2 ours, 3 theirs)."""
    listing = git.run("ls-files", "--unmerged", "-z").stdout.decode("utf-8", "replace")
    paths: dict[str, dict[int, str]] = {}
    for entry in filter(None, listing.split("\0")):
        info, _, path = entry.partition("\t")
        _, blob, stage = info.split()
        paths.setdefault(path, {})[int(stage)] = blob
    return paths


def merge(git: Git, store: PlanStore, tracking: str, git_dir: Path, *, base: str, staged: Sequence[str] = (),
          sign: bool = False) -> list[str]:
    """Merge `tracking` into HEAD (`base`: their merge base, "" when the histories share no commit);
    the plan files it changed here. The folder changes only once the whole merge is known to be
    good: a file that cannot be merged, a received one that does not parse, or files the person
    staged themselves (`staged`: a merge commit would take them in) stop it with the folder as it was.

    git merges in memory (`git merge-tree`, git 2.38 and later) without the planner's driver
    (UNMERGED_ATTRIBUTES; `false` where they cannot be written), so each file both sides changed
    comes back unmerged, and all of them are merged here in one process: one Python start per sync
    rather than one per file. Only then does the folder change (git's plumbing: read-tree, the
    merged files, commit-tree): nothing to abort when a file stops the merge, and less work than
    `git merge` and `git commit` on a large plan (no `git stash create`, no second refresh of the
    index; 130 ms of git instead of 160 for 100 files merged at 10,000 tasks)."""
    head = git.text("rev-parse", "HEAD")
    name = tracking.removeprefix("refs/remotes/")
    not_made = f"the merge with {name} was not made, your folder is as it was"
    if staged and base != head:
        shown = ", ".join(staged[:5]) + (f" and {len(staged) - 5} more" if len(staged) > 5 else "")
        raise SyncError(f"{not_made}: you staged {shown} yourself, and the merge commit would take it in; commit "
                        f"or unstage it (`git -C {shlex.quote(str(store.root))} restore --staged "
                        f"{shlex.join(staged[:5])}`), then sync again")
    if base == head:  # nothing here that theirs lacks: their tree as it is (a fast-forward)
        tree, unmerged = f"{tracking}^{{tree}}", {}
    else:
        found = _merge_tree(git, git_dir, tracking, related=bool(base))
        if found is None:
            return merge_in_worktree(git, store, tracking, git_dir, related=bool(base))
        tree, unmerged = found
    incoming = _changed_blobs(git, head, tree)
    arriving = {path: blob for path, blob in incoming.items()
                if blob and path not in unmerged and is_plan_path(path)}
    blobs = read_blobs(git, [blob for stages in unmerged.values() for blob in stages.values()]
                       + list(arriving.values()))
    merged, failed = merge_contents(store, unmerged, blobs)
    if failed:
        raise SyncError(f"{not_made}; these files could not be merged: {'; '.join(failed)}")
    problems = [problem for path, blob in arriving.items()
                for problem in [store.problem_in(path, blobs[blob])] if problem is not None]
    if problems:
        raise SyncError(f"{not_made}; it brought files that do not parse: "
                        f"{'; '.join(str(problem) for problem in problems[:10])}")
    # Into the folder: the index and files move from HEAD to git's merged tree (refused, with
    # nothing changed, when a change of the person's own is in the way), then the planner's merged
    # files replace the ones git could not merge, and the merge is committed.
    moved = git.run("read-tree", "-m", "-u", head, tree, check=False)
    if moved.returncode != 0:
        raise SyncError(f"{not_made}: {last_line(moved.stderr)}")
    if base == head:
        git.run("update-ref", "-m", f"planner sync: fast-forward to {name}", "HEAD", tracking, head)
        return sorted(incoming)
    flush = BackgroundSync()
    try:
        write_merged(store, merged, flush.start)
        if merged:
            git.run("update-index", "--add", "--", *merged)
        commit = git.text("commit-tree", *(["-S"] if sign else []), git.text("write-tree"), "-p", head, "-p", tracking,
                          "-m", f"planner sync: merge {name}")
        git.run("update-ref", "-m", f"planner sync: merge {name}", "HEAD", commit, head)
    finally:
        flush.wait()
    ours = {path: blobs.get(stages.get(2, ""), b"") for path, stages in unmerged.items()}
    return sorted({path for path in incoming if path not in unmerged}
                  | {path for path, data in merged.items() if data != ours[path]})


def _merge_tree(git: Git, git_dir: Path, tracking: str, *,
                related: bool) -> tuple[str, dict[str, dict[int, str]]] | None:
    """`git merge-tree --write-tree` of HEAD and `tracking`: the merged tree, and path -> {stage:
    blob} (1 base, 2 ours, 3 theirs) for each file git left unmerged; None for a git without it."""
    args = ["-c", "merge.planner.driver=false", "merge-tree", "--write-tree", "-z"]
    if not related:
        args.append("--allow-unrelated-histories")
    with plan_files_left_unmerged(git_dir):
        found = git.run(*args, "HEAD", tracking, check=False)
    if found.returncode == 129:  # usage: a git before 2.38
        return None
    if found.returncode not in (0, 1):  # 1: some files left unmerged
        raise SyncError(f"git merge-tree failed: {last_line(found.stderr)}")
    # The tree, then one "mode blob stage\tpath" per unmerged stage, then an empty field and
    # git's messages.
    fields = found.stdout.decode("utf-8", "surrogateescape").split("\0")
    unmerged: dict[str, dict[int, str]] = {}
    for entry in fields[1:]:
        if not entry:
            break
        info, _, path = entry.partition("\t")
        _, blob, stage = info.split()
        unmerged.setdefault(path, {})[int(stage)] = blob
    return fields[0].strip(), unmerged


def _changed_blobs(git: Git, head: str, tree: str) -> dict[str, str]:
    """path -> blob ("" when removed) of each file that differs between HEAD and `tree`."""
    output = git.run("diff-tree", "-r", "-z", "--no-renames", head, tree).stdout.decode("utf-8", "surrogateescape")
    fields = output.split("\0")
    changed = {}
    for info, path in zip(fields[0::2], fields[1::2]):
        if info.startswith(":"):
            _, _, _, blob, status = info[1:].split()
            changed[path] = "" if status == "D" else blob
    return changed


def merge_contents(store: PlanStore, unmerged: dict[str, dict[int, str]],
                   blobs: dict[str, bytes]) -> tuple[dict[str, bytes], list[str]]:
    """path -> merged content of each file git left unmerged (from its stages' `blobs`), by the
    planner's rules, each checked as the plan file it is; and the files that could not be merged,
    with why."""
    from planner.merge import MergeError, merge_files

    zone = _zone(store)
    merged, failed = {}, []
    for path, stages in unmerged.items():
        if 1 in stages and (2 in stages) != (3 in stages):
            # An edit beats a delete: the side that changed the file keeps it.
            data = blobs.get(stages[2 if 2 in stages else 3], b"")
        elif not is_plan_path(path) or 2 not in stages or 3 not in stages:
            failed.append(f"{path}: changed on both sides, and not a plan file the planner merges")
            continue
        else:
            try:
                data = merge_files(*(blobs.get(stages.get(stage, ""), b"") for stage in (1, 2, 3)), zone)
            except MergeError as error:
                failed.append(f"{path}: {error}")
                continue
        problem = store.problem_in(path, data)
        if problem is not None:
            failed.append(str(problem))
            continue
        merged[path] = data
    return merged, failed


def merge_in_worktree(git: Git, store: PlanStore, tracking: str, git_dir: Path, *, related: bool) -> list[str]:
    """`merge` for a git before 2.38 (no `merge-tree --write-tree`): `git merge` in the folder,
    which leaves each plan file both sides changed unmerged; those are merged here from git's
    stages, and the merge is aborted (the folder as it was) when one cannot be."""
    before = git.text("rev-parse", "HEAD")
    name = tracking.removeprefix("refs/remotes/")
    args = ["-c", "merge.planner.driver=false", "merge", "--quiet", "--no-edit", "-m", f"planner sync: merge {name}"]
    if not related:
        args.append("--allow-unrelated-histories")
    with plan_files_left_unmerged(git_dir):
        merged = git.run(*args, tracking, check=False)
    if merged.returncode != 0:
        unmerged = unmerged_paths(git)
        if not unmerged or not (git_dir / "MERGE_HEAD").exists():
            git.run("merge", "--abort", check=False)
            raise SyncError(f"the merge with {name} was undone, your folder is as it was: "
                            f"{last_line(merged.stderr + merged.stdout)}")
        flush = BackgroundSync()
        try:
            failed = merge_stages(git, store, unmerged, stage=False, flush=flush.start)
            if failed:
                git.run("merge", "--abort", check=False)
                raise SyncError(f"the merge with {name} was undone, your folder is as it was; these files could "
                                f"not be merged: {'; '.join(failed)}")
            # --include stages the merged files and concludes the merge in one git run (git's own
            # advice for finishing a conflicted merge), one write of the index instead of two.
            git.run("commit", "--quiet", "--no-verify", "--no-edit", "--include", "--", *unmerged)
        finally:
            flush.wait()
    changed = git.run("diff", "--name-only", "-z", before, "HEAD").stdout.decode("utf-8", "surrogateescape")
    received = [path for path in changed.split("\0") if path]
    problems = [problem for path in received for problem in [store.problem_in(path)] if problem is not None]
    if problems:
        # Files that arrived broken are not taken in: back to the commit before the merge.
        git.run("reset", "--quiet", "--keep", before)
        raise SyncError(f"the merge with {name} was undone, your folder is as it was; it brought files that do "
                        f"not parse: {'; '.join(str(problem) for problem in problems[:10])}")
    return received


@contextlib.contextmanager
def plan_files_left_unmerged(git_dir: Path):
    """UNMERGED_ATTRIBUTES in $GIT_DIR/info/attributes for the time of the block; the file is left
    as it was after (and a block that a killed sync left behind is taken out first)."""
    path = git_dir / "info" / "attributes"
    try:
        before = path.read_text(encoding="utf-8") if path.exists() else None
        kept = _without_unmerged_attributes(before or "")
        path.parent.mkdir(exist_ok=True)
        atomic_write(path, (kept + ("" if not kept or kept.endswith("\n") else "\n")
                            + UNMERGED_ATTRIBUTES).encode("utf-8"), durable=False)
    except (OSError, UnicodeDecodeError):
        yield  # git runs `false` as the driver instead: slower, the same result
        return
    try:
        yield
    finally:
        if before is None or not kept:
            path.unlink(missing_ok=True)
        else:
            atomic_write(path, kept.encode("utf-8"), durable=False)


def _without_unmerged_attributes(text: str) -> str:
    start = text.find(UNMERGED_ATTRIBUTES.splitlines()[0])
    if start < 0:
        return text
    end_line = UNMERGED_ATTRIBUTES.splitlines()[-1]
    end = text.find(end_line, start)
    return text[:start] + (text[end + len(end_line) + 1:] if end >= 0 else "")


class BackgroundSync:
    """os.sync() in a thread (it lets go of the GIL): the merged files reach the disk while git
    commits them, rather than before, and `wait` makes sure they have before sync says done."""

    def __init__(self) -> None:
        self.thread = None

    def start(self) -> None:
        import threading

        self.thread = threading.Thread(target=os.sync, name="planner-sync-flush")
        self.thread.start()

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.join()


def merge_stages(git: Git, store: PlanStore, unmerged: dict[str, dict[int, str]], *,
                 stage: bool = True, flush: Callable[[], None] = os.sync) -> list[str]:
    """Merge each file git left unmerged (merge_contents), write it and (`stage`) stage it; the
    files that could not be merged, with why. `flush` makes the written files durable (one sync
    for all of them)."""
    blobs = read_blobs(git, [blob for stages in unmerged.values() for blob in stages.values()])
    merged, failed = merge_contents(store, unmerged, blobs)
    write_merged(store, merged, flush)
    if merged and not failed and stage:
        git.run("add", "--", *merged)
    return failed


def write_merged(store: PlanStore, merged: dict[str, bytes], flush: Callable[[], None]) -> None:
    """Write merged files into the folder. A hundred of them: each replaced atomically, then one
    `flush` (a sync) for all, rather than three fsyncs per file (git holds every side until the
    merge is committed)."""
    for path, data in merged.items():
        atomic_write(store.root / path, data, durable=False)
    if merged:
        flush()


def read_blobs(git: Git, blobs: list[str]) -> dict[str, bytes]:
    """The contents of many git objects in one `git cat-file --batch`."""
    if not blobs:
        return {}
    output = git.run("cat-file", "--batch", input="".join(f"{blob}\n" for blob in blobs).encode()).stdout
    contents, position = {}, 0
    while position < len(output):
        header_end = output.index(b"\n", position)
        name, kind, size = output[position:header_end].decode().split()
        start = header_end + 1
        contents[name] = output[start:start + int(size)]
        position = start + int(size) + 1
    return contents


# --- finishing a merge git left with conflict markers ------------------------------------------

def resolve(store: PlanStore, *, interactive: bool = True) -> SyncResult:
    """`planner sync --resolve`: merge the files of an unfinished git merge (from git's stages),
    and plan files that hold conflict markers (someone committed them), with the planner's rules;
    finish the merge when nothing is left."""
    from planner.merge import MergeError, has_conflict_markers, merge_files, split_conflict_markers

    git = Git(store.root, interactive=interactive)
    repository = look(git, store.root)
    if not repository.has_email:
        identity_env(git)
    result = SyncResult()
    with store.lock():
        configure(git, store)
        unmerged = unmerged_paths(git)
        failed = merge_stages(git, store, unmerged)
        result.resolved += [path for path in unmerged if not any(line.startswith(f"{path}:") for line in failed)]
        for path in _plan_files(store):
            relative = path.relative_to(store.root).as_posix()
            if relative in unmerged:
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if not has_conflict_markers(text):
                continue
            base, ours, theirs = split_conflict_markers(text)
            try:
                atomic_write(path, merge_files(base.encode(), ours.encode(), theirs.encode(), _zone(store)))
            except MergeError as error:
                failed.append(f"{relative}: {error}")
                continue
            result.resolved.append(relative)
        if failed:
            raise SyncError("could not merge " + "; ".join(failed) + " (fix by hand; the other files are merged)")
        if (repository.git_dir / "MERGE_HEAD").exists() and not unmerged_paths(git):
            git.run("commit", "--quiet", "--no-verify", "--no-edit")
    return result


def _plan_files(store: PlanStore) -> list[Path]:
    files = [store.board_path] if store.board_path.is_file() else []
    for folder in (store.tasks_dir, store.weeks_dir):
        if folder.is_dir() and not folder.is_symlink():
            files += sorted(path for path in folder.glob("*.toml") if path.is_file() and not path.is_symlink())
    return files


def _zone(store: PlanStore):
    from datetime import timezone

    try:
        return store.zone
    except Exception:  # noqa: BLE001 - a board that does not parse: times without an offset read as UTC
        return timezone.utc


# --- the merge driver git runs ------------------------------------------------------------------

def merge_driver(base: Path, ours: Path, theirs: Path, shown_path: str) -> int:
    """`planner merge-driver %O %A %B %P`: write the merge of the three files into `ours` (git's
    %A); 0 when merged, 1 when a side is not a plan file (git then reports the file unmerged and
    sync undoes the merge)."""
    from planner.merge import MergeError, merge_files

    store = PlanStore(Path.cwd())
    try:
        merged = merge_files(base.read_bytes(), ours.read_bytes(), theirs.read_bytes(), _zone(store))
    except (MergeError, OSError) as error:
        print(f"planner merge-driver: {shown_path}: {error}", file=sys.stderr)
        return 1
    ours.write_bytes(merged)
    return 0
