"""The review DM: one actions block per question, its four levels first (lowest first),
then "don't know"; and what the DM becomes once the review has closed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from blocks.ids import ReviewValue, review_action_id, review_block_id
from blocks.text import button, context, divider, escape, local_time, section
from surveys.review import DONT_KNOW, LEVEL_NAMES, QUESTIONS, ReviewQuestion


def _question_text(item: ReviewQuestion, number: int) -> str:
    levels = "\n".join(
        f"• *{name}*: {escape(words)}" for name, words in zip(LEVEL_NAMES, item.levels, strict=True)
    )
    return f"*{number}. How effective is the partnership in {escape(item.text)}*\n{levels}"


def _chosen(level: int | None) -> str:
    if level is None:
        return "You said you don't know."
    return f"You chose *{LEVEL_NAMES[level - 1]}*."


def _question_blocks(
    prompt_id: int, item: ReviewQuestion, number: int, answers: Mapping[str, int | None]
) -> list[dict[str, Any]]:
    answered = item.id in answers
    chosen = answers.get(item.id)
    buttons = [
        button(
            name,
            review_action_id(level),
            ReviewValue(prompt_id, item.id, level).encode(),
            style="primary" if answered and chosen == level else None,
        )
        for level, name in enumerate(LEVEL_NAMES, start=1)
    ]
    buttons.append(
        button(
            DONT_KNOW,
            review_action_id(None),
            ReviewValue(prompt_id, item.id, None).encode(),
            style="primary" if answered and chosen is None else None,
        )
    )
    blocks = [
        section(_question_text(item, number)),
        {
            "type": "actions",
            "block_id": review_block_id(prompt_id, item.id),
            "elements": buttons,
        },
    ]
    if answered:
        blocks.append(context(_chosen(chosen)))
    return blocks


def review_title(quarter: str, team: str | None) -> str:
    """ "Partnership review for #community-safety, 2026-Q4"."""
    return f"Partnership review for {team}, {quarter}" if team else f"Partnership review, {quarter}"


def review_prompt_message(
    *,
    prompt_id: int,
    quarter: str,
    answers: Mapping[str, int | None],
    closes_at: datetime,
    threshold: int,
    team: str | None = None,
    peer: bool = False,
) -> dict[str, Any]:
    """The DM a member answers the review in; answered questions show the choice. A peer
    reviewer's DM says plainly, before the first question, that their answers are shown as
    the peer reviewer's view and are not anonymous."""
    title = review_title(quarter, team)
    blocks: list[dict[str, Any]] = [section(_intro(title, peer))]
    for number, item in enumerate(QUESTIONS, start=1):
        blocks += _question_blocks(prompt_id, item, number, answers)
    blocks += [divider(), context(_promise(threshold, closes_at, peer))]
    done = sum(1 for q in QUESTIONS if q.id in answers)
    return {"text": f"{title}: {done} of {len(QUESTIONS)} answered.", "blocks": blocks}


def _intro(title: str, peer: bool) -> str:
    asked = (
        f"*{title}* — ten questions on how effective the partnership is, from the "
        "briefing's review of performance culture. For each, pick the level that best "
        "describes what you see, or *Don't know*."
    )
    if not peer:
        return asked
    return (
        f"{asked}\n*You are asked as a peer reviewer from outside the partnership.* Your "
        "answers are not anonymous: they are shown as the peer reviewer's view, apart from "
        "the partners' answers and never added to them."
    )


def _promise(threshold: int, closes_at: datetime, peer: bool) -> str:
    if peer:
        return (
            "Shown apart as the peer reviewer's view, level by level, to the team's managers "
            "and in its reports; never pooled with the partners' answers. You can change "
            f"your answers until {local_time(closes_at)}."
        )
    return (
        f"Anonymous: each question's answers are shown only when at least {threshold} "
        "people have answered it, never added up into one score, and never who said "
        f"what. Until {local_time(closes_at)} your answers stay linked to you so you can "
        "change them; then they are unlinked and this message is redrawn the same for "
        "everyone."
    )


def closed_review_message(*, quarter: str, team: str | None = None) -> dict[str, Any]:
    """What a review DM turns into once the review has closed."""
    which = f"The partnership review for {team}" if team else "The partnership review"
    text = f"{which}, {quarter}, has closed. Thank you for taking part."
    return {"text": text, "blocks": [section(text)]}


def review_started_notice(
    *, quarter: str, team: str, closes_at: datetime, invited: int
) -> dict[str, Any]:
    """A manager's one DM when the quarterly review started by itself: that it did, until
    when it is open, and how to close it early."""
    text = (
        f"The {quarter} partnership review of {team} has started by itself, as the team's "
        f"settings ask: {invited} people were asked. It stays open until "
        f"{local_time(closes_at)}; `/pulse review close` in the channel closes it early."
    )
    return {"text": text, "blocks": [section(text)]}
