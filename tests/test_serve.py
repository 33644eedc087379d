"""`planner serve` in-process: an asyncssh client talks to the server in the test's own event loop,
and reads the planner's screen through a terminal emulator (pyte), as a person's terminal would
draw it. The real OpenSSH client is in test_serve_e2e.py."""

from __future__ import annotations

import asyncio
import os
import stat
import time
from pathlib import Path

import asyncssh
import pyte
import pytest

from planner.serve import (
    HOST_KEY_NAME,
    LOG_NAME,
    PlannerServer,
    ServeOptions,
    SessionLimits,
    UserError,
    add_user,
    check_user_name,
    child_environment,
    load_or_create_host_key,
    parse_duration,
    user_paths,
)

NOW = "2026-11-26T10:00:00+00:00"
WAIT = 30  # seconds: a planner starting on a loaded 2-core machine


# --- helpers ----------------------------------------------------------------------------------------

class Screen:
    """What the client's terminal shows: the session's output fed into a pyte screen."""

    def __init__(self, process: asyncssh.SSHClientProcess, size: tuple[int, int]) -> None:
        self.process = process
        self.screen = pyte.Screen(*size)
        self.stream = pyte.ByteStream(self.screen)
        self.ended = False

    def text(self) -> str:
        return "\n".join(self.screen.display)

    async def read_some(self, seconds: float) -> None:
        try:
            data = await asyncio.wait_for(self.process.stdout.read(65536), seconds)
        except TimeoutError:
            return
        if not data:
            self.ended = True
        self.stream.feed(data)

    async def wait_for(self, text: str, seconds: float = WAIT) -> str:
        deadline = time.monotonic() + seconds
        while text not in self.text():
            if self.ended:
                raise AssertionError(f"the session ended before {text!r} showed; screen:\n{self.text()}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{text!r} not on screen after {seconds}s; screen:\n{self.text()}")
            await self.read_some(min(left, 1))
        return self.text()

    async def wait_until(self, check, what: str, seconds: float = WAIT) -> str:
        deadline = time.monotonic() + seconds
        while not check(self.screen):
            left = deadline - time.monotonic()
            if left <= 0 or self.ended:
                raise AssertionError(f"{what}: not after {seconds}s; screen:\n{self.text()}")
            await self.read_some(min(left, 1))
        return self.text()

    async def add_task(self, title: str) -> None:
        """n, the title, ctrl+s: and wait until the dialog has closed and the card is on the board."""
        self.type("n")
        await self.wait_for("New task")
        self.type(title + "\x13")
        await self.wait_until(lambda screen: "New task" not in "\n".join(screen.display), "the dialog closed")
        await self.wait_for(title)

    async def read_to_end(self, seconds: float = WAIT) -> None:
        deadline = time.monotonic() + seconds
        while not self.ended:
            left = deadline - time.monotonic()
            assert left > 0, f"the session did not end; screen:\n{self.text()}"
            await self.read_some(min(left, 1))

    def type(self, text: str) -> None:
        self.process.stdin.write(text.encode())


class Site:
    """A server root with users, a running server, and clients for it."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.root = tmp_path / "root"
        self.keys: dict[str, asyncssh.SSHKey] = {}
        self.server: PlannerServer | None = None
        self.connections: list[asyncssh.SSHClientConnection] = []

    def user(self, name: str, key_line_prefix: str = "") -> asyncssh.SSHKey:
        key = asyncssh.generate_private_key("ssh-ed25519")
        public = self.tmp / f"{name}.pub"
        public.write_text(key_line_prefix + key.export_public_key().decode())
        add_user(self.root, name, public, timezone="UTC")
        self.keys[name] = key
        return key

    async def start(self, **options) -> PlannerServer:
        settings = {"root": self.root, "port": 0, "idle_timeout": 0, "grace": 1, **options}
        self.server = PlannerServer(ServeOptions(**settings))
        await self.server.start()
        return self.server

    def known_hosts(self):
        public = (self.root / f"{HOST_KEY_NAME}.pub").read_text().strip()
        return asyncssh.import_known_hosts(f"[127.0.0.1]:{self.server.port} {public}\n")

    async def connect(self, user: str, key: asyncssh.SSHKey | None = None, **extra) -> asyncssh.SSHClientConnection:
        settings = {"username": user, "known_hosts": self.known_hosts(), "agent_path": None, "config": [],
                    "client_keys": [key or self.keys[user]], **extra}
        connection = await asyncio.wait_for(asyncssh.connect("127.0.0.1", self.server.port, **settings), WAIT)
        self.connections.append(connection)
        return connection

    async def open(self, user: str, size: tuple[int, int] = (100, 30), **extra) -> Screen:
        connection = await self.connect(user)
        process = await connection.create_process(term_type="xterm-256color", term_size=size, encoding=None,
                                                  env={"COLORTERM": "truecolor"}, **extra)
        return Screen(process, size)

    def log(self) -> str:
        return (self.root / LOG_NAME).read_text()

    async def close(self) -> None:
        for connection in self.connections:
            connection.abort()
        if self.server is not None:
            await self.server.stop()


@pytest.fixture
async def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PLANNER_NOW", NOW)
    monkeypatch.setenv("TZ", "UTC")
    site = Site(tmp_path)
    try:
        yield site
    finally:
        await site.close()


def task_titles(root: Path, user: str) -> list[str]:
    import tomllib

    folder = root / "users" / user / "plans" / "tasks"
    return sorted(tomllib.loads(path.read_text())["title"] for path in folder.glob("*.toml"))


async def wait_titles(root: Path, user: str, expected: list[str], seconds: float = 10) -> None:
    """The task files as expected (the card shows as the file is written)."""
    deadline = time.monotonic() + seconds
    while task_titles(root, user) != expected:
        assert time.monotonic() < deadline, f"{user}'s tasks: {task_titles(root, user)}, not {expected}"
        await asyncio.sleep(0.05)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def wait_gone(pid: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while alive(pid):
        assert time.monotonic() < deadline, f"planner pid {pid} still running after {seconds}s"
        await asyncio.sleep(0.05)


# --- sessions ---------------------------------------------------------------------------------------

async def test_a_key_lands_in_the_board_a_task_is_saved_and_q_ends_the_session(site: Site) -> None:
    site.user("alice")
    await site.start()
    screen = await site.open("alice")
    await screen.wait_for("Backlog")
    await screen.wait_for("alice's plan")
    await screen.add_task("Write the SSH notes")
    await wait_titles(site.root, "alice", ["Write the SSH notes"])
    [session] = site.server.sessions
    pid = session.child.pid
    screen.type("q")
    await screen.read_to_end()
    assert await asyncio.wait_for(screen.process.wait_closed(), WAIT) is None
    assert screen.process.exit_status == 0
    await wait_gone(pid)
    log = site.log()
    assert "alice logged in from 127.0.0.1" in log and "ssh-ed25519 key SHA256:" in log
    assert f"planner pid {pid} on a 100x30 xterm-256color terminal" in log
    assert "the planner ended (planner exit status 0)" in log


async def test_a_resize_re_renders_at_the_new_size(site: Site) -> None:
    site.user("alice")
    await site.start()
    screen = await site.open("alice", size=(80, 24))
    await screen.wait_for("^p palette")
    assert screen.screen.display[-1].rstrip().endswith("palette") and len(screen.screen.display[-1].rstrip()) <= 80
    screen.screen.resize(30, 130)  # pyte: lines, columns
    screen.process.change_terminal_size(130, 30)
    # The footer's right-aligned hint moves to the new right edge, and the board grows to 30 lines.
    await screen.wait_until(lambda s: s.display[-1].rstrip().endswith("^p palette")
                            and len(s.display[-1].rstrip()) > 120, "footer at the new width")


async def test_two_sessions_of_one_user_see_each_others_edits(site: Site) -> None:
    site.user("alice")
    await site.start()
    first = await site.open("alice")
    second = await site.open("alice")
    await first.wait_for("Backlog")
    await second.wait_for("Backlog")
    await first.add_task("From the first")
    await second.wait_for("From the first")  # the planner's live reload
    await second.add_task("From the second")
    await first.wait_for("From the second")
    await wait_titles(site.root, "alice", ["From the first", "From the second"])


async def test_each_user_sees_only_their_own_plan(site: Site) -> None:
    site.user("alice")
    site.user("bob")
    await site.start()
    alice = await site.open("alice")
    bob = await site.open("bob")
    await alice.wait_for("alice's plan")
    await bob.wait_for("bob's plan")
    await alice.add_task("Alice only")
    await wait_titles(site.root, "alice", ["Alice only"])
    assert task_titles(site.root, "bob") == []
    await asyncio.sleep(1.5)  # a reload would have shown it by now
    await bob.read_some(0.5)
    assert "Alice only" not in bob.text()
    homes = {site.root / "users" / name / "home" for name in ("alice", "bob")}
    assert all((home / ".config" / "value-planner").is_dir() or (home / ".cache").is_dir() for home in homes)


async def test_the_session_limit_refuses_one_more_and_the_others_keep_working(site: Site) -> None:
    site.user("alice")
    site.user("bob")
    await site.start(max_sessions=2, max_sessions_per_user=1)
    alice = await site.open("alice")
    await alice.wait_for("Backlog")
    again = await site.open("alice")
    assert (await asyncio.wait_for(again.process.stderr.read(), WAIT)).decode().strip() == (
        "too many sessions: 1 of yours are open already; close one first")
    await again.process.wait_closed()
    assert again.process.exit_status == 1
    bob = await site.open("bob")
    await bob.wait_for("Backlog")
    third = await site.connect("alice", client_keys=[site.keys["alice"]])
    process = await third.create_process(term_type="xterm", encoding=None)
    assert b"this server allows 2 at a time" in await asyncio.wait_for(process.stderr.read(), WAIT)
    for screen in (alice, bob):  # both still answer keys
        screen.type("n")
        await screen.wait_for("New task")
    assert "refused: too many sessions" in site.log()


async def test_the_idle_timeout_closes_a_quiet_session_with_a_notice_and_reaps_its_planner(site: Site) -> None:
    site.user("alice")
    await site.start(idle_timeout=2)
    screen = await site.open("alice")
    await screen.wait_for("Backlog")
    [session] = site.server.sessions
    pid = session.child.pid
    notice = await asyncio.wait_for(screen.process.stderr.read(), 15)
    assert notice.decode().strip() == "planner serve: closed after 2 seconds without input (every change was saved)"
    await screen.read_to_end()
    await screen.process.wait_closed()
    assert screen.process.exit_status == 1
    await wait_gone(pid, 5)
    assert "closing after 2 seconds without input" in site.log()


async def test_a_client_that_vanishes_leaves_no_planner_and_its_last_edit_on_disk(site: Site) -> None:
    site.user("alice")
    await site.start()
    screen = await site.open("alice")
    await screen.wait_for("Backlog")
    await screen.add_task("Saved before a cut")
    [session] = site.server.sessions
    pid = session.child.pid
    site.connections[-1].abort()
    await wait_gone(pid, 10)
    assert task_titles(site.root, "alice") == ["Saved before a cut"]
    deadline = time.monotonic() + 5
    while site.server.sessions and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert not site.server.sessions and not site.server.limits.counts
    assert "the client went away" in site.log()


SHOW_TERMINAL = """
import json, os, sys
print(json.dumps({
    "argv": sys.argv[1:], "env": dict(os.environ), "cwd": os.getcwd(), "tty": os.ttyname(0),
    "size": list(os.get_terminal_size(0)), "session_leader": os.getsid(0) == os.getpid(),
    "owns_terminal": os.tcgetpgrp(0) == os.getpgrp(),
}))
"""


async def test_the_planner_runs_on_a_terminal_of_its_own_with_a_clean_environment(site: Site,
                                                                                  tmp_path: Path) -> None:
    """The child as the server starts it, with a script in place of the planner that shows what it got."""
    import json
    import sys

    site.user("alice")
    await site.start(planner=(sys.executable, "-c", SHOW_TERMINAL))
    fake_agent = tmp_path / "agent.sock"
    connection = await site.connect("alice", agent_forwarding=True, agent_path=str(fake_agent))
    process = await connection.create_process(term_type="xterm-kitty", term_size=(91, 27), encoding=None,
                                              env={"COLORTERM": "truecolor", "EDITOR": "sh", "LD_PRELOAD": "x.so"})
    output = await asyncio.wait_for(process.stdout.read(), WAIT)
    await process.wait_closed()
    shown = json.loads(output.decode().replace("\r\n", "\n").strip())
    user = site.root / "users" / "alice"
    assert shown["argv"] == ["--plans", str(user / "plans")]
    assert shown["tty"].startswith("/dev/pts/") and shown["size"] == [91, 27]
    assert shown["session_leader"] and shown["owns_terminal"]
    assert shown["cwd"] == str(user / "home")
    env = shown["env"]
    assert env["TERM"] == "xterm-kitty" and env["COLORTERM"] == "truecolor" and env["PLANNER_NOW"] == NOW
    assert env["HOME"] == str(user / "home") and env["PLANNER_PLANS"] == str(user / "plans")
    for absent in ("EDITOR", "VISUAL", "LD_PRELOAD", "SSH_AUTH_SOCK", "SSH_CONNECTION"):
        assert absent not in env
    assert process.exit_status == 0


# --- refusals -----------------------------------------------------------------------------------------

async def test_no_terminal_a_command_and_sftp_are_refused_with_a_message(site: Site) -> None:
    site.user("alice")
    await site.start()
    connection = await site.connect("alice")
    result = await asyncio.wait_for(connection.run(), WAIT)  # ssh -T: a shell without a terminal
    assert result.exit_status == 1 and "connect with `ssh -t`" in result.stderr
    result = await asyncio.wait_for(connection.run("ls /"), WAIT)
    assert result.exit_status == 1 and "runs no commands" in result.stderr and not result.stdout
    result = await asyncio.wait_for(connection.run("ls /", term_type="xterm"), WAIT)
    assert result.exit_status == 1 and "runs no commands" in result.stderr
    process = await connection.create_process(subsystem="sftp", encoding=None)
    assert b"no file transfer" in await asyncio.wait_for(process.stderr.read(), WAIT)
    await process.wait_closed()
    assert process.exit_status == 1
    with pytest.raises((asyncssh.Error, OSError)):
        await asyncio.wait_for(connection.start_sftp_client(), WAIT)
    assert not site.server.sessions
    log = site.log()
    assert "refused: no terminal" in log and "refused: command 'ls /'" in log and "refused: subsystem sftp" in log


async def test_port_forwarding_is_refused(site: Site) -> None:
    site.user("alice")
    await site.start()
    connection = await site.connect("alice")
    with pytest.raises(asyncssh.ChannelOpenError, match="no port forwarding"):
        await connection.open_connection("127.0.0.1", site.server.port)
    with pytest.raises(asyncssh.ChannelListenError):
        await connection.forward_remote_port("127.0.0.1", 0, "127.0.0.1", 22)
    log = site.log()
    assert "refused forwarding to 127.0.0.1" in log and "refused remote forwarding" in log


@pytest.mark.parametrize("who", ["unknown key", "wrong user", "../alice", "no user"])
async def test_only_the_users_own_keys_log_in(site: Site, who: str) -> None:
    site.user("alice")
    site.user("bob")
    await site.start()
    stranger = asyncssh.generate_private_key("ssh-ed25519")
    user, key = {"unknown key": ("alice", stranger), "wrong user": ("bob", site.keys["alice"]),
                 "../alice": ("../alice", site.keys["alice"]), "no user": ("carol", site.keys["alice"])}[who]
    with pytest.raises(asyncssh.PermissionDenied):
        await site.connect(user, key)
    assert not site.server.sessions
    deadline = time.monotonic() + 5
    while "closed without logging in" not in site.log():
        assert time.monotonic() < deadline, site.log()
        await asyncio.sleep(0.05)


async def test_password_and_keyboard_interactive_are_never_offered(site: Site) -> None:
    site.user("alice")
    await site.start()
    for method in ("password", "keyboard-interactive"):
        with pytest.raises(asyncssh.PermissionDenied):
            await site.connect("alice", client_keys=None, password="secret", preferred_auth=method)


async def test_authorized_keys_options_are_honoured(site: Site) -> None:
    site.user("alice", key_line_prefix='from="10.9.9.9" ')
    await site.start()
    with pytest.raises(asyncssh.PermissionDenied):
        await site.connect("alice")


async def test_an_authorized_keys_file_others_can_write_is_ignored(site: Site) -> None:
    site.user("alice")
    (site.root / "users" / "alice" / "authorized_keys").chmod(0o666)
    await site.start()
    with pytest.raises(asyncssh.PermissionDenied):
        await site.connect("alice")
    assert "writable by others" in site.log()


# --- the host key, users, environment -----------------------------------------------------------------

def test_the_host_key_is_made_once_private_and_kept(tmp_path: Path) -> None:
    key = load_or_create_host_key(tmp_path)
    path = tmp_path / HOST_KEY_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key.get_algorithm() == "ssh-ed25519"
    assert load_or_create_host_key(tmp_path).get_fingerprint() == key.get_fingerprint()
    assert (tmp_path / f"{HOST_KEY_NAME}.pub").read_bytes() == key.export_public_key()
    path.chmod(0o644)
    with pytest.raises(UserError, match="can be read by others"):
        load_or_create_host_key(tmp_path)


@pytest.mark.parametrize("name", ["../alice", "alice/..", ".alice", "Alice", "", "a" * 33, "al ice", "-x", "é"])
def test_user_names_that_are_not_plain_folder_names_are_refused(name: str) -> None:
    with pytest.raises(UserError):
        check_user_name(name)


def test_user_names_people_use_are_accepted() -> None:
    for name in ("alice", "bob-2", "_svc", "a" * 32):
        assert check_user_name(name) == name


def test_durations() -> None:
    assert [parse_duration(text) for text in ("90", "90s", "30m", "1h", "0", "1.5m")] == [90, 90, 1800, 3600, 0, 90]
    with pytest.raises(UserError):
        parse_duration("soon")


def test_session_limits_count_per_user_and_in_total() -> None:
    limits = SessionLimits(total=3, per_user=2)
    assert limits.take("a") is None and limits.take("a") is None
    assert "of yours" in limits.take("a")
    assert limits.take("b") is None
    assert "allows 3" in limits.take("c")
    limits.give_back("a")
    assert limits.take("c") is None


def test_the_planner_environment_is_clean_and_per_user(tmp_path: Path) -> None:
    user = user_paths(tmp_path, "alice")
    server_env = {"PATH": "/usr/bin", "EDITOR": "vim", "SSH_AUTH_SOCK": "/tmp/agent", "PLANNER_NOW": NOW,
                  "PLANNER_CONFIG_DIR": "/operator/config", "AWS_SECRET_ACCESS_KEY": "x"}
    client_env = {"COLORTERM": "truecolor", "LD_PRELOAD": "/tmp/evil.so", "EDITOR": "sh", "TERM_PROGRAM": "iTerm.app",
                  "PLANNER_COLOR": "256", "ESCDELAY": "25", "PLANNER_PLANS": "/home/someone-else/plans"}
    env = child_environment(user, "xterm-256color", client_env, server_env)
    assert env["TERM"] == "xterm-256color" and env["COLORTERM"] == "truecolor" and env["TERM_PROGRAM"] == "iTerm.app"
    assert env["PLANNER_COLOR"] == "256" and env["ESCDELAY"] == "25"
    assert env["PLANNER_NOW"] == NOW and env["PATH"] == "/usr/bin"
    assert env["HOME"] == str(user.home) and env["PLANNER_PLANS"] == str(user.plans)
    assert all(env[f"PLANNER_{name}_DIR"].startswith(str(user.home)) for name in ("CONFIG", "DATA", "CACHE", "STATE"))
    for leaked in ("EDITOR", "VISUAL", "SSH_AUTH_SOCK", "LD_PRELOAD", "AWS_SECRET_ACCESS_KEY"):
        assert leaked not in env
    assert child_environment(user, "x\x1b[2J", {"COLORTERM": "yes"}, {})["TERM"] == "xterm-256color"
    odd = child_environment(user, "xterm", {"COLORTERM": "yes", "PLANNER_COLOR": "all", "ESCDELAY": "-1"}, {})
    assert not {"COLORTERM", "PLANNER_COLOR", "ESCDELAY"} & set(odd)


def test_the_server_never_imports_textual_and_the_cli_imports_asyncssh_only_to_serve() -> None:
    import subprocess
    import sys

    code = "import sys, planner.serve; print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"
    code = "import sys, planner.cli; print('asyncssh' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


# --- the command line ---------------------------------------------------------------------------------

def test_add_user_sets_up_a_user_and_refuses_mistakes(run, tmp_path: Path) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    public = tmp_path / "id.pub"
    public.write_bytes(key.export_public_key())
    private = tmp_path / "id"
    private.write_bytes(key.export_private_key())
    root = tmp_path / "root"
    result = run("serve", "add-user", "alice", "--key", str(public), "--root", str(root))
    assert result.returncode == 0, result.stderr
    assert "1 key added" in result.stdout and "plan folder" in result.stdout
    keys = root / "users" / "alice" / "authorized_keys"
    assert keys.read_bytes() == key.export_public_key()
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    assert (root / "users" / "alice" / "plans" / "board.toml").is_file()
    again = run("serve", "--root", str(root), "add-user", "alice", "--key", str(public))
    assert again.returncode == 0 and "0 keys added" in again.stdout and "(1 already there)" in again.stdout
    assert keys.read_bytes() == key.export_public_key()
    for args, message in [
        (["../alice", "--key", str(public)], "not a user name"),
        (["bob", "--key", str(private)], "holds a private key"),
        (["bob", "--key", str(tmp_path / "missing.pub")], "cannot read the key file"),
        (["bob"], "--key"),
    ]:
        result = run("serve", "add-user", *args, "--root", str(root))
        assert result.returncode == 1, result
        assert result.stderr.startswith("planner: error:") and message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert not (root / "users" / "bob").exists()


def test_serve_refuses_a_bad_setting_or_a_host_key_others_can_read(run, tmp_path: Path) -> None:
    root = tmp_path / "root"
    for args, message in [(["--port", "70000"], "out of range"), (["--idle-timeout", "later"], "not a duration"),
                          (["--max-sessions", "0"], "out of range")]:
        result = run("serve", "--root", str(root), *args)
        assert result.returncode == 1 and message in result.stderr, result
    load_or_create_host_key(root)
    (root / HOST_KEY_NAME).chmod(0o640)
    result = run("serve", "--root", str(root), "--port", "0")
    assert result.returncode == 1 and "can be read by others" in result.stderr, result
    assert len(result.stderr.strip().splitlines()) == 1


async def test_connections_that_do_not_log_in_are_limited_and_timed_out(site: Site) -> None:
    site.user("alice")
    await site.start(login_timeout=1, max_logging_in=1)
    reader, writer = await asyncio.open_connection("127.0.0.1", site.server.port)  # says nothing
    assert (await asyncio.wait_for(reader.readline(), WAIT)).startswith(b"SSH-2.0-planner-serve")
    with pytest.raises((asyncssh.Error, OSError)):
        await site.connect("alice")  # one more still logging in: refused
    assert await asyncio.wait_for(reader.read(), 10) == b""  # the silent one: dropped after the login timeout
    writer.close()
    connection = await site.connect("alice")  # and now there is room
    connection.close()
    log = site.log()
    assert "connections are logging in already" in log and "closed without logging in: no user name given" in log
