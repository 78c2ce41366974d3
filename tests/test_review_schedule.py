"""The partnership review started by itself each quarter: at the team's pulse day and time in
the quarter's first full week, in the team's zone (across time zones and daylight-saving
weeks), once however many ticks or processes look, late if the bot was down at the slot but
never after the week it would have been open; switched on and off in the settings modal.
Every moment is set on an injected clock, never today's date."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from jobs.tick import run_tick
from services import reviews as review_service
from services import settings as settings_service
from services import teams as team_service
from services.review_schedule import DueReview, due_reviews
from services.settings import SettingsForm
from storage.database import Database
from storage.models import Review
from tests.pulse_flow import SURVEYED, setup_team
from tests.support import MANAGER, TEAM_CHANNEL, RunningBot, wait_for
from tests.test_settings import open_settings, submit

CHANNEL = "C0QUARTER1"
BOSS = "U0BOSS"

# Each quarter's slot written out from the calendar (the oracle): the first full week's
# Monday, the pulse's weekday and local time, and that moment in UTC.
SLOTS = {
    "london-tuesday": (
        "Europe/London",
        1,
        "10:00",
        "2027-Q1",
        datetime(2027, 1, 5, 10, 0, tzinfo=UTC),
    ),
    # Thursday 1 April: the first full week starts Monday 5 April; New York is on EDT.
    "new-york-tuesday": (
        "America/New_York",
        1,
        "10:00",
        "2027-Q2",
        datetime(2027, 4, 6, 14, 0, tzinfo=UTC),
    ),
    # Monday 1 January 09:00 in Auckland is still 31 December in UTC: the review is 2029-Q1.
    "auckland-new-year": (
        "Pacific/Auckland",
        0,
        "09:00",
        "2029-Q1",
        datetime(2028, 12, 31, 20, tzinfo=UTC),
    ),
    # Sydney moves to summer time at 02:00 on Sunday 7 October 2029, the slot's own day.
    "sydney-dst-starts": (
        "Australia/Sydney",
        6,
        "10:00",
        "2029-Q4",
        datetime(2029, 10, 6, 23, tzinfo=UTC),
    ),
    # Auckland leaves summer time at 03:00 on Sunday 7 April 2030, the slot's own day.
    "auckland-dst-ends": (
        "Pacific/Auckland",
        6,
        "10:00",
        "2030-Q2",
        datetime(2030, 4, 6, 22, tzinfo=UTC),
    ),
}


def _form(weekday: int, clock: str, zone: str, *, quarterly: bool) -> SettingsForm:
    return SettingsForm(
        pulse_weekday=str(weekday),
        pulse_time=clock,
        timezone=zone,
        questions_per_week="3",
        threshold="5",
        digest_channel_id=None,
        target=None,
        managers=[BOSS],
        quarterly_review=quarterly,
    )


def _team(db: Database, *, at: datetime, members: int = 6) -> int:
    team = team_service.setup_team(
        db=db, workspace_id="T0", channel_id=CHANNEL, user_id=BOSS, now=at
    ).team
    people = [BOSS, *(f"U0PERSON{i}" for i in range(members - 1))]
    team_service.sync_members(
        db=db,
        team_id=team.id,
        present=people,
        details=[team_service.MemberInfo(u, False, False, "Europe/London") for u in people],
    )
    return team.id


def _switch(db: Database, slot: tuple[str, int, str], *, on: bool, at: datetime) -> None:
    zone, weekday, clock = slot
    settings_service.apply_settings(
        db=db,
        workspace_id="T0",
        channel_id=CHANNEL,
        user_id=BOSS,
        form=_form(weekday, clock, zone, quarterly=on),
        now=at,
    )


@pytest.mark.parametrize("case", sorted(SLOTS))
def test_the_review_is_due_from_its_slot_for_the_week_it_would_be_open(
    db: Database, case: str
) -> None:
    zone, weekday, clock, quarter, slot = SLOTS[case]
    _team(db, at=slot - timedelta(days=40))
    _switch(db, (zone, weekday, clock), on=True, at=slot - timedelta(days=40))
    due = [DueReview("T0", CHANNEL, quarter)]
    for moment in (slot - timedelta(days=3), slot - timedelta(minutes=1)):
        assert due_reviews(db=db, now=moment) == []
    for moment in (slot, slot + timedelta(days=3), slot + timedelta(days=7, minutes=-1)):
        assert due_reviews(db=db, now=moment) == due
    assert due_reviews(db=db, now=slot + timedelta(days=7)) == []

    late = slot + timedelta(days=2)  # the bot was down at the slot: started when it returns
    started = [
        review_service.start_scheduled_review(
            db=db, workspace_id="T0", channel_id=CHANNEL, quarter=quarter, now=late
        )
        for _ in range(2)
    ]
    assert started[0] is not None and started[0].quarter == quarter and started[1] is None
    assert due_reviews(db=db, now=late) == []
    assert due_reviews(db=db, now=late + timedelta(days=8)) == []  # closed, and had


def test_a_team_that_has_not_asked_or_asked_after_the_slot_is_not_due(db: Database) -> None:
    zone, weekday, clock, _, slot = SLOTS["london-tuesday"]
    _team(db, at=slot - timedelta(days=40))
    assert due_reviews(db=db, now=slot) == []  # never asked for
    _switch(db, (zone, weekday, clock), on=True, at=slot + timedelta(hours=1))
    assert due_reviews(db=db, now=slot + timedelta(hours=2)) == []  # asked after this slot
    next_slot = datetime(2027, 4, 6, 9, 0, tzinfo=UTC)  # Tuesday 6 April 10:00 BST
    assert due_reviews(db=db, now=next_slot - timedelta(minutes=1)) == []
    assert due_reviews(db=db, now=next_slot) == [DueReview("T0", CHANNEL, "2027-Q2")]
    _switch(db, (zone, weekday, clock), on=False, at=next_slot)
    assert due_reviews(db=db, now=next_slot) == []


def test_a_review_started_by_hand_before_the_slot_is_the_quarters_review(db: Database) -> None:
    zone, weekday, clock, _, slot = SLOTS["london-tuesday"]
    _team(db, at=slot - timedelta(days=40))
    _switch(db, (zone, weekday, clock), on=True, at=slot - timedelta(days=40))
    review_service.start_review(
        db=db, workspace_id="T0", channel_id=CHANNEL, user_id=BOSS, now=slot - timedelta(days=4)
    )
    review_service.close_review(
        db=db, workspace_id="T0", channel_id=CHANNEL, user_id=BOSS, now=slot - timedelta(days=3)
    )
    assert due_reviews(db=db, now=slot) == []


# Through signed requests and the minute tick: the default pulse is Tuesday 10:00 London.
Q1_SLOT = datetime(2027, 1, 5, 10, 0, tzinfo=UTC)
Q2_SLOT = datetime(2027, 4, 6, 9, 0, tzinfo=UTC)  # 10:00 BST
Q3_SLOT = datetime(2027, 7, 6, 9, 0, tzinfo=UTC)  # first full week: Monday 5 July


def _reviews(running: RunningBot) -> list[str]:
    with running.bot.db.transaction() as session:
        return list(session.scalars(select(Review.quarter).order_by(Review.quarter)))


def _review_dms(running: RunningBot, user: str) -> int:
    """Review DMs a person was sent, open or since redrawn as closed."""
    return sum(1 for m in running.slack.dms_to(user) if "artnership review for" in m.text)


def _started_notices(running: RunningBot) -> int:
    """The managers' DMs saying a review started by itself."""
    return sum(1 for m in running.slack.dms_to(MANAGER) if "started by itself" in m.text)


def test_the_settings_modal_schedules_the_review_and_the_tick_starts_it_once(
    running: RunningBot,
) -> None:
    setup_team(running)
    view = open_settings(running)
    box = next(b for b in view["blocks"] if b.get("block_id") == "quarterly_review")
    assert box["optional"] and "initial_options" not in box["element"]
    option = box["element"]["options"][0]
    saved = submit(running, view, quarterly_review={"selected_options": [option]})
    assert "starts by itself" in str(saved["view"])
    assert settings_service.settings_for_manager(
        db=running.bot.db,
        workspace_id=running.slack.workspace.team_id,
        channel_id=TEAM_CHANNEL,
        user_id=MANAGER,
    ).quarterly_review

    running.clock.set(Q1_SLOT - timedelta(minutes=1))
    run_tick(running.bot.outbound)
    assert _reviews(running) == []

    running.clock.set(Q1_SLOT)
    failures: list[BaseException] = []

    def tick() -> None:
        try:
            run_tick(running.bot.outbound)
        except BaseException as error:
            failures.append(error)

    ticks = [threading.Thread(target=tick) for _ in range(3)]
    for thread in ticks:
        thread.start()
    for thread in ticks:
        thread.join()
    assert failures == []
    run_tick(running.bot.outbound)
    assert _reviews(running) == ["2027-Q1"]
    wait_for(lambda: all(_review_dms(running, u) == 1 for u in SURVEYED))
    assert _started_notices(running) == 1  # three ticks at once, one more: told once
    (started,) = [m for m in running.slack.dms_to(MANAGER) if "started by itself" in m.text]
    assert "2027-Q1" in started.text and "stays open until" in started.text
    assert "`/pulse review close`" in started.text

    # Down at the next quarter's slot, back six days later: started then, once.
    running.clock.set(Q2_SLOT + timedelta(days=6))
    run_tick(running.bot.outbound)
    run_tick(running.bot.outbound)
    assert _reviews(running) == ["2027-Q1", "2027-Q2"]
    assert all(_review_dms(running, u) == 2 for u in SURVEYED)
    assert _started_notices(running) == 2

    # Down for the whole week after the slot: too late, that quarter has no review.
    running.clock.set(Q3_SLOT + timedelta(days=7))
    run_tick(running.bot.outbound)
    assert _reviews(running) == ["2027-Q1", "2027-Q2"]

    view = open_settings(running)
    submit(running, view, quarterly_review={"selected_options": []})
    running.clock.set(datetime(2027, 10, 5, 9, 0, tzinfo=UTC))  # Q4's slot, 10:00 BST
    run_tick(running.bot.outbound)
    with running.bot.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Review)) == 2
