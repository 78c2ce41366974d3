"""Queries about rounds and their prompts (the outbox). They take a session and never commit."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from storage.models import PendingAnswer, Prompt, Round
from storage.prepared import Prepared
from storage.records import PromptRecord, RoundRecord, record

CLAIM_LEASE = timedelta(seconds=60)


def _round(row: Round | None) -> RoundRecord | None:
    return None if row is None else record(RoundRecord, row)


def _rounds(rows: Iterable[Round]) -> list[RoundRecord]:
    return [record(RoundRecord, row) for row in rows]


def round_for_week(session: Session, *, team_id: int, week: str) -> RoundRecord | None:
    """A team's round for a week, if it was opened."""
    return _round(
        session.scalars(select(Round).where(Round.team_id == team_id, Round.week == week)).first()
    )


def round_by_id(session: Session, round_id: int) -> RoundRecord | None:
    """A round by its primary key."""
    return _round(session.get(Round, round_id))


def locked_round_row(session: Session, round_id: int) -> Round | None:
    """A round's row, locked for closing (`lock_round`), for `storage.closing` to change."""
    return session.scalars(
        select(Round)
        .where(Round.id == round_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def lock_round(session: Session, round_id: int) -> RoundRecord | None:
    """A round, locked for closing: clicks on it (which lock it shared) finish first, and
    those that come after wait, then find it closed."""
    return _round(locked_round_row(session, round_id))


def lock_rounds(session: Session, round_ids: Iterable[int]) -> None:
    """Lock rounds shared, in id order, before touching their prompts: the order clicks and
    closes keep, so no two of them wait on each other in a circle."""
    ids = sorted(set(round_ids))
    if ids:
        session.execute(
            select(Round.id).where(Round.id.in_(ids)).order_by(Round.id).with_for_update(read=True)
        ).all()


def open_round_rows(session: Session, *, team_id: int | None = None) -> Sequence[Round]:
    """The rows of rounds that have not closed, oldest first (for storage to change)."""
    query = select(Round).where(Round.closed_at.is_(None))
    if team_id is not None:
        query = query.where(Round.team_id == team_id)
    return session.scalars(query.order_by(Round.opened_at)).all()


def open_rounds(session: Session, *, team_id: int | None = None) -> list[RoundRecord]:
    """Rounds that have not closed, oldest first."""
    return _rounds(open_round_rows(session, team_id=team_id))


def rounds_of_team(session: Session, team_id: int) -> list[RoundRecord]:
    """Every round of a team, oldest week first."""
    return _rounds(
        session.scalars(select(Round).where(Round.team_id == team_id).order_by(Round.week))
    )


def latest_round(session: Session, team_id: int) -> RoundRecord | None:
    """The team's most recent round."""
    return _round(
        session.scalars(
            select(Round).where(Round.team_id == team_id).order_by(Round.week.desc())
        ).first()
    )


def rounds_due_to_close(session: Session, *, now: datetime) -> list[RoundRecord]:
    """Open rounds whose time is up, locked for closing, in id order; a round another
    process closed meanwhile is not among them. Read (and locked) in the order of the
    partial index of open rounds by close: ordered by id, SQLite's planner would rather walk
    every round in the table than sort the few due ones."""
    rows = session.scalars(
        select(Round)
        .where(Round.closed_at.is_(None), Round.closes_at <= now)
        .order_by(Round.closes_at, Round.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return sorted(_rounds(rows), key=lambda r: r.id)


def prompt_by_id(
    session: Session, prompt_id: int, *, for_update: bool = False
) -> PromptRecord | None:
    """A prompt by its primary key, optionally locked for the rest of the transaction."""
    query = select(Prompt).where(Prompt.id == prompt_id)
    if for_update:
        query = query.with_for_update()
    prompt = session.scalars(query).first()
    return None if prompt is None else record(PromptRecord, prompt)


def prompted_users(session: Session, round_id: int) -> set[str]:
    """Who already has a prompt row for the round."""
    return set(session.scalars(select(Prompt.user_id).where(Prompt.round_id == round_id)))


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


def count_prompts(session: Session, round_id: int, *, state: str) -> int:
    """How many of a round's prompts are in a state."""
    return int(
        session.scalar(
            select(func.count()).where(Prompt.round_id == round_id, Prompt.state == state)
        )
        or 0
    )


def pending_answers_of(session: Session, prompt_id: int) -> dict[str, int | None]:
    """A prompt's answers so far, by behaviour."""
    rows = session.execute(
        select(PendingAnswer.behaviour_id, PendingAnswer.point).where(
            PendingAnswer.prompt_id == prompt_id
        )
    )
    return {behaviour: point for behaviour, point in rows}


def clear_reminder_marks(session: Session, round_ids: Collection[int]) -> None:
    """Forget who was reminded: at close it would tell who had not answered."""
    session.execute(
        update(Prompt)
        .where(Prompt.round_id.in_(round_ids), Prompt.reminder_state.is_not(None))
        .values(reminder_state=None)
        .execution_options(synchronize_session=False)
    )


def expire_unsent(session: Session, round_ids: Collection[int]) -> None:
    """Closing rounds' prompts never sent (queued, or claimed and unposted) will never be."""
    session.execute(
        update(Prompt)
        .where(Prompt.round_id.in_(round_ids), Prompt.state.in_(("pending", "sending")))
        .values(state="expired")
        .execution_options(synchronize_session=False)
    )


def mark_closed(session: Session, round_ids: Collection[int], now: datetime) -> list[RoundRecord]:
    """Close these rounds now, each counting who was invited, in one statement; the rounds
    as they now are, in id order. A round closed before its time ends now."""
    invited = (
        select(func.count())
        .where(Prompt.round_id == Round.id, Prompt.state.in_(INVITED_STATES))
        .scalar_subquery()
    )
    session.execute(
        update(Round)
        .where(Round.id.in_(round_ids))
        .values(
            invited=invited,
            closed_at=now,
            closes_at=case((Round.closes_at > now, now), else_=Round.closes_at),
        )
        .execution_options(synchronize_session=False)
    )
    return rounds_by_ids(session, round_ids)


def rounds_by_ids(session: Session, round_ids: Collection[int]) -> list[RoundRecord]:
    """These rounds as stored now (not as this session last saw them), in id order."""
    return _rounds(
        session.scalars(
            select(Round)
            .where(Round.id.in_(round_ids))
            .order_by(Round.id)
            .execution_options(populate_existing=True)
        )
    )


def prompt_of_user(session: Session, *, round_id: int, user_id: str) -> PromptRecord | None:
    """A member's prompt in a round."""
    prompt = session.scalars(
        select(Prompt).where(Prompt.round_id == round_id, Prompt.user_id == user_id)
    ).first()
    return None if prompt is None else record(PromptRecord, prompt)
