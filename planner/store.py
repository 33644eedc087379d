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
import errno
import fcntl
import gc
import os
import re
from stat import S_IMODE, S_ISDIR, S_ISLNK, S_ISREG
import time
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any, Callable, Iterator
from zoneinfo import ZoneInfo

from planner.dates import DateError, check_timezone, parse_week_label
from planner.merge import has_conflict_markers
from planner.model import Board, ModelError, Task, WeekPlan
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


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> bool:
    """Replace `path` with `data` so that a crash leaves either the old or the new file, never a
    mix. Returns False (and writes nothing) when the file already holds exactly `data`.
    `durable=False` skips the fsyncs, for a caller that writes many files and then syncs once."""
    try:
        if read_plan_bytes(path) == data:
            return False
    except OSError:  # missing (a new file), or not a plain file: the rename below replaces it
        pass
    import tempfile  # here: a command that writes no file (a sync with nothing to do) never loads it

    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private (0600); plan files get the mode a plain save would give.
        os.fchmod(descriptor, _file_mode(path))
        with os.fdopen(descriptor, "wb") as temp:
            temp.write(data)
            temp.flush()
            if durable:
                os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    if durable:
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


@contextlib.contextmanager
def file_lock(path: Path, busy: str, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive lock on `path` (made if missing; a symlink there is refused, so the lock can
    never create or touch a file elsewhere). StoreError "`busy` for over N s" after `timeout`
    (LOCK_TIMEOUT_SECONDS by default)."""
    timeout = LOCK_TIMEOUT_SECONDS if timeout is None else timeout
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError:
        if os.path.islink(path):
            raise StoreError(f"{path} is a symbolic link; a lock file must be a plain file (remove the link)") from None
        raise
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreError(f"{busy} for over {timeout:.0f}s; try again") from None
                time.sleep(0.01)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
_TOML_AT_END = " (at end of document)"

#: The largest plan file read: a task or week file is a few hundred bytes; a bigger one is a mistake
#: (or an attack) that would only slow every start down.
MAX_FILE_BYTES = 1_000_000
#: Arrays and inline tables nested deeper than this are refused before parsing: tomllib recurses
#: once per level, and a file of `[[[[...` would exhaust the stack in every command.
MAX_NESTING = 32


class UnsafeFileError(OSError):
    """A plan file that is not a plain file inside the plan folder, or too big to be one."""


def read_plan_file(path: Path | str) -> str:
    """The text of a plan file: a regular file (not a link, a FIFO or a device), at most
    MAX_FILE_BYTES, UTF-8. Raises UnsafeFileError, UnicodeDecodeError or OSError."""
    return read_plan_bytes(path).decode("utf-8")


def read_plan_bytes(path: Path | str) -> bytes:
    """The bytes of a plan file, on read_plan_file's terms."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: a link is not followed.
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UnsafeFileError(errno.ELOOP, "a symbolic link, not a plan file (plan files are read only as "
                                               "plain files inside the plan folder)") from None
        raise
    try:
        stat = os.fstat(descriptor)
        if not S_ISREG(stat.st_mode):
            raise UnsafeFileError(errno.EINVAL, "not a plain file (a FIFO, a device or a folder)")
        if stat.st_size > MAX_FILE_BYTES:
            raise UnsafeFileError(errno.EFBIG, f"{stat.st_size:,} bytes, more than a plan file may hold "
                                               f"({MAX_FILE_BYTES:,})")
        data = os.read(descriptor, MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise UnsafeFileError(errno.EFBIG, f"more than a plan file may hold ({MAX_FILE_BYTES:,} bytes)")
        # Whatever the size said, read to the end (a file being written may have grown).
        while chunk := os.read(descriptor, 65536):
            data += chunk
            if len(data) > MAX_FILE_BYTES:
                raise UnsafeFileError(errno.EFBIG, f"more than a plan file may hold ({MAX_FILE_BYTES:,} bytes)")
    finally:
        os.close(descriptor)
    return data


def parse_toml(text: str) -> dict[str, Any]:
    """tomllib.loads, with arrays and inline tables nested more than MAX_NESTING deep refused first."""
    if text.count("[") + text.count("{") > MAX_NESTING and _nesting(text) > MAX_NESTING:
        raise tomllib.TOMLDecodeError(f"arrays or tables nested more than {MAX_NESTING} deep")
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise tomllib.TOMLDecodeError("arrays or tables nested too deep") from None


def _missing_key_line(text: str, key: str) -> int:
    """Where a missing key most likely went: a line setting a key spelled like it (`ID`, `tittle`,
    or `id` under a [table]); the top of the file, where it belongs, when there is none."""
    import difflib

    assigned = [(number, match[1].strip("\"'")) for number, line in enumerate(text.splitlines(), 1)
                if (match := _ASSIGNMENT.match(line))]
    names = [name.lower() for _, name in assigned]
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.7)
    return next((number for number, name in assigned if name.lower() in close), 1) if close else 1


_ASSIGNMENT = re.compile(r"^\s*([A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')\s*=")


def _nesting(text: str) -> int:
    """The deepest nesting of [ and { outside strings and comments (a count, not a parse)."""
    depth = deepest = 0
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
        elif char == "#":
            end = text.find("\n", index)
            index = length if end < 0 else end
        elif char in "\"'":
            quote = text[index:index + 3] if text[index:index + 3] in ('"""', "'''") else char
            index += len(quote)
            while index < length and not text.startswith(quote, index):
                index += 2 if text[index] == "\\" and quote[0] == '"' else 1
        index += 1
    return deepest


class PlanStore:
    """One plan folder. Cheap to create; reads nothing until asked."""

    def __init__(self, root: Path | str, index_path: Path | None = None) -> None:
        self.root = Path(root)
        self._zone: tzinfo | None = None
        self._cleaned: set[Path] = set()
        #: Where the derived task index may be kept (outside the plan folder); None for no index.
        self.index_path = index_path
        #: For each plan file this process saved or took in since it started (by relative path), a
        #: digest of that content and the number of this process's last save of it: how the folder
        #: watcher tells this process's own saves from changes made elsewhere.
        self._known_content: dict[str, tuple[bytes, int]] = {}
        #: How many files this process has saved (the number of its latest save).
        self.saves = 0

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

    def lost_its_board(self) -> bool:
        """A folder with plan data (tasks/ or weeks/) but no board.toml: a plan whose board was lost
        (a bad merge, a mistaken rm), never a place to start a new plan over."""
        return not self.exists() and (os.path.lexists(self.tasks_dir) or os.path.lexists(self.weeks_dir))

    def no_board_error(self) -> StoreError:
        return StoreError(f"{self.display_path(self.board_path)} is missing, but the folder holds plan data "
                          "(tasks/ or weeks/): restore board.toml (from git or a copy); nothing was changed")

    def folder_problem(self, folder: Path) -> Problem | None:
        """tasks/ or weeks/ when it is not a real folder of the plan: a link elsewhere (files are only
        read and written inside the plan folder), or a file."""
        try:
            mode = os.lstat(folder).st_mode
        except FileNotFoundError:
            return None
        if S_ISLNK(mode):
            return Problem(self.display_path(folder), 1, 1, "a symbolic link: plan files are only read and "
                                                             "written inside the plan folder (make it a real folder)")
        if not S_ISDIR(mode):
            return Problem(self.display_path(folder), 1, 1, "not a folder")
        return None

    def _writable(self, folder: Path) -> None:
        """Refuse to write into `folder` unless it is a real folder of the plan (made if missing)."""
        problem = self.folder_problem(folder)
        if problem is not None:
            raise StoreError(f"{problem}; not saved")
        folder.mkdir(parents=True, exist_ok=True)

    # --- creating ---------------------------------------------------------------------------------

    def create(self, board: Board | None = None) -> None:
        """Make a new plan folder: board.toml, tasks/, weeks/ and a .gitignore for local files."""
        if self.exists():
            raise StoreError(f"{self.display_path(self.root)} already holds a plan (board.toml exists)")
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"{self.display_path(self.root)} is a file, not a folder")
        if self.lost_its_board():
            raise self.no_board_error()
        self.root.mkdir(parents=True, exist_ok=True)
        self._writable(self.tasks_dir)
        self._writable(self.weeks_dir)
        gitignore = self.root / ".gitignore"
        if not gitignore.exists():
            atomic_write(gitignore, GITIGNORE.encode())
        self._save(self.board_path, dumps(board_to_toml(board or Board())))

    # --- reading ----------------------------------------------------------------------------------

    def _problem(self, path: Path, error: Exception, text: str = "") -> Problem:
        shown = self.display_path(path)
        if isinstance(error, tomllib.TOMLDecodeError) and has_conflict_markers(text):
            return Problem(shown, has_conflict_markers(text), 1,
                           "git conflict markers: an unfinished git merge (a plain `git pull`?); "
                           "`planner sync --resolve` merges the file with the planner's rules")
        if isinstance(error, tomllib.TOMLDecodeError):
            message = str(error)
            position = _TOML_POSITION.search(message)
            if position:
                line, column = int(position[1]), int(position[2])
            elif message.endswith(_TOML_AT_END):  # where the document ends: its last line
                lines = text.split("\n")
                line, column = len(lines), len(lines[-1]) + 1
            else:
                line, column = 1, 1
            message = _TOML_POSITION.sub("", message).replace(_TOML_AT_END, " (at the end of the file)")
            return Problem(shown, line, column, "not valid TOML: " + message)
        if isinstance(error, UnicodeDecodeError):
            before = error.object[: error.start]
            line = before.count(b"\n") + 1
            column = error.start - (before.rfind(b"\n") + 1) + 1
            return Problem(shown, line, column, f"not UTF-8 text (byte 0x{error.object[error.start]:02x})")
        if isinstance(error, UnsafeFileError):
            return Problem(shown, 1, 1, f"left alone: {error.strerror}")
        if isinstance(error, OSError):
            return Problem(shown, 1, 1, f"cannot read the file: {error.strerror or error}")
        if isinstance(error, SchemaError):
            line, column = (_missing_key_line(text, error.key), 1) if error.missing else locate_key(text, error.key)
            return Problem(shown, line, column, error.message, isinstance(error, NewerSchemaError))
        return Problem(shown, 1, 1, str(error))

    def _read(self, path: Path, parse: Callable[[dict[str, Any]], Any], data: bytes | None = None) -> Any:
        """Parse one file (or `data`, its bytes already read) with `parse`; a Problem instead of
        raising when it does not fit."""
        text = ""
        try:
            text = read_plan_file(path) if data is None else data.decode("utf-8")
            return parse(parse_toml(text))
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
        result = self._read(self.board_path, _parse_board)
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
            try:
                written = path.stat().st_mtime
            except FileNotFoundError:  # content checked before it is written (a merge's result)
                written = time.time()
            fallback = datetime.fromtimestamp(written, self.zone).replace(microsecond=0)
        return task_from_toml(data, file_id=path.stem, fallback_time=fallback, zone=self.zone)  # type: ignore[arg-type]

    def read_task(self, task_id: str, data: bytes | None = None) -> Task | Problem | None:
        """The task in its file, a Problem when the file does not parse, None when there is no file.
        `data`: the file's bytes, when the caller has read them already (with read_plan_bytes)."""
        path = self.task_path(task_id)
        folder = self.folder_problem(self.tasks_dir)
        if folder is not None:
            return folder
        if data is None and not path.exists():
            return None
        return self._read(path, lambda document: self._parse_task(path, document), data)

    def read_tasks(self) -> tuple[dict[str, Task], list[Problem]]:
        """Every task file that parses, by id, and a Problem for each one that does not.

        With an `index_path`, files whose size and modification time match the derived index are
        taken from it instead of being parsed again: the TOML files stay the truth, the index only
        saves re-reading unchanged ones (parsing is most of a large plan's load time).
        """
        folder = self.folder_problem(self.tasks_dir)
        if folder is not None:
            return {}, [folder]
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
        if not index.known or self.folder_problem(self.tasks_dir) is not None:
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
            self._read_task_files(names, index, tasks, problems, parse_toml, self.zone)
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
                stat = os.lstat(file)  # a link is not followed (read_plan_file refuses it below)
            except FileNotFoundError:  # removed since the folder was listed (a sync, another planner)
                continue
            if index is not None and S_ISREG(stat.st_mode):
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
                text = read_plan_file(file)
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

    def read_week(self, label: str, data: bytes | None = None) -> WeekPlan | Problem | None:
        """The week plan in its file; as read_task."""
        path = self.week_path(label)
        folder = self.folder_problem(self.weeks_dir)
        if folder is not None:
            return folder
        if data is None and not os.path.lexists(path):
            return None
        return self._read(path, lambda document: week_from_toml(document, file_label=label, zone=self.zone), data)

    def problem_in(self, name: str, data: bytes | None = None) -> Problem | None:
        """The Problem with the plan file `name` (board.toml, tasks/ID.toml or weeks/LABEL.toml in
        the folder), or None, also for a path that is not a plan file. `data`: content to check
        in the file's place (one about to be written, such as a merge's result)."""
        if not is_plan_path(name):
            return None
        folder, _, file_name = name.partition("/")
        stem = file_name.removesuffix(".toml")
        if name == BOARD_FILE:
            found = self._board_or_problem() if data is None else self._read(self.board_path, _parse_board, data)
        else:
            found = self.read_task(stem, data) if folder == TASKS_DIR else self.read_week(stem, data)
        return found if isinstance(found, Problem) else None

    def week_labels(self) -> list[str]:
        """The weeks that have a file, by label; a file whose name is not a week's is left out here
        (`check` reports it)."""
        return sorted(label for label in self._week_file_labels() if _is_week_label(label))

    def _week_file_labels(self) -> list[str]:
        if self.folder_problem(self.weeks_dir) is not None:
            return []
        try:
            names = os.listdir(self.weeks_dir)
        except FileNotFoundError:
            return []
        return [name[:-5] for name in names if is_plan_file(name)]

    def check(self) -> list[Problem]:
        """Every problem in the folder: the board, each task file, each week file."""
        board = self._board_or_problem()
        if isinstance(board, Problem):
            return [board]
        _, problems = self.read_tasks()
        weeks = self.folder_problem(self.weeks_dir)
        if weeks is not None:
            problems.append(weeks)
        if os.path.islink(self.root / LOCK_FILE):
            problems.append(Problem(self.display_path(self.root / LOCK_FILE), 1, 1,
                                    "a symbolic link: the lock must be a plain file (remove the link)"))
        for label in sorted(self._week_file_labels()):
            if not _is_week_label(label):
                problems.append(Problem(self.display_path(self.week_path(label)), 1, 1,
                                        "the file name is not a plan week such as 2026-W48.toml"))
                continue
            result = self.read_week(label)
            if isinstance(result, Problem):
                problems.append(result)
        return problems

    # --- writing ----------------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the folder's write lock: short, and only around read-change-write of one file."""
        self.root.mkdir(parents=True, exist_ok=True)
        with file_lock(self.root / LOCK_FILE, f"{self.display_path(self.root)} is locked by another planner"):
            yield

    #: A temporary file older than this, seen under the lock, was left by a writer that was killed.
    STALE_TEMP_SECONDS = 60

    def _clean_stale_temps(self, folder: Path) -> None:
        """Remove the temporary files a killed writer left in `folder` (once per folder and process:
        listing ten thousand names on every save would cost more than the files do). Called under
        the lock, so no planner is writing one of them now."""
        if folder in self._cleaned:
            return
        self._cleaned.add(folder)
        limit = time.time() - self.STALE_TEMP_SECONDS
        with contextlib.suppress(OSError):
            for entry in os.scandir(folder):
                if entry.name.startswith(".") and entry.name.endswith(".tmp") and entry.is_file(follow_symlinks=False):
                    with contextlib.suppress(OSError):
                        if entry.stat(follow_symlinks=False).st_mtime < limit:
                            os.unlink(entry.path)

    def _refuse(self, problem: Problem) -> StoreError:
        if problem.newer_schema:
            return StoreError(f"{problem}; not saved")
        return StoreError(f"{problem}; not saved: fix the file by hand first (it was left as it is)")

    def add_task(self, task: Task) -> Task:
        """Write a new task file; refuses an id that already has a file."""
        self._writable(self.tasks_dir)
        with self.lock():
            self._clean_stale_temps(self.tasks_dir)
            path = self.task_path(task.id)
            if os.path.lexists(path):
                raise StoreError(f"{self.display_path(path)} already exists; not overwritten")
            self._save(path, dumps(task_to_toml(task)))
        return task

    def update_task(self, task_id: str, change: Callable[[Task], Task]) -> tuple[Task, Task]:
        """Apply `change` to the task as it is on disk now and save it; returns (before, after)."""
        self._writable(self.tasks_dir)
        with self.lock():
            self._clean_stale_temps(self.tasks_dir)
            current = self.read_task(task_id)
            if current is None:
                raise StoreError(f"no task {task_id} (its file {self.display_path(self.task_path(task_id))} is gone)")
            if isinstance(current, Problem):
                raise self._refuse(current)
            changed = change(current)
            if changed.id != task_id:
                raise ValueError("a change cannot give a task another id")
            self._save(self.task_path(task_id), dumps(task_to_toml(changed)))
        return current, changed

    def update_week(self, label: str, change: Callable[[WeekPlan], WeekPlan]) -> WeekPlan:
        """Apply `change` to the week file as it is on disk now (or an empty week) and save it."""
        self._writable(self.weeks_dir)
        with self.lock():
            self._clean_stale_temps(self.weeks_dir)
            current = self.read_week(label)
            if isinstance(current, Problem):
                raise self._refuse(current)
            changed = change(current or WeekPlan(label))
            self._save(self.week_path(label), dumps(week_to_toml(changed)))
        return changed

    def update_board(self, change: Callable[[Board], Board]) -> Board:
        """Apply `change` to board.toml as it is on disk. People edit this file by hand, so only the
        keys whose values change are rewritten: comments, key order and blank lines stay."""
        from planner.toml_edit import dumps_preserving

        with self.lock():
            changed = change(self.read_board())
            current_text = read_plan_file(self.board_path)
            self._save(self.board_path, dumps_preserving(current_text, board_to_toml(changed)))
            self._zone = ZoneInfo(changed.timezone)
        return changed

    def _save(self, path: Path, data: bytes) -> None:
        if len(data) > MAX_FILE_BYTES:
            # Never write what the next read would refuse: that would save a change only to lose the file.
            raise ModelError(f"not saved: {self.display_path(path)} would hold {len(data):,} bytes, more than a "
                             f"plan file may ({MAX_FILE_BYTES:,}); shorten the text")
        # Called under the lock (create() aside): one save at a time, so the numbers are in order.
        # Noted before the rename: the watcher may see the new file the moment it is in place.
        self.saves += 1
        self._known_content[path.relative_to(self.root).as_posix()] = (_digest(data), self.saves)
        atomic_write(path, data)

    # --- telling this process's own saves from changes made elsewhere ----------------------------

    def note_content(self, relative: str, data: bytes | None) -> None:
        """Note that the plan this process holds matches `data` for the file at `relative` (a path
        such as "tasks/<id>.toml"; None: no such file), as taken in from a change made elsewhere."""
        self._known_content[relative] = (_digest(data), self.last_save(relative))

    def knows_content(self, relative: str, data: bytes | None) -> bool:
        """Whether `data` is what this process last saved or took in for the file at `relative`."""
        known = self._known_content.get(relative)
        return known is not None and known[0] == _digest(data)

    def last_save(self, relative: str) -> int:
        """The number of this process's last save of the file at `relative` (0: never saved). A
        reader in another thread compares it before and after, to tell a save made meanwhile."""
        known = self._known_content.get(relative)
        return 0 if known is None else known[1]


def _digest(data: bytes | None) -> bytes:
    import hashlib  # here: loading OpenSSL is ~3 ms of every command's start, and few commands write

    return b"" if data is None else hashlib.sha256(data).digest()


def _parse_board(data: dict[str, Any]) -> Board:
    if not data:  # an empty board.toml is a lost or truncated one, not "all defaults"
        raise SchemaError("board.toml holds no settings (emptied or cut short?): restore it, or write at least "
                          "schema = 1 (see docs/format.md)")
    return board_from_toml(data, check_timezone=check_timezone)


def is_plan_path(name: str) -> bool:
    """Whether `name` (a path in the plan folder, with /) is a plan file: board.toml, tasks/ID.toml
    or weeks/LABEL.toml."""
    folder, _, file_name = name.partition("/")
    return name == BOARD_FILE or (folder in (TASKS_DIR, WEEKS_DIR) and "/" not in file_name and is_plan_file(file_name))


def _is_week_label(label: str) -> bool:
    try:
        return parse_week_label(label) == label
    except DateError:
        return False


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

    VERSION = 4  # 4: dates, ranks and minutes are checked more strictly; older entries are re-read
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
