"""Queries about answers: replacing them while a round is open, unlinking them at close."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.database import Database
from storage.models import Answer, PendingAnswer, Prompt, Round, Team
from storage.prepared import Prepared


@dataclass(frozen=True)
class AnswerTarget:
    """What deciding whether an answer may be recorded needs to know about its prompt."""

    user_id: str
    closed_at: datetime | None
    closes_at: datetime
    behaviour_ids: tuple[str, ...]


# Built once: the answer path runs these on every click, and building a statement costs
# more than running it. A click locks its round (shared: clicks don't wait for each other)
# before its prompt, the order every writer of a round's answers keeps: a round that is
# closing holds its row exclusively, so a click either commits before the close reads the
# answers or waits for it and then finds the round closed.
_ANSWER_ROUND = (
    select(Round.closed_at, Round.closes_at, Round.behaviour_ids)
    .where(
        Round.id
        == select(Prompt.round_id).where(Prompt.id == bindparam("prompt_id")).scalar_subquery()
    )
    .with_for_update(read=True)
)
_ANSWER_PROMPT = select(Prompt.user_id).where(Prompt.id == bindparam("prompt_id")).with_for_update()
# SQLite has one writer at a time and no row locks: one statement reads the same.
_ANSWER_TARGET = (
    select(Round.closed_at, Round.closes_at, Round.behaviour_ids, Prompt.user_id)
    .join(Prompt, Prompt.round_id == Round.id)
    .where(Prompt.id == bindparam("prompt_id"))
)


def _upsert(dialect: Any) -> Prepared:
    statement = (
        dialect.insert(PendingAnswer)
        .inline()
        .values(
            prompt_id=bindparam("prompt_id"),
            behaviour_id=bindparam("behaviour_id"),
            point=bindparam("point"),
        )
    )
    return Prepared(
        statement.on_conflict_do_update(
            index_elements=[PendingAnswer.prompt_id, PendingAnswer.behaviour_id],
            set_={"point": statement.excluded.point},
        )
    )


_UPSERT = {"postgresql": _upsert(postgresql), "sqlite": _upsert(sqlite)}


def lock_answer_target(connection: Connection, prompt_id: int) -> AnswerTarget | None:
    """The prompt an answer is for, with its round. On PostgreSQL the round is locked
    shared, then the prompt exclusively, so that a double click, its retry, a round
    closing and a member being forgotten settle in turn and never wait on each other in a
    circle; SQLite has one writer at a time, and reads both in one statement."""
    if connection.dialect.name == "sqlite":
        row = connection.execute(_ANSWER_TARGET, {"prompt_id": prompt_id}).first()
        if row is None or row.user_id is None:
            return None
        return AnswerTarget(row.user_id, row.closed_at, row.closes_at, tuple(row.behaviour_ids))
    round_row = connection.execute(_ANSWER_ROUND, {"prompt_id": prompt_id}).first()
    if round_row is None:
        return None
    user_id = connection.execute(_ANSWER_PROMPT, {"prompt_id": prompt_id}).scalar()
    if user_id is None:
        return None
    closed_at, closes_at, behaviour_ids = round_row
    return AnswerTarget(user_id, closed_at, closes_at, tuple(behaviour_ids))


_PROMPT_WITH_ANSWERS = (
    select(
        Prompt.user_id,
        Prompt.channel_id,
        Prompt.message_ts,
        Prompt.route,
        Round.id.label("round_id"),
        Round.week,
        Round.behaviour_ids,
        Round.closes_at,
        Round.closed_at,
        Team.id.label("team_id"),
        Team.channel_id.label("team_channel"),
        Team.anonymity_threshold.label("threshold"),
        Team.workspace_id,
        Team.channel_name,
        PendingAnswer.behaviour_id,
        PendingAnswer.point,
    )
    .join(Round, Round.id == Prompt.round_id)
    .join(Team, Team.id == Round.team_id)
    .outerjoin(PendingAnswer, PendingAnswer.prompt_id == Prompt.id)
    .where(Prompt.id == bindparam("prompt_id"))
)


@dataclass(frozen=True)
class PromptWithAnswers:
    """A prompt, its round and team, and its answers so far: what a redraw shows."""

    user_id: str
    channel_id: str | None
    message_ts: str | None
    round_id: int
    week: str
    behaviour_ids: tuple[str, ...]
    closes_at: datetime
    closed_at: datetime | None
    team_id: int
    team_channel: str
    threshold: int
    workspace_id: str
    channel_name: str | None
    answers: dict[str, int | None]
    route: str | None = None


def prompt_with_answers(db: Database, prompt_id: int) -> PromptWithAnswers | None:
    """A prompt, its round and team, and its answers so far, in one statement on the hot
    path's reading connection: a message is redrawn after every click."""
    with db.hot.reading_one() as connection:
        rows = connection.execute(_PROMPT_WITH_ANSWERS, {"prompt_id": prompt_id}).all()
    if not rows:
        return None
    first = rows[0]
    return PromptWithAnswers(
        user_id=first.user_id,
        channel_id=first.channel_id,
        message_ts=first.message_ts,
        round_id=first.round_id,
        week=first.week,
        behaviour_ids=tuple(first.behaviour_ids),
        closes_at=first.closes_at,
        closed_at=first.closed_at,
        team_id=first.team_id,
        team_channel=first.team_channel,
        threshold=first.threshold,
        workspace_id=first.workspace_id,
        channel_name=first.channel_name,
        answers={row.behaviour_id: row.point for row in rows if row.behaviour_id is not None},
        route=first.route,
    )


_PROMPT_ROUND_CLOSED = (
    select(Round.closed_at)
    .join(Prompt, Prompt.round_id == Round.id)
    .where(Prompt.id == bindparam("prompt_id"))
)


def prompt_round_closed(db: Database, prompt_id: int) -> bool:
    """Whether the prompt's round has closed, or the prompt is gone: one small read, for
    the check a redraw makes after drawing a message open."""
    with db.hot.reading_one() as connection:
        row = connection.execute(_PROMPT_ROUND_CLOSED, {"prompt_id": prompt_id}).first()
    return row is None or row.closed_at is not None


def record_pending_answer(
    db: Database,
    *,
    prompt_id: int,
    behaviour_id: str,
    point: int | None,
    admit: Callable[[AnswerTarget | None], None],
) -> None:
    """Lock the answer's round and prompt, let ``admit`` refuse it (by raising), then
    record or replace it: one transaction on the hot path's writing connection."""
    with db.hot.writing() as connection:
        admit(lock_answer_target(connection, prompt_id))
        put_pending_answer(connection, prompt_id=prompt_id, behaviour_id=behaviour_id, point=point)


def put_pending_answer(
    connection: Connection, *, prompt_id: int, behaviour_id: str, point: int | None
) -> None:
    """Record or replace a member's answer to one question, in one statement."""
    _UPSERT[connection.dialect.name].execute(
        connection, {"prompt_id": prompt_id, "behaviour_id": behaviour_id, "point": point}
    )


def unlink_answers(
    session: Session, round_ids: Collection[int], organisations: Mapping[int, str] | None = None
) -> int:
    """Move closing rounds' answers out of reach of the people who gave them.

    Each respondent gets a number drawn at random for their round only, and rows are
    written in a shuffled order (all the rounds' rows together), so neither the number nor
    the row id leads back to a prompt. A prompt's answers carry its ``organisations``
    entry, where it has one (only organisations big enough to hide in: storage.closing).
    The linked rows are deleted. A few statements however many rounds close together.
    """
    named = organisations or {}
    rows = session.execute(
        select(
            Prompt.round_id,
            PendingAnswer.prompt_id,
            PendingAnswer.behaviour_id,
            PendingAnswer.point,
        )
        .join(Prompt, Prompt.id == PendingAnswer.prompt_id)
        .where(Prompt.round_id.in_(round_ids))
    ).all()
    respondent = _respondent_numbers({(round_id, prompt_id) for round_id, prompt_id, _, _ in rows})
    unlinked = [
        {
            "round_id": round_id,
            "respondent": respondent[p],
            "behaviour_id": b,
            "point": point,
            "organisation": named.get(p),
        }
        for round_id, p, b, point in rows
    ]
    secrets.SystemRandom().shuffle(unlinked)
    if unlinked:
        session.execute(insert(Answer), unlinked)
        session.execute(
            delete(PendingAnswer)
            .where(
                PendingAnswer.prompt_id.in_(select(Prompt.id).where(Prompt.round_id.in_(round_ids)))
            )
            .execution_options(synchronize_session=False)
        )
    return len(unlinked)


def rounds_with_answers(session: Session, round_ids: Collection[int]) -> list[tuple[int, int]]:
    """(round, team) for those of these rounds that hold answers not yet unlinked."""
    rows = session.execute(
        select(Round.id, Round.team_id)
        .where(
            Round.id.in_(round_ids),
            select(PendingAnswer.prompt_id)
            .join(Prompt, Prompt.id == PendingAnswer.prompt_id)
            .where(Prompt.round_id == Round.id)
            .exists(),
        )
        .order_by(Round.id)
    )
    return [(round_id, team_id) for round_id, team_id in rows]


def _respondent_numbers(prompts: set[tuple[int, int]]) -> dict[int, int]:
    """Per round, its answering prompts numbered 1..n in a random order, by prompt id."""
    by_round: dict[int, list[int]] = {}
    for round_id, prompt_id in prompts:
        by_round.setdefault(round_id, []).append(prompt_id)
    numbers: dict[int, int] = {}
    for prompt_ids in by_round.values():
        drawn = list(range(1, len(prompt_ids) + 1))
        secrets.SystemRandom().shuffle(drawn)
        numbers.update(zip(prompt_ids, drawn, strict=True))
    return numbers


def team_answers(
    session: Session, *, team_id: int, up_to_week: str, weeks: Sequence[str] | None = None
) -> Sequence[tuple[str, str, str, int | None]]:
    """(week, respondent, behaviour, point) for every answer of a team up to a week, or only
    for the given ``weeks`` (a summary reads its weeks, not the whole history).

    Closed rounds give their unlinked numbers; an open round gives opaque prompt keys, so
    its figures can be shown "so far" without naming anyone.
    """
    chosen = [Round.team_id == team_id, Round.week <= up_to_week]
    if weeks is not None:
        chosen.append(Round.week.in_(weeks))
    closed = session.execute(
        select(Round.week, Answer.respondent, Answer.behaviour_id, Answer.point)
        .join(Round, Round.id == Answer.round_id)
        .where(*chosen)
    ).all()
    # Only open rounds' answers are linked; a closed round's count only once, unlinked.
    open_ = session.execute(
        select(Round.week, PendingAnswer.prompt_id, PendingAnswer.behaviour_id, PendingAnswer.point)
        .join(Prompt, Prompt.id == PendingAnswer.prompt_id)
        .join(Round, Round.id == Prompt.round_id)
        .where(*chosen, Round.closed_at.is_(None))
    ).all()
    return [(w, f"c{r}", b, p) for w, r, b, p in closed] + [
        (w, f"o{r}", b, p) for w, r, b, p in open_
    ]
