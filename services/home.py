"""What a member's App Home shows: their open pulse, their teams' published figures."""

from __future__ import annotations

from dataclasses import dataclass

from services.actions import TeamAction, open_actions_for
from services.answers import PromptState, open_prompts_of
from services.digests import build_digests
from storage import organisations as organisation_store
from storage import rounds as round_store
from storage import teams as team_store
from storage.database import Database
from surveys.digest import Digest


@dataclass(frozen=True)
class HomeState:
    """Everything App Home needs for one member."""

    open_prompts: list[PromptState]
    digests: list[Digest]
    opted_out: bool
    managed_channels: tuple[str, ...] = ()
    actions: tuple[TeamAction, ...] = ()  # open agreed actions of the member's teams
    organisations: tuple[tuple[str, str], ...] = ()  # (team channel, where they are counted)


def _latest_closed_weeks(db: Database, workspace_id: str, user_id: str) -> list[tuple[str, str]]:
    with db.transaction() as session:
        found = []
        for team in team_store.teams_of_user(session, workspace_id=workspace_id, user_id=user_id):
            closed = [r for r in round_store.rounds_of_team(session, team.id) if r.closed_at]
            if closed:
                found.append((team.channel_id, closed[-1].week))
        return found


def home_for(*, db: Database, workspace_id: str, user_id: str) -> HomeState:
    """A member's App Home state; figures are the published digests of closed rounds only."""
    latest = _latest_closed_weeks(db, workspace_id, user_id)
    built = build_digests(db=db, weeks_by_channel={channel: [week] for channel, week in latest})
    digests = [built[key].digest for key in latest if key in built]
    with db.transaction() as session:
        opted_out = team_store.is_opted_out(session, workspace_id=workspace_id, user_id=user_id)
        managed = team_store.managed_teams(session, workspace_id=workspace_id, user_id=user_id)
        managed_channels = tuple(team.channel_id for team in managed)
        mine = team_store.teams_of_user(session, workspace_id=workspace_id, user_id=user_id)
        teams = {t.id: t for t in (*mine, *managed)}
        actions = tuple(open_actions_for(session, list(teams.values())))
        counted_in = tuple(
            (t.channel_id, organisation_store.organisations_of(session, t, [user_id])[user_id])
            for t in mine
        )
    return HomeState(
        open_prompts=open_prompts_of(db=db, workspace_id=workspace_id, user_id=user_id),
        digests=digests,
        opted_out=opted_out,
        managed_channels=managed_channels,
        actions=actions,
        organisations=counted_in,
    )
