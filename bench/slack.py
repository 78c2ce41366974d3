"""The stand-in Slack workspace as the benchmarks use it.

The stand-in checks every message against the Block Kit JSON Schema, which costs several
milliseconds of CPU per prompt (`schema_check_ms` measures it): Slack's work, not the bot's,
and enough to make the stand-in the bottleneck of any fan-out. While a benchmark is timing,
`schema_check_off` keeps only the plain-text fallback rule; afterwards a random sample of what
was delivered is checked against the full schema, so the run still proves the bot sent valid
Block Kit.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import standin.message_methods as standin_message_methods
from standin import StandInSlack, Workspace, check_message
from standin.limits import RateLimits

BOT_TOKEN = "xoxb-bench-token"
SIGNING_SECRET = "bench-signing-secret-0123456789"
MANAGER = "U0BENCHMGR"
TIMEZONES = ("Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney")


def user_ids(count: int) -> list[str]:
    """Stable member ids, the same in every process of a run."""
    return [f"U{n:08d}" for n in range(1, count + 1)]


def workspace_with(users: Sequence[str], channels: dict[str, Sequence[str]]) -> Workspace:
    """A workspace with these people (spread over four time zones) and channels."""
    workspace = Workspace()
    workspace.add_user(MANAGER, "manager", tz="Europe/London")
    for i, user in enumerate(users):
        workspace.add_user(user, f"member{i}", tz=TIMEZONES[i % len(TIMEZONES)])
    for channel, members in channels.items():
        workspace.add_channel(channel, channel.lower(), [MANAGER, *members])
    return workspace


def _text_only(text: Any, blocks: Any = None) -> list[str]:
    return check_message(text, None)


@contextmanager
def schema_check_off() -> Iterator[None]:
    """Skip the stand-in's Block Kit schema check (the text rule still applies) in this process."""
    original = standin_message_methods.check_message
    standin_message_methods.check_message = _text_only
    try:
        yield
    finally:
        standin_message_methods.check_message = original


def schema_check_ms(message: dict[str, Any], repeats: int = 20) -> float:
    """What the stand-in's full check of one message costs here, in milliseconds (median)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        check_message(message.get("text"), message.get("blocks"))
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2] * 1000


def sampled_problems(messages: Sequence[Any], *, sample: int, seed: int = 0) -> tuple[int, int]:
    """Check a random sample of delivered messages against the full schema: (checked, problems)."""
    chosen = random.Random(seed).sample(list(messages), min(sample, len(messages)))
    problems = sum(len(check_message(m.text, m.blocks)) for m in chosen)
    return len(chosen), problems


def standin(workspace: Workspace, *, limits: RateLimits | None = None) -> StandInSlack:
    """A stand-in Slack that accepts the benchmarks' bot token."""
    return StandInSlack(workspace, bot_token=BOT_TOKEN, limits=limits)


class StandInProcess:
    """A stand-in Slack in its own process, so its CPU does not share a GIL with the client.

    Commands go over the child's stdin, one per line; answers come back as JSON lines.
    """

    def __init__(self, *, users: int, channel: str, log: Path) -> None:
        self._log = log.open("w")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.standin_process", str(users), channel],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        ready = self._answer()
        self.api_url: str = ready["api_url"]
        self.base_url: str = ready["base_url"]

    def _answer(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError(f"the stand-in process stopped; see {self._log.name}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def _ask(self, command: str) -> dict[str, Any]:
        assert self._process.stdin is not None
        self._process.stdin.write(command + "\n")
        self._process.stdin.flush()
        return self._answer()

    def stats(self) -> dict[str, Any]:
        """Calls per method, failures, 429s, response_url posts and Block Kit problems."""
        return self._ask("stats")

    def check_sample(self, sample: int) -> tuple[int, int]:
        """Check a random sample of its messages against the full schema."""
        answer = self._ask(f"check {sample}")
        return int(answer["checked"]), int(answer["problems"])

    def stop(self) -> None:
        """Close its stdin, which ends it."""
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._log.close()
