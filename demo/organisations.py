"""The demo's organisations: the manager names the one the workspaces cannot (in the settings
modal, as Slack would submit it), and at the end the demo says what the digests showed of
the organisations and whether their views drew together.

Only published figures are printed: the organisations the digests showed, and their gap.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from blocks.ids import SETTINGS_VIEW
from demo.answers import wait_until
from demo.partners import PARTNERS
from demo.people import Person
from demo.stage import Stage
from demo.transcript import Transcript
from surveys.digest import Digest
from surveys.organisations import OTHER_PARTNERS, slot_field

Command = Callable[[str], str]


def _settings_views(stage: Stage) -> list[dict[str, Any]]:
    views = []
    for call in stage.slack.calls_to("views.open"):
        view = call.args.get("view")
        view = json.loads(view) if isinstance(view, str) else view
        if view and view.get("callback_id") == SETTINGS_VIEW:
            views.append(view)
    return views


def _as_shown(element: dict[str, Any]) -> dict[str, Any]:
    """A modal field's value as Slack submits it when left as the modal showed it."""
    kind = element["type"]
    if kind == "static_select":
        return {"type": kind, "selected_option": element.get("initial_option")}
    if kind == "timepicker":
        return {"type": kind, "selected_time": element.get("initial_time")}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": element.get("initial_conversation")}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": element.get("initial_users", [])}
    return {"type": kind, "value": element.get("initial_value")}


def assign_organisations(
    stage: Stage, team: Sequence[Person], transcript: Transcript, command: Command
) -> None:
    """The manager opens /pulse settings and names each organisation whose people share the
    council's workspace, by their email domain; Slack Connect members need no assignment
    (their home workspace says it) and nor do the council's own (the workspace is theirs)."""
    manager = team[0]
    assigned = [p for p in PARTNERS if p.email_domain and p.name != manager.organisation]
    if not assigned:
        return
    before = len(_settings_views(stage))
    command("settings")
    if not wait_until(lambda: len(_settings_views(stage)) > before):
        transcript.problem("/pulse settings opened no modal")
        return
    view = _settings_views(stage)[-1]
    values = {
        block["block_id"]: {block["element"]["action_id"]: _as_shown(block["element"])}
        for block in view["blocks"]
        if block["type"] == "input"
    }
    for slot, partner in enumerate(assigned):
        name, domains = slot_field("name", slot), slot_field("domains", slot)
        values[name][name]["value"] = partner.name
        values[domains][domains]["value"] = partner.email_domain
    stage.requests += 1
    reply = stage.sender.view_submission(
        user_id=manager.user_id,
        view={
            "callback_id": SETTINGS_VIEW,
            "private_metadata": view["private_metadata"],
            "state": {"values": values},
        },
    )
    transcript.say(f"{manager.real_name}: /pulse settings → the modal, submitted")
    answer = reply.json() if reply.status == 200 and reply.body else {}
    if reply.status != 200 or answer.get("response_action") == "errors":
        transcript.problem(f"the organisations were refused: {reply.text[:200]}")
        return
    for partner in assigned:
        transcript.say(f"  ↳ {partner.name}: everyone whose email is @{partner.email_domain}")


def organisation_findings(transcript: Transcript, digests: Sequence[Digest]) -> None:
    """Which organisations each digest showed, and the gap between them week by week."""
    if not digests:
        return
    transcript.say()
    transcript.say("Partner organisations (shown where at least the threshold answered):")
    for digest in digests:
        shown = [o.name for o in digest.organisations if not o.index_suppressed]
        folded = any(o.name == OTHER_PARTNERS for o in digest.organisations)
        spread = digest.convergence.spread
        gap = "—" if spread is None else f"{spread:.2f}"
        names = ", ".join(n for n in shown if n != OTHER_PARTNERS) or "none shown"
        other = f" + {OTHER_PARTNERS}" if folded else ""
        transcript.say(f"  {digest.week}: gap {gap} · {names}{other}")
    last = digests[-1].convergence
    transcript.say(
        f"Convergence: spread {_number(last.baseline)} at the start → {_number(last.spread)} "
        f"now; verdict {last.shift} over {last.weeks} weeks"
    )


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"
