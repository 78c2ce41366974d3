"""Agreed actions in Block Kit: the modal they are agreed in, their lines in the digest and
App Home, and the owner's two DMs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from blocks.ids import ACTION_VIEW, ActionField, ActionId, team_metadata
from blocks.text import button, context, escape, section, team_mention
from surveys.actions import ActionReport, AgreedAction, Since, every_suggestion, suggestions_for
from surveys.behaviours import BEHAVIOURS, behaviour
from surveys.weeks import week_words

MAX_IN_DIGEST = 6
MAX_IN_HOME = 10
DEFAULT_REVIEW_CHOICE = 2  # the third of the weeks offered: four weeks on, about a month


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _option(text: str, value: str) -> dict[str, Any]:
    shown = text if len(text) <= 75 else text[:74] + "…"
    return {"text": _plain(shown), "value": value}


def _input(
    field: ActionField, label: str, element: dict[str, Any], *, hint: str = "", optional: bool
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": field.value,
        "label": _plain(label),
        "element": {**element, "action_id": field.value},
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint)
    return block


def _behaviour_option(behaviour_id: str) -> dict[str, Any]:
    return _option(behaviour(behaviour_id).favourable, behaviour_id)


def _suggestion_element(behaviour_id: str | None) -> dict[str, Any]:
    """The briefing's actions: those for the behaviour first when it is known."""
    if behaviour_id is None:
        return {
            "type": "static_select",
            "placeholder": _plain("The briefing's actions"),
            "options": [_option(s.label, s.key) for s in every_suggestion()],
        }
    mine = suggestions_for(behaviour_id)
    rest = [s for s in every_suggestion() if s not in mine]
    return {
        "type": "static_select",
        "placeholder": _plain("The briefing's actions"),
        "option_groups": [
            {
                "label": _plain("Suggested for this behaviour"),
                "options": [_option(s.label, s.key) for s in mine],
            },
            {
                "label": _plain("Other actions from the briefing"),
                "options": [_option(s.label, s.key) for s in rest],
            },
        ],
    }


def action_modal(
    *, workspace_id: str, channel_id: str, behaviour_id: str | None, review_weeks: Sequence[str]
) -> dict[str, Any]:
    """The modal a manager agrees an action in (the behaviour filled in when known)."""
    behaviour_select: dict[str, Any] = {
        "type": "static_select",
        "placeholder": _plain("Pick a behaviour"),
        "options": [_behaviour_option(b.id) for b in BEHAVIOURS],
    }
    if behaviour_id is not None:
        behaviour_select["initial_option"] = _behaviour_option(behaviour_id)
    weeks = [_option(week_words(w), w) for w in review_weeks]
    week_select: dict[str, Any] = {"type": "static_select", "options": weeks}
    if len(weeks) > DEFAULT_REVIEW_CHOICE:
        week_select["initial_option"] = weeks[DEFAULT_REVIEW_CHOICE]
    blocks = [
        section(
            f"An action for <#{channel_id}>: what the team will do, who owns it, and when the "
            "pulse looks again."
        ),
        _input(ActionField.BEHAVIOUR, "Behaviour", behaviour_select, optional=False),
        _input(
            ActionField.SUGGESTION,
            "What: one of the briefing's actions",
            _suggestion_element(behaviour_id),
            optional=True,
        ),
        _input(
            ActionField.OWN_WORDS,
            "…or what, in the team's own words",
            {"type": "plain_text_input", "multiline": True, "max_length": 300},
            hint="Fill in one of the two.",
            optional=True,
        ),
        _input(ActionField.OWNER, "Owner", {"type": "users_select"}, optional=False),
        _input(
            ActionField.REVIEW_WEEK,
            "Review week",
            week_select,
            hint="That week's pulse asks about the behaviour, and the digest says if it moved.",
            optional=False,
        ),
    ]
    return {
        "type": "modal",
        "callback_id": ACTION_VIEW,
        "title": _plain("Agree an action"),
        "submit": _plain("Agree"),
        "close": _plain("Cancel"),
        "private_metadata": team_metadata(workspace_id=workspace_id, channel_id=channel_id),
        "blocks": blocks,
    }


def action_agreed_view(action: AgreedAction, channel_id: str) -> dict[str, Any]:
    """What the modal turns into once the action is stored."""
    return {
        "type": "modal",
        "callback_id": ACTION_VIEW,
        "title": _plain("Agree an action"),
        "close": _plain("Done"),
        "blocks": [section(f"*Agreed* for <#{channel_id}>:\n{action_line(action)}")],
    }


def action_problem_view(text: str) -> dict[str, Any]:
    """A modal saying why an action could not be agreed."""
    return {
        "type": "modal",
        "callback_id": ACTION_VIEW,
        "title": _plain("Agree an action"),
        "close": _plain("Close"),
        "blocks": [section(escape(text))],
    }


def _quoted(behaviour_id: str) -> str:
    return f"“{escape(behaviour(behaviour_id).favourable)}”"


def action_line(action: AgreedAction) -> str:
    """ "*hold a joint evidence session* · on “…” · owner @x · review week of 14 Dec" """
    owner = f"<@{action.owner}>" if action.owner else "no owner"
    line = (
        f"*{escape(action.text)}* · on {_quoted(action.behaviour_id)} · owner {owner} · "
        f"review {week_words(action.review_week)}"
    )
    if action.status != "open":
        line += f" · _{action.status}_"
    elif action.owner_report:
        line += f" · owner says: {'done' if action.owner_report == 'done' else 'not yet'}"
    return line


_VERDICT = {
    "towards_favourable": "a real shift towards “{fav}”",
    "towards_unfavourable": "a real shift towards “{unfav}”",
    "none": "no clear change: within what small groups produce by chance",
    "insufficient_data": "too few answers to call it either way",
}


def since_words(action: AgreedAction, since: Since) -> str:
    """Since we agreed to …, … has moved from −0.10 to +0.20: a real shift."""
    b = behaviour(action.behaviour_id)
    verdict = _VERDICT[since.shift].format(fav=escape(b.favourable), unfav=escape(b.unfavourable))
    lead = f"Since we agreed to *{escape(action.text)}* ({week_words(action.agreed_week)})"
    if since.then is None or since.now is None:
        return (
            f"{lead}, {_quoted(action.behaviour_id)} is at {since.now:+.2f}; there was no "
            "figure from before to compare with."
            if since.now is not None
            else f"{lead}: not enough answers to say."
        )
    return (
        f"{lead}, {_quoted(action.behaviour_id)} has moved from {since.then:+.2f} to "
        f"{since.now:+.2f}: {verdict}."
    )


def _close_buttons(action_id: int) -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": f"action:{action_id}",
        "elements": [
            button("Mark done", ActionId.ACTION_DONE, str(action_id), style="primary"),
            button("Drop", ActionId.ACTION_DROP, str(action_id)),
        ],
    }


def digest_action_blocks(reports: Sequence[ActionReport]) -> list[dict[str, Any]]:
    """The digest's agreed actions, under "How will we know?", each with a manager's
    Done / Drop buttons while it is open."""
    if not reports:
        return []
    blocks: list[dict[str, Any]] = []
    for report in reports[:MAX_IN_DIGEST]:
        text = "• " + action_line(report.action)
        if report.since is not None:
            text += "\n" + since_words(report.action, report.since)
        blocks.append(section(text))
        if report.action.status == "open":
            blocks.append(_close_buttons(report.action.id))
    if len(reports) > MAX_IN_DIGEST:
        blocks.append(context(f"…and {len(reports) - MAX_IN_DIGEST} more in App Home."))
    return blocks


def agree_button(team_channel: str, behaviour_id: str | None) -> list[dict[str, Any]]:
    """A manager's way from "What do we need to do?" to agreeing an action on it."""
    value = f"{team_channel}:{behaviour_id or ''}"
    return [
        {
            "type": "actions",
            "block_id": "agree-action",
            "elements": [button("Agree an action", ActionId.AGREE_ACTION, value)],
        }
    ]


def home_action_blocks(
    items: Sequence[tuple[str, AgreedAction, bool]],
) -> list[dict[str, Any]]:
    """App Home's open actions: (team, action, may this viewer close it)."""
    if not items:
        return []
    blocks: list[dict[str, Any]] = [section("*Agreed actions*")]
    for team, action, can_close in items[:MAX_IN_HOME]:
        blocks.append(section(f"{team}: {action_line(action)}"))
        if can_close:
            blocks.append(_close_buttons(action.id))
    return blocks


def owner_told_message(action: AgreedAction, *, team: str, agreed_by: str | None) -> dict[str, Any]:
    """The DM telling the owner an action was agreed with them as its owner."""
    who = f"<@{agreed_by}>" if agreed_by else "A manager"
    text = (
        f"{who} agreed an action for {team}, with you as its owner: *{escape(action.text)}*, "
        f"to build {_quoted(action.behaviour_id)}. In the "
        f"{week_words(action.review_week)} the pulse asks about it again, and I'll ask you "
        "whether it was done."
    )
    return {"text": f"An action for {team} is yours: {action.text}", "blocks": [section(text)]}


def review_ask_message(action: AgreedAction, *, team: str) -> dict[str, Any]:
    """The owner's review-week question, with Done / Not yet."""
    text = (
        f"It's the review week for the action you own in {team}: *{escape(action.text)}* "
        f"(on {_quoted(action.behaviour_id)}). Was it done?"
    )
    return {
        "text": f"Was it done? {action.text}",
        "blocks": [
            section(text),
            {
                "type": "actions",
                "block_id": f"review:{action.id}",
                "elements": [
                    button("Done", ActionId.OWNER_DONE, str(action.id), style="primary"),
                    button("Not yet", ActionId.OWNER_NOT_YET, str(action.id)),
                ],
            },
        ],
    }


def review_answered_message(action: AgreedAction, *, team: str) -> dict[str, Any]:
    """The review question redrawn once the owner has answered."""
    said = "done" if action.owner_report == "done" else "not yet done"
    text = (
        f"Thanks: noted that *{escape(action.text)}* ({team}) is {said}. The team's managers "
        "see it in the digest and App Home."
    )
    return {"text": text, "blocks": [section(text)]}


def team_name(channel_id: str, channel_name: str | None) -> str:
    """The team as its members know it."""
    return team_mention(channel_id, channel_name)
