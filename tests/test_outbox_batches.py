"""The outbox claims prompts in batches and records each DM as it goes: still nobody missed,
nobody DMed twice by two senders, and a crash repeats at most the one message in flight."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from blocks.prompt import FreshPrompt, prompt_message
from delivery.context import Outbound
from delivery.pacing import Pacer
from delivery.prompts import FRESH_CLAIM, next_claim_size, send_due_prompts
from services import rounds as round_service
from services import teams as team_service
from services.teams import MemberInfo
from standin import StandInSlack, Workspace
from storage.database import Database
from storage.models import Prompt, Round
from tests.support import BOT_TOKEN, TUESDAY_10, FakeClock

CHANNEL = "C0BATCHES"
MANAGER = "U0BOSS"
BATCH = 10
PEOPLE = [f"U{i:07d}" for i in range(2 * BATCH + 9)]
EVERYONE = {MANAGER, *PEOPLE}
LEASE = timedelta(seconds=60)


class Crash(BaseException):
    """The process dies: nothing after it runs, not even the pass's own error handling."""


class CrashingClient(WebClient):
    """Posts for real, then dies right after Slack has accepted the n-th message."""

    def __init__(self, *, after: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.left = after

    def chat_postMessage(self, **kwargs: Any) -> Any:
        reply = super().chat_postMessage(**kwargs)
        self.left -= 1
        if self.left == 0:
            raise Crash()
        return reply


@pytest.fixture
def slack() -> Iterator[StandInSlack]:
    workspace = Workspace()
    for user in [MANAGER, *PEOPLE]:
        workspace.add_user(user, user.lower())
    workspace.add_channel(CHANNEL, "batches", [MANAGER, *PEOPLE])
    with StandInSlack(workspace) as server:
        yield server


def _open_round(db: Database, clock: FakeClock) -> int:
    team = team_service.setup_team(
        db=db, workspace_id="T0STANDIN", channel_id=CHANNEL, user_id=MANAGER, now=clock()
    ).team
    team_service.sync_members(
        db=db,
        team_id=team.id,
        present=[MANAGER, *PEOPLE],
        details=[MemberInfo(u, is_bot=False, deactivated=False, timezone=None) for u in PEOPLE],
    )
    return round_service.open_round(db=db, channel_id=CHANNEL, week="2026-W47", now=clock()).id


def _outbound(db: Database, slack: StandInSlack, clock: FakeClock, **client: Any) -> Outbound:
    make = CrashingClient if client else WebClient
    return Outbound(
        db=db,
        client=make(token=BOT_TOKEN, base_url=slack.api_url, **client),
        pacer=Pacer(per_channel_interval=0.0),
        clock=clock,
        claim_lease=LEASE,
    )


def _dms(slack: StandInSlack) -> Counter[str]:
    return Counter(str(c.args["channel"]) for c in slack.calls_to("chat.postMessage") if c.ok)


def _states(db: Database, round_id: int) -> Counter[str]:
    with db.transaction() as session:
        return Counter(session.scalars(select(Prompt.state).where(Prompt.round_id == round_id)))


def _users_in(db: Database, round_id: int, state: str) -> set[str]:
    with db.transaction() as session:
        return set(
            session.scalars(
                select(Prompt.user_id).where(Prompt.round_id == round_id, Prompt.state == state)
            )
        )


def _invited(db: Database, round_id: int) -> int:
    with db.transaction() as session:
        return session.scalars(select(Round.invited).where(Round.id == round_id)).one()


def test_the_round_prompt_built_once_equals_the_prompt_built_for_each_member() -> None:
    shared: dict[str, Any] = {
        "week": "2026-W47",
        "behaviour_ids": ("talk-of-us", "ask-and-listen", "plan-the-future"),
        "closes_at": TUESDAY_10 + timedelta(days=6),
        "threshold": 4,
    }
    fresh = FreshPrompt(**shared)
    for prompt_id in (1, 7, 40_321, 999_999_999_999):
        assert fresh.message(prompt_id) == prompt_message(prompt_id=prompt_id, answers={}, **shared)


def test_two_senders_claiming_batches_at_once_never_take_the_same_prompt(db: Database) -> None:
    clock = FakeClock(TUESDAY_10)
    round_id = _open_round(db, clock)
    taken: list[list[int]] = [[], []]
    start = threading.Barrier(2)

    def claim_all(mine: list[int]) -> None:
        start.wait()
        while batch := round_service.claim_prompts(
            db=db, now=clock(), limit=BATCH // 4, round_id=round_id
        ):
            mine.extend(prompt.prompt_id for prompt in batch)

    threads = [threading.Thread(target=claim_all, args=(mine,)) for mine in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not set(taken[0]) & set(taken[1])
    assert len(taken[0]) + len(taken[1]) == len(EVERYONE)
    assert taken[0] and taken[1], "one sender took everything; the test proves nothing"


def test_two_passes_sending_one_round_at_once_dm_everyone_exactly_once(
    db: Database, slack: StandInSlack
) -> None:
    clock = FakeClock(TUESDAY_10)
    round_id = _open_round(db, clock)
    slack.latency_seconds = 0.002
    reports = []
    start = threading.Barrier(2)

    def send() -> None:
        start.wait()
        reports.append(
            send_due_prompts(_outbound(db, slack, clock), round_id=round_id, batch_size=BATCH)
        )

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    dms = _dms(slack)
    assert set(dms) == EVERYONE
    assert set(dms.values()) == {1}
    assert sum(report.sent for report in reports) == len(EVERYONE)
    assert _states(db, round_id) == {"sent": len(EVERYONE)}
    assert _invited(db, round_id) == len(EVERYONE)


def test_crash_mid_batch_loses_nobody_and_repeats_only_the_message_in_flight(
    db: Database, slack: StandInSlack
) -> None:
    clock = FakeClock(TUESDAY_10)
    round_id = _open_round(db, clock)
    with pytest.raises(Crash):
        send_due_prompts(
            _outbound(db, slack, clock, after=BATCH + 7), round_id=round_id, batch_size=BATCH
        )
    in_flight = str(slack.calls_to("chat.postMessage")[-1].args["channel"])
    held = _users_in(db, round_id, "sending")
    assert in_flight in held and len(held) == BATCH - 6

    meanwhile = send_due_prompts(_outbound(db, slack, clock), round_id=round_id, batch_size=BATCH)
    assert meanwhile.sent == len(EVERYONE) - 2 * BATCH
    assert _users_in(db, round_id, "sending") == held, "a dead sender's claim was taken early"

    clock.advance(LEASE + timedelta(seconds=1))
    after_lease = send_due_prompts(_outbound(db, slack, clock), round_id=round_id, batch_size=BATCH)
    assert after_lease.sent == len(held)
    dms = _dms(slack)
    assert set(dms) == EVERYONE
    assert [user for user, n in dms.items() if n > 1] == [in_flight]
    assert _states(db, round_id) == {"sent": len(EVERYONE)}
    assert _invited(db, round_id) == len(EVERYONE)


def test_a_claim_grown_old_is_given_back_rather_than_posted_on(
    db: Database, slack: StandInSlack
) -> None:
    clock = FakeClock(TUESDAY_10)
    round_id = _open_round(db, clock)
    step = LEASE / FRESH_CLAIM / 3

    class SlowClock(FakeClock):
        def __call__(self) -> Any:
            self.now += step
            return self.now

    slow = SlowClock(TUESDAY_10)
    posted_at: dict[str, Any] = {}

    class Recording(WebClient):
        def chat_postMessage(self, **kwargs: Any) -> Any:
            posted_at[kwargs["channel"]] = slow.now
            return super().chat_postMessage(**kwargs)

    out = _outbound(db, slack, slow)
    out.client = Recording(token=BOT_TOKEN, base_url=slack.api_url)
    report = send_due_prompts(out, round_id=round_id, batch_size=BATCH)
    assert report.sent == len(EVERYONE)
    assert set(_dms(slack).values()) == {1}
    with db.transaction() as session:
        rows = session.execute(
            select(Prompt.user_id, Prompt.sent_at).where(Prompt.round_id == round_id)
        ).all()
    claimed_at = {user: at for user, at in rows}
    assert all(posted_at[user] - claimed_at[user] <= LEASE / FRESH_CLAIM for user in EVERYONE)


def test_a_sender_whose_lease_ran_out_cannot_put_back_the_claim_another_took(
    db: Database,
) -> None:
    clock = FakeClock(TUESDAY_10)
    round_id = _open_round(db, clock)
    first = round_service.claim_prompts(db=db, now=clock(), limit=5, round_id=round_id)
    clock.advance(LEASE + timedelta(seconds=1))
    second = round_service.claim_prompts(db=db, now=clock(), limit=5, round_id=round_id)
    assert [p.prompt_id for p in second] == [p.prompt_id for p in first]
    with round_service.deliveries(db) as record:
        assert record.release(first) == 0
        assert record.release(second) == 5
    assert _states(db, round_id) == {"pending": len(EVERYONE)}


def test_closing_a_round_counts_everyone_sent_to_even_after_a_sender_died(
    db: Database, slack: StandInSlack
) -> None:
    clock = FakeClock(TUESDAY_10)
    round_id = _open_round(db, clock)
    with pytest.raises(Crash):
        send_due_prompts(
            _outbound(db, slack, clock, after=BATCH + 3), round_id=round_id, batch_size=BATCH
        )
    recorded = _states(db, round_id)["sent"]
    assert _invited(db, round_id) < recorded, "every count was settled; the test proves nothing"
    closed = round_service.close_round(db=db, round_id=round_id, now=clock())
    assert _invited(db, round_id) == recorded
    assert closed.closed


def test_claims_shrink_to_what_a_fresh_claim_can_post_and_grow_back() -> None:
    assert next_claim_size(250, 3, 250) == 3
    assert next_claim_size(250, 0, 250) == 1
    assert next_claim_size(3, 3, 250) == 6
    assert next_claim_size(200, 200, 250) == 250


OTHERS = [f"U{i:07d}X" for i in range(2 * BATCH)]
OTHER_CHANNEL = "C0OTHERS"


def _two_rounds(db: Database, slack: StandInSlack, clock: FakeClock) -> tuple[int, int]:
    """The batches team's round, and a minute later another team's, both waiting to go."""
    first = _open_round(db, clock)
    workspace = slack.tenancy.workspaces()[0]
    for user in OTHERS:
        workspace.add_user(user, user.lower())
    workspace.add_channel(OTHER_CHANNEL, "others", [MANAGER, *OTHERS])
    clock.advance(timedelta(minutes=1))
    team = team_service.setup_team(
        db=db, workspace_id="T0STANDIN", channel_id=OTHER_CHANNEL, user_id=MANAGER, now=clock()
    ).team
    team_service.sync_members(
        db=db,
        team_id=team.id,
        present=[MANAGER, *OTHERS],
        details=[MemberInfo(u, is_bot=False, deactivated=False, timezone=None) for u in OTHERS],
    )
    second = round_service.open_round(db=db, channel_id=OTHER_CHANNEL, week="2026-W47", now=clock())
    return first, second.id


def test_a_claim_spread_over_rounds_takes_a_share_of_each(
    db: Database, slack: StandInSlack
) -> None:
    clock = FakeClock(TUESDAY_10)
    first, second = _two_rounds(db, slack, clock)
    assert round_service.rounds_waiting(db=db, now=clock()) == [first, second]

    claimed = round_service.claim_prompts(db=db, now=clock(), limit=6, spread=[first, second])
    assert Counter(p.round.id for p in claimed) == {first: 3, second: 3}
    round_service.claim_prompts(db=db, now=clock(), limit=100, round_id=second)
    assert round_service.rounds_waiting(db=db, now=clock()) == [first]
    fallback = round_service.claim_prompts(db=db, now=clock(), limit=4, spread=[second])
    assert [p.round.id for p in fallback] == [first] * 4, "a spent spread takes any round's"


def test_a_pass_over_several_rounds_sends_to_each_from_its_first_claim(
    db: Database, slack: StandInSlack
) -> None:
    """Each workspace's budget is then drawn on from the start, and the rounds finish
    together rather than one after another."""
    clock = FakeClock(TUESDAY_10)
    _two_rounds(db, slack, clock)
    send_due_prompts(_outbound(db, slack, clock), batch_size=BATCH)
    dms = [str(c.args["channel"]) for c in slack.calls_to("chat.postMessage") if c.ok]
    assert set(OTHERS) & set(dms[:BATCH]) and set(PEOPLE) & set(dms[:BATCH])
    assert Counter(dms) == Counter([*EVERYONE, MANAGER, *OTHERS])  # the manager leads both
