"""The plan folder on disk: reading with file:line errors, atomic writes under a short lock.

Layout (see docs/format.md): `board.toml`, `tasks/<id>.toml`, `weeks/<YYYY-Www>.toml`.

Every write goes through `update_*`: under the folder lock it re-reads the file as it is on disk now,
applies the caller's change to that, and replaces the file atomically (temp file, fsync, rename,
fsync the folder). So an edit made meanwhile by another process (a second planner, git pull, an
editor) is the base the change is applied to, not overwritten; and a file that does not parse, or
was written by a newer version, is refused rather than replaced.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import re
from stat import S_IMODE
import tempfile
import time
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping
from zoneinfo import ZoneInfo

from planner.dates import check_timezone
from planner.model import Board, Task, WeekPlan
from planner.schema import (
    NewerSchemaError,
    SchemaError,
    board_from_toml,
    board_to_toml,
    dumps,
    locate_key,
    task_from_checked,
    task_from_toml,
    task_to_toml,
    week_from_toml,
    week_to_toml,
)

BOARD_FILE = "board.toml"
TASKS_DIR = "tasks"
WEEKS_DIR = "weeks"
LOCK_FILE = ".planner.lock"
GITIGNORE = "# Written by Value Planner: local lock and temporary files, not plan data.\n.planner.lock\n.*.tmp\n"
LOCK_TIMEOUT_SECONDS = 10.0


class StoreError(Exception):
    """A plan folder problem to show the user as one line (bad data, locked, not a plan folder)."""


@dataclass(frozen=True)
class Problem:
    """Something wrong with one file, located as `path:line:column: message`."""

    path: Path
    line: int
    column: int
    message: str
    newer_schema: bool = False

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


def is_plan_file(name: str) -> bool:
    """Whether a file in tasks/ or weeks/ is one of the plan's (not a temp or hidden file)."""
    return name.endswith(".toml") and not name.startswith(".")


def write_derived(path: Path, data: bytes) -> None:
    """Replace a derived file (an index, a cache) whole, without fsync: losing it costs one slower
    start, nothing else. Errors are ignored for the same reason."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temp.write_bytes(data)
        os.replace(temp, path)


def atomic_write(path: Path, data: bytes) -> bool:
    """Replace `path` with `data` so that a crash leaves either the old or the new file, never a
    mix. Returns False (and writes nothing) when the file already holds exactly `data`."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private (0600); plan files get the mode a plain save would give.
        os.fchmod(descriptor, _file_mode(path))
        with os.fdopen(descriptor, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_directory(path.parent)
    return True


def _file_mode(path: Path) -> int:
    """The mode of the file being replaced, or what the user's umask gives a new file."""
    try:
        return S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return 0o666 & ~_UMASK


def _current_umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it; put it straight back
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def _fsync_directory(folder: Path) -> None:
    # The rename is only durable once the folder entry itself reaches the disk.
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


class PlanStore:
    """One plan folder. Cheap to create; reads nothing until asked."""

    def __init__(self, root: Path | str, index_path: Path | None = None) -> None:
        self.root = Path(root)
        self._zone: tzinfo | None = None
        #: Where the derived task index may be kept (outside the plan folder); None for no index.
        self.index_path = index_path

    # --- paths ------------------------------------------------------------------------------------

    @property
    def board_path(self) -> Path:
        return self.root / BOARD_FILE

    @property
    def tasks_dir(self) -> Path:
        return self.root / TASKS_DIR

    @property
    def weeks_dir(self) -> Path:
        return self.root / WEEKS_DIR

    def task_path(self, task_id: str) -> Path:
        return self.tasks_dir / f"{task_id}.toml"

    def week_path(self, label: str) -> Path:
        return self.weeks_dir / f"{label}.toml"

    def display_path(self, path: Path) -> Path:
        """The path as the user should see it in a message: relative to the plan folder's parent
        when possible, so `plans/tasks/x.toml:3:1` is both short and unambiguous."""
        with contextlib.suppress(ValueError):
            return path.relative_to(Path.cwd())
        return path

    def exists(self) -> bool:
        return self.board_path.is_file()

    # --- creating ---------------------------------------------------------------------------------

    def create(self, board: Board | None = None) -> None:
        """Make a new plan folder: board.toml, tasks/, weeks/ and a .gitignore for local files."""
        if self.exists():
            raise StoreError(f"{self.display_path(self.root)} already holds a plan (board.toml exists)")
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"{self.display_path(self.root)} is a file, not a folder")
        self.tasks_dir.mkdir(parents=True, exist_ok=True)
        self.weeks_dir.mkdir(exist_ok=True)
        gitignore = self.root / ".gitignore"
        if not gitignore.exists():
            atomic_write(gitignore, GITIGNORE.encode())
        atomic_write(self.board_path, dumps(board_to_toml(board or Board())))

    # --- reading ----------------------------------------------------------------------------------

    def _problem(self, path: Path, error: Exception, text: str = "") -> Problem:
        if isinstance(error, tomllib.TOMLDecodeError):
            message = str(error)
            position = _TOML_POSITION.search(message)
            line, column = (int(position[1]), int(position[2])) if position else (1, 1)
            return Problem(self.display_path(path), line, column,
                           "not valid TOML: " + _TOML_POSITION.sub("", message))
        if isinstance(error, UnicodeDecodeError):
            return Problem(self.display_path(path), 1, 1, "not UTF-8 text")
        if isinstance(error, OSError):
            return Problem(self.display_path(path), 1, 1, f"cannot read the file: {error.strerror or error}")
        if isinstance(error, SchemaError):
            line, column = locate_key(text, error.key)
            return Problem(self.display_path(path), line, column, error.message,
                           isinstance(error, NewerSchemaError))
        return Problem(self.display_path(path), 1, 1, str(error))

    def _read(self, path: Path, parse: Callable[[dict[str, Any]], Any]) -> Any:
        """Parse one file with `parse`; a Problem instead of raising when it does not fit."""
        text = ""
        try:
            text = path.read_bytes().decode("utf-8")
            return parse(tomllib.loads(text))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, SchemaError, OSError) as error:
            return self._problem(path, error, text)

    def read_board(self) -> Board:
        """The board settings; StoreError (path:line:col) when board.toml is missing or malformed."""
        result = self._board_or_problem()
        if isinstance(result, Problem):
            raise StoreError(str(result))
        return result

    def _board_or_problem(self) -> Board | Problem:
        if not self.exists():
            return Problem(self.display_path(self.board_path), 1, 1,
                           "not a plan folder (no board.toml); run `planner init` to make one")
        result = self._read(self.board_path, lambda data: board_from_toml(data, check_timezone=check_timezone))
        if isinstance(result, Board):
            self._zone = ZoneInfo(result.timezone)
        return result

    @property
    def zone(self) -> tzinfo:
        if self._zone is None:
            self.read_board()
        assert self._zone is not None
        return self._zone

    def _parse_task(self, path: Path, data: dict[str, Any]) -> Task:
        fallback = None
        if "created" not in data:
            fallback = datetime.fromtimestamp(path.stat().st_mtime, self.zone).replace(microsecond=0)
        return task_from_toml(data, file_id=path.stem, fallback_time=fallback, zone=self.zone)  # type: ignore[arg-type]

    def read_task(self, task_id: str) -> Task | Problem | None:
        path = self.task_path(task_id)
        if not path.exists():
            return None
        return self._read(path, lambda data: self._parse_task(path, data))

    def read_tasks(self) -> tuple[dict[str, Task], list[Problem]]:
        """Every task file that parses, by id, and a Problem for each one that does not.

        With an `index_path`, files whose size and modification time match the derived index are
        taken from it instead of being parsed again: the TOML files stay the truth, the index only
        saves re-reading unchanged ones (parsing is most of a large plan's load time).
        """
        names = self._task_file_names()
        index = TaskIndex.load(self.index_path, self.root) if self.index_path else None
        tasks, problems = self._read_task_names(names, index)
        if index is not None:
            index.save(set(names))
        return tasks, problems

    def read_recent_tasks(self) -> tuple[dict[str, Task], list[Problem]] | None:
        """What a first screen needs, fast: the tasks that were open or changed in the last
        `TaskIndex.RECENT_DAYS` days when last indexed, and every file the index has not seen.

        It can miss an old task changed since it was indexed (a pull that reopened it): a full
        `read_tasks`, which should follow, catches that. None when there is no index to tell
        recent from old (the first start on a machine): only a full read can say then.
        """
        if not self.index_path:
            return None
        index = TaskIndex.load(self.index_path, self.root, recent=True)
        if not index.known:
            return None
        recent, known = index.entries, index.known
        try:
            listed = os.listdir(self.tasks_dir)
        except FileNotFoundError:
            listed = []
        # One pass over ten thousand names: known ones need no other check.
        names = [name for name in listed if name in recent or (name not in known and is_plan_file(name))]
        return self._read_task_names(names, index)

    def _task_file_names(self) -> list[str]:
        try:
            return [name for name in os.listdir(self.tasks_dir) if is_plan_file(name)]
        except FileNotFoundError:
            return []

    def _read_task_names(self, names: list[str],
                           index: "TaskIndex | None") -> tuple[dict[str, Task], list[Problem]]:
        tasks: dict[str, Task] = {}
        problems: list[Problem] = []
        # Loading makes hundreds of thousands of small objects and no reference cycles: the cyclic
        # garbage collector would only walk them again and again (a quarter of a large plan's load).
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._read_task_files(names, index, tasks, problems, tomllib.loads, self.zone)
        finally:
            if collecting:
                gc.enable()
        problems.sort(key=lambda problem: str(problem.path))
        return tasks, problems

    def _read_task_files(self, names: list[str], index: "TaskIndex | None", tasks: dict[str, Task],
                         problems: list[Problem], loads: Callable[[str], dict[str, Any]], zone: tzinfo) -> None:
        folder = str(self.tasks_dir)
        for name in names:
            file = os.path.join(folder, name)
            try:
                stat = os.stat(file)
            except FileNotFoundError:  # removed since the folder was listed (a sync, another planner)
                continue
            if index is not None:
                cached = index.get(name, stat)
                if cached is not None:
                    try:
                        task = task_from_checked(cached, zone)
                    except (KeyError, TypeError, ValueError):
                        pass  # an index written by another version: parse the file instead
                    else:
                        if task.id == name[:-5]:
                            tasks[task.id] = task
                            continue
            path = Path(file)
            text = ""
            try:
                with open(file, "rb") as handle:
                    text = handle.read().decode("utf-8")
                data = loads(text)
                if "created" in data:
                    task = task_from_toml(data, file_id=name[:-5], fallback_time=None, zone=zone)  # type: ignore[arg-type]
                else:
                    task = self._parse_task(path, data)
            except (tomllib.TOMLDecodeError, UnicodeDecodeError, SchemaError, OSError) as error:
                problems.append(self._problem(path, error, text))
                continue
            tasks[task.id] = task
            if index is not None:
                index.put(name, stat, data, task)

    def read_week(self, label: str) -> WeekPlan | Problem | None:
        path = self.week_path(label)
        if not path.exists():
            return None
        return self._read(path, lambda data: week_from_toml(data, file_label=label, zone=self.zone))

    def week_labels(self) -> list[str]:
        try:
            names = os.listdir(self.weeks_dir)
        except FileNotFoundError:
            return []
        return sorted(name[:-5] for name in names if is_plan_file(name))

    def check(self) -> list[Problem]:
        """Every problem in the folder: the board, each task file, each week file."""
        board = self._board_or_problem()
        if isinstance(board, Problem):
            return [board]
        _, problems = self.read_tasks()
        for label in self.week_labels():
            result = self.read_week(label)
            if isinstance(result, Problem):
                problems.append(result)
        return problems

    # --- writing ----------------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the folder's write lock: short, and only around read-change-write of one file."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK_FILE, "a+b") as handle:
            deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise StoreError(
                            f"{self.display_path(self.root)} is locked by another planner for over "
                            f"{LOCK_TIMEOUT_SECONDS:.0f}s; try again"
                        ) from None
                    time.sleep(0.01)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _refuse(self, problem: Problem) -> StoreError:
        if problem.newer_schema:
            return StoreError(f"{problem}; not saved")
        return StoreError(f"{problem}; not saved: fix the file by hand first (it was left as it is)")

    def add_task(self, task: Task) -> Task:
        """Write a new task file; refuses an id that already has a file."""
        self.tasks_dir.mkdir(parents=True, exist_ok=True)
        with self.lock():
            path = self.task_path(task.id)
            if path.exists():
                raise StoreError(f"{self.display_path(path)} already exists; not overwritten")
            atomic_write(path, dumps(task_to_toml(task)))
        return task

    def update_task(self, task_id: str, change: Callable[[Task], Task]) -> tuple[Task, Task]:
        """Apply `change` to the task as it is on disk now and save it; returns (before, after)."""
        with self.lock():
            current = self.read_task(task_id)
            if current is None:
                raise StoreError(f"no task {task_id} (its file {self.display_path(self.task_path(task_id))} is gone)")
            if isinstance(current, Problem):
                raise self._refuse(current)
            changed = change(current)
            if changed.id != task_id:
                raise ValueError("a change cannot give a task another id")
            atomic_write(self.task_path(task_id), dumps(task_to_toml(changed)))
        return current, changed

    def update_week(self, label: str, change: Callable[[WeekPlan], WeekPlan]) -> WeekPlan:
        """Apply `change` to the week file as it is on disk now (or an empty week) and save it."""
        self.weeks_dir.mkdir(parents=True, exist_ok=True)
        with self.lock():
            current = self.read_week(label)
            if isinstance(current, Problem):
                raise self._refuse(current)
            changed = change(current or WeekPlan(label))
            atomic_write(self.week_path(label), dumps(week_to_toml(changed)))
        return changed

    def update_board(self, change: Callable[[Board], Board]) -> Board:
        with self.lock():
            changed = change(self.read_board())
            atomic_write(self.board_path, dumps(board_to_toml(changed)))
            self._zone = ZoneInfo(changed.timezone)
        return changed

    # --- noticing changes made elsewhere ---------------------------------------------------------

    def fingerprint(self) -> dict[str, tuple[int, int]]:
        """(mtime_ns, size) of every plan file by relative path: compare two to see what changed."""
        prints: dict[str, tuple[int, int]] = {}
        with contextlib.suppress(FileNotFoundError):
            stat = self.board_path.stat()
            prints[BOARD_FILE] = (stat.st_mtime_ns, stat.st_size)
        for folder in (TASKS_DIR, WEEKS_DIR):
            with contextlib.suppress(FileNotFoundError):
                for entry in os.scandir(self.root / folder):
                    if is_plan_file(entry.name):
                        stat = entry.stat()
                        prints[f"{folder}/{entry.name}"] = (stat.st_mtime_ns, stat.st_size)
        return prints


def changed_paths(before: Mapping[str, tuple[int, int]], after: Mapping[str, tuple[int, int]]) -> set[str]:
    """Relative paths added, removed or modified between two fingerprints."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


class TaskIndex:
    """A derived copy of parsed task files, keyed by file name, size and modification time.

    Kept in the user's cache folder, never in the plan folder (it is not plan data and must not be
    synced). Written without fsync: losing it costs one slower load, nothing else. An entry is only
    trusted when size and mtime match, and files modified in the last few seconds are not indexed at
    all, since a second write within the file system's timestamp granularity could keep both.

    Two files: every entry, and beside it the recent ones (open, or changed in the last
    `RECENT_DAYS` days) with the names of all, so that a first screen reads a tenth of a long plan.
    An entry is [mtime_ns, size, data, recent] where recent is True for an open task, else the
    task's last change as a POSIX timestamp.
    """

    VERSION = 3
    SETTLE_NS = 3_000_000_000
    RECENT_DAYS = 14

    def __init__(self, path: Path, root: Path, entries: dict[str, list[Any]]) -> None:
        self.path = path
        self.root = root
        self.entries = entries
        #: In a recent index, the name of every file indexed (recent or not).
        self.known: set[str] = set()
        self.dirty = False

    @property
    def recent_path(self) -> Path:
        return self.path.with_name(f"{self.path.stem}-recent{self.path.suffix}")

    @classmethod
    def load(cls, path: Path, root: Path, *, recent: bool = False) -> "TaskIndex":
        import json

        entries: dict[str, list[Any]] = {}
        known = ""
        index = cls(path, root, entries)
        with contextlib.suppress(OSError, ValueError):
            document = json.loads((index.recent_path if recent else path).read_bytes())
            if (isinstance(document, dict) and document.get("version") == cls.VERSION
                    and document.get("root") == str(root.resolve()) and isinstance(document.get("entries"), dict)):
                index.entries = document["entries"]
                known = document.get("known") or ""
        index.known = set(known.split("\n")) if isinstance(known, str) and known else set()
        return index

    def get(self, name: str, stat: os.stat_result) -> dict[str, Any] | None:
        entry = self.entries.get(name)
        if entry is not None and entry[0] == stat.st_mtime_ns and entry[1] == stat.st_size:
            return entry[2]
        return None

    def put(self, name: str, stat: os.stat_result, data: dict[str, Any], task: Task) -> None:
        """Keep the parsed document `data` of a file that became `task`."""
        if (stat.st_mtime_ns > time.time_ns() - self.SETTLE_NS or "created" not in data
                or not _json_safe(dict(task.extra))):
            # Too fresh to trust its mtime; dated by its mtime; or an unknown key holds a date that
            # JSON would give back as text.
            self.entries.pop(name, None)
            return
        recent = task.is_open or task.updated.timestamp()
        self.entries[name] = [stat.st_mtime_ns, stat.st_size, data, recent]
        self.dirty = True

    def save(self, present: set[str]) -> None:
        import json

        gone = self.entries.keys() - present
        for name in gone:
            del self.entries[name]
        if not (self.dirty or gone):
            return
        since = time.time() - self.RECENT_DAYS * 86_400
        recent = {name: entry for name, entry in self.entries.items()
                  if len(entry) > 3 and (entry[3] is True or entry[3] >= since)}
        root = str(self.root.resolve())
        documents = (
            (self.path, {"version": self.VERSION, "root": root, "entries": self.entries}),
            # The names as one string: a first screen reads it faster than ten thousand strings.
            (self.recent_path, {"version": self.VERSION, "root": root, "entries": recent,
                                "known": "\n".join(self.entries)}),
        )
        for path, document in documents:
            # Dates and times become ISO text, which task_from_toml reads back as the same values.
            write_derived(path, json.dumps(document, separators=(",", ":"), default=_isoformat).encode())


def _json_safe(value: Any) -> bool:
    """Whether JSON gives `value` back unchanged (TOML dates and times it would turn into text)."""
    if isinstance(value, dict):
        return all(_json_safe(item) for item in value.values())
    if isinstance(value, list):
        return all(_json_safe(item) for item in value)
    return isinstance(value, (str, int, float, bool))


def _isoformat(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot go into the index")
