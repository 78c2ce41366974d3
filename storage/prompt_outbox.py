"""The prompt outbox's rows: claiming due prompts to send (a lease, skipping rows another
process holds) and recording what became of each, one statement per DM on the hot path.
They take a session or connection and never commit."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Connection, Select, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from storage.models import Prompt, Round
from storage.prepared import Prepared

CLAIM_LEASE = timedelta(seconds=60)


@dataclass(frozen=True)
class ClaimedPrompt:
    """An outbox row this process now holds: who to DM, for which round."""

    id: int
    round_id: int
    user_id: str


def claim_due_prompts(
    session: Session,
    *,
    now: datetime,
    limit: int,
    round_id: int | None = None,
    lease: timedelta = CLAIM_LEASE,
    owner: str | None = None,
    skip_rounds: Collection[int] = (),
    spread: Sequence[int] = (),
) -> list[ClaimedPrompt]:
    """Take up to ``limit`` prompts due to be sent, skipping rows another process holds.

    With ``spread`` (rounds whose prompts are waiting), the claim takes an equal share of
    each of those rounds, so that every workspace's budget is drawn on from the start
    rather than one workspace's after another's; only when they have none left does it
    take the earliest due of any round.

    A claim is a lease: a prompt left 'sending' by a process that died is taken again once
    the lease has run out, or at once when its owner is known to be dead (see
    `storage.claimants`; ``owner`` is the claiming sender's key). Never-sent and abandoned
    prompts are looked up apart, each along an index in due order, and the earliest of both
    are taken: a claim then costs the same whether one prompt is due or ten thousand,
    however many have been sent before. The update that takes them repeats the test of what
    may be claimed, and returns the rows it changed, so a row another claimant took in the
    meantime is never counted as ours.
    """
    claimed: list[ClaimedPrompt] = []
    if round_id is None and spread:
        share = -(-limit // len(spread))
        for spread_round in spread:
            want = min(share, limit - len(claimed))
            if want <= 0:
                break
            claimed += _claim(session, now, want, spread_round, lease, owner)
    if claimed:
        return claimed
    return _claim(session, now, limit, round_id, lease, owner, skip_rounds)


def _claim(
    session: Session,
    now: datetime,
    limit: int,
    round_id: int | None,
    lease: timedelta,
    owner: str | None,
    skip_rounds: Collection[int] = (),
) -> list[ClaimedPrompt]:
    """The earliest due prompts (of one round, or of any but ``skip_rounds``), claimed."""
    pending = _due(now, limit, round_id, skip_rounds).where(Prompt.state == "pending")
    abandoned = _due(now, limit, round_id, skip_rounds).where(_abandoned(now, lease))
    candidates = sorted(
        (row for query in (pending, abandoned) for row in session.execute(query)),
        key=lambda row: (row.due_at, row.id),
    )[:limit]
    if not candidates:
        return []
    taken = set(
        session.scalars(
            update(Prompt)
            .where(
                Prompt.id.in_([row.id for row in candidates]),
                or_(Prompt.state == "pending", _abandoned(now, lease)),
            )
            .values(state="sending", sent_at=now, claim_owner=owner)
            .returning(Prompt.id)
            .execution_options(synchronize_session=False)
        )
    )
    return [
        ClaimedPrompt(row.id, row.round_id, row.user_id) for row in candidates if row.id in taken
    ]


def rounds_waiting(
    session: Session, *, now: datetime, skip_rounds: Collection[int] = ()
) -> list[int]:
    """Open rounds with prompts due and never claimed, the earliest due first: the rounds a
    claim spreads over. One pass over the waiting prompts, so a sender asks now and then,
    not at every claim."""
    query = (
        select(Prompt.round_id)
        .join(Round, Round.id == Prompt.round_id)
        .where(Round.closed_at.is_(None), Prompt.state == "pending", Prompt.due_at <= now)
        .group_by(Prompt.round_id)
        .order_by(func.min(Prompt.due_at), Prompt.round_id)
    )
    if skip_rounds:
        query = query.where(Prompt.round_id.not_in(list(skip_rounds)))
    return list(session.scalars(query))


def _abandoned(now: datetime, lease: timedelta) -> ColumnElement[bool]:
    """Claimed by a process whose lease has run out."""
    return and_(Prompt.state == "sending", Prompt.sent_at <= now - lease)


def _due(
    now: datetime, limit: int, round_id: int | None, skip_rounds: Collection[int] = ()
) -> Select[int, int, str, datetime]:
    """Due prompts of open rounds, earliest first (but none of ``skip_rounds``: rounds whose
    workspace has spent its Slack budget for now)."""
    query = (
        select(Prompt.id, Prompt.round_id, Prompt.user_id, Prompt.due_at)
        .join(Round, Round.id == Prompt.round_id)
        .where(Round.closed_at.is_(None), Prompt.due_at <= now)
        .order_by(Prompt.due_at, Prompt.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Prompt)
    )
    if round_id is not None:
        query = query.where(Prompt.round_id == round_id)
    if skip_rounds:
        query = query.where(Prompt.round_id.not_in(list(skip_rounds)))
    return query


# What happens to each claimed prompt is recorded the moment Slack answers, one short
# transaction per DM. These run as prepared Core statements on a connection the sender
# holds for its whole pass: an ORM session per DM would cost more than the DM.

# The outbox runs this once per DM, committing each before the next DM goes.
_MARK_SENT = Prepared(
    update(Prompt)
    .where(Prompt.id == bindparam("prompt"), Prompt.state != "sent")
    .values(
        state="sent",
        channel_id=bindparam("channel"),
        message_ts=bindparam("ts"),
        route=bindparam("route"),
    )
)
_MARK_UNREACHABLE = (
    update(Prompt)
    .where(Prompt.id == bindparam("prompt"), Prompt.state != "sent")
    .values(state="unreachable", route="unreachable")
)
INVITED_STATES = ("sent", "unreachable")
"""A round's invited people: those its prompt reached, and those it could not reach at all
(counted, never silently dropped)."""
_MARK_SKIPPED = (
    update(Prompt)
    .where(Prompt.id == bindparam("prompt"), Prompt.state != "sent")
    .values(state="skipped")
)


def mark_sent(
    connection: Connection, *, prompt_id: int, channel_id: str, message_ts: str, route: str = "dm"
) -> bool:
    """Record Slack's acceptance of a prompt, and how it went (a DM, or an ephemeral message
    in the team channel); False if it was already recorded as sent."""
    result = _MARK_SENT.execute(
        connection, {"prompt": prompt_id, "channel": channel_id, "ts": message_ts, "route": route}
    )
    return bool(result.rowcount)


def mark_unreachable(connection: Connection, *, prompt_id: int) -> None:
    """A member Slack lets the bot reach neither by DM nor in the channel: never retried,
    and counted among the invited."""
    connection.execute(_MARK_UNREACHABLE, {"prompt": prompt_id})


def mark_skipped(connection: Connection, *, prompt_id: int) -> None:
    """A prompt that will never be sent (Slack refuses this member), unless it already was."""
    connection.execute(_MARK_SKIPPED, {"prompt": prompt_id})


def release_claims(
    connection: Connection, *, prompt_ids: Sequence[int], claimed_at: datetime
) -> int:
    """Put back prompts this claim still holds, so a later pass sends them; how many."""
    if not prompt_ids:
        return 0
    result = connection.execute(
        update(Prompt)
        .where(Prompt.id.in_(prompt_ids), Prompt.state == "sending", Prompt.sent_at == claimed_at)
        .values(state="pending", claim_owner=None)
    )
    return int(result.rowcount)


def recount_invited(connection: Connection, round_ids: Iterable[int]) -> None:
    """Set each round's count of invited people to its prompts recorded as sent."""
    ids = sorted(set(round_ids))
    if not ids:
        return
    sent = (
        select(func.count())
        .where(Prompt.round_id == Round.id, Prompt.state.in_(INVITED_STATES))
        .scalar_subquery()
    )
    connection.execute(
        update(Round)
        .where(Round.id.in_(ids))
        .values(invited=sent)
        .execution_options(synchronize_session=False)
    )


def owed_prompts(
    session: Session, round_id: int, *, now: datetime, lease: timedelta
) -> tuple[int, datetime | None]:
    """How many of a round's due prompts are not yet sent (queued, or claimed and not yet
    posted), and when the last claim among them runs out of lease."""
    pending = session.scalar(
        select(func.count()).where(
            Prompt.round_id == round_id, Prompt.state == "pending", Prompt.due_at <= now
        )
    )
    claimed, last_claim = session.execute(
        select(func.count(), func.max(Prompt.sent_at)).where(
            Prompt.round_id == round_id, Prompt.state == "sending"
        )
    ).one()
    return int(pending or 0) + int(claimed or 0), (
        None if last_claim is None else _aware(last_claim) + lease
    )


def _aware(moment: datetime) -> datetime:
    """An aggregate comes back without the column's type: SQLite gives a naive datetime."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
