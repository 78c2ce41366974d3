"""Keep what a channel and a member actually received in the demo, for the docs."""

from __future__ import annotations

import json
from pathlib import Path

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
    prompts = [m for m in slack.dms_to(member) if m.blocks and "pulse for" in m.text]
    if prompts:
        path = folder / PROMPT_MESSAGE
        path.write_text(
            json.dumps({"text": prompts[-1].text, "blocks": prompts[-1].blocks}, indent=2) + "\n"
        )
        written.append(path)
    return written
