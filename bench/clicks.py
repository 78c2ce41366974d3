"""A team whose prompts were DMed, and signed button clicks on them: the answer path's load.

`prepare` builds the team through the services, as the bot would; `Clicker` sends click
number i as Slack signs it, so the bot, the floors and every load shape see the same clicks.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from bench.bot_setup import add_team, bench_bot
from bench.slack import SIGNING_SECRET, user_ids
from blocks.ids import AnswerValue, answer_action_id, question_block_id
from blocks.prompt import prompt_message
from delivery.prompts import send_due_prompts
from services import rounds as round_service
from standin import SlackRequestSender
from storage.models import Prompt, Round, utc_now
from surveys.weeks import week_of

CHANNEL = "C0BENCHANSWER"
POINTS: tuple[int | None, ...] = (1, 2, 3, 4, 5, None)


@dataclass(frozen=True)
class Click:
    """Everything a button click on one member's prompt carries."""

    user: str
    prompt_id: int
    channel: str
    ts: str
    behaviours: tuple[str, ...]
    blocks: list[dict[str, Any]]
    text: str


def prepare(database_url: str, api_url: str, members: int) -> list[Click]:
    """A team, its members and an open round whose prompts were DMed, through the services."""
    bot = bench_bot(database_url=database_url, api_url=api_url)
    now = utc_now()
    team = add_team(bot, CHANNEL, user_ids(members))
    info = round_service.open_round(db=bot.db, channel_id=CHANNEL, week=str(week_of(now)), now=now)
    send_due_prompts(bot.outbound, round_id=info.id)
    with bot.db.transaction() as session:
        # The round must stay open for the whole run, whatever the day of the week.
        session.execute(
            update(Round).where(Round.id == info.id).values(closes_at=now + timedelta(days=2))
        )
        round_ = session.get(Round, info.id)
        assert round_ is not None
        rows = session.execute(
            select(Prompt.id, Prompt.user_id, Prompt.channel_id, Prompt.message_ts)
            .where(Prompt.round_id == info.id, Prompt.state == "sent")
            .order_by(Prompt.id)
        ).all()
        clicks = []
        for prompt_id, user, channel, ts in rows:
            message = prompt_message(
                prompt_id=prompt_id,
                week=round_.week,
                behaviour_ids=tuple(round_.behaviour_ids),
                answers={},
                closes_at=round_.closes_at,
                threshold=team.threshold,
            )
            clicks.append(
                Click(
                    user,
                    prompt_id,
                    channel or "",
                    ts or "",
                    tuple(round_.behaviour_ids),
                    message["blocks"],
                    message["text"],
                )
            )
    bot.db.dispose()
    return clicks


class Clicker:
    """Sends click number i: member i mod M, each question and point in turn."""

    def __init__(self, clicks: list[Click], base_url: str, response_url: str) -> None:
        self._clicks = clicks
        self._sender = SlackRequestSender(base_url, SIGNING_SECRET)
        self._response_url = response_url
        self._lock = threading.Lock()
        self.answered = 0
        self.pairs: set[tuple[int, str]] = set()
        self.prompts: set[int] = set()

    def choice(self, number: int) -> tuple[Click, str, int | None]:
        """Which member, question and point click ``number`` is."""
        count = len(self._clicks)
        click = self._clicks[number % count]
        behaviour = click.behaviours[(number // count) % len(click.behaviours)]
        return click, behaviour, POINTS[(number // count + number) % len(POINTS)]

    def send(self, number: int) -> int:
        """POST the click, signed as Slack signs it; the HTTP status (0 if the socket failed)."""
        click, behaviour, point = self.choice(number)
        try:
            reply = self._sender.block_action(
                user_id=click.user,
                action_id=answer_action_id(point),
                value=AnswerValue(click.prompt_id, behaviour, point).encode(),
                block_id=question_block_id(click.prompt_id, behaviour),
                channel_id=click.channel,
                message_ts=click.ts,
                response_url=self._response_url,
                message_blocks=click.blocks,
                message_text=click.text,
            )
        except OSError:
            return 0
        if reply.status == 200:
            with self._lock:
                self.answered += 1
                self.pairs.add((click.prompt_id, behaviour))
                self.prompts.add(click.prompt_id)
        return reply.status
