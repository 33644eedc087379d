"""`planner serve` end to end: the real `planner serve` command and the real OpenSSH client, `ssh -tt`
running in a tmux server of our own (its own socket), on loopback, with a known_hosts file of the
test's own and strict host key checking."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
import tomllib
import uuid
from pathlib import Path

import pytest

from cli_runner import planner_command, planner_environment
from test_serve import alive

MISSING = [tool for tool in ("ssh", "ssh-keygen", "sftp", "tmux") if shutil.which(tool) is None]
pytestmark = pytest.mark.skipif(
    bool(MISSING) and not os.environ.get("CI"),
    reason=f"{', '.join(MISSING)} not installed (the openssh-client and tmux packages; CI installs them, "
           "so there this test always runs)",
)
WAIT = 30  # seconds: a planner starting on a loaded 2-core machine


def wait_until(check, what: str, seconds: float = WAIT, show=lambda: ""):
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not after {seconds}s\n{show()}")
        time.sleep(0.1)


class Server:
    """`planner serve --port 0` on loopback, its stderr in a file."""

    def __init__(self, tmp: Path, *args: str) -> None:
        self.tmp = tmp
        self.root = tmp / "root"
        self.args = args
        self.env = planner_environment(tmp)
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.starts = 0

    def start(self, port: int = 0) -> str:
        self.starts += 1
        self.output = self.tmp / f"serve-{self.starts}.err"
        with self.output.open("wb") as err:
            self.process = subprocess.Popen(
                [*planner_command(), "serve", "--root", str(self.root), "--port", str(port), *self.args],
                stdin=subprocess.DEVNULL, stdout=err, stderr=err, env=self.env)
        found = wait_until(lambda: re.search(r"listening on 127\.0\.0\.1:(\d+)", self.stderr())
                           or self.process.poll() is not None, "the server listening", show=self.stderr)
        assert found is not True, f"planner serve exited {self.process.returncode}:\n{self.stderr()}"
        self.port = int(found.group(1))
        wait_until(lambda: "host key" in self.stderr(), "the host key line", show=self.stderr)
        return self.stderr()

    def stderr(self) -> str:
        return self.output.read_text(errors="replace")

    def log(self) -> str:
        return (self.root / "serve.log").read_text()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def add_user(self, name: str) -> Path:
        key = self.tmp / f"{name}_key"
        if not key.exists():
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
        result = subprocess.run([*planner_command(), "serve", "add-user", name, "--key", f"{key}.pub",
                                 "--root", str(self.root), "--timezone", "UTC"],
                                capture_output=True, text=True, env=self.env)
        assert result.returncode == 0, result.stderr
        return key

    def known_hosts(self) -> Path:
        path = self.tmp / "known_hosts"
        path.write_text(f"[127.0.0.1]:{self.port} {(self.root / 'ssh_host_ed25519_key.pub').read_text()}")
        return path

    def ssh(self, user: str, key: Path, *args: str) -> list[str]:
        return ["ssh", "-F", "/dev/null", "-p", str(self.port), "-i", str(key), "-o", "IdentitiesOnly=yes",
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
                "-o", f"UserKnownHostsFile={self.tmp / 'known_hosts'}", "-o", "LogLevel=ERROR", *args,
                f"{user}@127.0.0.1"]

    def run_ssh(self, user: str, key: Path, *args: str, command: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
        # A session of its own: no controlling terminal, so ssh can never stop to ask for anything.
        return subprocess.run([*self.ssh(user, key, *args), *command], stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=WAIT, start_new_session=True)

    def planner_pids(self) -> list[int]:
        return [int(pid) for pid in re.findall(r"planner pid (\d+)", self.log())]


class Tmux:
    """A tmux server of our own; each window runs one ssh."""

    def __init__(self) -> None:
        self.socket = f"planner-serve-{uuid.uuid4().hex[:8]}"
        self.started = False

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args], check=True,
                              capture_output=True, text=True).stdout

    def open(self, name: str, command: list[str], size: tuple[int, int] = (100, 30), keep: bool = True) -> None:
        """`keep`: the window stays after ssh exits and shows its exit status; otherwise the pane is ssh."""
        line = " ".join(subprocess.list2cmdline([part]) for part in command)
        shell = f"{line}; echo \"exit status $?\"; sleep 120" if keep else f"exec {line}"
        if not self.started:
            self.tmux("new-session", "-d", "-s", "main", "-n", name, "-x", str(size[0]), "-y", str(size[1]),
                      "sh", "-c", shell)
            self.tmux("set-option", "-t", "main", "window-size", "manual")  # or resize-window is ignored
            self.started = True
        else:
            self.tmux("new-window", "-d", "-t", "main", "-n", name, "sh", "-c", shell)
            self.tmux("resize-window", "-t", f"main:{name}", "-x", str(size[0]), "-y", str(size[1]))

    def screen(self, name: str) -> str:
        return self.tmux("capture-pane", "-p", "-t", f"main:{name}")

    def wait_for(self, name: str, text: str, seconds: float = WAIT) -> str:
        def shown() -> str | None:
            screen = self.screen(name)
            return screen if text in screen else None

        return wait_until(shown, f"{text!r} on the screen of {name}", seconds, lambda: self.screen(name))

    def keys(self, name: str, *keys: str) -> None:
        self.tmux("send-keys", "-t", f"main:{name}", *keys)

    def type(self, name: str, text: str) -> None:
        self.tmux("send-keys", "-t", f"main:{name}", "-l", text)

    def pane_pid(self, name: str) -> int:
        return int(self.tmux("display-message", "-p", "-t", f"main:{name}", "#{pane_pid}").strip())

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)
        # A killed server (or one whose last pane ended) can leave its socket file behind.
        folder = Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}"
        (folder / self.socket).unlink(missing_ok=True)


@pytest.fixture
def tmux():
    terminal = Tmux()
    try:
        yield terminal
    finally:
        terminal.close()


@pytest.fixture
def serve(tmp_path: Path):
    """serve(*args) -> a started Server with user alice (key in server.keys)."""
    servers: list[Server] = []

    def start(*args: str) -> Server:
        server = Server(tmp_path, *args)
        servers.append(server)
        server.keys = {"alice": server.add_user("alice")}
        server.start()
        server.known_hosts()
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.stop()
        for server in servers:  # no planner outlives its server
            for pid in server.planner_pids() if (server.root / "serve.log").exists() else ():
                assert not alive(pid), f"planner pid {pid} still running after the server stopped"


def titles(server: Server, user: str) -> list[str]:
    folder = server.root / "users" / user / "plans" / "tasks"
    return sorted(tomllib.loads(path.read_text())["title"] for path in folder.glob("*.toml"))


def add_task(tmux: Tmux, window: str, title: str) -> None:
    """n, the title, ctrl+s; then the dialog closes and the card shows (as its file is written)."""
    tmux.keys(window, "n")
    tmux.wait_for(window, "New task")
    tmux.type(window, title)
    tmux.keys(window, "C-s")
    wait_until(lambda: "New task" not in tmux.screen(window), "the dialog closed", show=lambda: tmux.screen(window))
    tmux.wait_for(window, title[:18])


def wait_titles(server: Server, user: str, expected: list[str]) -> None:
    wait_until(lambda: titles(server, user) == expected, f"{user}'s tasks {expected}",
               10, lambda: str(titles(server, user)))


def test_a_key_lands_in_the_board_a_task_is_saved_and_q_closes_the_connection(serve, tmux: Tmux) -> None:
    server = serve()
    tmux.open("a", server.ssh("alice", server.keys["alice"], "-tt"))
    tmux.wait_for("a", "alice's plan")
    tmux.wait_for("a", "Backlog")
    add_task(tmux, "a", "Made over SSH")
    wait_titles(server, "alice", ["Made over SSH"])
    tmux.keys("a", "q")
    screen = tmux.wait_for("a", "exit status")
    assert "exit status 0" in screen
    [pid] = server.planner_pids()
    wait_until(lambda: not alive(pid), "the planner reaped")
    log = server.log()
    assert "alice logged in from 127.0.0.1" in log and "the planner ended (planner exit status 0)" in log


def test_strangers_wrong_users_and_passwords_are_refused(serve) -> None:
    server = serve()
    alice = server.keys["alice"]
    server.add_user("bob")
    stranger = server.tmp / "stranger_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(stranger)], check=True)
    attempts = {
        "unknown key": server.run_ssh("alice", stranger, "-tt"),
        "wrong user": server.run_ssh("bob", alice, "-tt"),
        "../alice": server.run_ssh("../alice", alice, "-tt"),
        "no such user": server.run_ssh("carol", alice, "-tt"),
        # BatchMode would stop ssh from trying a password: let it try; the server never offers one.
        "password": server.run_ssh("alice", alice, "-o", "BatchMode=no", "-o", "NumberOfPasswordPrompts=1",
                                   "-o", "PreferredAuthentications=password,keyboard-interactive", "-tt"),
    }
    for what, result in attempts.items():
        assert result.returncode == 255, (what, result)
        assert "Permission denied (publickey)" in result.stderr, (what, result.stderr)
    assert not server.planner_pids()
    log = server.log()
    assert "refused user name '../alice'" in log and "no accepted key for 'alice'" in log
    assert "no accepted key for 'bob'" in log


def test_no_terminal_and_commands_are_refused_with_a_message(serve) -> None:
    server = serve()
    key = server.keys["alice"]
    no_terminal = server.run_ssh("alice", key, "-T")
    assert no_terminal.returncode == 1 and "connect with `ssh -t`" in no_terminal.stderr, no_terminal
    for args in (("-T",), ("-tt",)):
        command = server.run_ssh("alice", key, *args, command=("ls", "/"))
        assert command.returncode == 1 and "runs no commands" in command.stderr, command
        assert "bin" not in command.stdout
    assert not server.planner_pids()


def test_port_forwarding_and_file_transfer_are_refused(serve) -> None:
    server = serve()
    key = server.keys["alice"]
    local = server.run_ssh("alice", key, "-W", f"127.0.0.1:{server.port}")
    assert local.returncode == 255 and "forwarding failed" in local.stderr, local
    remote = server.run_ssh("alice", key, "-N", "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:22")
    assert remote.returncode == 255 and "forwarding failed" in remote.stderr, remote
    sftp = subprocess.run(["sftp", "-F", "/dev/null", "-P", str(server.port), "-i", str(key), "-o", "IdentitiesOnly=yes",
                           "-o", "BatchMode=yes", "-o", f"UserKnownHostsFile={server.tmp / 'known_hosts'}",
                           "alice@127.0.0.1"], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=WAIT, start_new_session=True)
    assert sftp.returncode != 0 and "no file transfer" in sftp.stderr, sftp
    scp = subprocess.run(["scp", "-O", "-F", "/dev/null", "-P", str(server.port), "-i", str(key),
                          "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                          "-o", f"UserKnownHostsFile={server.tmp / 'known_hosts'}",
                          "alice@127.0.0.1:plans/board.toml", str(server.tmp / "copied")],
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=WAIT, start_new_session=True)
    assert scp.returncode != 0 and not (server.tmp / "copied").exists(), scp
    log = server.log()
    assert "refused forwarding to 127.0.0.1" in log and "refused remote forwarding" in log
    assert "refused: subsystem sftp" in log and "refused: command 'scp -f" in log


def test_a_restart_keeps_the_host_key(serve) -> None:
    server = serve()
    key_file = server.root / "ssh_host_ed25519_key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    printed = re.search(r"host key ssh-ed25519 (SHA256:\S+)", server.stderr()).group(1)
    keygen = subprocess.run(["ssh-keygen", "-lf", str(key_file)], capture_output=True, text=True, check=True)
    assert printed in keygen.stdout
    port = server.port
    server.stop()
    second = server.start(port)  # same port: the known_hosts line names it
    assert re.search(r"host key ssh-ed25519 (SHA256:\S+)", second).group(1) == printed
    # Strict checking against the known_hosts written before the restart: the session gets as far as
    # the server's refusal of a command, so the host key was accepted.
    result = server.run_ssh("alice", server.keys["alice"], "-T", command=("true",))
    assert result.returncode == 1 and "runs no commands" in result.stderr, result


def test_a_resize_re_renders(serve, tmux: Tmux) -> None:
    server = serve()
    tmux.open("a", server.ssh("alice", server.keys["alice"], "-tt"), size=(80, 24))
    screen = tmux.wait_for("a", "^p palette")
    assert len(screen.splitlines()[23].rstrip()) <= 80
    tmux.tmux("resize-window", "-t", "main:a", "-x", "130", "-y", "34")
    wait_until(lambda: len(tmux.screen("a").splitlines()) >= 34
               and tmux.screen("a").splitlines()[33].rstrip().endswith("^p palette")
               and len(tmux.screen("a").splitlines()[33].rstrip()) > 120,
               "the footer at the new size", show=lambda: tmux.screen("a"))


def test_the_session_limit_refuses_one_more_while_the_others_keep_working(serve, tmux: Tmux) -> None:
    server = serve("--max-sessions", "2")
    key = server.keys["alice"]
    for window in ("a", "b"):
        tmux.open(window, server.ssh("alice", key, "-tt"))
        tmux.wait_for(window, "Backlog")
    tmux.open("c", server.ssh("alice", key, "-tt"))
    screen = tmux.wait_for("c", "exit status")
    assert "too many sessions: this server allows 2 at a time" in screen and "exit status 1" in screen
    add_task(tmux, "a", "First window")
    tmux.wait_for("b", "First window")  # the other session of the same user sees it (live reload)
    add_task(tmux, "b", "Second window")
    tmux.wait_for("a", "Second window")
    wait_titles(server, "alice", ["First window", "Second window"])


def test_the_idle_timeout_closes_a_quiet_session_and_reaps_its_planner(serve, tmux: Tmux) -> None:
    server = serve("--idle-timeout", "2s")
    tmux.open("a", server.ssh("alice", server.keys["alice"], "-tt"))
    tmux.wait_for("a", "Backlog")
    [pid] = server.planner_pids()
    screen = tmux.wait_for("a", "exit status", 15)
    assert "closed after 2 seconds without input" in screen and "exit status 1" in screen
    assert "Backlog" not in screen  # the terminal was given back: main screen, no leftover board
    wait_until(lambda: not alive(pid), "the planner reaped", 5)


def test_killing_the_client_leaves_no_planner_and_the_last_edit_on_disk(serve, tmux: Tmux) -> None:
    server = serve()
    tmux.open("a", server.ssh("alice", server.keys["alice"], "-tt"), keep=False)
    tmux.wait_for("a", "Backlog")
    add_task(tmux, "a", "The last edit")
    ssh_pid = tmux.pane_pid("a")  # the pane runs ssh itself (exec)
    [pid] = server.planner_pids()
    os.kill(ssh_pid, signal.SIGKILL)
    wait_until(lambda: not alive(pid), "the planner gone after the client was killed", 10)
    wait_titles(server, "alice", ["The last edit"])
    wait_until(lambda: "the client went away" in server.log(), "the session's end in the log", 10)


def test_killing_the_server_leaves_no_planner(serve, tmux: Tmux) -> None:
    """The planner's terminal is its controlling terminal: when the server dies (kill -9: no clean-up
    of its own), the kernel hangs the planner up."""
    server = serve()
    tmux.open("a", server.ssh("alice", server.keys["alice"], "-tt"))
    tmux.wait_for("a", "Backlog")
    [pid] = server.planner_pids()
    server.process.kill()
    server.process.wait(10)
    wait_until(lambda: not alive(pid), "the planner gone after the server was killed", 10)
    tmux.wait_for("a", "exit status", 10)  # and the client noticed


def test_agent_forwarding_is_refused_and_only_terminal_settings_reach_the_planner(serve, tmux: Tmux) -> None:
    server = serve()
    agent_socket = server.tmp / "agent.sock"
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(agent_socket)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        wait_until(agent_socket.exists, "the ssh agent's socket", 10)
        command = ["env", f"SSH_AUTH_SOCK={agent_socket}", "TERM=xterm-256color", "EDITOR=vi",
                   *server.ssh("alice", server.keys["alice"], "-A", "-o", "SetEnv=COLORTERM=truecolor EDITOR=vi",
                               "-tt")]
        tmux.open("a", command)
        tmux.wait_for("a", "Backlog")
        [pid] = server.planner_pids()
        environ = dict(line.split("=", 1) for line in
                       Path(f"/proc/{pid}/environ").read_text().split("\0") if "=" in line)
    finally:
        agent.terminate()
        agent.wait(10)
    assert environ["TERM"] == "xterm-256color" and environ["COLORTERM"] == "truecolor"
    assert "SSH_AUTH_SOCK" not in environ and "EDITOR" not in environ
    assert environ["HOME"] == str(server.root / "users" / "alice" / "home")
    # The refusal is logged like every other (asyncssh refuses it before any hook of the server).
    wait_until(lambda: "Agent forwarding request denied" in server.log(), "the refusal in serve.log", 10)
