"""`planner serve` per session and under load, each beside its floor in the same run.

    python benchmarks/bench_serve.py [--runs 8] [--sessions 20] [--seconds 60] [--interval 0.1]

The plan: the demo plan (examples/demo-plan, about a hundred tasks), a copy per user; the clock pinned
to the demo's "now". The server runs as `planner serve` (its own process) on loopback.
- first frame: from starting `ssh -tt` in a real terminal (a tmux pane) to the board on the pane,
  against the same planner started locally in a pane of the same tmux server; the two take turns;
  target: SSH within 1.3x of local.
- memory: resident (RSS) and proportional (PSS: shared pages divided among the processes sharing
  them) memory of each session's planner, with every session open.
- load: N sessions at once (asyncssh clients in this process, one user each), held for a while, each
  pressing a key (j and k in turn: the cursor moves, the board repaints) every interval; reported:
  errors (a session that failed or ended, a key with no answer within 5 s), the keys answered, and
  the key-to-screen latency (key sent to the first bytes of the repaint back), beside the same figure
  for one session alone.
This is a benchmark, not a test: it prints numbers and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncssh

ROOT = Path(__file__).resolve().parent.parent
DEMO_PLAN = ROOT / "examples" / "demo-plan"
NOW = "2026-11-26T17:30:00+00:00"
SIZE = (120, 40)


class Tmux:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.socket = f"bench-serve-{os.getpid()}"
        self.started = False

    def tmux(self, *arguments: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, "-f", os.devnull, *arguments], env=self.env,
                              capture_output=True, text=True, check=True).stdout

    def seconds_to_board(self, command: list[str], name: str, limit: float = 60) -> tuple[float, int]:
        """Start `command` in a new window; seconds until the board is on it, and the window's pid."""
        shell = f"exec {shlex.join(command)}"
        if not self.started:  # a window that stays, so the session outlives the measured ones
            self.tmux("new-session", "-d", "-s", "main", "-n", "keep", "-x", str(SIZE[0]), "-y", str(SIZE[1]),
                      "sleep 100000")
            self.started = True
        started = time.perf_counter()
        self.tmux("new-window", "-d", "-t", "main", "-n", name, shell)
        while "Backlog" not in (screen := self.tmux("capture-pane", "-p", "-t", f"main:{name}")):
            if time.perf_counter() - started > limit:
                raise TimeoutError(f"no board after {limit} s:\n{screen}")
            time.sleep(0.005)
        seconds = time.perf_counter() - started
        return seconds, int(self.tmux("display-message", "-p", "-t", f"main:{name}", "#{pane_pid}"))

    def close_window(self, name: str) -> None:
        self.tmux("send-keys", "-t", f"main:{name}", "q")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            windows = self.tmux("list-windows", "-t", "main", "-F", "#{window_name}").split()
            if name not in windows:
                return
            time.sleep(0.05)
        self.tmux("kill-window", "-t", f"main:{name}")

    def stop(self) -> None:
        socket = self.tmux("display-message", "-p", "#{socket_path}").strip() if self.started else ""
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], env=self.env, capture_output=True)
        if socket:  # a killed server leaves its socket file behind
            Path(socket).unlink(missing_ok=True)


def memory_kib(pid: int) -> tuple[int, int]:
    """RSS and PSS of a process, in KiB."""
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    return tuple(int(re.search(rf"^{field}:\s+(\d+) kB", rollup, re.M).group(1)) for field in ("Rss", "Pss"))


async def wait_for_text(process, screen, stream, text: str, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while text not in "\n".join(screen.display):
        data = await asyncio.wait_for(process.stdout.read(65536), max(0.1, deadline - time.monotonic()))
        if not data:
            raise EOFError("the session ended")
        stream.feed(data)


async def one_session(port: int, user: str, key: asyncssh.SSHKey, known_hosts, seconds: float, interval: float,
                      ready: asyncio.Barrier, results: dict) -> None:
    import pyte

    latencies: list[float] = results.setdefault("latencies", [])
    try:
        connection = await asyncssh.connect("127.0.0.1", port, username=user, client_keys=[key],
                                            known_hosts=known_hosts, agent_path=None, config=[])
    except Exception as error:  # noqa: BLE001 - counted and shown, not raised: this is a benchmark
        results.setdefault("errors", []).append(f"{user}: connect: {error!r}")
        await ready.wait()
        return
    async with connection:
        screen = pyte.Screen(*SIZE)
        stream = pyte.ByteStream(screen)
        try:
            process = await connection.create_process(term_type="xterm-256color", term_size=SIZE, encoding=None,
                                                      env={"COLORTERM": "truecolor"})
            await wait_for_text(process, screen, stream, "Backlog")
            await wait_for_text(process, screen, stream, "value ")
            await asyncio.sleep(2)  # the history read after the first frame
            while True:  # take whatever the planner drew meanwhile
                try:
                    await asyncio.wait_for(process.stdout.read(65536), 0.2)
                except TimeoutError:
                    break
        except Exception as error:  # noqa: BLE001
            results.setdefault("errors", []).append(f"{user}: start: {error!r}")
            await ready.wait()
            return
        await ready.wait()  # every session up: the load starts together
        deadline = time.monotonic() + seconds
        number = 0
        while time.monotonic() < deadline:
            sent = time.perf_counter()
            process.stdin.write(b"j" if number % 2 == 0 else b"k")
            number += 1
            try:
                data = await asyncio.wait_for(process.stdout.read(65536), 5)
            except TimeoutError:
                results.setdefault("errors", []).append(f"{user}: no answer to a key within 5 s")
                continue
            if not data:
                results.setdefault("errors", []).append(f"{user}: the session ended")
                return
            latencies.append((time.perf_counter() - sent) * 1000)
            # The rest of the repaint, until the next key is due.
            while (left := sent + interval - time.perf_counter()) > 0:
                try:
                    if not await asyncio.wait_for(process.stdout.read(65536), left):
                        break
                except TimeoutError:
                    break
        process.stdin.write(b"q")
        try:
            await asyncio.wait_for(process.wait_closed(), 30)
        except TimeoutError:
            results.setdefault("errors", []).append(f"{user}: q did not end the session within 30 s")


async def load(port: int, users: list[str], key: asyncssh.SSHKey, known_hosts, seconds: float, interval: float,
               on_all_ready) -> dict:
    results: dict = {}
    ready = asyncio.Barrier(len(users) + 1)
    tasks = [asyncio.create_task(one_session(port, user, key, known_hosts, seconds, interval, ready, results))
             for user in users]
    await ready.wait()
    results["memory"] = on_all_ready()
    started = time.monotonic()
    await asyncio.gather(*tasks)
    results["held"] = time.monotonic() - started
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8, help="first-frame runs of each kind")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60, help="how long the sessions are held")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between one session's keys")
    args = parser.parse_args()
    for tool in ("ssh", "ssh-keygen", "tmux"):
        if shutil.which(tool) is None:
            sys.exit(f"bench_serve needs {tool}")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        env = {key: value for key, value in os.environ.items() if not key.startswith("PLANNER_")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed packages are: bytecode written once
        env.update(PLANNER_NOW=NOW, PLANNER_CONFIG_DIR=str(tmp / "operator-config"),
                   PLANNER_DATA_DIR=str(tmp / "operator-data"), PLANNER_CACHE_DIR=str(tmp / "operator-cache"),
                   PLANNER_STATE_DIR=str(tmp / "operator-state"), TZ="UTC")
        root = tmp / "root"
        key_file = tmp / "id_ed25519"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key_file)], check=True)
        users = [f"user{number:02d}" for number in range(max(args.sessions, 1))]
        planner = [sys.executable, "-m", "planner"]
        for user in users:
            shutil.copytree(DEMO_PLAN, root / "users" / user / "plans")
            subprocess.run([*planner, "serve", "add-user", user, "--key", f"{key_file}.pub", "--root", str(root)],
                           env=env, check=True, capture_output=True)
        log = tmp / "serve.err"
        with log.open("wb") as err:
            server = subprocess.Popen([*planner, "serve", "--root", str(root), "--port", "0", "--max-sessions",
                                       str(args.sessions + 2), "--max-sessions-per-user", "4"],
                                      env=env, stdin=subprocess.DEVNULL, stdout=err, stderr=err)
        try:
            while not (found := re.search(r"listening on 127\.0\.0\.1:(\d+)", log.read_text())):
                if server.poll() is not None:
                    sys.exit(f"planner serve exited:\n{log.read_text()}")
                time.sleep(0.05)
            port = int(found.group(1))
            host_key = (root / "ssh_host_ed25519_key.pub").read_text().strip()
            known_hosts = tmp / "known_hosts"
            known_hosts.write_text(f"[127.0.0.1]:{port} {host_key}\n")
            ssh = ["env", "TERM=xterm-256color", "ssh", "-F", os.devnull, "-p", str(port), "-i", str(key_file), "-o", "IdentitiesOnly=yes",
                   "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={known_hosts}",
                   "-o", "LogLevel=ERROR", "-tt", f"{users[0]}@127.0.0.1"]
            # Locally: the planner as the server starts it for users[0] (same folders, same caches).
            from planner.serve import child_environment, user_paths

            local_env = child_environment(user_paths(root, users[0]), "xterm-256color", {}, env)
            local = ["env", "-i", *(f"{k}={v}" for k, v in local_env.items()), *planner,
                     "--plans", local_env["PLANNER_PLANS"]]
            terminal = Tmux(env)
            try:
                ssh_runs, local_runs, rss, pss = [], [], [], []
                for run in range(args.runs + 1):  # the first of each warms caches and is not counted
                    seconds, _ = terminal.seconds_to_board(local, f"local{run}")
                    terminal.close_window(f"local{run}")
                    if run:
                        local_runs.append(seconds)
                    seconds, _ = terminal.seconds_to_board(ssh, f"ssh{run}")
                    pid = int(re.findall(r"planner pid (\d+)", (root / "serve.log").read_text())[-1])
                    time.sleep(0.5)
                    resident, proportional = memory_kib(pid)
                    terminal.close_window(f"ssh{run}")
                    if run:
                        ssh_runs.append(seconds)
                        rss.append(resident)
                        pss.append(proportional)
            finally:
                terminal.stop()
            client_key = asyncssh.read_private_key(key_file)
            hosts = asyncssh.read_known_hosts(str(known_hosts))

            def session_memory() -> list[tuple[int, int]]:
                pids = [int(pid) for pid in re.findall(r"planner pid (\d+)", (root / "serve.log").read_text())]
                figures = []
                for pid in pids:
                    try:
                        figures.append(memory_kib(pid))
                    except (OSError, AttributeError):
                        continue  # ended sessions
                return figures

            alone = asyncio.run(load(port, users[:1], client_key, hosts, min(10.0, args.seconds), args.interval,
                                     session_memory))
            many = asyncio.run(load(port, users[: args.sessions], client_key, hosts, args.seconds, args.interval,
                                    session_memory))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(60)
    ssh_median, local_median = statistics.median(ssh_runs), statistics.median(local_runs)
    ratio = ssh_median / local_median
    print(f"first frame, planner in a local terminal  {local_median * 1000:6.0f} ms median "
          f"(min {min(local_runs) * 1000:.0f}, max {max(local_runs) * 1000:.0f}; {len(local_runs)} runs)")
    print(f"first frame, over `ssh -tt`               {ssh_median * 1000:6.0f} ms median "
          f"(min {min(ssh_runs) * 1000:.0f}, max {max(ssh_runs) * 1000:.0f})  {ratio:4.2f}x "
          f"(target <= 1.3x) {'ok' if ratio <= 1.3 else 'OVER'}")
    print(f"memory of one session's planner           RSS {statistics.median(rss) / 1024:5.1f} MiB, "
          f"PSS {statistics.median(pss) / 1024:5.1f} MiB (medians)")
    for name, result, count in (("1 session alone", alone, 1), (f"{args.sessions} sessions", many, args.sessions)):
        latencies = result.get("latencies", [])
        errors = result.get("errors", [])
        memory = result.get("memory", [])
        line = (f"{name:<19} held {result['held']:4.0f} s, {len(latencies)} keys answered "
                f"({len(latencies) / max(result['held'], 1e-9) / count:.1f}/s per session), {len(errors)} errors")
        if latencies:
            ordered = sorted(latencies)
            line += (f"; key to screen median {statistics.median(ordered):.0f} ms, "
                     f"p95 {ordered[int(len(ordered) * 0.95) - 1]:.0f} ms, max {ordered[-1]:.0f} ms")
        print(line)
        if memory and count > 1:
            print(f"{'':<19} planners' memory with all open: RSS {statistics.median(m[0] for m in memory) / 1024:.1f} "
                  f"MiB each, PSS {statistics.median(m[1] for m in memory) / 1024:.1f} MiB each, "
                  f"PSS total {sum(m[1] for m in memory) / 1024:.0f} MiB ({len(memory)} planners)")
        for error in errors[:5]:
            print(f"{'':<19} error: {error}")


if __name__ == "__main__":
    main()
