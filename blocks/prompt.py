"""The pulse DM: one actions block per question, the scale's five points first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from blocks.ids import AnswerValue, answer_action_id, decode_answer_value, question_block_id
from blocks.text import button, context, divider, escape, local_time, section
from surveys.behaviours import Behaviour, behaviour
from surveys.questions import question_lead
from surveys.scale import POINTS
from surveys.weeks import week_words

_POINT_WORDS = {1: "1", 2: "2", 3: "3 · in between", 4: "4", 5: "5"}


def question_text(item: Behaviour, number: int) -> str:
    """The question's own lead, then both poles exactly as the briefing's table words them."""
    return (
        f"*{number}. {question_lead(item.id)}*\n"
        f"*1* = {escape(item.unfavourable)}   ·   *5* = {escape(item.favourable)}"
    )


def _chosen_words(item: Behaviour, point: int | None) -> str:
    if point is None:
        return "You said this didn't come up this week."
    return f"You chose *{point}* (1 = {escape(item.unfavourable)}, 5 = {escape(item.favourable)})."


def _question_blocks(
    prompt_id: int, item: Behaviour, number: int, answer: int | None, answered: bool
) -> list[dict[str, Any]]:
    buttons = [
        button(
            _POINT_WORDS[p],
            answer_action_id(p),
            AnswerValue(prompt_id, item.id, p).encode(),
            style="primary" if answered and answer == p else None,
        )
        for p in POINTS
    ]
    buttons.append(
        button(
            "Didn't come up",
            answer_action_id(None),
            AnswerValue(prompt_id, item.id, None).encode(),
            style="primary" if answered and answer is None else None,
        )
    )
    blocks = [
        section(question_text(item, number)),
        {"type": "actions", "block_id": question_block_id(prompt_id, item.id), "elements": buttons},
    ]
    if answered:
        blocks.append(context(_chosen_words(item, answer)))
    return blocks


def prompt_message(
    *,
    prompt_id: int,
    week: str,
    behaviour_ids: Sequence[str],
    answers: Mapping[str, int | None],
    closes_at: datetime,
    threshold: int = 5,
    team: str | None = None,
) -> dict[str, Any]:
    """The DM a member answers in; answered questions show the choice, and it can change.

    ``team`` names the team (see `blocks.text.team_mention`): someone in two teams gets two
    prompts, and each says which partnership it asks about.
    """
    title = pulse_title(week, team)
    blocks: list[dict[str, Any]] = [
        section(
            f"*{title}* — {len(behaviour_ids)} quick questions about "
            "the week just past. Tap a number: 1 is the first phrase, 5 the second."
        )
    ]
    for number, behaviour_id in enumerate(behaviour_ids, start=1):
        item = behaviour(behaviour_id)
        blocks += _question_blocks(
            prompt_id, item, number, answers.get(behaviour_id), behaviour_id in answers
        )
    blocks += [
        divider(),
        context(
            f"Anonymous: your team sees figures only when at least {threshold} people have "
            f"answered, and never who said what. Until {local_time(closes_at)} your answers "
            "stay linked to you so you can change them; then they are unlinked and this "
            "message is redrawn the same for everyone (Slack may keep earlier versions of "
            "an edited message on some plans). `/pulse optout` pauses these."
        ),
    ]
    done = sum(1 for b in behaviour_ids if b in answers)
    text = f"{title}: {done} of {len(behaviour_ids)} answered."
    return {"text": text, "blocks": blocks}


def pulse_title(week: str, team: str | None) -> str:
    """ "Your pulse for #community-safety, week of 30 Nov": the team, and the week in words."""
    who = f"Your pulse for {team}" if team else "Your partnership pulse"
    return f"{who}, {week_words(week)}"


class FreshPrompt:
    """A round's prompt before anyone has answered, built once for the whole round.

    Every member's copy is the same message but for the prompt id its blocks and buttons
    carry, so a fan-out fills in that id instead of building the blocks again per member.
    """

    def __init__(
        self,
        *,
        week: str,
        behaviour_ids: Sequence[str],
        closes_at: datetime,
        threshold: int = 5,
        team: str | None = None,
    ) -> None:
        template = prompt_message(
            prompt_id=0,
            week=week,
            behaviour_ids=behaviour_ids,
            answers={},
            closes_at=closes_at,
            threshold=threshold,
            team=team,
        )
        self._text: str = template["text"]
        self._blocks: list[dict[str, Any]] = template["blocks"]
        self._buttons = {
            index: [
                (element, decode_answer_value(element["value"])) for element in block["elements"]
            ]
            for index, block in enumerate(self._blocks)
            if block["type"] == "actions"
        }

    def message(self, prompt_id: int) -> dict[str, Any]:
        """The message for one member's prompt: equal to `prompt_message` with no answers."""
        encode = AnswerValue.encode_parts
        blocks = list(self._blocks)
        for index, buttons in self._buttons.items():
            behaviour_id = buttons[0][1].behaviour_id
            blocks[index] = {
                **blocks[index],
                "block_id": question_block_id(prompt_id, behaviour_id),
                "elements": [
                    {**element, "value": encode(prompt_id, value.behaviour_id, value.point)}
                    for element, value in buttons
                ],
            }
        return {"text": self._text, "blocks": blocks}


def forgotten_prompt_message(*, week: str, team: str | None = None) -> dict[str, Any]:
    """What the prompt of someone who asked to be forgotten turns into: their choices gone
    from Slack too, not only from the database."""
    which = f"the pulse for {team}" if team else "the partnership pulse"
    text = (
        f"You asked to be forgotten, so your answers to {which}, {week_words(week)}, were "
        "deleted and you won't be asked again this week."
    )
    return {"text": text, "blocks": [section(text)]}


def closed_prompt_message(*, week: str, team: str | None = None) -> dict[str, Any]:
    """What a prompt turns into once its round has closed."""
    which = f"The pulse for {team}" if team else "The partnership pulse"
    text = f"{which}, {week_words(week)}, has closed. Thank you: the digest is in the channel."
    return {"text": text, "blocks": [section(text)]}


def _nudge(week: str, closes_at: datetime, team: str | None) -> tuple[str, str]:
    """The reminder's words, and the one-line text notifications show."""
    whose = f"{team}'s pulse" if team else "the partnership pulse"
    pulse = f"{whose} ({week_words(week)})"
    text = (
        f"A gentle nudge: {pulse} takes under a minute, and it's open until "
        f"{local_time(closes_at)}. Your answers are anonymous."
    )
    return text, f"Reminder: {pulse} is still open."


def reminder_message(
    *, week: str, closes_at: datetime, team: str | None = None, link: str | None = None
) -> dict[str, Any]:
    """A single, gentle nudge to someone who has not answered yet, with a link to the
    questions themselves when Slack gave one (``link``), so nobody has to scroll for them."""
    text, summary = _nudge(week, closes_at, team)
    if link:
        text += f"\n<{link}|Answer this week's questions ›>"
    return {"text": summary, "blocks": [section(text)]}


def in_channel_reminder_message(
    prompt: Mapping[str, Any], *, week: str, closes_at: datetime, team: str | None = None
) -> dict[str, Any]:
    """The nudge for a member Slack refused a DM, shown to them alone in the team channel:
    the same words above the unanswered prompt itself, buttons and all, since the first
    in-channel prompt may be gone from their client (Slack keeps no ephemeral message
    across a reload) and there is nothing to link to. It shows no answer, so nothing of
    it needs hiding at close; a click on it is a click on the prompt."""
    text, summary = _nudge(week, closes_at, team)
    return {"text": summary, "blocks": [section(text), divider(), *prompt["blocks"]]}
