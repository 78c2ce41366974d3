"""A team whose last manager has gone (left the channel, or asked to be forgotten) is taken
on by whoever next runs `/pulse setup` in its channel; while a manager remains, nobody else
can take it over."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Manager, Member
from tests.support import MANAGER, MEMBERS, TEAM_CHANNEL, RunningBot, wait_for

NEWCOMER = MEMBERS[0]


def _managers(running: RunningBot) -> set[str]:
    with running.bot.db.transaction() as session:
        return set(session.scalars(select(Manager.user_id)))


def _in_channel(running: RunningBot) -> set[str]:
    with running.bot.db.transaction() as session:
        return set(session.scalars(select(Member.user_id).where(Member.in_channel.is_(True))))


def _set_up(running: RunningBot) -> None:
    """Setup, and its first look at the channel's members over (it runs after the reply)."""
    assert running.command("setup").status == 200
    wait_for(lambda: set(MEMBERS) <= _in_channel(running))


def _reply(running: RunningBot, text: str, user: str) -> str:
    reply = running.command(text, user=user)
    assert reply.status == 200
    return str(reply.json()["text"])


def test_setup_after_the_only_manager_forgot_themselves_makes_the_caller_manager(
    running: RunningBot,
) -> None:
    _set_up(running)
    _reply(running, "forget-me", MANAGER)
    assert _managers(running) == set()
    said = _reply(running, "setup", NEWCOMER)
    assert "you're now its manager" in said
    assert _managers(running) == {NEWCOMER}
    assert "Sorry" not in _reply(running, "summary", NEWCOMER)


def test_setup_after_the_only_manager_left_the_channel_makes_the_caller_manager(
    running: RunningBot,
) -> None:
    _set_up(running)
    running.slack.workspace.leave(TEAM_CHANNEL, MANAGER)
    reply = running.sender.event(
        {"type": "member_left_channel", "user": MANAGER, "channel": TEAM_CHANNEL}
    )
    assert reply.status == 200
    said = _reply(running, "setup", NEWCOMER)
    assert "you're now its manager" in said
    assert NEWCOMER in _managers(running)
    assert "Sorry" not in _reply(running, "summary", NEWCOMER)


def test_setup_by_a_member_while_a_manager_remains_changes_nothing(running: RunningBot) -> None:
    _set_up(running)
    said = _reply(running, "setup", NEWCOMER)
    assert "Ask one of its managers" in said
    assert _managers(running) == {MANAGER}
    # A member leaving leaves the manager in place.
    running.slack.workspace.leave(TEAM_CHANNEL, MEMBERS[1])
    running.sender.event(
        {"type": "member_left_channel", "user": MEMBERS[1], "channel": TEAM_CHANNEL}
    )
    assert "Ask one of its managers" in _reply(running, "setup", NEWCOMER)
    assert _managers(running) == {MANAGER}
