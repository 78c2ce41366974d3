"""Several sending processes on one PostgreSQL keep, together, to one workspace's budget.

Slack's limits are the workspace's: each real process here draws from the bucket in the
database, and the stand-in (which enforces no limit of its own here) records when it
accepted each call, so any excess would show in some window. On SQLite one process sends,
and its pacer is the in-process one it always was.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from config.settings import BadSetting, load_settings
from delivery.budgets import SHARE_SECONDS
from delivery.client import SharedRateLimitHandler
from runtime.assembly import build_outbound
from standin import StandInSlack, Workspace
from standin.limits import Fault
from storage.database import Database
from storage.migrate import upgrade
from surveys import token_bucket
from surveys.token_bucket import Allowance

REPO = Path(__file__).resolve().parent.parent
TOKEN = "xoxb-budget-token"
PER_MINUTE = 1200  # 20 calls a second
BURST = 5
SENDERS = 3


def _workspace(users: list[str]) -> Workspace:
    workspace = Workspace()
    for user in users:
        workspace.add_user(user, user.lower())
    return workspace


def _users(count: int) -> list[str]:
    return [f"U{n:07d}B" for n in range(1, count + 1)]


def _postgres(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("senders share a budget only on PostgreSQL")
    db = Database.from_url(database_url)
    upgrade(db.engine)
    db.dispose()
    return database_url


def _run_senders(url: str, slack: StandInSlack, groups: list[list[str]]) -> None:
    """Start one process per group, let them go together, and wait for them all."""
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.budget_sender",
                url,
                slack.api_url,
                TOKEN,
                str(PER_MINUTE),
                str(BURST),
                *group,
            ],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for group in groups
    ]
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    for process, group in zip(processes, groups, strict=True):
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0 and out.split() == [str(len(group))]


def _accepted_times(slack: StandInSlack) -> list[float]:
    return sorted(c.answered_at for c in slack.calls_to("chat.postMessage") if c.ok)


def test_senders_in_several_processes_never_exceed_the_workspace_budget_in_any_window(
    database_url: str,
) -> None:
    url = _postgres(database_url)
    users = _users(SENDERS * 30)
    with StandInSlack(_workspace(users), bot_token=TOKEN) as slack:
        _run_senders(url, slack, [users[i::SENDERS] for i in range(SENDERS)])
        times = _accepted_times(slack)
    assert len(times) == len(users)
    rate = PER_MINUTE / 60
    # The database grants calls within the budget; a sender then holds at most one take (a
    # quarter second's calls) until it sends them. A sender stalled by a busy machine sends
    # its take late, all at once, so arrivals may bunch by at most every sender's take.
    held = SENDERS * math.ceil(rate * SHARE_SECONDS)
    worst = max(
        (j - i + 1) - (BURST + rate * (times[j] - times[i]))
        for i in range(len(times))
        for j in range(i, len(times))
    )
    assert worst <= held, f"{worst:.1f} calls over the budget in some window"
    least = (len(users) - BURST) / rate
    assert times[-1] - times[0] >= least * 0.9


def test_a_429_one_sender_meets_slows_every_sender(database_url: str) -> None:
    url = _postgres(database_url)
    users = _users(SENDERS * 20)
    with StandInSlack(_workspace(users), bot_token=TOKEN) as slack:
        slack.faults.add("chat.postMessage", Fault(http_status=429, retry_after=2))
        _run_senders(url, slack, [users[i::SENDERS] for i in range(SENDERS)])
        calls = slack.calls_to("chat.postMessage")
    refused = [c.answered_at for c in calls if c.http_status == 429]
    assert len(refused) == 1
    accepted = sorted(c.answered_at for c in calls if c.ok)
    assert len(accepted) == len(users)
    # Once the few calls it holds are spent, every sender hears of the pause at its next take.
    quiet = [t for t in accepted if refused[0] + 0.3 < t < refused[0] + 1.9]
    assert quiet == [], f"{len(quiet)} calls went while Slack had asked everyone to wait"


def test_on_sqlite_the_pacer_is_the_one_process_pacer_it_always_was(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": TOKEN,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'pulse.db'}",
            "PULSE_POSTS_PER_MINUTE": "600",
        }
    )
    db = Database.from_url(settings.database_url)
    out = build_outbound(settings, db)
    assert out.pacer.shared is None
    handlers = out.client.retry_handlers
    limits = [h for h in handlers if isinstance(h, RateLimitErrorRetryHandler)]
    assert len(limits) == 1 and not isinstance(limits[0], SharedRateLimitHandler)
    db.dispose()


def test_on_postgresql_every_client_shares_the_429s_it_meets(database_url: str) -> None:
    url = _postgres(database_url)
    settings = load_settings({"SLACK_BOT_TOKEN": TOKEN, "DATABASE_URL": url})
    db = Database.from_url(url)
    out = build_outbound(settings, db)
    assert out.pacer.shared is not None
    assert any(isinstance(h, SharedRateLimitHandler) for h in out.client.retry_handlers)
    db.dispose()


@pytest.mark.parametrize("value", ["0", "-5", "fast", "1.5"])
def test_a_posting_budget_that_is_not_a_whole_number_is_refused_by_name(value: str) -> None:
    with pytest.raises(BadSetting, match="PULSE_POSTS_PER_MINUTE"):
        load_settings({"PULSE_POSTS_PER_MINUTE": value})


def test_the_posting_budget_is_unset_unless_given() -> None:
    assert load_settings({}).posts_per_minute is None
    assert load_settings({"PULSE_POSTS_PER_MINUTE": " 300 "}).posts_per_minute == 300


def test_a_new_bucket_starts_refilling_only_after_its_lag() -> None:
    """Slack starts counting when the first call reaches it, a moment after the grant."""
    allowance = Allowance(per_minute=600, burst=5, lag=0.25)  # 10 calls a second
    first = token_bucket.take(
        token_bucket.full(allowance, 100.0), 100.0, want=5, enough=1, allowance=allowance
    )
    assert first.granted == 5
    spent = token_bucket.take(first.bucket, 100.2, want=1, enough=1, allowance=allowance)
    assert spent.granted == 0 and spent.wait == pytest.approx(0.05 + 0.1)
    assert (
        token_bucket.take(spent.bucket, 100.36, want=2, enough=1, allowance=allowance).granted == 1
    )
