"""Configuring a team from Slack: `/pulse setup` and `/pulse settings` open the settings
modal, App Home offers it to managers, and signed `view_submission`s save it or say which
field is wrong."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from blocks.ids import ActionId, SettingsField
from jobs.tick import run_tick
from services import settings as settings_service
from standin import check_view
from tests.pulse_flow import SURVEYED, setup_team
from tests.support import MANAGER, MEMBERS, OUTSIDER, TEAM_CHANNEL, RunningBot, wait_for

MONDAY_W47 = datetime(2026, 11, 16, tzinfo=UTC)
LONDON = [u for i, u in enumerate(MEMBERS) if i % 2]


def _opened_views(running: RunningBot) -> list[dict[str, Any]]:
    views: list[dict[str, Any]] = []
    for call in running.slack.calls_to("views.open"):
        view = call.args.get("view")
        assert view is not None
        views.append(json.loads(view) if isinstance(view, str) else view)
    return views


def open_settings(running: RunningBot, *, user: str = MANAGER) -> dict[str, Any]:
    """/pulse settings, and the modal Slack was asked to open."""
    before = len(_opened_views(running))
    reply = running.command("settings", user=user)
    assert reply.status == 200, reply.text
    return wait_for(lambda: _opened_views(running)[before:])[-1]


def _initial(element: dict[str, Any]) -> dict[str, Any]:
    kind = element["type"]
    if kind == "static_select":
        return {"type": kind, "selected_option": element.get("initial_option")}
    if kind == "timepicker":
        return {"type": kind, "selected_time": element.get("initial_time")}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": element.get("initial_conversation")}
    if kind == "checkboxes":
        return {"type": kind, "selected_options": element.get("initial_options", [])}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": element.get("initial_users", [])}
    return {"type": kind, "value": element.get("initial_value")}


def submit(
    running: RunningBot, view: dict[str, Any], *, user: str = MANAGER, **changes: Any
) -> dict[str, Any]:
    """Submit the modal as Slack would: its fields as shown, with some changed."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] == "input":
            element = block["element"]
            values[block["block_id"]] = {element["action_id"]: _initial(element)}
    for field, change in changes.items():
        state = values[SettingsField[field.upper()].value]
        next(iter(state.values())).update(change)
    reply = running.sender.view_submission(
        user_id=user,
        view={
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "state": {"values": values},
        },
    )
    assert reply.status == 200, reply.text
    answer = reply.json()
    if answer.get("response_action") == "update":
        assert check_view(answer["view"]) == [], answer["view"]
    return answer


def _current(running: RunningBot) -> settings_service.TeamSettings:
    return settings_service.settings_for_manager(
        db=running.bot.db, workspace_id="T0STANDIN", channel_id=TEAM_CHANNEL, user_id=MANAGER
    )


def test_setup_makes_the_team_at_once_and_opens_its_settings(running: RunningBot) -> None:
    reply = running.command("setup")
    assert "now a Partnership Pulse team" in reply.json()["text"]
    assert "settings" in reply.json()["text"]
    view = wait_for(lambda: _opened_views(running))[-1]
    assert view["callback_id"] == "team-settings"
    assert running.slack.calls_to("views.open")[-1].args.get("trigger_id")
    current = _current(running)
    assert (current.pulse_weekday, current.pulse_time, current.threshold) == (1, "10:00", 5)
    assert current.questions_per_week == 3 and current.managers == (MANAGER,)


def test_valid_submission_updates_the_team(running: RunningBot) -> None:
    setup_team(running)
    view = open_settings(running)
    answer = submit(
        running,
        view,
        pulse_weekday={
            "selected_option": {"text": {"type": "plain_text", "text": "Wed"}, "value": "2"}
        },
        pulse_time={"selected_time": "14:30"},
        timezone={"value": "America/New_York"},
        questions={"value": "5"},
        threshold={"value": "4"},
        digest_channel={"selected_conversation": "C0DIGEST01"},
        target={"value": "0.5"},
        managers={"selected_users": [MANAGER, MEMBERS[0]]},
    )
    assert answer["response_action"] == "update"
    assert "Saved" in json.dumps(answer["view"])
    current = _current(running)
    assert (current.pulse_weekday, current.pulse_time) == (2, "14:30")
    assert current.timezone == "America/New_York"
    assert (current.questions_per_week, current.threshold) == (5, 4)
    assert current.digest_channel_id == "C0DIGEST01"
    assert current.target == 0.5
    assert set(current.managers) == {MANAGER, MEMBERS[0]}


def test_threshold_below_three_is_refused_and_nothing_changes(running: RunningBot) -> None:
    setup_team(running)
    before = _current(running)
    view = open_settings(running)
    answer = submit(running, view, threshold={"value": "2"}, questions={"value": "4"})
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"threshold"}
    assert "below 3" in answer["errors"]["threshold"]
    assert _current(running) == before


def test_each_wrong_field_gets_its_own_error(running: RunningBot) -> None:
    setup_team(running)
    before = _current(running)
    view = open_settings(running)
    answer = submit(
        running,
        view,
        questions={"value": "14"},
        timezone={"value": "Mars/Olympus_Mons"},
        target={"value": "3"},
        managers={"selected_users": []},
    )
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"questions_per_week", "timezone", "target", "managers"}
    assert all(message.strip() for message in answer["errors"].values())
    assert _current(running) == before


def test_a_non_manager_submission_is_refused_and_changes_nothing(running: RunningBot) -> None:
    setup_team(running)
    before = _current(running)
    view = open_settings(running)
    answer = submit(running, view, user=MEMBERS[0], threshold={"value": "9"})
    assert answer["response_action"] == "update"
    assert "only a manager" in json.dumps(answer["view"])
    assert _current(running) == before


def test_settings_are_refused_to_a_non_manager_without_a_modal(running: RunningBot) -> None:
    setup_team(running)
    wait_for(lambda: _opened_views(running))  # the one setup opened for the manager
    running.slack.reset_calls()
    reply = running.command("settings", user=OUTSIDER)
    assert "only a manager" in reply.json()["text"]
    running.command("help")
    assert running.slack.calls_to("views.open") == []


def test_a_later_pulse_day_and_time_move_the_next_round(running: RunningBot) -> None:
    setup_team(running)
    view = open_settings(running)
    submit(
        running,
        view,
        pulse_weekday={
            "selected_option": {"text": {"type": "plain_text", "text": "Wed"}, "value": "2"}
        },
        pulse_time={"selected_time": "14:00"},
    )

    def tick(moment: datetime) -> None:
        running.clock.set(moment)
        run_tick(running.bot.outbound)

    def prompted(user: str) -> int:
        return len([m for m in running.slack.dms_to(user) if "pulse for" in m.text])

    tick(MONDAY_W47 + timedelta(days=1, hours=10))  # the old slot: Tuesday 10:00
    tick(MONDAY_W47 + timedelta(days=1, hours=16))
    assert all(prompted(u) == 0 for u in SURVEYED)
    tick(MONDAY_W47 + timedelta(days=2, hours=14))  # Wednesday 14:00 London
    assert all(prompted(u) == 1 for u in LONDON)


def test_app_home_offers_a_manager_the_settings_of_their_team(running: RunningBot) -> None:
    setup_team(running)
    running.sender.event({"type": "app_home_opened", "user": MANAGER, "tab": "home"})
    home = wait_for(lambda: running.slack.published_views.get(MANAGER))
    buttons = [
        b["accessory"]
        for b in home["blocks"]
        if b.get("accessory", {}).get("action_id") == ActionId.OPEN_SETTINGS
    ]
    assert [b["value"] for b in buttons] == [TEAM_CHANNEL]
    before = len(_opened_views(running))
    reply = running.sender.block_action(
        user_id=MANAGER,
        action_id=ActionId.OPEN_SETTINGS.value,
        value=TEAM_CHANNEL,
        block_id=home["blocks"][0].get("block_id", "b"),
        channel_id="",
        message_ts="",
        container_type="view",
        view=home,
    )
    assert reply.status == 200
    opened = wait_for(lambda: _opened_views(running)[before:])
    assert opened[-1]["callback_id"] == "team-settings"


def test_app_home_offers_no_settings_to_members(running: RunningBot) -> None:
    setup_team(running)
    running.sender.event({"type": "app_home_opened", "user": MEMBERS[1], "tab": "home"})
    home = wait_for(lambda: running.slack.published_views.get(MEMBERS[1]))
    assert ActionId.OPEN_SETTINGS.value not in json.dumps(home)
