"""The weekly digest for the team channel, told as the briefing's story."""

from __future__ import annotations

from typing import Any

from blocks.actions import agree_button, digest_action_blocks
from blocks.text import context, divider, escape, header, section
from surveys.digest import BehaviourFigure, Digest
from surveys.organisation_format import convergence_line, organisation_line
from surveys.partner_words import PARTNERS_HEADING
from surveys.story import Story
from surveys.weeks import week_words

_HALF = 5


def diverging_bar(score: float) -> str:
    """A them↔us bar: filled from the middle towards the side the score leans to."""
    cells = round(abs(score) * _HALF)
    empty = "·" * _HALF
    if score < 0:
        left = "·" * (_HALF - cells) + "█" * cells
        return f"`{left}│{empty}`"
    right = "█" * cells + "·" * (_HALF - cells)
    return f"`{empty}│{right}`"


_SHIFT_WORDS = {
    "towards_favourable": 'moved towards "us"',
    "towards_unfavourable": 'moved towards "them"',
    "none": "no clear change",
    "insufficient_data": "first reading",
}


def _index_bar(digest: Digest) -> str:
    score = digest.index.score
    if digest.index.suppressed or score is None:
        return ""
    return f"\n{diverging_bar(score)}  *this week's answers {score:+.2f}*"


def _behaviour_line(item: BehaviourFigure) -> str:
    b, f = item.behaviour, item.figure
    poles = f"{escape(b.unfavourable)} ↔ *{escape(b.favourable)}*"
    if f.suppressed or f.score is None:
        return f"{poles}\n_not enough answers this week to show this one_"
    shift = _SHIFT_WORDS[f.shift] if f.previous is not None else "first reading"
    return f"{poles}\n{diverging_bar(f.score)}  {f.score:+.2f} · {shift}"


def digest_title(digest: Digest, team_name: str | None = None) -> str:
    """ "Partnership pulse · #community-safety · week of 30 Nov": the team as people know it
    and the week in words."""
    return f"Partnership pulse · {team_name or digest.team} · {week_words(digest.week)}"


def organisation_blocks(digest: Digest) -> list[dict[str, Any]]:
    """Each organisation's view side by side, and whether they are drawing together."""
    if not digest.organisations:
        return []
    lines = [f"• {escape(organisation_line(f))}" for f in digest.organisations]
    gap = convergence_line(digest.convergence)
    if gap:
        lines.append(escape(gap))
    return [section("*Each organisation's view*\n" + "\n".join(lines)[:2900])]


def partner_blocks(parts: dict[str, str]) -> list[dict[str, Any]]:
    """How the partner organisations see it, when the story has that part."""
    words = parts.get(PARTNERS_HEADING)
    return [section(f"*{PARTNERS_HEADING}?*\n{escape(words)}")] if words else []


def digest_message(digest: Digest, story: Story, *, team_name: str | None = None) -> dict[str, Any]:
    """The channel message: the five parts of the story, with this week's behaviours as bars."""
    parts = {p.heading: p.text for p in story.parts}
    title = digest_title(digest, team_name)
    blocks: list[dict[str, Any]] = [
        header(title),
        section(f"*Where are we now?*\n{escape(parts['Where are we now'])}{_index_bar(digest)}"),
    ]
    blocks += [section(_behaviour_line(item)) for item in digest.asked]
    blocks += organisation_blocks(digest)
    blocks += [
        context('Bars run from "them" (left) to "us" (right); the middle line is neutral.'),
        divider(),
        section(f"*Where did we start from?*\n{escape(parts['Where did we start from'])}"),
        section(f"*Where are we going?*\n{escape(parts['Where are we going'])}"),
        *partner_blocks(parts),
        section(f"*How will we know?*\n{escape(parts['How will we know'])}"),
        *digest_action_blocks(digest.actions),
        section(f"*What do we need to do?*\n{escape(parts['What do we need to do'])}"),
        *agree_button(digest.team, story.focus.behaviour.id if story.focus else None),
        context(
            f"{digest.participation.responded} of {digest.participation.invited} people took "
            f"part. Figures show only when at least {digest.threshold} people answered; "
            "changes are called only when they're bigger than the week-to-week noise."
        ),
    ]
    text = f"{title}: {parts['Where are we now']}"
    return {"text": text, "blocks": blocks}
