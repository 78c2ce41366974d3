"""Servers in processes of their own: `python bot.py serve`, and the answer path's two.

Each server gets its own process, as in production, so the load generator's threads never
share its GIL; its peak resident memory is read from /proc before it is stopped.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path

from bench.slack import BOT_TOKEN, SIGNING_SECRET

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def peak_rss_mb(pid: int | str) -> float:
    """The process's peak resident set so far (VmHWM), in MB (10^6 bytes)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError("no VmHWM in /proc status")


def _parent(pid: str) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def process_tree(pid: int) -> list[int]:
    """The process and every process it started that is still running."""
    parents = {int(p.name): _parent(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()}
    tree = [pid]
    for member in tree:
        tree += [child for child, parent in parents.items() if parent == member]
    return tree


def cpu_seconds(pid: int) -> float:
    """CPU time the process (all its threads) has used so far, user and system."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pss_mb(pid: int) -> float:
    """The process's proportional set size now (shared pages split between their users), MB."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError("no Pss in smaps_rollup")


def bot_environment(*, database_url: str, api_url: str) -> dict[str, str]:
    """What `bot.py serve` reads, pointed at a benchmark database and the stand-in."""
    return {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": database_url,
        "PULSE_SCHEDULER": "off",
        "PULSE_LOG_FORMAT": "text",
    }


@dataclass(frozen=True)
class Memory:
    """A server's memory across its processes, in MB."""

    processes: int
    largest_peak: float
    peaks_sum: float
    pss: float


class Server:
    """A server process listening on a local port."""

    def __init__(self, command: list[str], *, env: dict[str, str], port: int, log: Path) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._log_path = log
        self._log = log.open("w")
        self.process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT
        )

    def wait_until_listening(self, timeout: float = 60.0) -> Server:
        """Return once the server accepts connections (it is started, not waited for)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early; its log: {self._log_path}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"server did not listen within {timeout:.0f} s; log: {self._log_path}")

    def cpu_seconds(self) -> float:
        """CPU time the server and every process it started have used so far (their own,
        so it does not depend on how busy the rest of the machine is)."""
        total = 0.0
        for pid in process_tree(self.process.pid):
            with suppress(OSError):
                total += cpu_seconds(pid)
        return total

    def memory(self) -> Memory:
        """Peak and proportional memory of the server and every process it started."""
        tree = process_tree(self.process.pid)
        return Memory(
            processes=len(tree),
            largest_peak=max(peak_rss_mb(pid) for pid in tree),
            peaks_sum=sum(peak_rss_mb(pid) for pid in tree),
            pss=sum(pss_mb(pid) for pid in tree),
        )

    def interrupt(self) -> None:
        """SIGINT: a quick, clean stop (gunicorn's quick shutdown), not waited for."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)

    def stop(self, grace: float = 15.0) -> None:
        """Interrupt it and wait until it has gone; after ``grace`` seconds, kill it and every
        process it started."""
        self.interrupt()
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            for pid in reversed(process_tree(self.process.pid)):
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.process.wait()
        self._log.close()


def let_go(servers: list[Server], stack: ExitStack) -> None:
    """Interrupt servers that are no longer needed and reap them when the run ends, so that
    their shutdown (gunicorn takes a second or two) does not hold the run up."""
    for server in servers:
        server.interrupt()
        stack.callback(server.stop, grace=0.5)


def serve_bot(*, database_url: str, api_url: str, log: Path) -> Server:
    """`python bot.py serve` on a free port, exactly as an operator would start it (started:
    call `wait_until_listening`)."""
    port = free_port()
    return Server(
        [sys.executable, "bot.py", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=bot_environment(database_url=database_url, api_url=api_url),
        port=port,
        log=log,
    )


def serve_on_http_server(kind: str, *, database_url: str, api_url: str, log: Path) -> Server:
    """The bot's WSGI app (kind "bot") or the bare Bolt app ("bare") on
    `runtime.http.HttpServer`, in a process of its own (bench/servers.py); started only."""
    port = free_port()
    return Server(
        [sys.executable, "-m", "bench.servers", kind, "--port", str(port)],
        env=bot_environment(database_url=database_url, api_url=api_url),
        port=port,
        log=log,
    )
