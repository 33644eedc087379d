"""`planner sync` on a plan of 10,000 tasks, beside plain git doing the same transfer in the same run.

    python benchmarks/bench_sync.py [--tasks 10000] [--changed 100] [--runs 3] [--remotes disk,daemon,ssh]

Builds a plan (benchmarks/bench_core.py's generator), pushes it to a bare repository in a temporary
folder, clones it as a second machine, then, for each kind of remote, reports medians of --runs runs of:
- `planner sync` with nothing to do, beside the floor `git fetch && git merge` with nothing to do;
- `planner sync` after --changed tasks were edited on each machine (a different field of the same
  tasks, so git's text merge would conflict and the planner's driver merges each file), beside the
  floor: plain git doing the same job from the same state, `git add -A && git commit` (a plain
  `git fetch && git merge` refuses to run over uncommitted changes to the files it merges), fetch,
  merge with the `ours` strategy option (git's cheapest way to complete such a merge, which keeps
  only one side: a floor, not an equal) and push. Printed beside it: the ratio to the fetch, merge
  and push alone, as if the edits had been committed before (they are not: sync commits them).
Target: at most 1.5x the floor. The kinds of remote, all serving the same bare repositories:
- disk: a path on the same disk (git runs upload-pack and receive-pack locally, no network);
- daemon: `git daemon` on 127.0.0.1 (git://, push enabled), a network transfer over loopback;
- ssh: an SSH server on 127.0.0.1 (asyncssh, started by this script with a generated key; the
  client is the user's OpenSSH `ssh`, through GIT_SSH_COMMAND), the way most users reach a remote.
  asyncssh must be installed (it is a dependency of `planner serve`); without it this kind is skipped.
  A Python server is slower to accept a connection than OpenSSH's sshd, so this floor is higher than
  against a real sshd; loopback also has none of a real network's round trips, which add the same
  time to both sides.
Also printed: `planner --version` and `python -c pass`, the start-up every planner command pays.
The planner's bytecode is compiled before timing (as an installed package's is), so a source file
changed since the last run is not compiled again on every run (PYTHONDONTWRITEBYTECODE=1 would).
A benchmark, not a test: it prints numbers and exits 0.
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_core import build_plan  # noqa: E402

GIT_ENV = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.org"}


#: CPU time (user + system) of the last `run`'s process and its children, the servers excluded: a
#: figure that other work on the machine changes far less than the wall-clock time.
last_cpu = 0.0


def run(args: list[str], cwd: Path, env: dict[str, str]) -> float:
    global last_cpu
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    last_cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return elapsed


def edit_tasks(plans: Path, ids: list[str], key: str, value: str) -> None:
    """Change one line of each task file, as `planner edit` would (a field and `updated`)."""
    for task_id in ids:
        path = plans / "tasks" / f"{task_id}.toml"
        lines = path.read_text().splitlines()
        lines = [line for line in lines if not line.startswith((f"{key} =", "updated ="))]
        lines += [f'{key} = "{value}"' if key != "estimate" else f"{key} = {value}",
                  f"updated = 2026-11-30 10:{len(value) % 60:02d}:00+00:00"]
        path.write_text("\n".join(lines) + "\n")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, server: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"{what} stopped at start (exit {server.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"{what} did not start listening on 127.0.0.1:{port}")


def start_git_daemon(base: Path, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    daemon = subprocess.Popen(["git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={port}",
                               f"--base-path={base}", "--export-all", "--enable=receive-pack",
                               "--informative-errors", str(base)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, daemon, "git daemon")
    return daemon, port


# --- a small SSH server on loopback, run in its own process (`--serve-ssh FOLDER`) -------------

def serve_ssh(folder: Path) -> None:
    """Accept the key in FOLDER/client.pub on 127.0.0.1 and run the command each client sends
    (git's `git-upload-pack '/path'` or `git-receive-pack '/path'`) with its input and output
    piped through the channel. Prints the port once listening."""
    import asyncio

    import asyncssh

    async def handle(process: asyncssh.SSHServerProcess) -> None:
        command = await asyncio.create_subprocess_shell(
            process.command or "true", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)

        async def forward_input() -> None:
            try:
                while data := await process.stdin.read(65536):
                    command.stdin.write(data)
                    await command.stdin.drain()
            except (BrokenPipeError, ConnectionResetError, asyncssh.Error):
                pass
            finally:
                command.stdin.close()

        async def forward_output(source: asyncio.StreamReader, target: asyncssh.SSHWriter) -> None:
            while data := await source.read(65536):
                target.write(data)
                await target.drain()

        feeding = asyncio.create_task(forward_input())
        await asyncio.gather(forward_output(command.stdout, process.stdout),
                             forward_output(command.stderr, process.stderr))
        status = await command.wait()
        feeding.cancel()
        process.exit(status)

    async def listen() -> None:
        server = await asyncssh.listen("127.0.0.1", 0, server_host_keys=[str(folder / "host")],
                                       authorized_client_keys=str(folder / "client.pub"),
                                       process_factory=handle, encoding=None)
        print(server.sockets[0].getsockname()[1], flush=True)
        await server.wait_closed()

    asyncio.run(listen())


def start_ssh_server(folder: Path, env: dict[str, str]) -> tuple[subprocess.Popen, int, str] | None:
    """The SSH server and a GIT_SSH_COMMAND for it, or None when asyncssh is not installed."""
    try:
        import asyncssh
    except ImportError:
        return None
    folder.mkdir()
    for name in ("host", "client"):
        key = asyncssh.generate_private_key("ssh-ed25519")
        key.write_private_key(str(folder / name))
        key.write_public_key(str(folder / f"{name}.pub"))
        os.chmod(folder / name, 0o600)
    server = subprocess.Popen([sys.executable, __file__, "--serve-ssh", str(folder)], env=env,
                              stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline().strip() or 0)
    if not port:
        raise SystemExit("the SSH server did not start")
    wait_for_port(port, server, "the SSH server")
    host_key = (folder / "host.pub").read_text().split()
    (folder / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_key[0]} {host_key[1]}\n")
    command = (f"ssh -F /dev/null -i {folder / 'client'} -o IdentitiesOnly=yes -o BatchMode=yes "
               f"-o UserKnownHostsFile={folder / 'known_hosts'} -o StrictHostKeyChecking=yes")
    return server, port, command


# --- the measurements ------------------------------------------------------------------------

def set_remote(url: str, clones: list[Path], env: dict[str, str]) -> None:
    for clone in clones:
        run(["git", "remote", "set-url", "origin", url], clone, env)


def measure(planner: list[str], work: Path, env: dict[str, str], ids: list[str], options: argparse.Namespace,
            first_round: int) -> dict[str, list[float]]:
    """--runs rounds against whatever remote the clones' `origin` names now."""
    a, b, fa, fb = work / "a", work / "b", work / "floor-a", work / "floor-b"
    found: dict[str, list[float]] = {name: [] for name in (
        "idle", "idle_floor", "changed", "changed_floor", "floor_commit", "floor_without_commit",
        "idle_cpu", "idle_floor_cpu", "changed_cpu", "changed_floor_cpu")}
    run([*planner, "--plans", str(a), "sync"], work, env)  # level, and a first connection
    run([*planner, "--plans", str(b), "sync"], work, env)
    for clone in (fa, fb):
        run(["git", "pull", "--quiet", "--no-rebase", "--no-edit"], clone, env)
    for round_ in range(first_round, first_round + options.runs):
        found["idle"].append(run([*planner, "--plans", str(b), "sync"], work, env))
        found["idle_cpu"].append(last_cpu)
        found["idle_floor"].append(run(["sh", "-c", "git fetch --quiet && git merge --quiet FETCH_HEAD"], fb, env))
        found["idle_floor_cpu"].append(last_cpu)
        chosen = ids[round_ * options.changed:(round_ + 1) * options.changed]
        # Each machine edits a different field of the same tasks; A syncs first, B merges.
        edit_tasks(a, chosen, "title", f"Edited on A, round {round_}")
        edit_tasks(b, chosen, "estimate", str(30 + round_))
        run([*planner, "--plans", str(a), "sync"], work, env)
        found["changed"].append(run([*planner, "--plans", str(b), "sync"], work, env))
        found["changed_cpu"].append(last_cpu)
        run([*planner, "--plans", str(a), "sync"], work, env)
        # The floor: plain git doing the same job from the same edits (A commits and pushes first, as
        # A synced first above): commit, fetch, merge, push; the commit timed on its own as well.
        edit_tasks(fa, chosen, "title", f"Edited on A, round {round_}")
        edit_tasks(fb, chosen, "estimate", str(30 + round_))
        run(["sh", "-c", "git add -A && git commit --quiet -m edits && git push --quiet origin HEAD"], fa, env)
        commit = run(["sh", "-c", "git add -A && git commit --quiet -m edits"], fb, env)
        commit_cpu = last_cpu
        rest = run(["sh", "-c", "git fetch --quiet && git merge --quiet -X ours --no-edit FETCH_HEAD && "
                          "git push --quiet origin HEAD"], fb, env)
        found["changed_floor"].append(commit + rest)
        found["changed_floor_cpu"].append(commit_cpu + last_cpu)
        found["floor_commit"].append(commit)
        found["floor_without_commit"].append(rest)
        run(["git", "pull", "--quiet", "--no-rebase", "--no-edit"], fa, env)  # level for the next round
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--remotes", default="disk,daemon,ssh", help="which kinds of remote, comma-separated")
    parser.add_argument("--planner", metavar="COMMAND",
                        help="the planner command to time (default: this venv's `planner`), e.g. an older checkout's")
    parser.add_argument("--serve-ssh", metavar="FOLDER", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve_ssh:
        serve_ssh(Path(options.serve_ssh))
        return
    kinds = [kind.strip() for kind in options.remotes.split(",") if kind.strip()]
    planner = shlex.split(options.planner) if options.planner else [str(Path(sys.executable).parent / "planner")]
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(__file__).parents[1] / "planner")],
                   check=False, stdout=subprocess.DEVNULL)
    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    servers: list[subprocess.Popen] = []
    try:
        env = {**os.environ, **GIT_ENV, "PLANNER_CONFIG_DIR": str(work / "config"),
               "PLANNER_CACHE_DIR": str(work / "cache"), "PLANNER_STATE_DIR": str(work / "state")}
        for name in ("PLANNER_NOW", "PYTHONDONTWRITEBYTECODE", "GIT_SSH_COMMAND", "GIT_SSH"):
            env.pop(name, None)
        remote = work / "remote.git"
        subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
        a, b = work / "a", work / "b"
        ids = build_plan(a, options.tasks)
        run([*planner, "--plans", str(a), "sync", "--init", str(remote)], work, env)
        run([*planner, "--plans", str(b), "sync", "--init", str(remote)], work, env)
        # Plain git's floor works on its own remote and pair of clones, with the same history.
        floor_remote, fa, fb = work / "floor.git", work / "floor-a", work / "floor-b"
        run(["git", "clone", "--quiet", "--bare", str(remote), str(floor_remote)], work, env)
        for clone in (fa, fb):
            run(["git", "clone", "--quiet", str(floor_remote), str(clone)], work, env)
        if len(kinds) * options.runs * options.changed > len(ids):
            raise SystemExit("not enough tasks for a fresh set of edited tasks in every round")

        results: dict[str, dict[str, list[float]]] = {}
        for index, kind in enumerate(kinds):
            kind_env = dict(env)
            if kind == "disk":
                urls = (str(remote), str(floor_remote))
            elif kind == "daemon":
                daemon, port = start_git_daemon(work, env)
                servers.append(daemon)
                urls = (f"git://127.0.0.1:{port}/remote.git", f"git://127.0.0.1:{port}/floor.git")
            elif kind == "ssh":
                started = start_ssh_server(work / "ssh", env)
                if started is None:
                    print("ssh: skipped (asyncssh is not installed: pip install asyncssh)")
                    continue
                server, port, kind_env["GIT_SSH_COMMAND"] = started
                servers.append(server)
                urls = (f"ssh://bench@127.0.0.1:{port}{remote}", f"ssh://bench@127.0.0.1:{port}{floor_remote}")
            else:
                raise SystemExit(f"no kind of remote {kind!r} (disk, daemon, ssh)")
            set_remote(urls[0], [a, b], kind_env)
            set_remote(urls[1], [fa, fb], kind_env)
            results[kind] = measure(planner, work, kind_env, ids, options, index * options.runs)

        startup = [run([*planner, "--version"], work, env) for _ in range(max(5, options.runs))]
        python = [run([sys.executable, "-c", "pass"], work, env) for _ in range(max(5, options.runs))]
        print(f"plan: {options.tasks} tasks; {options.changed} tasks edited on each side per round; "
              f"{options.runs} runs, medians; {os.cpu_count()} CPUs, load average at the end "
              f"{os.getloadavg()[0]:.1f} (other work on the machine slows both sides)")
        labels = {"disk": "same-disk path", "daemon": "git daemon, git:// on loopback",
                  "ssh": "SSH on loopback (asyncssh server)"}
        for kind, found in results.items():
            print(f"remote: {labels[kind]}")
            for label, values, floor, what in (
                    ("sync, nothing to do", found["idle"], found["idle_floor"], "git fetch + merge"),
                    (f"sync, {options.changed} tasks changed on each side", found["changed"],
                     found["changed_floor"], "git commit + fetch + merge + push")):
                median, floor_median = statistics.median(values), statistics.median(floor)
                print(f"  {label:<43} {median * 1000:8.0f} ms   floor ({what}) "
                      f"{floor_median * 1000:6.0f} ms   {median / floor_median:5.2f}x (target <= 1.5x)")
            # The narrower reading: as if the floor's edits had been committed before its timing.
            commit, changed = statistics.median(found["floor_commit"]), statistics.median(found["changed"])
            without_commit = statistics.median(found["floor_without_commit"])
            print(f"  {'':<43} {'':>8}      the floor's add + commit {commit * 1000:.0f} ms of it; without it "
                  f"{without_commit * 1000:.0f} ms: {changed / without_commit:4.2f}x")
            allowed = statistics.median(found["idle_floor"]) / 2
            print(f"  {'':<43} {'':>8}      nothing to do: 1.5x leaves the planner {allowed * 1000:.0f} ms beyond "
                  f"git's own work (its Python starts in the figure below)")
            cpu = {name: statistics.median(found[f"{name}_cpu"]) * 1000 for name in
                   ("idle", "idle_floor", "changed", "changed_floor")}
            print(f"  {'':<43} {'':>8}      CPU time (user + system, client side): nothing to do "
                  f"{cpu['idle']:.0f} vs {cpu['idle_floor']:.0f} ms, changed {cpu['changed']:.0f} vs "
                  f"{cpu['changed_floor']:.0f} ms")
        print(f"{'planner --version (start-up of any command)':<45} {statistics.median(startup) * 1000:8.0f} ms")
        print(f"{'python -c pass (the same interpreter)':<45} {statistics.median(python) * 1000:8.0f} ms")
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
