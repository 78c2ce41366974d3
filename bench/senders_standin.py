"""`python -m bench.senders_standin WORKSPACES MEMBERS PER_MINUTE`: a stand-in Slack of
several workspaces in a process of its own, enforcing Slack's posting limits per workspace
(PER_MINUTE 0: none).

Prints one JSON line with its URL, then answers `stats` (what each workspace's members
received) and `check N` (a sample against the Block Kit schema), and stops when stdin
closes.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

from bench.slack import sampled_problems, schema_check_off
from standin import StandInSlack, Workspace
from standin.limits import RateLimits


def workspace_id(number: int) -> str:
    return f"T0BENCHW{number}"


def token(number: int) -> str:
    return f"xoxb-bench-w{number}"


def channel(number: int) -> str:
    return f"C0BENCHW{number}"


def manager(number: int) -> str:
    return f"U0MGRW{number}"


def members(number: int, count: int) -> list[str]:
    """The workspace's members, the same in every process of a run."""
    return [f"U{number}{n:07d}" for n in range(1, count + 1)]


def build(workspaces: int, count: int) -> list[Workspace]:
    """Each workspace with its manager, its members and the team channel they share."""
    built = []
    for number in range(1, workspaces + 1):
        workspace = Workspace(workspace_id(number), team_name=f"Bench {number}")
        people = members(number, count)
        workspace.add_user(manager(number), f"manager{number}", tz="Europe/London")
        for i, user in enumerate(people):
            workspace.add_user(user, f"member{number}-{i}", tz="Europe/London")
        workspace.add_channel(channel(number), f"bench-{number}", [manager(number), *people])
        built.append(workspace)
    return built


def delivered(slack: StandInSlack) -> dict[str, object]:
    """Accepted DMs per member, read against who should have had one."""
    teams = {token(n): n for n in range(1, len(slack.tenancy.workspaces()) + 1)}
    received: Counter[tuple[int, str]] = Counter(
        (teams.get(c.token or "", 0), str(c.args.get("channel")))
        for c in slack.calls_to("chat.postMessage")
        if c.ok
    )
    return {"received": [[n, user, times] for (n, user), times in received.items()]}


def timeline(slack: StandInSlack) -> dict[str, object]:
    """Per workspace, when (time.monotonic, the same clock in every process of the machine)
    its first and last DM were accepted, and when its calls were answered 429."""
    teams = {token(n): n for n in range(1, len(slack.tenancy.workspaces()) + 1)}
    first: dict[int, float] = {}
    last: dict[int, float] = {}
    limited: list[list[float]] = []
    for call in slack.calls_to("chat.postMessage"):
        n = teams.get(call.token or "", 0)
        if call.ok:
            first.setdefault(n, call.answered_at)
            last[n] = max(last.get(n, 0.0), call.answered_at)
        elif call.http_status == 429:
            limited.append([n, call.answered_at])
    return {"first": first, "last": last, "limited": limited}


def main(argv: list[str]) -> int:
    """Serve until stdin closes."""
    count, per_member, per_minute = int(argv[0]), int(argv[1]), int(argv[2])
    workspaces = build(count, per_member)
    limits = RateLimits(per_channel_per_second=1, workspace_per_minute=per_minute)
    with schema_check_off(), StandInSlack(workspaces[0], bot_token=token(1)) as slack:
        for number, workspace in enumerate(workspaces[1:], start=2):
            slack.add_workspace(workspace, token=token(number))
        slack.limits = limits if per_minute else None
        _say({"api_url": slack.api_url})
        for line in sys.stdin:
            command, *args = line.split()
            if command == "stats":
                _say({**delivered(slack), **timeline(slack), "rate_limited": slack.rate_limited})
            elif command == "check":
                messages = [
                    m
                    for n, workspace in enumerate(workspaces, start=1)
                    for u in members(n, per_member)[:50]
                    for m in slack.dms_to(u, team_id=workspace.team_id)
                ]
                checked, problems = sampled_problems(messages, sample=int(args[0]))
                _say({"checked": checked, "problems": problems})
    return 0


def _say(answer: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
