"""App Home: the member's open pulse, their team's published figures, and an opt-out switch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from blocks.actions import home_action_blocks
from blocks.digest import diverging_bar
from blocks.ids import ActionId
from blocks.prompt import prompt_message
from blocks.text import button, context, divider, escape, header, section
from surveys.actions import AgreedAction
from surveys.digest import Digest
from surveys.organisation_format import organisation_line


@dataclass(frozen=True)
class OpenPrompt:
    """An open prompt as App Home shows it."""

    prompt_id: int
    week: str
    behaviour_ids: tuple[str, ...]
    answers: dict[str, int | None]
    closes_at: Any
    threshold: int
    team: str | None = None


def _figures(digest: Digest) -> list[dict[str, Any]]:
    index = digest.index
    if index.suppressed or index.score is None:
        lines = [f"*<#{digest.team}> · {digest.week}*: not enough answers yet to show figures."]
    else:
        lines = [
            f"*<#{digest.team}> · {digest.week}*: index {diverging_bar(index.score)} "
            f"{index.score:+.2f}"
        ]
        for item in digest.asked:
            f = item.figure
            if not f.suppressed and f.score is not None:
                lines.append(f"{escape(item.behaviour.favourable)}: {f.score:+.2f}")
    lines += [f"• {escape(organisation_line(o))}" for o in digest.organisations]
    return [section("\n".join(lines))]


MAX_MANAGED_SHOWN = 10


def _managed(channels: Sequence[str]) -> list[dict[str, Any]]:
    """A settings button for each team the member manages."""
    if not channels:
        return []
    blocks: list[dict[str, Any]] = [divider(), section("*Teams you manage*")]
    for channel in channels[:MAX_MANAGED_SHOWN]:
        block = section(f"<#{channel}>")
        block["accessory"] = button("Settings", ActionId.OPEN_SETTINGS, channel)
        blocks.append(block)
    return blocks


def home_view(
    *,
    open_prompts: Sequence[OpenPrompt],
    digests: Sequence[Digest],
    opted_out: bool,
    managed_channels: Sequence[str] = (),
    notice: str | None = None,
    actions: Sequence[tuple[str, AgreedAction, bool]] = (),
    organisations: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """The App Home tab for one member (with a settings button per team they manage), with
    a line on top when a button they pressed could not do what it said."""
    blocks: list[dict[str, Any]] = [header("Partnership Pulse")]
    if notice:
        blocks.append(context(escape(notice)))
    if open_prompts:
        for item in open_prompts:
            message = prompt_message(
                prompt_id=item.prompt_id,
                week=item.week,
                behaviour_ids=item.behaviour_ids,
                answers=item.answers,
                closes_at=item.closes_at,
                threshold=item.threshold,
                team=item.team,
            )
            blocks += message["blocks"]
    else:
        blocks.append(section("No pulse is open for you right now. Thanks for taking part!"))
    blocks += [divider(), section("*Your team's published figures*")]
    blocks += [
        context(f"In <#{channel}> you are counted in *{escape(name)}*.")
        for channel, name in organisations[:MAX_MANAGED_SHOWN]
    ]
    if digests:
        for digest in digests:
            blocks += _figures(digest)
    else:
        blocks.append(context("Figures appear here after your team's first round closes."))
    if actions:
        blocks.append(divider())
        blocks += home_action_blocks(actions)
    blocks += _managed(managed_channels)
    blocks.append(divider())
    if opted_out:
        blocks.append(section("Your prompts are paused."))
        blocks.append(
            {"type": "actions", "elements": [button("Resume my prompts", ActionId.OPT_IN, "in")]}
        )
    else:
        blocks.append(section("Need a break? You can pause your prompts at any time."))
        blocks.append(
            {"type": "actions", "elements": [button("Pause my prompts", ActionId.OPT_OUT, "out")]}
        )
    return {"type": "home", "blocks": blocks[:100]}
