"""The schedule: pulses at each member's local time, one reminder, close, digest — and
restarts or missed ticks never lose or repeat any of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, inspect, select, text

from jobs.scheduler import PURGE_JOB_ID, TICK_JOB_ID, build_scheduler
from jobs.tick import run_tick
from services import teams as team_service
from standin import StandInSlack
from storage.models import Answer, PendingAnswer, Prompt
from tests.pulse_flow import SURVEYED, click, everyone_answers, setup_team
from tests.support import (
    MEMBERS,
    TEAM_CHANNEL,
    TUESDAY_10,
    FakeClock,
    RunningBot,
    standard_workspace,
    start_bot,
    wait_for,
)

LONDON = [u for i, u in enumerate(MEMBERS) if i % 2]
NEW_YORK = [u for i, u in enumerate(MEMBERS) if not i % 2]
MONDAY_W47 = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)


def _tick(running: RunningBot, moment: datetime) -> None:
    running.clock.set(moment)
    run_tick(running.bot.outbound)


def _prompts(running: RunningBot, user: str) -> int:
    return len([m for m in running.slack.dms_to(user) if "pulse for" in m.text])


def test_pulse_arrives_at_ten_in_each_members_own_time_zone(running: RunningBot) -> None:
    setup_team(running)
    _tick(running, MONDAY_W47 + timedelta(days=1, hours=10))  # Tue 10:00 London
    assert all(_prompts(running, u) == 1 for u in LONDON)
    assert all(_prompts(running, u) == 0 for u in NEW_YORK)
    _tick(running, MONDAY_W47 + timedelta(days=1, hours=15))  # Tue 10:00 New York
    assert all(_prompts(running, u) == 1 for u in SURVEYED)


def test_pulse_keeps_local_time_across_a_daylight_saving_change(running: RunningBot) -> None:
    # 2026-W44: London left summer time on Sun 25 Oct; New York on Sun 1 Nov.
    monday = datetime(2026, 10, 26, tzinfo=UTC)
    running.clock.set(monday)
    setup_team(running)
    _tick(running, monday + timedelta(days=1, hours=13, minutes=59))
    assert all(_prompts(running, u) == 0 for u in NEW_YORK)
    _tick(running, monday + timedelta(days=1, hours=14))  # 10:00 EDT is 14:00 UTC
    assert all(_prompts(running, u) == 1 for u in NEW_YORK)


def test_one_reminder_goes_only_to_those_who_have_not_answered(running: RunningBot) -> None:
    setup_team(running)
    _tick(running, MONDAY_W47 + timedelta(days=1, hours=16))
    answered = SURVEYED[:4]
    for user in answered:
        click(running, user, 0, 4)
    thursday = MONDAY_W47 + timedelta(days=3, hours=10)
    _tick(running, thursday)
    _tick(running, thursday + timedelta(hours=1))

    def reminders(user: str) -> int:
        return len([m for m in running.slack.dms_to(user) if m.text.startswith("Reminder")])

    assert all(reminders(u) == 0 for u in answered)
    assert all(reminders(u) == 1 for u in SURVEYED[4:])


def test_the_reminder_names_the_team_and_links_to_the_prompt(running: RunningBot) -> None:
    setup_team(running)
    _tick(running, MONDAY_W47 + timedelta(days=1, hours=16))
    _tick(running, MONDAY_W47 + timedelta(days=3, hours=10))
    user = SURVEYED[0]
    prompt = next(m for m in running.slack.dms_to(user) if "pulse for" in m.text)
    (reminder,) = [m for m in running.slack.dms_to(user) if m.text.startswith("Reminder")]
    assert reminder.text == "Reminder: #partnership's pulse (week of 16 Nov) is still open."
    words = (reminder.blocks or [])[0]["text"]["text"]
    link = f"https://standin.slack.com/archives/{prompt.channel}/p{prompt.ts.replace('.', '')}"
    assert f"<{link}|Answer this week's questions ›>" in words


def test_a_reminder_goes_without_its_link_when_slack_gives_none(running: RunningBot) -> None:
    setup_team(running)
    _tick(running, MONDAY_W47 + timedelta(days=1, hours=16))
    running.slack.fail_next("chat.getPermalink", error="message_not_found")
    _tick(running, MONDAY_W47 + timedelta(days=3, hours=10))
    reminders = [
        m for u in SURVEYED for m in running.slack.dms_to(u) if m.text.startswith("Reminder")
    ]
    assert len(reminders) == len(SURVEYED)
    assert sum("slack.com/archives" not in str(m.blocks) for m in reminders) == 1


def test_round_closes_and_its_digest_is_posted_once(running: RunningBot) -> None:
    setup_team(running)
    _tick(running, MONDAY_W47 + timedelta(days=1, hours=16))
    everyone_answers(running, 5)
    close = MONDAY_W47 + timedelta(days=7, hours=9)
    _tick(running, close - timedelta(minutes=1))
    assert running.slack.messages_in(TEAM_CHANNEL) == []
    _tick(running, close)
    _tick(running, close + timedelta(minutes=1))
    digests = [m for m in running.slack.messages_in(TEAM_CHANNEL) if "week of 16 Nov" in m.text]
    assert len(digests) == 1


def test_closing_unlinks_every_answer_from_the_person_who_gave_it(running: RunningBot) -> None:
    setup_team(running)
    _tick(running, MONDAY_W47 + timedelta(days=1, hours=16))
    everyone_answers(running, 4)
    _tick(running, MONDAY_W47 + timedelta(days=7, hours=9))
    with running.bot.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(PendingAnswer)) == 0
        assert session.scalar(select(func.count()).select_from(Answer)) == len(SURVEYED)
        reminded = session.scalar(
            select(func.count()).select_from(Prompt).where(Prompt.reminder_state.is_not(None))
        )
        assert reminded == 0
        # One organisation: no label is kept (a label is kept only for an organisation with
        # at least the threshold of respondents that round, beside others as large).
        labels = set(session.scalars(select(Answer.organisation).distinct()))
    columns = {c["name"] for c in inspect(running.bot.db.engine).get_columns("answers")}
    assert columns == {"id", "round_id", "respondent", "behaviour_id", "point", "organisation"}
    assert labels == {None}


def test_missed_pulse_is_sent_once_when_the_bot_comes_back(running: RunningBot) -> None:
    setup_team(running)
    wednesday = MONDAY_W47 + timedelta(days=2, hours=12)
    for minute in range(3):
        _tick(running, wednesday + timedelta(minutes=minute))
    assert all(_prompts(running, u) == 1 for u in SURVEYED)


def test_nothing_is_sent_for_a_week_whose_round_period_has_passed(running: RunningBot) -> None:
    setup_team(running)
    _tick(running, MONDAY_W47 + timedelta(days=7, hours=9, minutes=30))  # next Monday
    assert running.slack.calls_to("chat.postMessage") == []


def test_restarting_the_scheduler_keeps_each_stored_job_once(running: RunningBot) -> None:
    for _ in range(3):
        scheduler = build_scheduler(running.bot.outbound)
        scheduler.start(paused=True)
        scheduler.shutdown(wait=False)
    with running.bot.db.engine.connect() as connection:
        ids = connection.execute(text("SELECT id FROM apscheduler_jobs")).scalars().all()
    assert sorted(ids) == sorted([TICK_JOB_ID, PURGE_JOB_ID])


def test_two_schedulers_built_in_one_process_each_tick_their_own_bot(
    running: RunningBot, tmp_path: Path
) -> None:
    with StandInSlack(standard_workspace()) as other_slack:
        other = start_bot(f"sqlite:///{tmp_path / 'other.db'}", other_slack, FakeClock(TUESDAY_10))
        try:
            bots = (running, other)
            for bot in bots:
                setup_team(bot)
                bot.clock.set(MONDAY_W47 + timedelta(days=1, hours=16))  # everyone's pulse is due
            schedulers = [build_scheduler(bot.bot.outbound, tick_seconds=3600) for bot in bots]
            for scheduler in schedulers:  # each runs its tick now, whatever today's date
                scheduler.start(paused=True)
                scheduler.modify_job(TICK_JOB_ID, next_run_time=datetime.now(UTC))
                scheduler.resume()
            try:
                wait_for(
                    lambda: all(_prompts(bot, u) == 1 for bot in bots for u in SURVEYED),
                    timeout=60,
                )
            finally:
                for scheduler in schedulers:
                    scheduler.shutdown(wait=True)
        finally:
            other.stop()


def test_newcomer_is_asked_next_round_and_leaver_is_not(running: RunningBot) -> None:
    setup_team(running)
    newcomer, leaver = "U0NEWCOMER", MEMBERS[0]
    running.slack.workspace.add_user(newcomer, "newcomer")
    running.slack.workspace.join(TEAM_CHANNEL, newcomer)
    running.sender.event(
        {"type": "member_joined_channel", "user": newcomer, "channel": TEAM_CHANNEL}
    )
    running.slack.workspace.leave(TEAM_CHANNEL, leaver)
    running.sender.event({"type": "member_left_channel", "user": leaver, "channel": TEAM_CHANNEL})
    _tick(running, MONDAY_W47 + timedelta(days=1, hours=16))
    assert _prompts(running, newcomer) == 1
    assert _prompts(running, leaver) == 0


def test_member_left_event_alone_stops_their_prompts(running: RunningBot) -> None:
    running.clock.set(MONDAY_W47 - timedelta(days=7))
    setup_team(running)
    _tick(running, MONDAY_W47 - timedelta(days=6) + timedelta(hours=16))  # W46 round
    leaver = MEMBERS[1]
    reply = running.sender.event(
        {"type": "member_left_channel", "user": leaver, "channel": TEAM_CHANNEL}
    )
    assert reply.status == 200
    with running.bot.db.transaction() as session:
        from storage.models import Member

        row = session.scalars(select(Member).where(Member.user_id == leaver)).one()
        assert row.in_channel is False


def test_app_home_shows_the_open_round_and_an_opt_out_control(running: RunningBot) -> None:
    setup_team(running)
    _tick(running, MONDAY_W47 + timedelta(days=1, hours=16))
    user = MEMBERS[1]
    click(running, user, 0, 2)
    reply = running.sender.event({"type": "app_home_opened", "user": user, "tab": "home"})
    assert reply.status == 200
    view = running.slack.published_views[user]
    assert "You chose *2*" in str(view["blocks"])
    assert "Pause my prompts" in str(view["blocks"])


def test_first_pulse_reaches_members_east_of_the_team_at_their_own_ten(
    running: RunningBot,
) -> None:
    east = "U0BERLIN"
    running.slack.workspace.add_user(east, "berlin", tz="Europe/Berlin")
    running.slack.workspace.join(TEAM_CHANNEL, east)
    running.clock.set(MONDAY_W47)
    setup_team(running)
    team = team_service.find_team(db=running.bot.db, channel_id=TEAM_CHANNEL)
    wait_for(lambda: east in team_service.known_member_ids(db=running.bot.db, team_id=team.id))
    _tick(running, MONDAY_W47 + timedelta(days=1, hours=9))  # Tue 10:00 in Berlin
    assert _prompts(running, east) == 1
    assert all(_prompts(running, u) == 0 for u in LONDON)
