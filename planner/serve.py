"""`planner serve`: an SSH server that lands every user straight in their own planner.

No shell and no commands: each SSH session runs the full-screen planner as a child process
(`python -m planner`) on a pseudo-terminal of its own, sized to the client and resized with it,
with that user's plan folder and a home of their own under the server root. The child is the
very program a person runs locally, so Textual keeps its process-wide terminal state to itself
and one session can neither stall nor crash another.

    ROOT/ssh_host_ed25519_key(.pub)   made once (mode 0600), reused on every start
    ROOT/serve.log                    connections, logins, refusals, sessions (also on stderr)
    ROOT/users/NAME/authorized_keys   OpenSSH format, options such as from="..." honoured
    ROOT/users/NAME/plans/            that user's plan folder; all they can see
    ROOT/users/NAME/home/             HOME, config, data, cache and state of their planner

Log-in is by public key only. Refused, with a message wherever SSH carries one: a session
without a terminal, a command, a subsystem (sftp), port forwarding; agent and X11 forwarding are
never offered. When a session ends (the client quits, goes away, idles out, or the server stops)
the child is hung up (SIGHUP), then terminated and killed after a grace period, and reaped; the
planner saves every edit as it is made, so a hang-up loses nothing. The child is the session
leader of its pseudo-terminal: if this server dies, the kernel hangs up every child.

This module imports asyncssh and never Textual; the CLI imports it only for `planner serve`.
"""

from __future__ import annotations

import asyncio
import fcntl
import functools
import ipaddress
import logging
import logging.handlers
import os
import pty
import re
import signal
import stat
import struct
import subprocess
import sys
import termios
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import asyncssh
from asyncssh.misc import SoftEOFReceived

from planner.session import UserError

LOG = logging.getLogger("planner.serve")

USER_NAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
HOST_KEY_NAME = "ssh_host_ed25519_key"
LOG_NAME = "serve.log"
READ_SIZE = 65536

# What the client may set in the planner's environment (ssh SendEnv/SetEnv): only what tells the app
# about the terminal. Anything else the client sends is ignored.
CLIENT_ENV = {"COLORTERM": re.compile(r"truecolor|24bit"), "NO_COLOR": re.compile(r".{0,16}"),
              "PLANNER_COLOR": re.compile(r"auto|truecolor|256|16|none"), "ESCDELAY": re.compile(r"\d{1,4}"),
              "TERM_PROGRAM": re.compile(r"[A-Za-z0-9._-]{1,32}"), "LC_TERMINAL": re.compile(r"[A-Za-z0-9._-]{1,32}")}
# What the operator's environment passes on to every planner: how to find it and the clock and
# file-watching settings (tests and benchmarks pin PLANNER_NOW). Never EDITOR or VISUAL: without
# them the planner edits notes in its own editor, where no shell escape exists.
SERVER_ENV = ("PATH", "PYTHONPATH", "TZ", "PLANNER_NOW", "PLANNER_WATCH", "PLANNER_HOOK_TIMEOUT",
              "PLANNER_PLUGINS_ALLOW", "PLANNER_PLUGINS_BLOCK")
TERM_TYPE = re.compile(r"[A-Za-z0-9._+-]{1,64}")

# Sent to the client when a session ends with the planner killed rather than quitting by itself:
# mouse reporting, bracketed paste, focus events and the kitty keyboard mode off, the cursor back,
# the main screen back, colours reset. A terminal left in any of those is unusable after `ssh` exits.
TERMINAL_RESET = ("\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1015l\x1b[?1006l\x1b[?1004l\x1b[?2004l"
                  "\x1b[<u\x1b[?25h\x1b[?1049l\x1b[0m")

NO_TERMINAL = "planner serve opens the planner in a terminal: connect with `ssh -t` (no commands, no -T, no -N)"
NO_COMMAND = "planner serve runs no commands: connect with `ssh -t` and no command to open your planner"
NO_SUBSYSTEM = "planner serve offers no file transfer or subsystems ({name}): it only opens your planner"
NO_FORWARDING = "planner serve allows no port forwarding"


@dataclass(frozen=True)
class ServeOptions:
    root: Path
    listen: str = "127.0.0.1"
    port: int = 2222
    max_sessions: int = 20
    max_sessions_per_user: int = 4
    idle_timeout: float = 30 * 60  # seconds without a key press before a session is closed
    login_timeout: float = 30
    max_logging_in: int = 64  # connections still logging in at once (OpenSSH's MaxStartups, simplified)
    grace: float = 3  # seconds a hung-up planner has to exit before SIGTERM, then as long again before SIGKILL
    planner: tuple[str, ...] = (sys.executable, "-m", "planner")


# --- names, durations and paths -------------------------------------------------------------------

def check_user_name(name: str) -> str:
    """A user name is also a folder name: lower-case letters, digits, `_` and `-`, as Debian's
    adduser allows, so no `..`, `/` or hidden folder can ever come from one."""
    if not USER_NAME.fullmatch(name):
        raise UserError(f"{name!r} is not a user name here: start with a-z or _, then a-z 0-9 _ -, "
                        "at most 32 characters")
    return name


def parse_duration(text: str) -> float:
    """`90`, `90s`, `30m`, `1h` -> seconds; `0` turns the limit off."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if not match:
        raise UserError(f"{text!r} is not a duration: use seconds (90 or 90s), minutes (30m) or hours (1h)")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def default_root() -> Path:
    from planner.config import data_dir

    return data_dir() / "serve"


@dataclass(frozen=True)
class UserPaths:
    name: str
    folder: Path

    @property
    def authorized_keys(self) -> Path:
        return self.folder / "authorized_keys"

    @property
    def plans(self) -> Path:
        return self.folder / "plans"

    @property
    def home(self) -> Path:
        return self.folder / "home"

    def make(self) -> None:
        for folder in (self.folder, self.home):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)


def user_paths(root: Path, name: str) -> UserPaths:
    return UserPaths(check_user_name(name), root / "users" / name)


def child_environment(user: UserPaths, term: str, client_env: Mapping[str, str],
                      server_env: Mapping[str, str]) -> dict[str, str]:
    """The planner's whole environment: a clean one, with every folder it keeps things in under the
    user's own home, so two users share no config, plugins, undo history or caches."""
    home = user.home
    env = {key: server_env[key] for key in SERVER_ENV if server_env.get(key)}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.update({
        "HOME": str(home),
        "TERM": term if TERM_TYPE.fullmatch(term) else "xterm-256color",
        "LANG": "C.UTF-8",
        "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"), "XDG_STATE_HOME": str(home / ".local" / "state"),
        "PLANNER_PLANS": str(user.plans),
        "PLANNER_CONFIG_DIR": str(home / ".config" / "value-planner"),
        "PLANNER_DATA_DIR": str(home / ".local" / "share" / "value-planner"),
        "PLANNER_CACHE_DIR": str(home / ".cache" / "value-planner"),
        "PLANNER_STATE_DIR": str(home / ".local" / "state" / "value-planner"),
    })
    for key, allowed in CLIENT_ENV.items():
        value = client_env.get(key)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if value is not None and allowed.fullmatch(value) and value.isprintable():
            env[key] = value
    return env


# --- the host key ---------------------------------------------------------------------------------

def load_or_create_host_key(root: Path) -> asyncssh.SSHKey:
    """The server's identity: made once, never replaced (clients would see "REMOTE HOST
    IDENTIFICATION HAS CHANGED"), refused when others can read it."""
    path = root / HOST_KEY_NAME
    if not path.exists():
        _create_host_key(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise UserError(f"the host key {path} can be read by others (mode {mode:04o}): "
                        f"`chmod 600 {path}`, or delete it to make a new one (clients will then warn)")
    try:
        return asyncssh.read_private_key(path)
    except (OSError, asyncssh.KeyImportError) as error:
        raise UserError(f"cannot read the host key {path}: {error}") from None


def _create_host_key(path: Path) -> None:
    """Written in full to a private temporary file, then linked into place: a second server
    starting at the same moment finds either no key or a whole one, and never overwrites it."""
    key = asyncssh.generate_private_key("ssh-ed25519", comment="planner serve")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(key.export_private_key())
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return
        public = path.with_name(path.name + ".pub")
        public.write_bytes(key.export_public_key())
    finally:
        temporary.unlink(missing_ok=True)


def fingerprint(key: asyncssh.SSHKey) -> str:
    return key.get_fingerprint("sha256")


# --- users ----------------------------------------------------------------------------------------

def add_user(root: Path, name: str, key_file: Path, *, timezone: str | None = None,
             planner: tuple[str, ...] = ServeOptions.planner) -> list[str]:
    """Set up NAME: their key in authorized_keys (kept once), their home, and a new plan folder
    when they have none. Returns what to tell the operator."""
    user = user_paths(root, name)
    try:
        text = key_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"cannot read the key file {key_file}: {getattr(error, 'strerror', None) or error}") from None
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    keys = []
    for line in lines:
        if "PRIVATE KEY" in line:
            raise UserError(f"{key_file} holds a private key: give the public one (usually the same name + .pub)")
        try:
            parsed = asyncssh.import_authorized_keys(line)
        except (ValueError, asyncssh.KeyImportError) as error:
            raise UserError(f"{key_file}: not an OpenSSH public key line ({error})") from None
        if not parsed._user_entries and not parsed._ca_entries:  # noqa: SLF001 - it skips lines it cannot read
            raise UserError(f"{key_file}: not an OpenSSH public key line: {line[:60]!r}")
        keys.append(line)
    if not keys:
        raise UserError(f"{key_file} holds no public key")
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    (root / "users").mkdir(mode=0o700, exist_ok=True)
    user.make()
    before = user.authorized_keys.read_text(encoding="utf-8") if user.authorized_keys.exists() else ""
    known = {line.strip() for line in before.splitlines()}
    new = list(dict.fromkeys(line for line in keys if line not in known))
    if new:
        descriptor = os.open(user.authorized_keys, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as file:
            file.write("\n" * (bool(before) and not before.endswith("\n")) + "".join(line + "\n" for line in new))
    told = [f"{name}: {len(new)} key{'s' * (len(new) != 1)} added to {user.authorized_keys}"
            + (f" ({len(keys) - len(new)} already there)" if len(new) < len(keys) else "")]
    if not (user.plans / "board.toml").exists():
        command = [*planner, "init", "--title", f"{name}'s plan"]
        if timezone:
            command += ["--timezone", timezone]
        result = subprocess.run(command, env=child_environment(user, "dumb", {}, os.environ), cwd=user.home,
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise UserError(f"could not make {name}'s plan folder: {result.stderr.strip() or result.stdout.strip()}")
        told.append(f"{name}'s plan folder: {user.plans}")
    else:
        told.append(f"{name}'s plan folder (kept): {user.plans}")
    return told


class _KeysOfUser(asyncssh.SSHAuthorizedKeys):
    """authorized_keys as asyncssh checks it (with its options), remembering the key that matched,
    for the log."""

    accepted: asyncssh.SSHKey | None = None

    def validate(self, key, client_host, client_addr, cert_principals=None, ca=False):  # type: ignore[override]
        options = super().validate(key, client_host, client_addr, cert_principals, ca)
        if options is not None:
            self.accepted = key
        return options


def read_user_keys(user: UserPaths) -> tuple[_KeysOfUser, str | None]:
    """The user's keys, or no keys and why (for the log): a missing file, or one others may change."""
    path = user.authorized_keys
    try:
        info = path.stat()
        if info.st_mode & 0o022:
            return _KeysOfUser(), f"{path} is writable by others (chmod 600 it)"
        return _KeysOfUser(path.read_text(encoding="utf-8")), None
    except FileNotFoundError:
        return _KeysOfUser(), "no such user"
    except (OSError, UnicodeDecodeError, ValueError) as error:
        return _KeysOfUser(), f"cannot read {path}: {error}"


# --- limits ---------------------------------------------------------------------------------------

class SessionLimits:
    def __init__(self, total: int, per_user: int) -> None:
        self.total = total
        self.per_user = per_user
        self.counts: Counter[str] = Counter()

    def take(self, user: str) -> str | None:
        """A place for one more session of `user`, or why there is none."""
        if sum(self.counts.values()) >= self.total:
            return f"too many sessions: this server allows {self.total} at a time; try again later"
        if self.counts[user] >= self.per_user:
            return f"too many sessions: {self.per_user} of yours are open already; close one first"
        self.counts[user] += 1
        return None

    def give_back(self, user: str) -> None:
        self.counts[user] -= 1
        if self.counts[user] <= 0:
            del self.counts[user]


# --- one session: a planner on a pseudo-terminal --------------------------------------------------

def _become_terminal_owner() -> None:  # runs in the child between fork and exec, after setsid
    """Make the pseudo-terminal the child's controlling terminal: when the server closes its end
    (or dies), the kernel hangs up the child, so no planner outlives its session."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _set_size(fd: int, columns: int, rows: int, width: int = 0, height: int = 0) -> None:
    columns = columns if 0 < columns < 10000 else 80
    rows = rows if 0 < rows < 10000 else 24
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, width, height))


async def _until_ready(fd: int, *, writable: bool = False) -> None:
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    add, remove = (loop.add_writer, loop.remove_writer) if writable else (loop.add_reader, loop.remove_reader)
    add(fd, lambda: ready.done() or ready.set_result(None))
    try:
        await ready
    finally:
        remove(fd)


class PlannerSession:
    """One SSH session: the bytes both ways between the channel and the planner's terminal, the
    resizes, the idle clock, and the child's end."""

    def __init__(self, server: PlannerServer, process: asyncssh.SSHServerProcess, user: UserPaths,
                 label: str) -> None:
        self.server = server
        self.process = process
        self.user = user
        self.label = label
        self.child: asyncio.subprocess.Process | None = None
        self.master = -1
        self.last_input = time.monotonic()
        self.stop_reason: str | None = None
        self._stop = asyncio.Event()

    def stop(self, reason: str) -> None:
        """End the session from outside (idle, server shutting down), telling the client why."""
        if self.stop_reason is None:
            self.stop_reason = reason
        self._stop.set()

    async def run(self) -> None:
        process = self.process
        columns, rows, width, height = process.get_terminal_size()
        term = process.get_terminal_type() or "xterm-256color"
        started = time.monotonic()
        try:
            await self._spawn(term, columns, rows, width, height)
        except OSError as error:
            LOG.error("%s: could not start the planner: %s", self.label, error)
            self._tell(f"planner serve: could not start the planner ({error.strerror or error})")
            self._exit(1)
            return
        assert self.child is not None
        LOG.info("%s: planner pid %d on a %dx%d %s terminal", self.label, self.child.pid, columns, rows, term)
        output = asyncio.create_task(self._pump_output())
        keys = asyncio.create_task(self._pump_input())
        exited = asyncio.create_task(self.child.wait())
        stopped = asyncio.create_task(self._stop.wait())
        idle = asyncio.create_task(self._watch_idle())
        try:
            done, _ = await asyncio.wait({output, keys, exited, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if stopped in done:
                why = self.stop_reason or "stopped"
            elif keys in done or (output in done and not output.result()):
                why = "the client went away"
            else:
                why = "the planner ended"
            keys.cancel()
            idle.cancel()
            await self._end_child()
            # Whatever the planner wrote last (its goodbye to the terminal) still reaches the client.
            await asyncio.wait({output}, timeout=1)
        finally:
            for task in (output, keys, exited, stopped, idle):
                task.cancel()
            os.close(self.master)
        status = self.child.returncode
        LOG.info("%s: ended after %.0fs: %s (planner exit status %s)", self.label, time.monotonic() - started,
                 why, status)
        if self.stop_reason is not None:
            self._write(TERMINAL_RESET)
            self._tell(f"planner serve: {self.stop_reason}")
        self._exit(status if status is not None and status >= 0 and self.stop_reason is None else 1)

    async def _spawn(self, term: str, columns: int, rows: int, width: int, height: int) -> None:
        self.user.make()
        env = child_environment(self.user, term, self.process.env, os.environ)
        master, slave = pty.openpty()
        try:
            _set_size(slave, columns, rows, width, height)
            self.child = await asyncio.create_subprocess_exec(
                *self.server.options.planner, "--plans", str(self.user.plans),
                stdin=slave, stdout=slave, stderr=slave, env=env, cwd=self.user.home,
                start_new_session=True, preexec_fn=_become_terminal_owner)
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)  # the child's copies are its only ones: its exit closes the terminal
        os.set_blocking(master, False)
        self.master = master

    async def _pump_output(self) -> bool:
        """The planner's terminal -> the client, until the terminal closes (EIO: no one holds it
        any more; returns True) or the client is gone (False)."""
        while True:
            try:
                data = os.read(self.master, READ_SIZE)
            except BlockingIOError:
                await _until_ready(self.master)
                continue
            except OSError:  # EIO once the planner and everything it started have closed the terminal
                return True
            if not data:
                return True
            try:
                self.process.stdout.write(data)
                await self.process.stdout.drain()
            except (OSError, asyncssh.Error):
                return False

    async def _pump_input(self) -> None:
        """The client -> the planner's terminal; a window change becomes the terminal's new size (the
        kernel sends the planner SIGWINCH). Returns when the client closes the channel."""
        stdin = self.process.stdin
        while True:
            try:
                data = await stdin.read(READ_SIZE)
            except asyncssh.TerminalSizeChanged as change:
                _set_size(self.master, change.width, change.height, change.pixwidth, change.pixheight)
                continue
            except (asyncssh.BreakReceived, asyncssh.SignalReceived, SoftEOFReceived):
                continue
            except (OSError, asyncssh.Error):
                return
            if not data:
                return
            self.last_input = time.monotonic()
            if not await self._write_to_child(data):
                return

    async def _write_to_child(self, data: bytes) -> bool:
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self.master, view):]
            except BlockingIOError:
                await _until_ready(self.master, writable=True)
            except OSError:
                return False
        return True

    async def _watch_idle(self) -> None:
        limit = self.server.options.idle_timeout
        if not limit:
            return
        while True:
            left = self.last_input + limit - time.monotonic()
            if left <= 0:
                LOG.info("%s: closing after %s without input", self.label, _said(limit))
                self.stop(f"closed after {_said(limit)} without input (every change was saved)")
                return
            await asyncio.sleep(left)

    async def _end_child(self) -> None:
        """Hang up, then terminate, then kill the planner's process group, and reap the planner."""
        child = self.child
        assert child is not None
        grace = self.server.options.grace
        for sig, wait in ((signal.SIGHUP, grace), (signal.SIGTERM, grace), (signal.SIGKILL, None)):
            if child.returncode is not None:
                break
            try:
                os.killpg(child.pid, sig)
            except ProcessLookupError:
                pass
            try:
                await asyncio.wait_for(asyncio.shield(child.wait()), wait)
            except TimeoutError:
                LOG.warning("%s: the planner did not exit %gs after %s", self.label, wait, sig.name)
        await child.wait()

    def _write(self, text: str) -> None:
        try:
            self.process.stdout.write(text.encode())
        except (OSError, asyncssh.Error):
            pass

    def _tell(self, message: str) -> None:
        try:
            self.process.stderr.write(f"\r\n{message}\r\n".encode())
        except (OSError, asyncssh.Error):
            pass

    def _exit(self, status: int) -> None:
        try:
            self.process.exit(status)
        except (OSError, asyncssh.Error):
            pass


def _said(seconds: float) -> str:
    if seconds >= 120 and seconds % 60 == 0:
        return f"{seconds / 60:g} minutes"
    return f"{seconds:g} seconds"


class _SessionProcess(asyncssh.SSHServerProcess):
    """asyncssh refuses a subsystem (sftp) itself when none is set up, with no word to the client;
    taking it here lets the session handler say why, as for a command."""

    _refusal: asyncio.Future | None = None

    def subsystem_requested(self, subsystem: str) -> bool:
        return True

    def session_started(self) -> None:
        if self._chan.get_subsystem() != "sftp":
            super().session_started()
            return
        # asyncssh would start its SFTP server here (and fail: there is none); the handler refuses it.
        channel = self._chan
        handler = self._start_process(asyncssh.SSHReader(self, channel), asyncssh.SSHWriter(self, channel),
                                      asyncssh.SSHWriter(self, channel, asyncssh.EXTENDED_DATA_STDERR))
        self._refusal = asyncio.ensure_future(handler)  # type: ignore[arg-type]


# --- one connection -------------------------------------------------------------------------------

class _Connection(asyncssh.SSHServer):
    def __init__(self, server: PlannerServer) -> None:
        self.server = server
        self.number = server.count_connection()
        self.conn: asyncssh.SSHServerConnection | None = None
        self.user: UserPaths | None = None
        self.keys: _KeysOfUser | None = None
        self.asked_as = ""
        self.logged_in = False
        self.peer = "?"

    @property
    def label(self) -> str:
        return f"connection {self.number}" + (f" ({self.user.name})" if self.user and self.logged_in else "")

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername") or ("?", 0)
        self.peer = f"{peer[0]}:{peer[1]}"
        self.server.unauthenticated += 1
        limit = self.server.options.max_logging_in
        if self.server.unauthenticated > limit:
            LOG.warning("%s from %s refused: %d connections are logging in already", self.label, self.peer, limit)
            conn.close()
            return
        LOG.info("%s from %s", self.label, self.peer)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.logged_in:
            self.server.unauthenticated -= 1
            if not self.asked_as:
                why = "no user name given"
            elif self.user:
                why = f"no accepted key for {self.asked_as!r}"
            else:
                why = f"refused user name {self.asked_as!r}"
            LOG.info("%s from %s closed without logging in: %s", self.label, self.peer, why)
            return
        LOG.info("%s closed%s", self.label, f": {exc or type(exc).__name__}" if exc else "")

    def begin_auth(self, username: str) -> bool:
        self.asked_as = username
        assert self.conn is not None
        try:
            self.user = user_paths(self.server.options.root, username)
        except UserError:
            LOG.info("%s: refused user name %r", self.label, username)
            self.user = None
            self.keys = _KeysOfUser()
        else:
            self.keys, problem = read_user_keys(self.user)
            if problem:
                LOG.info("%s: user %r has no keys: %s", self.label, username, problem)
        # Always keys, even none: public key is offered to every name alike, so the answer never
        # tells which users exist.
        self.conn.set_authorized_keys(self.keys)
        return True

    def auth_completed(self) -> None:
        self.logged_in = True
        self.server.unauthenticated -= 1
        key = self.keys.accepted if self.keys else None
        LOG.info("%s: %s logged in from %s with %s key %s", self.label, self.asked_as, self.peer,
                 key.get_algorithm() if key else "a", fingerprint(key) if key else "?")

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return False  # only keys from the user's authorized_keys, which asyncssh checks first

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False

    def host_based_auth_supported(self) -> bool:
        return False

    def session_requested(self) -> asyncssh.SSHServerProcess:
        return _SessionProcess(functools.partial(self.server.serve_session, self), None, 0, False)

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str, orig_port: int) -> bool:
        LOG.info("%s: refused forwarding to %s:%s", self.label, dest_host, dest_port)
        raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, NO_FORWARDING)

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        LOG.info("%s: refused remote forwarding from %s:%s", self.label, listen_host, listen_port)
        return False

    def unix_connection_requested(self, dest_path: str) -> bool:
        LOG.info("%s: refused forwarding to socket %s", self.label, dest_path)
        raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, NO_FORWARDING)

    def unix_server_requested(self, listen_path: str) -> bool:
        LOG.info("%s: refused remote forwarding from socket %s", self.label, listen_path)
        return False


# --- the server -----------------------------------------------------------------------------------

class PlannerServer:
    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        self.limits = SessionLimits(options.max_sessions, options.max_sessions_per_user)
        self.sessions: set[PlannerSession] = set()
        self.unauthenticated = 0
        self.host_key: asyncssh.SSHKey | None = None
        self._listener: asyncssh.SSHAcceptor | None = None
        self._log_file: logging.Handler | None = None
        self._connections = 0
        self._session_numbers = 0

    @property
    def port(self) -> int:
        assert self._listener is not None
        return self._listener.get_port()

    def count_connection(self) -> int:
        self._connections += 1
        return self._connections

    async def start(self) -> None:
        options = self.options
        root = options.root
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        (root / "users").mkdir(mode=0o700, exist_ok=True)
        self.host_key = load_or_create_host_key(root)
        self._log_file = _file_handler(root / LOG_NAME)
        LOG.addHandler(self._log_file)
        if LOG.level == logging.NOTSET or LOG.level > logging.INFO:
            LOG.setLevel(logging.INFO)
        _log_asyncssh_refusals()
        try:
            self._listener = await asyncssh.create_server(
                lambda: _Connection(self), options.listen, options.port,
                server_host_keys=[self.host_key], encoding=None, line_editor=False,
                login_timeout=options.login_timeout or None, keepalive_interval=30, keepalive_count_max=3,
                agent_forwarding=False, x11_forwarding=False, allow_pty=True,
                public_key_auth=True, password_auth=False, kbdint_auth=False, host_based_auth=False,
                gss_host=None, server_version="planner-serve", reuse_address=True)
        except OSError as error:
            self._close_log()
            raise UserError(f"cannot listen on {options.listen}:{options.port}: "
                            f"{error.strerror or error}") from None
        users = sorted(path.name for path in (root / "users").iterdir() if (path / "authorized_keys").is_file())
        LOG.info("listening on %s:%d (%s)", options.listen, self.port, _reach(options.listen))
        LOG.info("host key %s %s (%s)", self.host_key.get_algorithm(), fingerprint(self.host_key),
                 root / HOST_KEY_NAME)
        LOG.info("root %s, %d user%s%s", root, len(users), "s" * (len(users) != 1),
                 f" ({', '.join(users[:8])}{'…' if len(users) > 8 else ''})" if users else
                 ": add one with `planner serve add-user NAME --key FILE`")

    async def serve_session(self, connection: _Connection, process: asyncssh.SSHServerProcess) -> None:
        self._session_numbers += 1
        label = f"{connection.label} session {self._session_numbers}"
        user = connection.user
        assert user is not None
        forced = connection.conn.get_key_option("command") if connection.conn else None
        command = process.command if process.command != forced else None
        refusal = None
        if process.subsystem is not None:
            refusal, why = NO_SUBSYSTEM.format(name=process.subsystem), f"subsystem {process.subsystem}"
        elif command is not None:
            refusal, why = NO_COMMAND, f"command {command[:80]!r}"
        elif process.get_terminal_type() is None:
            refusal, why = NO_TERMINAL, "no terminal"
        else:
            refusal = self.limits.take(user.name)
            why = refusal or ""
        if refusal is not None:
            LOG.info("%s refused: %s", label, why)
            newline = "\r\n" if process.get_terminal_type() else "\n"
            try:
                process.stderr.write(f"{refusal}{newline}".encode())
                process.exit(1)
            except (OSError, asyncssh.Error):
                pass
            return
        session = PlannerSession(self, process, user, label)
        self.sessions.add(session)
        try:
            await session.run()
        except Exception:  # a bug here must not take the server down: log it, end this session
            LOG.exception("%s: failed", label)
            session._exit(1)
        finally:
            self.sessions.discard(session)
            self.limits.give_back(user.name)

    async def stop(self) -> None:
        """Stop listening, end every session (its planner hung up and reaped), then close."""
        if self._listener is not None:
            self._listener.close()
        sessions = list(self.sessions)
        for session in sessions:
            session.stop("the server is shutting down (every change was saved)")
        deadline = time.monotonic() + 3 * self.options.grace + 5
        while self.sessions and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if self._listener is not None:
            await self._listener.wait_closed()
        LOG.info("stopped")
        self._close_log()

    def _close_log(self) -> None:
        if self._log_file is not None:
            LOG.removeHandler(self._log_file)
            self._log_file.close()
            self._log_file = None


class _AsyncsshRefusals(logging.Handler):
    """asyncssh refuses agent forwarding (and X11) itself, with no hook of ours in between, and says so
    on its own logger: those lines go to the server's log like every other refusal."""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "request denied" in message:
            LOG.info("refused: %s", message)


def _log_asyncssh_refusals() -> None:
    library = logging.getLogger("asyncssh")
    if not any(isinstance(handler, _AsyncsshRefusals) for handler in library.handlers):
        library.addHandler(_AsyncsshRefusals())
        library.setLevel(logging.INFO)
        library.propagate = False  # the rest of its INFO chatter stays out of the server's output


def _reach(listen: str) -> str:
    try:
        loopback = ipaddress.ip_address(listen).is_loopback
    except ValueError:
        loopback = listen == "localhost"
    return "this machine only" if loopback else "reachable from other machines"


class _UTCFormatter(logging.Formatter):
    converter = time.gmtime

    def __init__(self) -> None:
        super().__init__("%(asctime)sZ %(message)s", "%Y-%m-%dT%H:%M:%S")


def _file_handler(path: Path) -> logging.Handler:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(descriptor)
    # Watched: after logrotate moves the file away, the next line goes to a new one.
    handler = logging.handlers.WatchedFileHandler(path, encoding="utf-8")
    handler.setFormatter(_UTCFormatter())
    return handler


def run(options: ServeOptions) -> int:
    """`planner serve`: log to stderr (and ROOT/serve.log), serve until SIGINT or SIGTERM."""
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(_UTCFormatter())
    LOG.addHandler(console)
    LOG.setLevel(logging.INFO)
    try:
        return asyncio.run(_serve(options))
    finally:
        LOG.removeHandler(console)


async def _serve(options: ServeOptions) -> int:
    server = PlannerServer(options)
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await server.stop()
    return 0
