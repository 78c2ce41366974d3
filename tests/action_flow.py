"""Steps of agreeing an action as a manager takes them in Slack: the modal opened by
/pulse action or the digest's button, and submitted as Slack would submit it."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from blocks.ids import ActionField
from standin import check_view
from storage.models import AgreedActionRow
from tests.support import MANAGER, RunningBot, wait_for


def opened_action_modals(running: RunningBot) -> list[dict[str, Any]]:
    """Every agreed-action modal Slack was asked to open, oldest first."""
    views = []
    for call in running.slack.calls_to("views.open"):
        view = call.args.get("view")
        view = json.loads(view) if isinstance(view, str) else view
        if view and view.get("callback_id") == "agreed-action":
            views.append(view)
    return views


def open_by_command(running: RunningBot, *, user: str = MANAGER) -> dict[str, Any]:
    """/pulse action, and the modal it opened (which must pass Block Kit)."""
    before = len(opened_action_modals(running))
    reply = running.command("action", user=user)
    assert reply.status == 200, reply.text
    view = wait_for(lambda: opened_action_modals(running)[before:])[-1]
    assert check_view(view) == [], view
    return view


def _field(view: dict[str, Any], field: ActionField) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == field.value)["element"]


def suggestion_keys(view: dict[str, Any]) -> list[str]:
    """The briefing actions the modal offers, in order."""
    element = _field(view, ActionField.SUGGESTION)
    groups = element.get("option_groups") or [{"options": element.get("options", [])}]
    return [o["value"] for g in groups for o in g["options"]]


def review_week_values(view: dict[str, Any]) -> list[str]:
    """The review weeks offered."""
    return [o["value"] for o in _field(view, ActionField.REVIEW_WEEK)["options"]]


def initial_behaviour(view: dict[str, Any]) -> str | None:
    """The behaviour the modal opened with, if any."""
    option = _field(view, ActionField.BEHAVIOUR).get("initial_option")
    return option["value"] if option else None


def _select(value: str | None) -> dict[str, Any]:
    return {
        "type": "static_select",
        "selected_option": None
        if value is None
        else {"text": {"type": "plain_text", "text": value}, "value": value},
    }


def submit_action(
    running: RunningBot,
    view: dict[str, Any],
    *,
    user: str = MANAGER,
    behaviour: str | None,
    suggestion: str | None = None,
    own_words: str | None = None,
    owner: str | None,
    review_week: str | None,
    metadata: str | None = None,
) -> dict[str, Any]:
    """Submit the modal with these values; the reply Slack got (a shown view must pass)."""
    values = {
        ActionField.BEHAVIOUR.value: {ActionField.BEHAVIOUR.value: _select(behaviour)},
        ActionField.SUGGESTION.value: {ActionField.SUGGESTION.value: _select(suggestion)},
        ActionField.OWN_WORDS.value: {
            ActionField.OWN_WORDS.value: {"type": "plain_text_input", "value": own_words}
        },
        ActionField.OWNER.value: {
            ActionField.OWNER.value: {"type": "users_select", "selected_user": owner}
        },
        ActionField.REVIEW_WEEK.value: {ActionField.REVIEW_WEEK.value: _select(review_week)},
    }
    reply = running.sender.view_submission(
        user_id=user,
        view={
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"] if metadata is None else metadata,
            "state": {"values": values},
        },
    )
    assert reply.status == 200, reply.text
    answer: dict[str, Any] = reply.json() if reply.body else {}
    if answer.get("response_action") == "update":
        assert check_view(answer["view"]) == [], answer["view"]
    return answer


def stored_actions(running: RunningBot) -> list[tuple[Any, ...]]:
    """Every stored action as (id, behaviour, text, owner, review week, status, report)."""
    with running.bot.db.transaction() as session:
        rows = session.scalars(select(AgreedActionRow).order_by(AgreedActionRow.id)).all()
        return [
            (r.id, r.behaviour_id, r.text, r.owner_id, r.review_week, r.status, r.owner_report)
            for r in rows
        ]
