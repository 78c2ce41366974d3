"""Recording a member's answer, and refusing every answer that does not belong."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.errors import InvalidAnswer, NotYourPrompt, PromptNotFound, RoundClosed
from services.rounds import RoundInfo, round_info
from storage import answers as answer_store
from storage import rounds as round_store
from storage import teams as team_store
from storage.answers import AnswerTarget
from storage.database import Database, UnitOfWork
from storage.records import PromptRecord, RoundRecord, TeamRecord
from surveys.scale import is_point


@dataclass(frozen=True)
class PromptState:
    """A member's prompt with their answers so far, for redrawing the message."""

    prompt_id: int
    user_id: str
    round: RoundInfo
    answers: dict[str, int | None]
    channel_id: str | None
    message_ts: str | None
    # "ephemeral": the prompt is an ephemeral message in the team channel (Slack refused
    # the DM), redrawn only through a click's response_url.
    route: str | None = None


def record_answer(
    *,
    db: Database,
    prompt_id: int,
    user_id: str,
    behaviour_id: str,
    point: int | None,
    now: datetime,
) -> None:
    """Store (or replace) one answer; ``point`` None means "didn't come up"."""
    if point is not None and not is_point(point):
        raise InvalidAnswer()

    def admit(target: AnswerTarget | None) -> None:
        if target is None:
            raise PromptNotFound()
        if target.user_id != user_id:
            raise NotYourPrompt()
        if target.closed_at is not None or target.closes_at <= now:
            raise RoundClosed()
        if behaviour_id not in target.behaviour_ids:
            raise InvalidAnswer()

    answer_store.record_pending_answer(
        db, prompt_id=prompt_id, behaviour_id=behaviour_id, point=point, admit=admit
    )


def prompt_state(*, db: Database, prompt_id: int) -> PromptState | None:
    """A prompt with its answers so far."""
    found = answer_store.prompt_with_answers(db, prompt_id)
    if found is None:
        return None
    round_ = RoundInfo(
        id=found.round_id,
        team_id=found.team_id,
        channel_id=found.team_channel,
        week=found.week,
        behaviour_ids=found.behaviour_ids,
        closes_at=found.closes_at,
        closed=found.closed_at is not None,
        threshold=found.threshold,
        workspace_id=found.workspace_id,
        channel_name=found.channel_name,
    )
    return PromptState(
        prompt_id,
        found.user_id,
        round_,
        found.answers,
        found.channel_id,
        found.message_ts,
        found.route,
    )


def closed_since(*, db: Database, prompt_id: int) -> bool:
    """Whether the prompt's round has closed (or the prompt is gone) by now: what a redraw
    that drew the message open checks afterwards, as a close may have redrawn it first."""
    return answer_store.prompt_round_closed(db, prompt_id)


def open_prompts_of(*, db: Database, workspace_id: str, user_id: str) -> list[PromptState]:
    """A member's prompts in rounds that are still open (for App Home)."""
    with db.transaction() as session:
        states = []
        for team in team_store.teams_of_user(session, workspace_id=workspace_id, user_id=user_id):
            for round_ in round_store.open_rounds(session, team_id=team.id):
                prompt = round_store.prompt_of_user(session, round_id=round_.id, user_id=user_id)
                if prompt is not None and prompt.state == "sent":
                    states.append(_state(session, prompt, round_, team))
        return states


def _state(
    session: UnitOfWork, prompt: PromptRecord, round_: RoundRecord, team: TeamRecord
) -> PromptState:
    return PromptState(
        prompt_id=prompt.id,
        user_id=prompt.user_id,
        round=round_info(round_, team),
        answers=round_store.pending_answers_of(session, prompt.id),
        channel_id=prompt.channel_id,
        message_ts=prompt.message_ts,
    )
