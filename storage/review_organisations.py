"""The organisation a closed review's answers count in: the name each partner's answers
keep at close (only where it keeps them hidden, as for a pulse round's answers in
storage/closing.py), and the closed answers read back by it.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import organisations as organisation_store
from storage import teams as team_store
from storage.models import Review, ReviewAnswer, ReviewPrompt
from surveys.anonymity import kept_organisation_labels
from surveys.organisations import OTHER_PARTNERS


def closing_labels(session: Session, review_id: int, prompt_ids: list[int]) -> dict[int, str]:
    """The organisation each answering partner's answers may carry once unlinked: only the
    names `kept_organisation_labels` keeps at the review's threshold (or the team's, if it
    has been raised since); the others' carry none."""
    review = session.get(Review, review_id)
    team = team_store.team_by_id(session, review.team_id) if review is not None else None
    if review is None or team is None or not prompt_ids:
        return {}
    users: dict[int, str] = {
        prompt_id: user_id
        for prompt_id, user_id in session.execute(
            select(ReviewPrompt.id, ReviewPrompt.user_id).where(ReviewPrompt.id.in_(prompt_ids))
        )
    }
    by_user = organisation_store.organisations_of(session, team, sorted(set(users.values())))
    by_prompt = {prompt_id: by_user[user_id] for prompt_id, user_id in users.items()}
    threshold = max(review.threshold, team.anonymity_threshold)
    kept = kept_organisation_labels(Counter(by_prompt.values()), threshold)
    return {prompt_id: name for prompt_id, name in by_prompt.items() if name in kept}


def answers_by_organisation(
    session: Session, review_id: int | None
) -> dict[str, dict[str, list[int | None]]]:
    """A closed review's partner answers by the organisation name they kept ("Other
    partners" for those that kept none), then by question. Empty while the review is open:
    its answers are not unlinked yet, and carry no organisation."""
    if review_id is None:
        return {}
    rows = session.execute(
        select(ReviewAnswer.organisation, ReviewAnswer.question_id, ReviewAnswer.level).where(
            ReviewAnswer.review_id == review_id, ReviewAnswer.peer.is_(False)
        )
    ).all()
    grouped: dict[str, dict[str, list[int | None]]] = {}
    for organisation, question, level in rows:
        group = organisation or OTHER_PARTNERS
        grouped.setdefault(group, {}).setdefault(question, []).append(level)
    return grouped
