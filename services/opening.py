"""Opening every round the schedule found due, many teams in a few statements.

When a thousand teams share a pulse time, opening their rounds one transaction at a time
(and reading each team's members apart) would hold the fan-out back until the last team was
open. Here the rounds and their prompts are written for a batch of teams at once, from the
members the bot knows, exactly as `services.rounds.open_round` writes one team's; a batch
that meets a round opened meanwhile (by `/pulse send`, or another process) falls back on
`open_round` team by team, which finds each round and adds only the prompts it lacks.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from services.rounds import RoundInfo, open_round
from services.schedule import DueRound
from storage import actions as action_store
from storage import opening as opening_store
from storage import schedule as schedule_store
from storage.database import Database
from storage.opening import NewRound
from storage.schedule import ScheduledTeam
from surveys.actions import with_reviewed
from surveys.rotation import behaviours_for_week
from surveys.schedule import round_closes_at, slot_in_week, zone
from surveys.weeks import parse_week

log = logging.getLogger(__name__)

BATCH = 250
"""Teams opened in one transaction: a few statements for all of them."""


def open_due_rounds(
    *, db: Database, due: Sequence[DueRound], now: datetime, marking_secret: bytes = b""
) -> list[RoundInfo]:
    """Open the scheduled rounds of these teams, their prompts queued; the rounds opened."""
    opened: list[RoundInfo] = []
    for start in range(0, len(due), BATCH):
        batch = due[start : start + BATCH]
        try:
            opened += _open_batch(db, batch, now)
        except Exception as error:
            log.warning(
                "due rounds could not be opened together (%s); each is opened on its own",
                type(error).__name__,
            )
            opened += _one_by_one(db, batch, now, marking_secret)
    return opened


def _one_by_one(
    db: Database, due: Sequence[DueRound], now: datetime, secret: bytes
) -> list[RoundInfo]:
    opened = []
    for item in due:
        try:
            opened.append(
                open_round(
                    db=db,
                    channel_id=item.channel_id,
                    week=item.week,
                    now=now,
                    scheduled=True,
                    marking_secret=secret,
                )
            )
        except Exception:
            log.exception("could not open the round for a team")
    return opened


def _open_batch(db: Database, due: Sequence[DueRound], now: datetime) -> list[RoundInfo]:
    """A few statements for the whole batch: its teams, their reviewed behaviours and
    members' zones read, the rounds inserted (their ids returned), every member's prompt
    written by one INSERT … SELECT per due time, and the teams' next moments moved on."""
    with db.transaction() as session:
        teams = schedule_store.scheduled_teams(session, [item.team_id for item in due])
        weeks = {item.team_id: item.week for item in due}
        reviewed = action_store.reviewed_behaviours_of(session, weeks)
        new = [
            _new_round(teams[team_id], week, reviewed[team_id], now)
            for team_id, week in weeks.items()
        ]
        ids = opening_store.add_rounds(session, new)
        zones = schedule_store.member_zones(session, list(teams.values()))
        opening_store.queue_members_prompts(
            session,
            {
                ids[team_id]: {z: _due_at(teams[team_id], week, z) for z in zones[team_id]}
                for team_id, week in weeks.items()
            },
        )
        opening_store.move_next_pulses(session, _moves(due, weeks))
        return [_info(teams[r.team_id], ids[r.team_id], r) for r in new]


def _moves(due: Sequence[DueRound], weeks: dict[int, str]) -> list[tuple[int, datetime, datetime]]:
    """Each opened team's next moment, where the schedule worked it out: the round it was
    waiting for is open now, so the next tick need not work it out again."""
    return [
        (item.team_id, item.stored, item.then)
        for item in due
        if item.stored is not None and item.then is not None and weeks[item.team_id] == item.week
    ]


def _new_round(team: ScheduledTeam, week: str, reviewed: list[str], now: datetime) -> NewRound:
    """The round `services.rounds.open_round` would add for the team."""
    return NewRound(
        team_id=team.id,
        week=week,
        behaviour_ids=with_reviewed(
            behaviours_for_week(
                parse_week(week), questions_per_week=team.questions_per_week, seed=team.channel_id
            ),
            reviewed,
        ),
        opened_at=now,
        closes_at=_closes_at(
            now, team.round_days, team.close_weekday, team.close_time, team.timezone
        ),
    )


@lru_cache(maxsize=1024)
def _closes_at(
    now: datetime, round_days: int, close_weekday: int, close_clock: str, timezone: str
) -> datetime:
    """Worked out once for the many teams opened together that close alike."""
    return round_closes_at(
        now,
        round_days=round_days,
        close_weekday=close_weekday,
        close_clock=close_clock,
        tz=zone(timezone),
    )


def _due_at(team: ScheduledTeam, week: str, member_zone: str | None) -> datetime:
    """A scheduled prompt is due at the team's pulse time in the member's own zone."""
    return _slot(week, team.pulse_weekday, team.pulse_time, member_zone, team.timezone)


@lru_cache(maxsize=4096)
def _slot(week: str, weekday: int, clock: str, member_zone: str | None, team_zone: str) -> datetime:
    """Worked out once for the many teams that share a pulse time and zone."""
    tz = zone(member_zone, team_zone)
    return slot_in_week(parse_week(week), weekday=weekday, clock=clock, tz=tz)


def _info(team: ScheduledTeam, round_id: int, new: NewRound) -> RoundInfo:
    return RoundInfo(
        id=round_id,
        team_id=team.id,
        channel_id=team.channel_id,
        week=new.week,
        behaviour_ids=tuple(new.behaviour_ids),
        closes_at=new.closes_at,
        closed=False,
        threshold=team.anonymity_threshold,
        workspace_id=team.workspace_id,
        channel_name=team.channel_name,
    )
