"""An agreed action through the whole loop, over signed requests against the stand-in: agreed
from the digest's button, shown in the next digests and App Home, asked about in its review
week (the pulse includes its behaviour, the owner is asked whether it was done), reported
with `since`, and closed by a manager; every misuse changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from blocks.ids import ActionId
from standin import check_message, check_view
from tests.action_flow import initial_behaviour, opened_action_modals, stored_actions, submit_action
from tests.pulse_flow import (
    SURVEYED,
    behaviour_of,
    click,
    close_round,
    digest_json,
    latest_prompt,
    send_round,
    setup_team,
)
from tests.support import MANAGER, MEMBERS, TEAM_CHANNEL, RunningBot, wait_for

OWNER = MEMBERS[0]
TUESDAY_W49 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def _digest_messages(running: RunningBot) -> list[Any]:
    return [m for m in running.slack.messages_in(TEAM_CHANNEL) if "Partnership pulse" in m.text]


def _button(message: Any, action_id: str) -> tuple[str, dict[str, Any]]:
    for block in message.blocks:
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            if element.get("action_id") == action_id:
                return block["block_id"], element
    raise AssertionError(f"no {action_id} button")


def _press(
    running: RunningBot, message: Any, action_id: str, *, user: str, value: str | None = None
) -> None:
    if value is None:
        block_id, element = _button(message, action_id)
    else:  # a forged click needs no button to have been drawn
        block_id, element = "forged", {"value": value}
    reply = running.sender.block_action(
        user_id=user,
        action_id=action_id,
        value=element["value"] if value is None else value,
        block_id=block_id,
        channel_id=message.channel,
        message_ts=message.ts,
        response_url=running.slack.response_url(f"press-{len(running.slack.calls)}"),
        message_blocks=message.blocks,
    )
    assert reply.status == 200, reply.text


def _home(running: RunningBot, user: str) -> dict[str, Any]:
    before = len(running.slack.calls_to("views.publish"))
    running.sender.event({"type": "app_home_opened", "user": user, "tab": "home"})
    call = wait_for(lambda: running.slack.calls_to("views.publish")[before:])[-1]
    view = call.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert check_view(view) == [], view
    return view


def _said(running: RunningBot, words: str) -> bool:
    return any(words in r["body"].get("text", "") for r in running.slack.responses)


def _agree_from_digest(running: RunningBot) -> tuple[str, int]:
    """Round W47: the first question averages 2 ("leaning to them"; not everyone alike, or
    it could not be shown); the digest's button opens the modal on that behaviour, and the
    action is agreed for W49."""
    setup_team(running)
    send_round(running)
    behaviour = behaviour_of(latest_prompt(running, MANAGER), 0)
    for user, point in zip(SURVEYED, [1, 3] + [2] * (len(SURVEYED) - 2), strict=True):
        click(running, user, 0, point)
    close_round(running)
    [digest] = wait_for(lambda: _digest_messages(running))
    assert check_message(digest.text, digest.blocks) == []
    _press(running, digest, ActionId.AGREE_ACTION, user=MANAGER)
    view = wait_for(lambda: opened_action_modals(running))[-1]
    assert initial_behaviour(view) == behaviour
    answer = submit_action(
        running,
        view,
        behaviour=behaviour,
        own_words="hold a joint evidence session",
        owner=OWNER,
        review_week="2026-W49",
    )
    assert answer["response_action"] == "update"
    [(action_id, *_)] = stored_actions(running)
    wait_for(lambda: running.slack.dms_to(OWNER))
    return behaviour, action_id


def test_an_agreed_action_is_reviewed_and_its_since_reported(running: RunningBot) -> None:
    behaviour, action_id = _agree_from_digest(running)
    [listed] = digest_json(running, "2026-W47")["actions"]
    assert listed == {
        "id": action_id,
        "behaviour": behaviour,
        "text": "hold a joint evidence session",
        "owner": OWNER,
        "agreed_week": "2026-W47",
        "review_week": "2026-W49",
        "status": "open",
        "since": None,
    }
    home = json.dumps(_home(running, MEMBERS[3]))
    assert "hold a joint evidence session" in home and "week of 30 Nov" in home
    assert ActionId.ACTION_DONE.value not in home  # a member sees it, without the buttons
    assert ActionId.ACTION_DONE.value in json.dumps(_home(running, MANAGER))

    running.clock.set(TUESDAY_W49)
    running.command("send")
    wait_for(lambda: _said(running, "The pulse for 2026-W49 went to 9 people"))
    prompt = latest_prompt(running, MANAGER)
    asked = [behaviour_of(prompt, i) for i in range(len(prompt.blocks)) if _has_q(prompt, i)]
    assert behaviour in asked
    question = asked.index(behaviour)
    for user, point in zip(SURVEYED, [4] + [5] * (len(SURVEYED) - 1), strict=True):
        click(running, user, question, point)
    ask = wait_for(lambda: [m for m in running.slack.dms_to(OWNER) if "Was it done" in m.text])
    _press(running, ask[-1], ActionId.OWNER_DONE, user=OWNER)
    wait_for(lambda: stored_actions(running)[0][6] == "done")
    running.command("digest")
    wait_for(lambda: _said(running, "The 2026-W49 round is now closed"))

    [listed] = digest_json(running, "2026-W49")["actions"]
    assert listed["since"] == {
        "then": -0.5,
        "now": pytest.approx(17 / 18),
        "shift": "towards_favourable",
    }
    digest = wait_for(lambda: _digest_messages(running)[1:])[-1]
    words = json.dumps(digest.blocks, ensure_ascii=False)
    assert "Since we agreed to *hold a joint evidence session*" in words
    assert "from -0.50 to +0.94: a real shift towards" in words
    assert "owner says: done" in words
    assert check_message(digest.text, digest.blocks) == []

    _press(running, digest, ActionId.ACTION_DONE, user=MEMBERS[2])
    wait_for(lambda: _said(running, "only a manager"))
    assert stored_actions(running)[0][5] == "open"
    _press(running, digest, ActionId.ACTION_DONE, user=MANAGER)
    wait_for(lambda: stored_actions(running)[0][5] == "done")
    _press(running, digest, ActionId.ACTION_DROP, user=MANAGER)
    wait_for(lambda: _said(running, "already closed"))
    assert stored_actions(running)[0][5] == "done"
    # Reviewed this week, so the week's digest still lists it; later ones don't.
    assert digest_json(running, "2026-W49")["actions"][0]["status"] == "done"
    assert "hold a joint" not in json.dumps(_home(running, MANAGER))


def _has_q(message: Any, i: int) -> bool:
    try:
        behaviour_of(message, i)
    except IndexError:
        return False
    return True


def test_forged_and_foreign_action_buttons_change_nothing(running: RunningBot) -> None:
    _, action_id = _agree_from_digest(running)
    running.command("digest")  # posted again, now with the action and its buttons
    digest = wait_for(lambda: _digest_messages(running)[1:])[-1]
    for value in ("", "abc", "-1", "0", "99999999999999", str(action_id + 1), f"{action_id};1"):
        _press(running, digest, ActionId.ACTION_DROP, user=MANAGER, value=value)
    wait_for(lambda: sum(_said(running, w) for w in ("didn't come up", "could not be found")))
    _press(running, digest, ActionId.OWNER_DONE, user=MEMBERS[4], value=str(action_id))
    wait_for(lambda: _said(running, "Only the action's owner"))
    _press(running, digest, ActionId.AGREE_ACTION, user=MEMBERS[4])
    wait_for(lambda: _said(running, "only a manager"))
    _press(running, digest, ActionId.AGREE_ACTION, user=MANAGER, value="C0TEAM0001:<script>")
    assert stored_actions(running)[0][5:] == ("open", None)
    assert len(stored_actions(running)) == 1
