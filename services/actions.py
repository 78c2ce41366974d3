"""Agreed actions: agreed by a team's managers in a modal, told to their owner, asked about
in their review week, and marked done or dropped.

Every change is checked here, not only where the button or modal was drawn: a button may
be old, altered, or clicked by someone who is no manager.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from services.errors import NotAManager, PulseError
from services.lookup import team_of_channel
from services.slack_ids import is_user_id
from storage import actions as action_store
from storage import rounds as round_store
from storage import teams as team_store
from storage.database import Database, UnitOfWork
from storage.records import AgreedActionRecord, TeamRecord
from surveys.actions import (
    MAX_TEXT,
    AgreedAction,
    OwnerReport,
    review_weeks,
    suggestion,
)
from surveys.behaviours import is_behaviour
from surveys.weeks import BadWeek, parse_week, week_of

MAX_ACTION_ID = 2**31 - 1


class ActionNotFound(PulseError):
    reply = "That action could not be found: it may have been made in another workspace."


class ActionClosed(PulseError):
    reply = "That action is already closed, so nothing was changed."


class NotTheOwner(PulseError):
    reply = "Only the action's owner can say whether it was done."


class InvalidAction(PulseError):
    """One or more fields of the modal are wrong; ``problems`` says what, field by field."""

    reply = "The action needs another look."

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__()
        self.problems = problems


@dataclass(frozen=True)
class ActionForm:
    """The modal as submitted: unchecked ids and text."""

    behaviour_id: str | None
    suggestion: str | None
    own_words: str | None
    owner: str | None
    review_week: str | None


@dataclass(frozen=True)
class ModalStart:
    """What the modal opens with: the team, a behaviour if known, the weeks to pick from."""

    channel_id: str
    workspace_id: str
    behaviour_id: str | None
    review_weeks: tuple[str, ...]


@dataclass(frozen=True)
class TeamAction:
    """An action with the team it belongs to, for messages and App Home."""

    action: AgreedAction
    channel_id: str
    channel_name: str | None
    workspace_id: str
    agreed_by: str | None = None


def _managed(session: UnitOfWork, workspace_id: str, channel_id: str, user_id: str) -> TeamRecord:
    team = team_of_channel(session, channel_id, workspace_id)
    if not team_store.is_manager(session, team_id=team.id, user_id=user_id):
        raise NotAManager()
    return team


def modal_start(
    *,
    db: Database,
    workspace_id: str,
    channel_id: str,
    user_id: str,
    behaviour_id: str | None,
    now: datetime,
) -> ModalStart:
    """What a manager's modal opens with (NotAManager for anyone else)."""
    with db.transaction() as session:
        _managed(session, workspace_id, channel_id, user_id)
    return ModalStart(
        channel_id=channel_id,
        workspace_id=workspace_id,
        behaviour_id=behaviour_id if behaviour_id and is_behaviour(behaviour_id) else None,
        review_weeks=tuple(str(w) for w in review_weeks(week_of(now))),
    )


@dataclass(frozen=True)
class _Checked:
    behaviour_id: str
    suggestion: str | None
    text: str
    owner: str
    review_week: str


def check_form(form: ActionForm, *, now: datetime) -> _Checked:
    """The action a form asks for, or InvalidAction naming every wrong field."""
    problems: dict[str, str] = {}
    behaviour_id = form.behaviour_id or ""
    if not is_behaviour(behaviour_id):
        problems["behaviour"] = "Pick the behaviour the action is about."
    chosen = suggestion(form.suggestion) if form.suggestion else None
    words = " ".join((form.own_words or "").split())
    if form.suggestion and chosen is None:
        problems["suggestion"] = "Pick one of the briefing's actions from the list."
    elif chosen and words:
        problems["own_words"] = "Pick a suggested action or write your own, not both."
    elif not chosen and not words:
        problems["suggestion"] = "Pick one of the briefing's actions, or write your own below."
    elif len(words) > MAX_TEXT:
        problems["own_words"] = f"Keep the action to {MAX_TEXT} characters."
    owner = form.owner or ""
    if not is_user_id(owner):
        problems["owner"] = "Pick the person who will own the action."
    allowed = {str(w) for w in review_weeks(week_of(now))}
    try:
        review = str(parse_week(form.review_week or ""))
    except BadWeek:
        review = ""
    if review not in allowed:
        problems["review_week"] = "Pick a review week from two to eight weeks ahead."
    if problems:
        raise InvalidAction(problems)
    return _Checked(
        behaviour_id=behaviour_id,
        suggestion=chosen.key if chosen else None,
        text=chosen.text if chosen else words,
        owner=owner,
        review_week=review,
    )


def agree_action(
    *,
    db: Database,
    workspace_id: str,
    channel_id: str,
    user_id: str,
    form: ActionForm,
    now: datetime,
) -> TeamAction:
    """Check the form and store the action; the manager is checked again (they may have
    stopped being one while the modal was open)."""
    checked = check_form(form, now=now)
    with db.transaction() as session:
        team = _managed(session, workspace_id, channel_id, user_id)
        closed = [r.week for r in round_store.rounds_of_team(session, team.id) if r.closed_at]
        row = action_store.add_action(
            session,
            team_id=team.id,
            behaviour_id=checked.behaviour_id,
            suggestion=checked.suggestion,
            text=checked.text,
            owner_id=checked.owner,
            agreed_by=user_id,
            agreed_at=now,
            agreed_week=str(week_of(now)),
            baseline_week=closed[-1] if closed else None,
            review_week=checked.review_week,
        )
        return _team_action(row, team)


def _team_action(row: AgreedActionRecord, team: TeamRecord) -> TeamAction:
    return TeamAction(
        action=action_store.as_action(row),
        channel_id=team.channel_id,
        channel_name=team.channel_name,
        workspace_id=team.workspace_id,
        agreed_by=row.agreed_by,
    )


def _action_in(
    session: UnitOfWork, workspace_id: str, action_id: int
) -> tuple[AgreedActionRecord, TeamRecord]:
    """An action of a team in this workspace; ActionNotFound for any other id."""
    if not 0 < action_id <= MAX_ACTION_ID:
        raise ActionNotFound()
    row = action_store.action_by_id(session, action_id)
    team = team_store.team_by_id(session, row.team_id) if row else None
    if row is None or team is None or team.workspace_id != workspace_id:
        raise ActionNotFound()
    return row, team


def close_action(
    *,
    db: Database,
    workspace_id: str,
    user_id: str,
    action_id: int,
    status: Literal["done", "dropped"],
    now: datetime,
) -> TeamAction:
    """A manager marks an open action done or dropped; it stays in the team's history."""
    with db.transaction() as session:
        row, team = _action_in(session, workspace_id, action_id)
        if not team_store.is_manager(session, team_id=team.id, user_id=user_id):
            raise NotAManager()
        if row.status != "open":
            raise ActionClosed()
        return _team_action(action_store.close_action(session, row.id, status, now), team)


def report_by_owner(
    *, db: Database, workspace_id: str, user_id: str, action_id: int, report: OwnerReport
) -> TeamAction:
    """The owner says whether the action was done; a later answer replaces an earlier one."""
    with db.transaction() as session:
        row, team = _action_in(session, workspace_id, action_id)
        if row.owner_id != user_id:
            raise NotTheOwner()
        if row.status != "open":
            raise ActionClosed()
        return _team_action(action_store.set_owner_report(session, row.id, report), team)


def _claim(db: Database, rows_of: str, column: str, now: datetime) -> list[TeamAction]:
    claimed = []
    with db.transaction() as session:
        rows = (
            action_store.untold_owners(session)
            if rows_of == "untold"
            else action_store.reviews_to_ask(session)
        )
        for row in rows:
            team = team_store.team_by_id(session, row.team_id)
            if team is not None and action_store.claim(session, row.id, column, now):
                claimed.append(_team_action(row, team))
    return claimed


def claim_owner_notices(*, db: Database, now: datetime) -> list[TeamAction]:
    """Actions whose owner is still to be told, each claimed by this process only."""
    return _claim(db, "untold", "owner_told_at", now)


def claim_review_asks(*, db: Database, now: datetime) -> list[TeamAction]:
    """Actions whose review week has come, their owner still to be asked; claimed."""
    return _claim(db, "reviews", "review_asked_at", now)


def release_claim(*, db: Database, action_id: int, column: str) -> None:
    """A message that could not be sent is tried again on a later tick."""
    with db.transaction() as session:
        action_store.release(session, action_id, column)


def team_actions(*, db: Database, channel_id: str) -> list[AgreedAction]:
    """Every action a team has agreed, open or closed, oldest first (for the export)."""
    with db.transaction() as session:
        team = team_of_channel(session, channel_id)
        return action_store.actions_of_teams(session, [team.id]).get(team.id, [])


def open_actions_for(session: UnitOfWork, teams: Sequence[TeamRecord]) -> list[TeamAction]:
    """The open actions of some teams, for App Home."""
    by_team = action_store.actions_of_teams(session, [t.id for t in teams])
    return [
        TeamAction(a, t.channel_id, t.channel_name, t.workspace_id)
        for t in teams
        for a in by_team.get(t.id, [])
        if a.status == "open"
    ]
