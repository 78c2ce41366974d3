"""Sending a round's prompts from the outbox, and its one reminder."""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks.prompt import FreshPrompt
from blocks.text import team_mention
from delivery.context import Outbound, budget_key
from delivery.unreachable import tell_managers
from services import rounds as round_service
from services.errors import WorkspaceNotInstalled
from services.rounds import PromptToSend, RoundInfo

log = logging.getLogger(__name__)

# Errors that concern one member only: skip them, keep going with the round.
MEMBER_ERRORS = frozenset(
    {"user_not_found", "account_inactive", "cannot_dm_bot", "channel_not_found", "user_disabled"}
)

DM_REFUSED = frozenset({"channel_not_found", "user_not_visible", "restricted_action"})
"""Slack will not open a DM with this member (in a Slack Connect channel, someone of
another organisation): the prompt goes to them in the team channel instead (standin/connect.py
gives the sources)."""

IN_CHANNEL_REFUSED = frozenset(
    {
        "user_not_in_channel",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "restricted_action",
        "user_not_found",
    }
)
"""Slack will not show this member an ephemeral in the team channel either: unreachable."""


@dataclass(frozen=True)
class SendReport:
    """What one pass over the outbox did."""

    sent: int = 0
    skipped: int = 0
    deferred: int = 0


CLAIM_BATCH = 250
"""Prompts claimed in one transaction. A crash leaves them waiting out their lease (sent
late, never twice); two senders share a round in batches of this size."""

FRESH_CLAIM = 10
"""A claim is posted from only while younger than lease/FRESH_CLAIM; the rest of its batch
goes back to be claimed afresh, so every DM starts with nearly all of its lease ahead."""


@dataclass
class _Pass:
    """One pass over the outbox: where outcomes are recorded, and what it has done so far."""

    out: Outbound
    record: round_service.Deliveries
    messages: dict[RoundInfo, FreshPrompt] = field(default_factory=dict)
    sent: int = 0
    skipped: int = 0
    deferred: int = 0
    unreachable_rounds: set[int] = field(default_factory=set)

    def message(self, prompt: PromptToSend) -> dict[str, Any]:
        """The prompt's DM; the blocks are built once per round and the ids filled in."""
        round_ = prompt.round
        if round_ not in self.messages:
            self.messages[round_] = FreshPrompt(
                week=round_.week,
                behaviour_ids=round_.behaviour_ids,
                closes_at=round_.closes_at,
                threshold=round_.threshold,
                team=team_mention(round_.channel_id, round_.channel_name),
            )
        return self.messages[round_].message(prompt.prompt_id)


def _send_one(work: _Pass, prompt: PromptToSend, *, paced: bool = False) -> None:
    """Post one claimed prompt and record the outcome before anything else is sent
    (``paced``: its turn has already been granted)."""
    out = work.out
    message = work.message(prompt)
    if not paced:
        out.wait_turn(prompt.user_id, prompt.round.workspace_id)
    try:
        client = out.client_for(prompt.round.workspace_id)
    except WorkspaceNotInstalled:
        log.warning("prompt %s skipped: the workspace has uninstalled the app", prompt.prompt_id)
        work.record.skipped(prompt)
        work.skipped += 1
        return
    try:
        reply = client.chat_postMessage(channel=prompt.user_id, **message)
    except SlackApiError as error:
        code = str(error.response.get("error", ""))
        if code in DM_REFUSED:
            _send_in_channel(work, client, prompt, message, refused=code)
            return
        if code not in MEMBER_ERRORS:
            raise
        log.warning("prompt %s skipped: Slack said %s", prompt.prompt_id, code)
        work.record.skipped(prompt)
        work.skipped += 1
        return
    work.record.sent(prompt, channel_id=reply["channel"], message_ts=reply["ts"])
    work.sent += 1


def _send_in_channel(
    work: _Pass, client: WebClient, prompt: PromptToSend, message: dict[str, Any], refused: str
) -> None:
    """Where Slack will not let the bot DM a member, the same prompt, buttons and all, goes
    to them alone in the team channel (an ephemeral message); where Slack will not do that
    either, the member is recorded as unreachable, counted, and the managers are told."""
    channel = prompt.round.channel_id
    try:
        reply = client.chat_postEphemeral(channel=channel, user=prompt.user_id, **message)
    except SlackApiError as error:
        code = str(error.response.get("error", ""))
        if code not in IN_CHANNEL_REFUSED:
            raise
        log.warning(
            "prompt %s: member unreachable (the DM was refused: %s; in the channel: %s)",
            prompt.prompt_id,
            refused,
            code,
        )
        work.record.unreachable(prompt)
        work.unreachable_rounds.add(prompt.round.id)
        return
    log.info(
        "prompt %s goes to its member in the team channel: Slack refused the DM (%s)",
        prompt.prompt_id,
        refused,
    )
    work.record.sent_in_channel(prompt, message_ts=str(reply["message_ts"]))
    work.sent += 1


LEAVE_AFTER = 0.05
"""Seconds of waiting on spent budgets after which a pass over every round gives its batch
back and claims from rounds of other workspaces meanwhile (it finds none, and waits, when
there are none)."""


REST = 1.0
"""Least seconds a round whose workspace's budget is spent is left to the other senders:
long enough for this one to settle on another workspace's round. With no other round to
send, the sender comes back as soon as the budget allows, not after the rest."""

SPREAD = 16
"""Rounds one claim takes a share of: each workspace's budget is drawn on from the first
claim, so that all of them finish together rather than one after another."""

RELIST_SECONDS = 5.0
"""How often a pass looks again for rounds with prompts waiting (a query over all of
them): a round opened meanwhile is still claimed at once when the others have none left."""


@dataclass
class _Batch:
    """What posting one claimed batch came to."""

    posted: int
    carry_on: bool
    resting: dict[int, float] = field(default_factory=dict)
    """Rounds whose workspace's budget is spent, and (time.monotonic) until when."""
    ready: float = 0.0
    """When (time.monotonic) the soonest of those budgets may allow a call again."""


def _send_batch(work: _Pass, batch: list[PromptToSend], *, may_leave: bool) -> _Batch:
    """Post a claimed batch, and say how far it got.

    Each workspace's prompts go in order, the workspaces taking turns, so a workspace whose
    Slack budget is spent for now does not hold up the others in the batch; when every one
    of them would wait long (``may_leave``: the pass may send any round), the rest goes
    back, to be claimed again once the budget allows, while other workspaces' rounds go.
    The first prompt goes at once, as it always has; once the claim has grown old, what is
    left goes back to be claimed again. After a failure that is not about one member, it
    goes back for the next pass.
    """
    out = work.out
    fresh_for = out.claim_lease / FRESH_CLAIM
    queues: dict[str, deque[PromptToSend]] = {}
    for claimed in batch:
        queues.setdefault(budget_key(out, claimed.round.workspace_id), deque()).append(claimed)
    posted = 0
    while queues:
        left = [p for queue in queues.values() for p in queue]
        if posted and out.clock() - batch[0].claimed_at > fresh_for:
            work.record.release(left)
            return _Batch(posted, True)
        prompt, wait = _next_allowed(out, queues)
        if prompt is None:
            if may_leave and wait >= LEAVE_AFTER:
                work.record.release(left)
                moment = time.monotonic()
                until = moment + max(wait, REST)
                return _Batch(posted, True, {p.round.id: until for p in left}, moment + wait)
            time.sleep(wait)
            continue
        try:
            _send_one(work, prompt, paced=True)
        except Exception as error:
            log.warning("prompt delivery paused: %s", type(error).__name__)
            work.deferred = work.record.release(left)
            return _Batch(posted, False)
        posted += 1
    return _Batch(posted, True)


def _next_allowed(
    out: Outbound, queues: dict[str, deque[PromptToSend]]
) -> tuple[PromptToSend | None, float]:
    """The next prompt of the first workspace, in turn, whose budget allows a call now;
    else None and the shortest wait."""
    soonest = float("inf")
    for key, queue in list(queues.items()):
        wait = out.try_turn(queue[0].user_id, queue[0].round.workspace_id)
        if wait <= 0:
            prompt = queue.popleft()
            del queues[key]
            if queue:
                queues[key] = queue  # to the back: the next workspace goes first next time
            return prompt, 0.0
        soonest = min(soonest, wait)
    return None, soonest


class _Waiting:
    """The rounds with prompts waiting, looked up now and then, that claims spread over,
    SPREAD at a time, taking turns when there are more."""

    def __init__(self, out: Outbound) -> None:
        self._out = out
        self._rounds: deque[int] = deque()
        self._listed = -math.inf

    def spread(self, moment: float, resting: Collection[int]) -> list[int]:
        """The rounds the next claim takes a share of (none of the ``resting``)."""
        if moment - self._listed >= RELIST_SECONDS:
            self._rounds = deque(
                round_service.rounds_waiting(db=self._out.db, now=self._out.clock())
            )
            self._listed = moment
        chosen = [r for r in self._rounds if r not in resting][:SPREAD]
        self._rounds.rotate(-SPREAD)
        return chosen


def next_claim_size(claimed: int, posted: int, most: int) -> int:
    """How many prompts to claim next: as many as the last claim posted while it was fresh
    when it could not post them all, twice as many (up to ``most``) when it could.

    A short lease, a slow Slack or a 429 shrinks the claims to what can be posted in time,
    rather than claiming a full batch over and over only to give most of it back.
    """
    if posted < claimed:
        return max(1, posted)
    return min(most, 2 * claimed)


def send_due_prompts(
    out: Outbound, *, round_id: int | None = None, batch_size: int = CLAIM_BATCH
) -> SendReport:
    """Send every due prompt, claimed in batches of up to ``batch_size``, until none is left.

    Each DM's outcome is recorded before the next DM goes, so a crash can repeat at most the
    one message in flight. A failure that is not about one member (Slack down after retries,
    a broken network) puts the rest of the batch back and ends the pass; the next pass
    picks up where this one stopped.
    """
    size = batch_size
    resting: dict[int, float] = {}
    ready = float("inf")
    waiting = _Waiting(out) if round_id is None else None
    with round_service.deliveries(out.db) as record:
        work = _Pass(out, record)
        while True:
            moment = time.monotonic()
            resting = {r: until for r, until in resting.items() if until > moment}
            batch = round_service.claim_prompts(
                db=out.db,
                now=out.clock(),
                limit=size,
                round_id=round_id,
                lease=out.claim_lease,
                skip_rounds=tuple(resting),
                spread=() if waiting is None else waiting.spread(moment, resting),
            )
            if not batch:
                if not resting:
                    break
                time.sleep(max(0.0, ready - moment))  # only spent workspaces are left
                resting, ready = {}, float("inf")
                continue
            done = _send_batch(work, batch, may_leave=round_id is None)
            record.settle()
            if not done.carry_on:
                break
            resting.update(done.resting)
            if done.resting:
                ready = min(ready, done.ready)
            size = next_claim_size(len(batch), max(1, done.posted), batch_size)
    for unreached in sorted(work.unreachable_rounds):
        tell_managers(out, round_id=unreached)
    return SendReport(sent=work.sent, skipped=work.skipped, deferred=work.deferred)


@dataclass(frozen=True)
class RoundSendReport:
    """What sending a round came to: how many went now, how many are still owed, and
    when the claims another live sender holds on them run out of lease."""

    sent: int
    owed: int
    claims_free_at: datetime | None
    slack_failed: bool = False


def finish_round(
    out: Outbound, *, round_id: int, poll_seconds: float = 0.2, wait: timedelta | None = None
) -> RoundSendReport:
    """Send a round's due prompts until nobody is owed one, waiting for prompts another
    live sender holds: while they keep going out, and until their claims' lease runs out
    (they are then this sender's to take), so never longer than the lease without one
    going out.

    A dead sender's claims are taken at once by the next claim. If Slack fails, or the wait
    is over, what is still owed is reported rather than passed over.
    """
    patience = (out.claim_lease if wait is None else wait).total_seconds()
    deadline = time.monotonic() + patience
    sent = 0
    owed_before: int | None = None
    while True:
        report = send_due_prompts(out, round_id=round_id)
        sent += report.sent
        owed = round_service.owed_prompts(
            db=out.db, round_id=round_id, now=out.clock(), lease=out.claim_lease
        )
        if not owed.count or report.deferred:
            return RoundSendReport(sent, owed.count, owed.claims_free_at, bool(report.deferred))
        if owed_before is not None and owed.count < owed_before:
            deadline = time.monotonic() + patience  # the other sender is getting on
        owed_before = owed.count
        claims_free_soon = (
            owed.claims_free_at is not None
            and owed.claims_free_at - out.clock() < timedelta(seconds=patience)
        )
        if time.monotonic() >= deadline and not claims_free_soon:
            return RoundSendReport(sent, owed.count, owed.claims_free_at)
        time.sleep(poll_seconds)
