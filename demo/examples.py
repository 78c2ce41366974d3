"""Keep what a channel and a member actually received in the demo, for the docs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from standin.webapi import StandInSlack

CHANNEL_MESSAGE = "digest-message.json"
CHART = "digest-chart.png"
PROMPT_MESSAGE = "prompt-message.json"


def save_examples(slack: StandInSlack, channel: str, member: str, folder: Path) -> list[Path]:
    """Write the last digest message, its chart, and one member's last prompt."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    digests = [m for m in slack.messages_in(channel) if m.blocks]
    if digests:
        path = folder / CHANNEL_MESSAGE
        last = digests[-1]
        path.write_text(json.dumps({"text": last.text, "blocks": last.blocks}, indent=2) + "\n")
        written.append(path)
    charts = [f for f in slack.uploaded_files if f.filename.endswith(".png") and f.content]
    if charts:
        path = folder / CHART
        path.write_bytes(charts[-1].content or b"")
        written.append(path)
    prompt = _last_answered_prompt(slack, member)
    if prompt is not None:
        path = folder / PROMPT_MESSAGE
        path.write_text(json.dumps(prompt, indent=2) + "\n")
        written.append(path)
    return written


def _last_answered_prompt(slack: StandInSlack, member: str) -> dict[str, Any] | None:
    """The member's prompt as last drawn while its round was open, their choices shown: once
    a round closes every prompt is redrawn alike, so the DM itself no longer shows them."""
    dm = next((m.channel for m in slack.dms_to(member)), None)
    drawn = [
        call.args
        for call in slack.calls_to("chat.update")
        if call.args.get("channel") == dm and _asks_pulse_questions(call.args.get("blocks"))
    ]
    if not drawn:
        return None
    blocks = drawn[-1]["blocks"]
    return {
        "text": drawn[-1].get("text"),
        "blocks": json.loads(blocks) if isinstance(blocks, str) else blocks,
    }


def _asks_pulse_questions(blocks: Any) -> bool:
    parsed = json.loads(blocks) if isinstance(blocks, str) else blocks or []
    return any(str(b.get("block_id", "")).startswith("q:") for b in parsed)
