"""A member's right to be forgotten, and the retention limit on raw answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.digests import digest_batches
from services.withdrawals import withdrawal_mark
from storage import actions as action_store
from storage import privacy as privacy_store
from storage import reviews as review_store
from storage import teams as team_store
from storage.database import Database, UnitOfWork, retrying
from surveys.digest import INDEX, Digest

DEFAULT_RETENTION_DAYS = 730  # about 24 months
FORGOTTEN_TABLES = (
    "pending_answers",
    "prompts",
    "members",
    "managers",
    "opt_outs",
    "agreed_actions",
    "review_prompts",
    "review_pending_answers",
)
"""Tables a forgotten person's rows are deleted from (or, for actions, unnamed in)."""


@dataclass(frozen=True)
class Forgotten:
    """What was deleted for a person."""

    prompts: int


def forget_member(
    *, db: Database, workspace_id: str, user_id: str, marking_secret: bytes
) -> Forgotten:
    """Delete everything that names the person: memberships, manager roles, their opt-out,
    the record of which pulses went to them and any answer still linked to them.

    Answers of closed rounds were unlinked from everyone when those rounds closed, so the
    published figures they make up stay as they are. Each round still open is left a mark
    that names nobody (`services.withdrawals`), so a re-run of its sending does not ask the
    person again; the marks go when the rounds close.
    """

    def forget() -> Forgotten:
        with db.transaction() as session:
            rounds = privacy_store.open_rounds_of(
                session, workspace_id=workspace_id, user_id=user_id
            )
            privacy_store.add_withdrawals(
                session,
                [
                    (round_id, withdrawal_mark(marking_secret, round_id=round_id, user_id=user_id))
                    for round_id in rounds
                ],
            )
            prompts = privacy_store.delete_prompts_of(
                session, workspace_id=workspace_id, user_id=user_id
            )
            team_store.forget_user(session, workspace_id=workspace_id, user_id=user_id)
            action_store.forget_user(session, workspace_id=workspace_id, user_id=user_id)
            review_store.forget_user(session, workspace_id=workspace_id, user_id=user_id)
            return Forgotten(prompts=prompts)

    forgotten = retrying(forget)
    db.erase_deleted(*FORGOTTEN_TABLES)
    return forgotten


def purge_expired_answers(
    *, db: Database, now: datetime, retention_days: int = DEFAULT_RETENTION_DAYS
) -> int:
    """Delete raw answers of rounds closed longer ago than the retention period.

    Each round's published figures are archived first, so digests keep their "previous"
    and "where we started" and the team's history stays readable. The digests are built
    many teams at a read (`digest_batches`), and each round is archived and purged in a
    transaction of its own.
    """
    cutoff = now - timedelta(days=retention_days)
    with db.transaction() as session:
        targets = privacy_store.rounds_to_purge(session, cutoff)
        channels = {t.id: t.channel_id for t in team_store.active_teams(session)}
    rounds = {
        (channels[team_id], week): (round_id, team_id)
        for round_id, team_id, week in targets
        if team_id in channels
    }
    weeks: dict[str, list[str]] = {}
    for channel, week in rounds:
        weeks.setdefault(channel, []).append(week)
    purged = 0
    for batch in digest_batches(db=db, weeks_by_channel=weeks):
        for key, bundle in batch.items():
            round_id, team_id = rounds.pop(key)
            purged += _archive_and_delete(db, round_id, team_id, bundle.digest)
    no_digest = {round_id for round_id, _ in rounds.values()}
    for round_id, team_id, _ in targets:
        if team_id not in channels or round_id in no_digest:
            purged += _archive_and_delete(db, round_id, team_id, None)
    if purged:
        db.erase_deleted("answers")
    return purged


def _archive_and_delete(db: Database, round_id: int, team_id: int, digest: Digest | None) -> int:
    """Keep a round's published figures, then delete its raw answers, in one transaction."""
    with db.transaction() as session:
        if digest is not None:
            _archive(session, team_id, digest)
        return privacy_store.delete_answers_of(session, [round_id])


def _archive(session: UnitOfWork, team_id: int, digest: Digest) -> None:
    shown = [(INDEX, digest.index)] + [(b.behaviour.id, b.figure) for b in digest.asked]
    for name, figure in shown:
        if figure.suppressed or figure.score is None or figure.n is None:
            continue
        privacy_store.archive_figure(
            session,
            team_id=team_id,
            week=digest.week,
            figure=name,
            n=figure.n,
            score=figure.score,
        )
