"""The demo's closing of the loop: the manager agrees one action in the modal half-way
through, and at the end the team answers the partnership-effectiveness review.

Both go through the real paths: a signed /pulse, the modal the bot asked Slack to open
submitted as Slack would submit it, and each member's clicks on the review DM they got.
Only counts are printed, withheld as the review withholds them.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from typing import Any

from blocks.ids import ACTION_VIEW, ActionField
from demo.answers import wait_until
from demo.people import Person
from demo.stage import CHANNEL_ID, CHANNEL_NAME, Stage
from demo.transcript import Transcript
from services import reviews as review_service
from surveys.actions import suggestions_for
from surveys.digest import Digest
from surveys.review import LEVELS
from surveys.review_format import review_to_text
from surveys.story import focus_behaviour

Command = Callable[[str], str]


def _opened_modals(stage: Stage) -> list[dict[str, Any]]:
    views = []
    for call in stage.slack.calls_to("views.open"):
        view = call.args.get("view")
        view = json.loads(view) if isinstance(view, str) else view
        if view and view.get("callback_id") == ACTION_VIEW:
            views.append(view)
    return views


def _options(view: dict[str, Any], field: ActionField) -> list[str]:
    element = next(b for b in view["blocks"] if b.get("block_id") == field.value)["element"]
    return [o["value"] for o in element.get("options", [])]


def _selected(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value}}


def agree_an_action(
    stage: Stage,
    team: Sequence[Person],
    transcript: Transcript,
    command: Command,
    digests: Sequence[Digest],
) -> None:
    """The manager agrees an action on the latest digest's focus, owned by a member."""
    manager, owner = team[0], team[1]
    focus = focus_behaviour(digests[-1]) if digests else None
    behaviour = focus.behaviour.id if focus else "seek-robust-evidence-to-inform-decisions"
    before = len(_opened_modals(stage))
    command("action")
    if not wait_until(lambda: len(_opened_modals(stage)) > before):
        transcript.problem("/pulse action opened no modal")
        return
    view = _opened_modals(stage)[-1]
    suggestion = suggestions_for(behaviour)[0]
    review_week = _options(view, ActionField.REVIEW_WEEK)[0]
    values = {
        ActionField.BEHAVIOUR.value: {ActionField.BEHAVIOUR.value: _selected(behaviour)},
        ActionField.SUGGESTION.value: {ActionField.SUGGESTION.value: _selected(suggestion.key)},
        ActionField.OWN_WORDS.value: {
            ActionField.OWN_WORDS.value: {"type": "plain_text_input", "value": None}
        },
        ActionField.OWNER.value: {
            ActionField.OWNER.value: {"type": "users_select", "selected_user": owner.user_id}
        },
        ActionField.REVIEW_WEEK.value: {ActionField.REVIEW_WEEK.value: _selected(review_week)},
    }
    stage.requests += 1
    reply = stage.sender.view_submission(
        user_id=manager.user_id,
        view={
            "callback_id": ACTION_VIEW,
            "private_metadata": view["private_metadata"],
            "state": {"values": values},
        },
    )
    transcript.say()
    transcript.say("The manager: /pulse action → the modal, submitted")
    if reply.status != 200 or (reply.body and "errors" in reply.json()):
        transcript.problem(f"the agreed action was refused: {reply.text[:200]}")
        return
    transcript.say(
        f"  ↳ agreed: {suggestion.text} (on {behaviour}), owned by a member, "
        f"reviewed in {review_week}; the digests list it from now on"
    )


def run_review(
    stage: Stage,
    team: Sequence[Person],
    transcript: Transcript,
    command: Command,
    rng: random.Random,
) -> None:
    """The manager starts the review; each member clicks a level (or don't know) on each
    question of their DM; the manager closes it, and its results are printed."""
    transcript.say()
    transcript.heading("The partnership-effectiveness review")
    command("review")
    by_dm = [p for p in team if not p.partner.dm_refused]
    wait_until(lambda: all(_review_dm(stage, p) is not None for p in by_dm))
    people = [p for p in team if _review_dm(stage, p) is not None]
    transcript.say(f"The manager: /pulse review → {len(people)} members got the DM")
    missed = len(team) - len(people)
    if missed and len(people) == len(by_dm):
        transcript.say(
            f"  ({missed} members Slack will not let the bot DM are not asked: the review "
            "goes by DM only so far)"
        )
    clicks = 0
    for person in people:
        dm = _review_dm(stage, person)
        assert dm is not None
        lean = rng.choice((1, 2, 2, 3, 3, 4))
        for block in [b for b in dm.blocks or [] if b.get("type") == "actions"]:
            level = min(LEVELS, max(1, lean + rng.choice((-1, 0, 0, 1))))
            element = block["elements"][level - 1 if rng.random() > 0.1 else LEVELS]
            stage.sender.block_action(
                user_id=person.user_id,
                action_id=element["action_id"],
                value=element["value"],
                block_id=block["block_id"],
                channel_id=dm.channel,
                message_ts=dm.ts,
                response_url=stage.response_url("review-click"),
                message_blocks=dm.blocks,
            )
            clicks += 1
    transcript.say(f"  {clicks} clicks on the review's levels")
    command("review close")
    if not wait_until(lambda: _results_closed(stage)):
        transcript.problem("the review did not close")
        return
    results = review_service.results(db=stage.bot.db, channel_id=CHANNEL_ID)
    for line in review_to_text(results, team_name=CHANNEL_NAME).splitlines():
        transcript.say(f"  {line}" if line else "")


def _results_closed(stage: Stage) -> bool:
    try:
        return review_service.results(db=stage.bot.db, channel_id=CHANNEL_ID).closed
    except Exception:
        return False


def _review_dm(stage: Stage, person: Person) -> Any:
    for message in reversed(stage.slack.dms_to(person.user_id)):
        if any(str(b.get("block_id", "")).startswith("rq:") for b in message.blocks or []):
            return message
    return None
