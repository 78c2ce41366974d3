"""The tick reads only the teams and rounds whose moment has come: each team's next pulse
moment and each open round's reminder moment are stored, and every change they depend on
(settings, members and their zones, opt-outs) makes them be worked out again, so nothing is
sent late, early, twice or never because a stored moment went stale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from services import opening as opening_service
from services import rounds as round_service
from services import schedule as schedule_service
from services import settings as settings_service
from services import teams as team_service
from services.schedule import DueRound
from services.settings import SettingsForm
from storage.database import Database
from storage.models import Prompt, Round, Team

MONDAY = datetime(2026, 11, 16, tzinfo=UTC)  # W47; London is on UTC in November
TUESDAY_10 = MONDAY + timedelta(days=1, hours=10)
CHANNEL = "C0MOMENTS"
BOSS = "U0BOSS"


def _team(db: Database, *, members: dict[str, str] | None = None) -> int:
    team = team_service.setup_team(
        db=db, workspace_id="T0", channel_id=CHANNEL, user_id=BOSS, now=MONDAY
    ).team
    people = {BOSS: "Europe/London", **(members or {})}
    team_service.sync_members(
        db=db,
        team_id=team.id,
        present=list(people),
        details=[team_service.MemberInfo(u, False, False, tz) for u, tz in people.items()],
    )
    return team.id


def _next_pulse(db: Database, team_id: int) -> datetime | None:
    with db.reading() as session:
        return session.scalar(select(Team.next_pulse_at).where(Team.id == team_id))


def test_a_tick_stores_the_next_pulse_moment_and_reads_the_team_again_only_then(
    db: Database,
) -> None:
    team_id = _team(db)
    assert _next_pulse(db, team_id) is None  # a new team is worked out at the next tick
    assert schedule_service.due_rounds(db=db, now=MONDAY + timedelta(hours=1)) == []
    assert _next_pulse(db, team_id) == TUESDAY_10
    assert schedule_service.due_rounds(db=db, now=TUESDAY_10 - timedelta(minutes=1)) == []
    assert schedule_service.due_rounds(db=db, now=TUESDAY_10) == [DueRound(CHANNEL, "2026-W47")]
    # Still due a tick later (the round has not opened), and never once it has.
    later = TUESDAY_10 + timedelta(hours=30)
    assert schedule_service.due_rounds(db=db, now=later) == [DueRound(CHANNEL, "2026-W47")]
    round_service.open_round(db=db, channel_id=CHANNEL, week="2026-W47", now=later, scheduled=True)
    assert schedule_service.due_rounds(db=db, now=later + timedelta(minutes=1)) == []
    assert _next_pulse(db, team_id) == TUESDAY_10 + timedelta(days=7)


def test_a_settings_change_after_the_moment_was_stored_moves_the_pulse(db: Database) -> None:
    _team(db)
    schedule_service.due_rounds(db=db, now=MONDAY + timedelta(hours=1))  # stores Tuesday 10:00
    settings_service.apply_settings(
        db=db,
        workspace_id="T0",
        channel_id=CHANNEL,
        user_id=BOSS,
        now=MONDAY + timedelta(hours=2),
        form=SettingsForm(
            pulse_weekday="0",
            pulse_time="15:00",
            timezone="Europe/London",
            questions_per_week="3",
            threshold="5",
            digest_channel_id=None,
            target=None,
            managers=[BOSS],
        ),
    )
    monday_15 = MONDAY + timedelta(hours=15)
    assert schedule_service.due_rounds(db=db, now=monday_15 - timedelta(minutes=1)) == []
    assert schedule_service.due_rounds(db=db, now=monday_15) == [DueRound(CHANNEL, "2026-W47")]


def test_a_member_joining_from_an_earlier_zone_brings_the_pulse_forward(db: Database) -> None:
    team_id = _team(db)
    schedule_service.due_rounds(db=db, now=MONDAY + timedelta(hours=1))
    team_service.sync_members(
        db=db,
        team_id=team_id,
        present=[BOSS, "U0AUCKLAND"],
        details=[team_service.MemberInfo("U0AUCKLAND", False, False, "Pacific/Auckland")],
    )
    auckland_10 = MONDAY + timedelta(hours=21)  # Tuesday 10:00 NZDT is Monday 21:00 UTC
    assert _next_pulse(db, team_id) is None
    assert schedule_service.due_rounds(db=db, now=auckland_10) == [DueRound(CHANNEL, "2026-W47")]


def test_an_earlier_member_opting_back_in_brings_the_pulse_forward(db: Database) -> None:
    _team(db, members={"U0AUCKLAND": "Pacific/Auckland"})
    team_service.set_opt_out(db=db, workspace_id="T0", user_id="U0AUCKLAND", opted_out=True)
    auckland_10 = MONDAY + timedelta(hours=21)
    assert schedule_service.due_rounds(db=db, now=auckland_10) == []  # London's 10:00 is next
    team_service.set_opt_out(db=db, workspace_id="T0", user_id="U0AUCKLAND", opted_out=False)
    assert schedule_service.due_rounds(db=db, now=auckland_10) == [DueRound(CHANNEL, "2026-W47")]


def test_an_open_rounds_reminder_moment_is_stored_and_follows_a_settings_change(
    db: Database,
) -> None:
    _team(db, members={"U0A": "Europe/London"})
    round_ = round_service.open_round(
        db=db, channel_id=CHANNEL, week="2026-W47", now=TUESDAY_10, scheduled=True
    )
    thursday_10 = MONDAY + timedelta(days=3, hours=10)
    assert schedule_service.rounds_due_reminder(db=db, now=TUESDAY_10) == []
    with db.reading() as session:
        stored = session.scalar(select(Round.remind_at).where(Round.id == round_.id))
    assert stored == thursday_10
    with db.transaction() as session:  # the reminder slot moves to Wednesday 09:00
        team = session.scalars(select(Team).where(Team.channel_id == CHANNEL)).one()
        team.reminder_weekday, team.reminder_time = 2, "09:00"
    wednesday_9 = MONDAY + timedelta(days=2, hours=9)
    due = schedule_service.rounds_due_reminder(db=db, now=wednesday_9)
    assert [r.id for r in due] == [round_.id]


def test_due_rounds_opened_together_ask_each_member_once_in_their_zone_and_move_the_moment(
    db: Database,
) -> None:
    """The set-based opening writes the prompts from the members table: one per member who
    would be asked (no bot, nobody deactivated or opted out, nobody without a zone left out),
    due at the pulse time in the member's own zone (the team's when Slack gave none); the
    team's stored moment moves on to next week's, so the next tick need not read it."""
    team_id = _team(db, members={"U0NY": "America/New_York", "U0OUT": "Europe/London"})
    team_service.sync_members(
        db=db,
        team_id=team_id,
        present=[BOSS, "U0NY", "U0OUT", "U0BOT", "U0GONE", "U0NOZONE"],
        details=[
            team_service.MemberInfo(BOSS, False, False, "Europe/London"),
            team_service.MemberInfo("U0NY", False, False, "America/New_York"),
            team_service.MemberInfo("U0OUT", False, False, "Europe/London"),
            team_service.MemberInfo("U0BOT", True, False, "Europe/London"),
            team_service.MemberInfo("U0GONE", False, True, "Europe/London"),
            team_service.MemberInfo("U0NOZONE", False, False, None),
        ],
    )
    team_service.set_opt_out(db=db, workspace_id="T0", user_id="U0OUT", opted_out=True)
    schedule_service.due_rounds(db=db, now=MONDAY + timedelta(hours=1))
    due = schedule_service.due_rounds(db=db, now=TUESDAY_10)
    assert due == [DueRound(CHANNEL, "2026-W47")]
    opened = opening_service.open_due_rounds(db=db, due=due, now=TUESDAY_10)
    assert [(r.channel_id, r.week) for r in opened] == [(CHANNEL, "2026-W47")]
    with db.reading() as session:
        rows = session.execute(
            select(Prompt.user_id, Prompt.due_at).where(Prompt.round_id == opened[0].id)
        )
        prompts = {user_id: due_at for user_id, due_at in rows}
    assert prompts == {
        BOSS: TUESDAY_10,
        "U0NOZONE": TUESDAY_10,
        "U0NY": TUESDAY_10 + timedelta(hours=5),  # 10:00 in New York
    }
    assert _next_pulse(db, team_id) == TUESDAY_10 + timedelta(days=7)
    assert schedule_service.due_rounds(db=db, now=TUESDAY_10 + timedelta(minutes=1)) == []
