"""Many digests built together are the digests built one by one, on SQLite and PostgreSQL.

The schedule builds every closed round's digest from a few queries for all the teams. Each
must equal what the pandas version made of the team's own answers: with suppressed
behaviours and weeks, "didn't come up" answers, archived figures whose raw answers are
gone, and a round still open.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from bench.history import LAST_WEEK, LONG_TEAM, SHAPES, write_history
from services import digests as digest_service
from services.privacy import purge_expired_answers
from storage import answers as answer_store
from storage import privacy as privacy_store
from storage import rounds as round_store
from storage import teams as team_store
from storage.database import Database
from storage.models import Answer, ArchivedFigure, PendingAnswer, Prompt, Round, Team
from surveys.digest import INDEX, AnswerRow, Digest, RoundFacts
from surveys.digest import ArchivedFigure as Kept
from surveys.weeks import parse_week
from tests import reference_digest

OPEN_WEEK = str(parse_week(LAST_WEEK).shifted(1))


def _pandas_digest(db: Database, channel: str, week: str) -> Digest:
    """The digest as the service used to build it: one team, read on its own."""
    with db.transaction() as session:
        team = team_store.team_by_channel(session, channel)
        assert team is not None
        rows = answer_store.team_answers(session, team_id=team.id, up_to_week=week)
        rounds = [
            RoundFacts(r.week, tuple(r.behaviour_ids), r.invited)
            for r in round_store.rounds_of_team(session, team.id)
        ]
        kept = privacy_store.archived_figures(session, team.id)
    return reference_digest.compute_digest(
        team=team.channel_id,
        week=week,
        answers=[AnswerRow(w, r, b, p) for w, r, b, p in rows],
        rounds=rounds,
        threshold=team.anonymity_threshold,
        archived=[Kept(w, f, s) for w, f, s in kept],
    )


def _vary(db: Database, channels: tuple[str, ...]) -> None:
    """Thresholds of 3, 5 and 7; answers dropped here and there; two weeks archived and
    purged; and a round still open with some answers so far."""
    rng = random.Random(3)
    now = datetime(2025, 12, 20, tzinfo=UTC)
    with db.transaction() as session:
        teams = {t.channel_id: t for t in session.scalars(select(Team))}
        for channel, threshold in zip(channels, (3, 5, 7), strict=False):
            teams[channel].anonymity_threshold = threshold
        ids = list(session.scalars(select(Answer.id).order_by(Answer.id)))
        dropped = rng.sample(ids, len(ids) // 4)
        session.execute(delete(Answer).where(Answer.id.in_(dropped)))
        second = teams[channels[1]]
        old = list(
            session.scalars(select(Round).where(Round.team_id == second.id).order_by(Round.week))
        )[:2]
        for round_ in old:
            for figure, score in ((INDEX, 0.25), (round_.behaviour_ids[0], -0.5)):
                session.add(
                    ArchivedFigure(
                        team_id=second.id, week=round_.week, figure=figure, n=6, score=score
                    )
                )
        session.execute(delete(Answer).where(Answer.round_id.in_([r.id for r in old])))
        first = teams[channels[0]]
        open_round = Round(
            team_id=first.id,
            week=OPEN_WEEK,
            behaviour_ids=["talk-of-us", "report-honestly", "be-positive-about-change"],
            opened_at=now,
            closes_at=now + timedelta(days=3),
            invited=6,
        )
        session.add(open_round)
        session.flush()
        session.execute(update(Round).where(Round.id == open_round.id).values(closed_at=None))
        for n in range(5):
            prompt = Prompt(round_id=open_round.id, user_id=f"U{n}", state="sent", due_at=now)
            session.add(prompt)
            session.flush()
            for behaviour in open_round.behaviour_ids:
                point = None if rng.random() < 0.1 else rng.randint(1, 5)
                session.add(PendingAnswer(prompt_id=prompt.id, behaviour_id=behaviour, point=point))


@pytest.fixture
def history_db(database_url: str) -> tuple[Database, tuple[str, ...]]:
    history = write_history(database_url, SHAPES["smoke"])
    db = Database.from_url(database_url)
    _vary(db, history.channels)
    return db, (*history.channels, LONG_TEAM)


def test_digests_built_together_equal_the_pandas_digests_of_each_team(
    history_db: tuple[Database, tuple[str, ...]],
) -> None:
    db, channels = history_db
    weeks = [str(parse_week(OPEN_WEEK).shifted(-i)) for i in range(10)]
    wanted = {channel: weeks for channel in channels}
    built = digest_service.build_digests(db=db, weeks_by_channel=wanted)
    assert len(built) == len(channels) * len(weeks)
    for channel in channels:
        for week in weeks:
            expected = _pandas_digest(db, channel, week)
            assert built[channel, week].digest == expected, (channel, week)
            one = digest_service.build_digest(db=db, channel_id=channel, week=week)
            assert one == built[channel, week]


def test_published_digests_are_every_closed_week_in_order(
    history_db: tuple[Database, tuple[str, ...]],
) -> None:
    db, channels = history_db
    digests = digest_service.published_digests(db=db, channel_id=channels[0])
    assert [d.week for d in digests] == sorted(d.week for d in digests)
    assert OPEN_WEEK not in [d.week for d in digests]
    for digest in digests:
        assert digest == _pandas_digest(db, channels[0], digest.week)


def test_a_channel_that_is_no_team_is_left_out(
    history_db: tuple[Database, tuple[str, ...]],
) -> None:
    db, channels = history_db
    built = digest_service.build_digests(
        db=db, weeks_by_channel={channels[0]: [LAST_WEEK], "CNOTATEAM": [LAST_WEEK]}
    )
    assert list(built) == [(channels[0], LAST_WEEK)]


def test_teams_read_a_few_at_a_time_give_the_same_digests(
    history_db: tuple[Database, tuple[str, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, channels = history_db
    wanted = {channel: [LAST_WEEK, OPEN_WEEK] for channel in channels}
    together = digest_service.build_digests(db=db, weeks_by_channel=wanted)
    monkeypatch.setattr(digest_service, "TEAMS_PER_READ", 1)
    one_by_one = digest_service.build_digests(db=db, weeks_by_channel=wanted)
    assert one_by_one == together
    assert len(together) == 2 * len(channels)


def test_digests_come_in_batches_of_a_few_teams_so_memory_stays_level(
    history_db: tuple[Database, tuple[str, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, channels = history_db
    wanted = {channel: [LAST_WEEK] for channel in channels}
    together = digest_service.build_digests(db=db, weeks_by_channel=wanted)
    monkeypatch.setattr(digest_service, "TEAMS_PER_READ", 2)
    batches = list(digest_service.digest_batches(db=db, weeks_by_channel=wanted))
    assert len(batches) == (len(channels) + 1) // 2
    assert all(len({channel for channel, _ in batch}) <= 2 for batch in batches)
    assert {key: bundle for batch in batches for key, bundle in batch.items()} == together


def test_the_retention_purge_archives_what_each_purged_week_published(
    history_db: tuple[Database, tuple[str, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Weeks purged together, many teams a read, keep exactly the figures they published;
    every other week keeps its answers."""
    db, _ = history_db
    monkeypatch.setattr(digest_service, "TEAMS_PER_READ", 2)
    with db.transaction() as session:
        teams = {t.id: t.channel_id for t in session.scalars(select(Team))}
        rounds = session.execute(
            select(Round.id, Round.team_id, Round.week, Round.closed_at).where(
                Round.closed_at.is_not(None)
            )
        ).all()
        answers_before = dict(
            session.execute(select(Answer.round_id, func.count()).group_by(Answer.round_id)).all()
        )
    closings = sorted({r.closed_at for r in rounds})
    cutoff = closings[len(closings) // 2]
    purged = [r for r in rounds if r.closed_at < cutoff and answers_before.get(r.id)]
    purged_ids = {r.id for r in purged}
    wanted: dict[str, list[str]] = {}
    for r in purged:
        wanted.setdefault(teams[r.team_id], []).append(r.week)
    published = digest_service.build_digests(db=db, weeks_by_channel=wanted)

    count = purge_expired_answers(db=db, now=cutoff + timedelta(days=730), retention_days=730)

    assert count == sum(answers_before[r.id] for r in purged)
    with db.transaction() as session:
        answers_after = dict(
            session.execute(select(Answer.round_id, func.count()).group_by(Answer.round_id)).all()
        )
        kept = session.execute(
            select(ArchivedFigure.team_id, ArchivedFigure.week, ArchivedFigure.figure).where(
                ArchivedFigure.week.in_({r.week for r in purged})
            )
        ).all()
    assert answers_after == {r: n for r, n in answers_before.items() if r not in purged_ids}
    for r in purged:
        digest = published[teams[r.team_id], r.week].digest
        figures = [(INDEX, digest.index)] + [(b.behaviour.id, b.figure) for b in digest.asked]
        expected = {name for name, f in figures if not f.suppressed and f.score is not None}
        archived = {figure for team, week, figure in kept if (team, week) == (r.team_id, r.week)}
        assert archived == expected, (teams[r.team_id], r.week)
