"""Opening, sending and closing rounds: the outbox that makes delivery exactly-once."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.lookup import team_of_channel
from services.withdrawals import withdrawn
from storage import actions as action_store
from storage import claimants
from storage import closing as closing_store
from storage import opening as opening_store
from storage import privacy as privacy_store
from storage import prompt_outbox as outbox_store
from storage import rounds as round_store
from storage import teams as team_store
from storage.database import Database, UnitOfWork, retrying
from storage.errors import AlreadyExists
from storage.outbox import OutboxRecords, outbox_records
from storage.records import MemberRecord, RoundRecord, TeamRecord
from surveys.actions import with_reviewed
from surveys.rotation import behaviours_for_week
from surveys.schedule import round_closes_at, slot_in_week, zone
from surveys.weeks import Week, parse_week


@dataclass(frozen=True)
class RoundInfo:
    """A round as the edges see it."""

    id: int
    team_id: int
    channel_id: str
    week: str
    behaviour_ids: tuple[str, ...]
    closes_at: datetime
    closed: bool
    threshold: int
    workspace_id: str = ""
    channel_name: str | None = None


@dataclass(frozen=True)
class PromptToSend:
    """A claimed outbox row: who to DM, with what round."""

    prompt_id: int
    user_id: str
    round: RoundInfo
    answers: dict[str, int | None]
    claimed_at: datetime


def round_info(round_: RoundRecord, team: TeamRecord) -> RoundInfo:
    """The edge-facing view of a round."""
    return RoundInfo(
        id=round_.id,
        team_id=team.id,
        channel_id=team.channel_id,
        week=round_.week,
        behaviour_ids=tuple(round_.behaviour_ids),
        closes_at=round_.closes_at,
        closed=round_.closed_at is not None,
        threshold=team.anonymity_threshold,
        workspace_id=team.workspace_id,
        channel_name=team.channel_name,
    )


def _member_due(
    team: TeamRecord, member: MemberRecord, week: Week, now: datetime, scheduled: bool
) -> datetime:
    """A scheduled prompt is due at the team's pulse time in the member's own zone."""
    if not scheduled:
        return now
    tz = zone(member.timezone, team.timezone)
    return slot_in_week(week, weekday=team.pulse_weekday, clock=team.pulse_time, tz=tz)


def open_round(
    *,
    db: Database,
    channel_id: str,
    week: str,
    now: datetime,
    scheduled: bool = False,
    marking_secret: bytes = b"",
) -> RoundInfo:
    """Open a team's round for a week (or find it) and queue a prompt for each member.

    Running it again adds prompts only for members who have none, so nobody is asked twice
    for one round; two processes racing to create the round meet the unique constraint.
    Nor is anyone asked again who asked to be forgotten while the round was open:
    ``marking_secret`` makes the marks they left (`services.withdrawals`).
    """
    parsed = parse_week(week)
    try:
        return _open_round(db, channel_id, parsed, now, scheduled, marking_secret)
    except AlreadyExists:
        return _open_round(db, channel_id, parsed, now, scheduled, marking_secret)


def _open_round(
    db: Database, channel_id: str, week: Week, now: datetime, scheduled: bool, secret: bytes
) -> RoundInfo:
    with db.transaction() as session:
        team = team_of_channel(session, channel_id)
        round_ = round_store.round_for_week(session, team_id=team.id, week=str(week))
        if round_ is None:
            opening_store.close_earlier_rounds(session, team_id=team.id, week=str(week), now=now)
            round_ = opening_store.add_round(
                session,
                team_id=team.id,
                week=str(week),
                behaviour_ids=with_reviewed(
                    behaviours_for_week(
                        week, questions_per_week=team.questions_per_week, seed=team.channel_id
                    ),
                    action_store.reviewed_behaviours(session, team_id=team.id, week=str(week)),
                ),
                opened_at=now,
                closes_at=round_closes_at(
                    now,
                    round_days=team.round_days,
                    close_weekday=team.close_weekday,
                    close_clock=team.close_time,
                    tz=zone(team.timezone),
                ),
            )
        if round_.closed_at is None:
            _queue_prompts(session, team, round_, week, now, scheduled, secret)
        return round_info(round_, team)


def _queue_prompts(
    session: UnitOfWork,
    team: TeamRecord,
    round_: RoundRecord,
    week: Week,
    now: datetime,
    scheduled: bool,
    secret: bytes,
) -> None:
    already = round_store.prompted_users(session, round_.id)
    members = [m for m in team_store.surveyable_members(session, team) if m.user_id not in already]
    forgotten = withdrawn(
        secret,
        round_id=round_.id,
        user_ids=[m.user_id for m in members],
        marks=privacy_store.withdrawal_marks(session, round_.id),
    )
    opening_store.queue_prompts(
        session,
        round_.id,
        [
            (member.user_id, _member_due(team, member, week, now, scheduled))
            for member in members
            if member.user_id not in forgotten
        ],
    )


def claim_prompts(
    *,
    db: Database,
    now: datetime,
    limit: int = 1,
    round_id: int | None = None,
    lease: timedelta = outbox_store.CLAIM_LEASE,
    skip_rounds: Collection[int] = (),
    spread: Sequence[int] = (),
) -> list[PromptToSend]:
    """Claim up to ``limit`` due prompts for this process to send, in one transaction
    (an equal share of each of the ``spread`` rounds while they have some).

    Claiming a batch costs one transaction however many it holds, and never risks a
    duplicate: a prompt that is claimed but not yet posted is simply sent by whoever takes
    it next, if this process dies first: at once, since the claim names this process as
    its owner and its lock goes with it (after the lease if that cannot be told).
    """
    owner = claimants.current(db).key
    with db.transaction() as session:
        claimants.free_dead_claims(session, db, own_key=owner, round_id=round_id)
        claimed = outbox_store.claim_due_prompts(
            session,
            now=now,
            limit=limit,
            round_id=round_id,
            lease=lease,
            owner=owner,
            skip_rounds=skip_rounds,
            spread=spread,
        )
        rounds = _round_infos(session, {prompt.round_id for prompt in claimed})
    return [
        PromptToSend(
            prompt_id=prompt.id,
            user_id=prompt.user_id,
            round=rounds[prompt.round_id],
            answers={},
            claimed_at=now,
        )
        for prompt in claimed
    ]


def rounds_waiting(*, db: Database, now: datetime) -> list[int]:
    """Open rounds with prompts due and not yet claimed, the earliest due first."""
    with db.reading() as session:
        return outbox_store.rounds_waiting(session, now=now)


def round_infos(session: UnitOfWork, round_ids: Sequence[int]) -> list[RoundInfo]:
    """These rounds with their teams, in the order given."""
    infos = _round_infos(session, set(round_ids))
    return [infos[round_id] for round_id in round_ids]


def _round_infos(session: UnitOfWork, round_ids: set[int]) -> dict[int, RoundInfo]:
    """Two queries however many rounds."""
    rounds = round_store.rounds_by_ids(session, round_ids)
    teams = team_store.teams_by_ids(session, {r.team_id for r in rounds})
    return {r.id: round_info(r, teams[r.team_id]) for r in rounds}


@dataclass(frozen=True)
class Owed:
    """A round's due prompts not yet sent, and when the last claim on them runs out."""

    count: int
    claims_free_at: datetime | None


def owed_prompts(*, db: Database, round_id: int, now: datetime, lease: timedelta) -> Owed:
    """Who in a round is still owed a prompt that is due: queued, or claimed and unposted."""
    with db.reading() as session:
        count, free_at = outbox_store.owed_prompts(session, round_id, now=now, lease=lease)
    return Owed(count, free_at)


class Deliveries:
    """Records what became of each claimed prompt the moment Slack has answered.

    Each outcome is committed before the next DM goes (`storage.outbox`). The round's count
    of invited people is brought up to date by `settle`, once per batch rather than once
    per DM (and again when the round closes, whatever happened before).
    """

    def __init__(self, records: OutboxRecords) -> None:
        self._records = records

    def sent(self, prompt: PromptToSend, *, channel_id: str, message_ts: str) -> None:
        """Slack accepted the DM: it is never sent again."""
        self._records.sent(
            prompt_id=prompt.prompt_id,
            round_id=prompt.round.id,
            channel_id=channel_id,
            message_ts=message_ts,
        )

    def sent_in_channel(self, prompt: PromptToSend, *, message_ts: str) -> None:
        """Slack refused the DM and took the prompt as an ephemeral message in the team
        channel: it is never sent again, and a click on it is recorded like a DM click."""
        self._records.sent(
            prompt_id=prompt.prompt_id,
            round_id=prompt.round.id,
            channel_id=prompt.round.channel_id,
            message_ts=message_ts,
            route="ephemeral",
        )

    def unreachable(self, prompt: PromptToSend) -> None:
        """Slack refused both the DM and the ephemeral: counted as invited, never retried."""
        self._records.unreachable(prompt_id=prompt.prompt_id, round_id=prompt.round.id)

    def skipped(self, prompt: PromptToSend) -> None:
        """A member Slack will not let us DM (left, deactivated, a bot): never retried."""
        self._records.skipped(prompt.prompt_id)

    def release(self, prompts: Sequence[PromptToSend]) -> int:
        """Put back claimed prompts that were not posted, so a later pass sends them."""
        released = 0
        for claimed_at in {prompt.claimed_at for prompt in prompts}:
            released += self._records.release(
                [p.prompt_id for p in prompts if p.claimed_at == claimed_at],
                claimed_at=claimed_at,
            )
        return released

    def settle(self) -> None:
        """Count the invited people of the rounds sent to since the last call."""
        self._records.settle()


@contextmanager
def deliveries(db: Database) -> Iterator[Deliveries]:
    """Record a pass's outcomes on one connection; the last batch's counts are settled."""
    with outbox_records(db) as records:
        yield Deliveries(records)


LINKED_TABLES = ("pending_answers", "prompts")
"""Tables whose deleted or changed rows linked an answer or a reminder to a person."""


CLOSE_BATCH = 500
"""Rounds closed by one set of statements (the IN lists stay short)."""


def close_due_rounds(*, db: Database, now: datetime) -> list[RoundInfo]:
    """Close every round whose time is up, unlinking its answers from people: a few
    statements per batch of rounds, all in one unit of work."""

    def close_all() -> list[RoundInfo]:
        with db.transaction() as session:
            due = [r.id for r in round_store.rounds_due_to_close(session, now=now)]
            closed: list[RoundRecord] = []
            for start in range(0, len(due), CLOSE_BATCH):
                closed += closing_store.close_many(session, due[start : start + CLOSE_BATCH], now)
            teams = team_store.teams_by_ids(session, {r.team_id for r in closed})
            return [round_info(r, teams[r.team_id]) for r in closed]

    return retrying(close_all)


def erase_closed_links(*, db: Database) -> None:
    """Make what closes deleted or changed (who answered what, before the answers were
    unlinked) unreadable from the database's files: after the schedule's closes, once
    their digests are out, so the digests are not held up by it."""
    db.erase_deleted(*LINKED_TABLES)


def close_round(*, db: Database, round_id: int, now: datetime) -> RoundInfo:
    """Close one round now (or find it closed)."""
    closed = retrying(lambda: _close_one(db, round_id, now))
    db.erase_deleted(*LINKED_TABLES)
    return closed


def _close_one(db: Database, round_id: int, now: datetime) -> RoundInfo:
    with db.transaction() as session:
        round_ = round_store.lock_round(session, round_id)
        assert round_ is not None
        if round_.closed_at is not None:
            team = team_store.team_by_id(session, round_.team_id)
            assert team is not None
            return round_info(round_, team)
        return _close(session, round_, now)


def _close(session: UnitOfWork, round_: RoundRecord, now: datetime) -> RoundInfo:
    round_ = closing_store.close(session, round_.id, now)
    team = team_store.team_by_id(session, round_.team_id)
    assert team is not None
    return round_info(round_, team)


def round_of_week(*, db: Database, channel_id: str, week: str) -> RoundInfo | None:
    """A team's round for a week, if any."""
    with db.transaction() as session:
        team = team_of_channel(session, channel_id)
        round_ = round_store.round_for_week(session, team_id=team.id, week=week)
        return None if round_ is None else round_info(round_, team)


def open_round_infos(*, db: Database) -> Sequence[RoundInfo]:
    """Every open round with its team."""
    with db.transaction() as session:
        result = []
        for round_ in round_store.open_rounds(session):
            team = team_store.team_by_id(session, round_.team_id)
            assert team is not None
            result.append(round_info(round_, team))
        return result


def closed_without_digest(*, db: Database) -> list[RoundInfo]:
    """Closed rounds whose digest has not gone out (a failed post is retried)."""
    with db.transaction() as session:
        rounds = closing_store.rounds_without_digest(session)
        teams = team_store.teams_by_ids(session, {r.team_id for r in rounds})
        return [round_info(r, teams[r.team_id]) for r in rounds if r.team_id in teams]
