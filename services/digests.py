"""Digests and summaries: stored answers in, the survey domain's figures out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from services.errors import TeamNotFound
from services.rounds import RoundInfo, round_info
from storage import answers as answer_store
from storage import privacy as privacy_store
from storage import rounds as round_store
from storage import teams as team_store
from storage.database import Database
from storage.models import Round
from surveys.digest import AnswerRow, ArchivedFigure, Digest, RoundFacts, compute_digest
from surveys.summary import Summary, compute_summary


@dataclass(frozen=True)
class DigestBundle:
    """A digest with the team facts needed to present it."""

    digest: Digest
    channel_id: str
    target: float | None
    workspace_id: str = ""


def build_digest(*, db: Database, channel_id: str, week: str) -> DigestBundle:
    """The digest of a team's week, from closed answers and, for an open round, those so far.

    The figures are worked out after the transaction has ended, so that a long history does
    not hold a connection (or, on SQLite, the write lock) while pandas runs.
    """
    with db.transaction() as session:
        team = team_store.team_by_channel(session, channel_id)
        if team is None:
            raise TeamNotFound()
        rows = answer_store.team_answers(session, team_id=team.id, up_to_week=week)
        rounds = [
            RoundFacts(r.week, tuple(r.behaviour_ids), r.invited)
            for r in round_store.rounds_of_team(session, team.id)
        ]
        kept = privacy_store.archived_figures(session, team.id)
    digest = compute_digest(
        team=team.channel_id,
        week=week,
        answers=[AnswerRow(w, r, b, p) for w, r, b, p in rows],
        rounds=rounds,
        threshold=team.anonymity_threshold,
        archived=[ArchivedFigure(w, f, s) for w, f, s in kept],
    )
    return DigestBundle(
        digest=digest,
        channel_id=team.digest_channel_id or team.channel_id,
        target=team.target,
        workspace_id=team.workspace_id,
    )


def claim_digest_post(*, db: Database, round_id: int, now: datetime) -> bool:
    """Take the right to post a round's digest; only one process ever gets it."""
    with db.transaction() as session:
        result = session.execute(
            update(Round)
            .where(Round.id == round_id, Round.digest_posted_at.is_(None))
            .values(digest_posted_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def release_digest_post(*, db: Database, round_id: int) -> None:
    """Give the claim back after a failed post, so a later attempt retries."""
    with db.transaction() as session:
        session.execute(update(Round).where(Round.id == round_id).values(digest_posted_at=None))


def latest_round(*, db: Database, channel_id: str) -> RoundInfo | None:
    """The team's most recent round, open or closed."""
    with db.transaction() as session:
        team = team_store.team_by_channel(session, channel_id)
        if team is None:
            raise TeamNotFound()
        latest = round_store.latest_round(session, team.id)
        return round_info(latest, team) if latest else None


def build_summary(*, db: Database, channel_id: str, weeks: int) -> Summary:
    """The team's last ``weeks`` closed rounds pooled (only what was publishable is pooled).

    An open round is left out: figures that grow answer by answer could be compared over
    time to single out the latest person to answer.
    """
    with db.transaction() as session:
        team = team_store.team_by_channel(session, channel_id)
        if team is None:
            raise TeamNotFound()
        closed = [r.week for r in round_store.rounds_of_team(session, team.id) if r.closed_at]
        recent = closed[-weeks:]
        rows = answer_store.team_answers(
            session, team_id=team.id, up_to_week=recent[-1] if recent else "", weeks=recent
        )
    return compute_summary(
        team=team.channel_id,
        weeks=recent,
        answers=[AnswerRow(w, r, b, p) for w, r, b, p in rows],
        threshold=team.anonymity_threshold,
    )


def published_digests(*, db: Database, channel_id: str) -> list[Digest]:
    """The digest of every closed round of a team, oldest first."""
    with db.transaction() as session:
        team = team_store.team_by_channel(session, channel_id)
        if team is None:
            raise TeamNotFound()
        weeks = [r.week for r in round_store.rounds_of_team(session, team.id) if r.closed_at]
    return [build_digest(db=db, channel_id=channel_id, week=week).digest for week in weeks]
