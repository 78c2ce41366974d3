"""Queries about answers: replacing them while a round is open, unlinking them at close."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.models import Answer, PendingAnswer, Prompt, Round


def put_pending_answer(
    session: Session, *, prompt_id: int, behaviour_id: str, point: int | None
) -> None:
    """Record or replace a member's answer to one question (the prompt row is locked)."""
    existing = session.scalars(
        select(PendingAnswer).where(
            PendingAnswer.prompt_id == prompt_id, PendingAnswer.behaviour_id == behaviour_id
        )
    ).first()
    if existing is None:
        session.add(PendingAnswer(prompt_id=prompt_id, behaviour_id=behaviour_id, point=point))
    else:
        existing.point = point
    session.flush()


def unlink_answers(session: Session, round_id: int) -> int:
    """Move a closing round's answers out of reach of the people who gave them.

    Each respondent gets a number drawn at random for this round only, and rows are
    written in a shuffled order, so neither the number nor the row id leads back to a
    prompt. The linked rows are then deleted.
    """
    rows = session.execute(
        select(PendingAnswer.prompt_id, PendingAnswer.behaviour_id, PendingAnswer.point)
        .join(Prompt, Prompt.id == PendingAnswer.prompt_id)
        .where(Prompt.round_id == round_id)
    ).all()
    prompt_ids = list({prompt_id for prompt_id, _, _ in rows})
    numbers = list(range(1, len(prompt_ids) + 1))
    secrets.SystemRandom().shuffle(numbers)
    respondent = dict(zip(prompt_ids, numbers, strict=True))
    unlinked = [
        Answer(round_id=round_id, respondent=respondent[p], behaviour_id=b, point=point)
        for p, b, point in rows
    ]
    secrets.SystemRandom().shuffle(unlinked)
    session.add_all(unlinked)
    session.execute(
        delete(PendingAnswer).where(
            PendingAnswer.prompt_id.in_(select(Prompt.id).where(Prompt.round_id == round_id))
        )
    )
    session.flush()
    return len(unlinked)


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
    open_ = session.execute(
        select(Round.week, PendingAnswer.prompt_id, PendingAnswer.behaviour_id, PendingAnswer.point)
        .join(Prompt, Prompt.id == PendingAnswer.prompt_id)
        .join(Round, Round.id == Prompt.round_id)
        .where(*chosen)
    ).all()
    return [(w, f"c{r}", b, p) for w, r, b, p in closed] + [
        (w, f"o{r}", b, p) for w, r, b, p in open_
    ]
