"""Changes made to a plan folder by other processes, noticed as they happen: a pull or a sync, a
second planner, an SSH session, an editor saving by rename or in place.

`FolderWatcher` listens in a background thread for the operating system's file events (watchfiles,
over Rust's notify: inotify, FSEvents, ReadDirectoryChangesW) and reads there the plan files they
name, so the app's thread only takes in results. It watches the plan folder, tasks/ and weeks/,
each without what lies below (.git/ raises no event here). A burst such as a pull of hundreds of
files arrives as one batch. The process's own saves are told apart by their content
(`PlanStore.knows_content`), so a save costs nothing after it is written.

Where file events cannot be had it polls the same folders instead: on a network file system (a
change made on another machine raises no event on this one), or when the events cannot be set up
(no inotify, or its limits reached). `PLANNER_WATCH=poll` asks for polling, `PLANNER_WATCH=off`
for no watching at all. Polling looks at the three folders' own times twice a second and lists a
folder whose entries changed (a file added, removed, or replaced by rename, as git, sync tools and
the planner write); a file written in place is found by comparing every file's time and size, every
few seconds, as that costs a stat per file.
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISDIR
from typing import Callable

from planner.model import Board, Task
from planner.session import Session
from planner.store import (
    BOARD_FILE,
    TASKS_DIR,
    WEEKS_DIR,
    PlanStore,
    Problem,
    StoreError,
    is_plan_file,
    read_plan_bytes,
)

WATCH_VARIABLE = "PLANNER_WATCH"
WATCH_MODES = ("events", "poll", "off")
#: A burst ends when no new change has come for this long: git writes the files of a pull back to
#: back, far closer together than this.
QUIET_MS = 100
#: Changes that never pause are still handed over this often, so they show within a second.
LONGEST_BATCH_MS = 600
#: When polling: how often the folders' own times are looked at (a stat each) ...
POLL_SECONDS = 0.5
#: ... and how often every file's (a stat per file: about 35 ms at 10,000 tasks, in the watcher's
#: thread), for a file written in place.
FULL_SCAN_SECONDS = 5.0
#: File systems where another machine's changes raise no local file event.
NETWORK_FILE_SYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "ceph", "glusterfs", "fuse.glusterfs", "fuse.sshfs",
    "fuse.rclone", "davfs", "fuse.davfs2", "vboxsf", "virtiofs", "drvfs", "lustre", "gpfs",
})


def watch_mode(environ: dict[str, str] | os._Environ[str] | None = None) -> tuple[str, str | None]:
    """How to watch: "events", "poll" or "off" from PLANNER_WATCH (default "events"), and a notice
    when its value is not one of those."""
    value = (os.environ if environ is None else environ).get(WATCH_VARIABLE, "").strip().lower()
    if not value or value in WATCH_MODES:
        return value or "events", None
    return "events", f"{WATCH_VARIABLE}={value!r} is not one of {', '.join(WATCH_MODES)}; watching by file events"


def network_file_system(folder: Path, mountinfo: Path = Path("/proc/self/mountinfo")) -> str | None:
    """The type of the network file system `folder` is on (e.g. "nfs4"), or None: a local one, or
    a system without /proc (macOS and Windows get their events from the folder's own machine)."""
    try:
        lines = mountinfo.read_text().splitlines()
    except OSError:
        return None
    target = os.path.realpath(folder)
    best, kind = "", None
    for line in lines:
        fields, _, rest = line.partition(" - ")
        parts, after = fields.split(), rest.split()
        if len(parts) < 5 or not after:
            continue
        mount_point = _OCTAL_ESCAPE.sub(lambda match: chr(int(match[1], 8)), parts[4])  # \040: a space
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, kind = mount_point, after[0]
    return kind if kind in NETWORK_FILE_SYSTEMS else None


_OCTAL_ESCAPE = re.compile(r"\\([0-7]{3})")


def plan_relative(root: str, path: str) -> str | None:
    """The plan's name for a changed path ("board.toml", "tasks/<id>.toml", "weeks/<label>.toml",
    or "tasks" / "weeks" for the folders themselves); None for anything else: temporary and swap
    files, the lock, .git/."""
    folder, name = os.path.split(path)
    if folder == root:
        return name if name in (BOARD_FILE, TASKS_DIR, WEEKS_DIR) else None
    parent, subfolder = os.path.split(folder)
    if parent == root and subfolder in (TASKS_DIR, WEEKS_DIR) and is_plan_file(name):
        return f"{subfolder}/{name}"
    return None


@dataclass(frozen=True)
class FileState:
    """A plan file as the watcher read it after a change."""

    #: Its bytes; None when the file is gone (or could not be read: `content` says why).
    data: bytes | None
    #: `PlanStore.last_save` of the file just before it was read.
    last_save: int
    #: The task or board it holds, a Problem (or StoreError, for the board) when it does not
    #: parse, None for a week file (screens read those themselves) or a file that is gone.
    content: Task | Board | Problem | StoreError | None


@dataclass
class Changes:
    """What the watcher read since the app last took its changes in."""

    #: By plan-relative path; a later read of a file replaces an earlier one.
    files: dict[str, FileState] = field(default_factory=dict)
    #: Every task file's id, when tasks/ was listed whole (it appeared, went, or was replaced): a
    #: task held but not listed is gone then, unless this process saved it after the listing.
    listed_task_ids: set[str] | None = None
    #: `PlanStore.saves` when tasks/ was listed.
    listed_after_save: int = 0
    #: What the user should hear about the watching itself (polling instead, stopped).
    notices: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.files or self.notices or self.listed_task_ids is not None)

    def add(self, later: "Changes") -> None:
        if later.listed_task_ids is not None:  # what was read of a task no longer listed is gone
            listed = {f"{TASKS_DIR}/{task_id}.toml" for task_id in later.listed_task_ids}
            self.files = {relative: state for relative, state in self.files.items()
                          if not relative.startswith(f"{TASKS_DIR}/") or relative in listed}
            self.listed_task_ids, self.listed_after_save = later.listed_task_ids, later.listed_after_save
        self.files.update(later.files)
        self.notices += later.notices


def read_changes(store: PlanStore, relatives: set[str]) -> Changes:
    """Read the plan files at `relatives` as they are now, leaving out those whose content this
    process saved or took in already (its own saves, a second event for one change)."""
    changes = Changes()
    for relative in sorted(relatives):
        folder, _, name = relative.partition("/")
        last_save = store.last_save(relative)
        data: bytes | None = None
        try:
            data = read_plan_bytes(store.root / relative)
        except FileNotFoundError:
            if store.knows_content(relative, None):
                continue
        except OSError:  # a link, a FIFO, too big, unreadable: the store's read says so as a problem
            pass
        else:
            if store.knows_content(relative, data):
                continue
        content: Task | Board | Problem | StoreError | None = None
        if folder == TASKS_DIR:
            content = store.read_task(name[:-5], data)
        elif relative == BOARD_FILE:
            try:
                content = store.read_board()
            except StoreError as error:
                content = error
        changes.files[relative] = FileState(data, last_save, content)
    return changes


@dataclass
class TakenIn:
    """What changed in the app's plan when it took in a batch of changes."""

    task_ids: set[str] = field(default_factory=set)
    weeks: set[str] = field(default_factory=set)
    board_changed: bool = False
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def take_in(session: Session, changes: Changes) -> TakenIn:
    """Put what the watcher read into the loaded plan (in the app's thread). A file this process
    saved after the watcher read it is left as the save made it: the save is newer."""
    store = session.store
    taken = TakenIn(notices=list(changes.notices))
    task_files: dict[str, Task | Problem | None] = {}
    for relative, state in changes.files.items():
        if store.last_save(relative) != state.last_save:
            continue
        store.note_content(relative, state.data)
        folder, _, name = relative.partition("/")
        if folder == TASKS_DIR:
            task_files[name[:-5]] = state.content if isinstance(state.content, (Task, Problem)) else None
            if isinstance(state.content, Problem):
                taken.problems.append(state.content)
        elif folder == WEEKS_DIR:
            taken.weeks.add(name[:-5])
        elif isinstance(state.content, Board):
            session.board = state.content
            taken.board_changed = True
        else:  # board.toml does not parse, or is gone
            taken.notices.append(f"{state.content} (the board as it was is kept until the file is fixed)")
    if changes.listed_task_ids is not None:
        for task_id in list(session.tasks):
            relative = f"{TASKS_DIR}/{task_id}.toml"
            if (task_id not in changes.listed_task_ids and relative not in changes.files
                    and store.last_save(relative) <= changes.listed_after_save):
                task_files[task_id] = None
    taken.task_ids = session.take_task_files(task_files)
    taken.problems.sort(key=lambda problem: str(problem.path))
    return taken


class _StopSignal:
    """The stop event watchfiles asks at every step of its loop: the first question of a watch also
    tells that the watch is in place, and runs what had to wait for that (`once_watching`)."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.watching = threading.Event()
        self.once_watching: Callable[[], None] | None = None

    def is_set(self) -> bool:
        self.watching.set()
        waiting, self.once_watching = self.once_watching, None
        if waiting is not None:
            waiting()
        return self.stop.is_set()


class FolderWatcher:
    """Watches one plan folder in a background thread. `on_changes` is called from that thread when
    changes are waiting (once until they are taken): take them with `take()` in the app's thread."""

    def __init__(self, store: PlanStore, on_changes: Callable[[], object], *, polling: bool = False) -> None:
        self.store = store
        self.root = os.path.realpath(store.root)  # the form in which events name paths
        self.polling = polling
        self._on_changes = on_changes
        self._pending = Changes()
        self._lock = threading.Lock()
        self._signal = _StopSignal()
        self._thread: threading.Thread | None = None
        #: How many batches of changes the watcher has handled, its own saves among them (tests count them).
        self.batches = 0

    def start(self, timeout: float = 2.0) -> None:
        """Start watching; returns once the watch is in place (or has failed, with a notice), so
        nothing changed after this goes unseen."""
        self._thread = threading.Thread(target=self._run, name="plan-folder-watcher", daemon=True)
        self._thread.start()
        self._signal.watching.wait(timeout)

    def stop(self, timeout: float = 1.0) -> None:
        self._signal.stop.set()
        self._signal.watching.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def take(self) -> Changes:
        """Every change read since the last take, in one batch."""
        with self._lock:
            changes, self._pending = self._pending, Changes()
        return changes

    # --- the watcher's thread ------------------------------------------------------------------------

    def _hand_over(self, changes: Changes) -> None:
        if not changes:
            return
        with self._lock:
            waiting = bool(self._pending)
            self._pending.add(changes)
        if not waiting:
            self._on_changes()

    def _folders(self) -> dict[str, int]:
        """The folders to watch, with their inodes (a folder replaced by another is another watch):
        the plan folder, and tasks/ and weeks/ when they are real folders of it (a link elsewhere is
        never read)."""
        folders = {}
        for folder in (self.root, os.path.join(self.root, TASKS_DIR), os.path.join(self.root, WEEKS_DIR)):
            try:
                stat = os.stat(folder, follow_symlinks=folder == self.root)
            except OSError:
                continue
            if S_ISDIR(stat.st_mode):
                folders[folder] = stat.st_ino
        return folders

    def _run(self) -> None:
        try:
            if not self.polling:
                self._watch_events()
            if not self._signal.stop.is_set():
                self._poll()
        except Exception as error:  # noqa: BLE001 - the app must hear why its view stopped following the disk
            self._hand_over(Changes(notices=[f"Changes made outside the planner will not show until it is started "
                                             f"again: {type(error).__name__}: {error}"]))
        finally:
            self._signal.watching.set()

    def _watch_events(self) -> None:
        """Follow the operating system's file events until stopped; returns early, with polling set,
        when they cannot be had."""
        import watchfiles  # importing it costs 25 ms: paid here, off the app's thread

        folders = self._folders()
        while not self._signal.stop.is_set():
            if self.root not in folders:
                raise FileNotFoundError(f"{self.store.root} is gone")
            try:
                for events in watchfiles.watch(
                        *folders, watch_filter=self._is_plan_path, debounce=LONGEST_BATCH_MS, step=QUIET_MS,
                        stop_event=self._signal, rust_timeout=0, force_polling=False, recursive=False,
                        raise_interrupt=False):
                    self.batches += 1
                    relatives = {plan_relative(self.root, path) for _, path in events}
                    relatives.discard(None)
                    now = self._folders() if relatives & {TASKS_DIR, WEEKS_DIR} else folders
                    if now != folders:  # tasks/ or weeks/ appeared, went or was replaced: watch anew,
                        folders = now  # and read them once the new watch is in place
                        self._signal.once_watching = lambda: self._hand_over(self._read_everything())
                        break
                    self._hand_over(read_changes(self.store, relatives - {TASKS_DIR, WEEKS_DIR}))
                else:
                    return  # stopped
            except (OSError, RuntimeError) as error:  # watchfiles' own errors are RuntimeErrors
                if self._signal.stop.is_set():
                    return
                if not os.path.isdir(self.root):
                    raise
                self.polling = True
                self._hand_over(Changes(notices=[f"File events are not available for {self.store.root} ({error}); "
                                                 f"looking for changes every {POLL_SECONDS:g} s instead"]))
                return

    def _is_plan_path(self, _change: object, path: str) -> bool:
        return plan_relative(self.root, path) is not None

    def _poll(self) -> None:
        """Look for changes every POLL_SECONDS until stopped (see the module's docstring)."""
        self._signal.watching.set()
        watched: dict[str, int] = {}  # each folder watched, with its inode
        folders: dict[str, tuple[int, int] | None] = {}  # each folder watched, with its stamp
        files: dict[str, dict[str, tuple[int, int, int]]] = {}  # each folder's files, as last seen
        last_full_scan = 0.0
        while True:
            now = self._folders()
            if self.root not in now:
                raise FileNotFoundError(f"{self.store.root} is gone")
            if now != watched:
                folders = {folder: _folder_stamp(folder) for folder in now}
                files = {folder: self._scan(folder, {}, every_file=True) for folder in now}
                last_full_scan = time.monotonic()
                if watched:  # tasks/ or weeks/ appeared, went or was replaced: read after the look above
                    self.batches += 1
                    self._hand_over(self._read_everything())
                watched = now
            elif self._signal.stop.wait(POLL_SECONDS):
                return
            every_file = time.monotonic() - last_full_scan >= FULL_SCAN_SECONDS
            if every_file:
                last_full_scan = time.monotonic()
            changed: set[str] = set()
            for folder, stamp in folders.items():
                # The plan folder holds a handful of entries, board.toml (written in place) among them:
                # it is listed every time.
                now_stamp = _folder_stamp(folder)
                if not (every_file or folder == self.root or now_stamp != stamp):
                    continue
                folders[folder] = now_stamp  # taken before listing: a change meanwhile shows next time
                before, after = files[folder], self._scan(folder, files[folder], every_file)
                changed.update(relative for relative in before.keys() | after.keys()
                               if before.get(relative) != after.get(relative))
                files[folder] = after
            if changed:
                self.batches += 1
                self._hand_over(read_changes(self.store, changed))

    def _scan(self, folder: str, known: dict[str, tuple[int, int, int]],
              every_file: bool) -> dict[str, tuple[int, int, int]]:
        """(inode, mtime, size) of each plan file in `folder`, by plan-relative path. Unless
        `every_file`, a file whose inode is the one `known` is taken as unchanged without a stat."""
        prefix = "" if folder == self.root else f"{os.path.basename(folder)}/"
        found: dict[str, tuple[int, int, int]] = {}
        try:
            entries = list(os.scandir(folder))
        except OSError:  # gone since: the next look at the folders sees it
            return found
        for entry in entries:
            if not (is_plan_file(entry.name) if prefix else entry.name == BOARD_FILE):
                continue
            relative = prefix + entry.name
            state = known.get(relative)
            if every_file or state is None or state[0] != entry.inode():
                try:
                    stat = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                state = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
            found[relative] = state
        return found

    def _read_everything(self) -> Changes:
        listed_after_save = self.store.saves
        relatives = {BOARD_FILE}
        folders = self._folders()
        for name in (TASKS_DIR, WEEKS_DIR):
            folder = os.path.join(self.root, name)
            if folder in folders:
                relatives.update(f"{name}/{file}" for file in os.listdir(folder) if is_plan_file(file))
        changes = read_changes(self.store, relatives)
        changes.listed_task_ids = {relative[len(TASKS_DIR) + 1:-5] for relative in relatives
                                   if relative.startswith(f"{TASKS_DIR}/")}
        changes.listed_after_save = listed_after_save
        return changes


def _folder_stamp(folder: str) -> tuple[int, int] | None:
    """What changes when an entry of `folder` is added, removed or renamed (or the folder replaced)."""
    try:
        stat = os.stat(folder)
    except OSError:
        return None
    return stat.st_ino, stat.st_mtime_ns
