"""Ten members clicking 0-30 ms apart while the round closes, by each way a round closes,
and while a member is forgotten or old answers are purged. Every answer a member was shown
as recorded is in the closed round; nothing stays linked to a person; no close is lost; no
request gets a 5xx; no figure counts more people than were invited."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import replace
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from delivery.rounds import open_and_send
from jobs.tick import run_tick
from services import privacy as privacy_service
from services import rounds as round_service
from standin import StandInSlack
from surveys.weeks import week_of
from tests.pulse_flow import setup_team
from tests.race_support import (
    CLICKERS,
    Click,
    Tally,
    check_round,
    click_at_random,
    clicking_workspace,
    prompts_of_week,
    run_together,
    settle,
)
from tests.support import BOT_TOKEN, TEAM_CHANNEL, RunningBot, responded, wait_for

ROOT = Path(__file__).resolve().parent.parent
TRIALS = int(os.environ.get("PULSE_RACE_TRIALS", "20"))


@pytest.fixture
def slack() -> Iterator[StandInSlack]:
    """Ten clicking members and their manager."""
    with StandInSlack(clicking_workspace()) as server:
        yield server
        assert server.block_kit_problems == [], server.block_kit_problems


def _open(running: RunningBot, trial: int) -> tuple[str, dict[str, Any]]:
    """A fresh round, a week after the last one, with every member's prompt delivered."""
    if trial:
        running.clock.advance(timedelta(weeks=1))
    week = str(week_of(running.clock()))
    open_and_send(running.bot.outbound, channel_id=TEAM_CHANNEL, week=week, scheduled=False)
    prompts = prompts_of_week(running, week)
    assert set(prompts) == set(CLICKERS), sorted(prompts)
    return week, prompts


def _trials(
    running: RunningBot,
    label: str,
    racer: Callable[[RunningBot, str, random.Random], Callable[[], None]],
    *,
    forgets: bool = False,
    close_after: bool = False,
) -> Tally:
    """Run TRIALS rounds; in each, ten members click while ``racer``'s job runs."""
    setup_team(running)
    tally = Tally()
    for trial in range(TRIALS):
        rng = random.Random(f"{label}-{trial}")
        week, prompts = _open(running, trial)
        clicks: list[Click] = []
        streams = {user: rng_for(rng, user) for user in CLICKERS}
        jobs: list[Callable[[], None]] = [
            partial(click_at_random, running, user, prompts[user], streams[user], clicks)
            for user in CLICKERS
        ]
        forgotten = rng.choice(CLICKERS) if forgets else None
        jobs.append(racer(running, forgotten or week, rng))
        run_together(jobs)
        if close_after:
            running.command("digest")
            wait_for(partial(responded, running, f"The {week} round"), timeout=30)
        settle(running.slack)
        check_round(running, week, clicks, tally, forgotten=forgotten, prompts=prompts)
    print("\n" + tally.line(f"{label} [{running.bot.db.engine.dialect.name}]"))
    for note in tally.notes[:10]:
        print("  ", note)
    return tally


def rng_for(rng: random.Random, user: str) -> random.Random:
    """Each member's own stream of choices, drawn from the trial's."""
    return random.Random(f"{rng.random()}-{user}")


def _close_by_command(running: RunningBot, week: str, rng: random.Random) -> Callable[[], None]:
    def job() -> None:
        time.sleep(rng.uniform(0, 0.08))
        reply = running.command("digest")
        if reply.status >= 500:
            raise AssertionError(f"/pulse digest got {reply.status}")
        with suppress(AssertionError):  # counted as a lost close when the round is checked
            wait_for(lambda: responded(running, f"The {week} round"), timeout=30)

    return job


def _close_by_cli(running: RunningBot, week: str, rng: random.Random) -> Callable[[], None]:
    env = {
        **os.environ,
        "DATABASE_URL": str(running.bot.db.engine.url.render_as_string(hide_password=False)),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": running.slack.api_url,
    }

    def job() -> None:
        # The process's own start-up (a second or so) is the random part of its timing.
        subprocess.run(
            [sys.executable, "bot.py", "digest", "post", "--team", TEAM_CHANNEL, "--week", week],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=120,
            check=False,
        )

    return job


def _close_by_tick(running: RunningBot, week: str, rng: random.Random) -> Callable[[], None]:
    round_ = round_service.round_of_week(db=running.bot.db, channel_id=TEAM_CHANNEL, week=week)
    assert round_ is not None
    closes_at = round_.closes_at
    # The schedule's process sees the close time arrive while members, a moment behind it,
    # are still clicking: the same race as a click in the last instant of a round.
    out = replace(running.bot.outbound, clock=lambda: closes_at)

    def job() -> None:
        time.sleep(rng.uniform(0, 0.08))
        run_tick(out)

    return job


def _forget_me(running: RunningBot, user: str, rng: random.Random) -> Callable[[], None]:
    def job() -> None:
        time.sleep(rng.uniform(0, 0.08))
        reply = running.command("forget-me", user=user)
        if reply.status >= 500:
            raise AssertionError(f"forget-me got {reply.status}")

    return job


def _purge(running: RunningBot, week: str, rng: random.Random) -> Callable[[], None]:
    later = running.clock() + timedelta(days=privacy_service.DEFAULT_RETENTION_DAYS + 1)

    def job() -> None:
        time.sleep(rng.uniform(0, 0.08))
        privacy_service.purge_expired_answers(db=running.bot.db, now=later)

    return job


def test_closing_by_slash_command_while_members_click_keeps_every_promise(
    running: RunningBot,
) -> None:
    tally = _trials(running, "close by /pulse digest", _close_by_command)
    assert tally.broken() == 0, tally.line("broken") + "\n" + "\n".join(tally.notes)


def test_closing_by_digest_post_while_members_click_keeps_every_promise(
    running: RunningBot,
) -> None:
    tally = _trials(running, "close by digest post", _close_by_cli)
    assert tally.broken() == 0, tally.line("broken") + "\n" + "\n".join(tally.notes)


def test_closing_by_the_schedule_while_members_click_keeps_every_promise(
    running: RunningBot,
) -> None:
    tally = _trials(running, "close by the schedule's tick", _close_by_tick)
    assert tally.broken() == 0, tally.line("broken") + "\n" + "\n".join(tally.notes)


def test_forget_me_while_members_click_keeps_every_promise(running: RunningBot) -> None:
    tally = _trials(running, "forget-me", _forget_me, forgets=True, close_after=True)
    assert tally.broken() == 0, tally.line("broken") + "\n" + "\n".join(tally.notes)


def test_retention_purge_while_members_click_keeps_every_promise(running: RunningBot) -> None:
    tally = _trials(running, "retention purge", _purge, close_after=True)
    assert tally.broken() == 0, tally.line("broken") + "\n" + "\n".join(tally.notes)


def test_digest_post_on_an_open_round_closes_it_before_publishing(running: RunningBot) -> None:
    setup_team(running)
    week, prompts = _open(running, 0)
    clicks: list[Click] = []
    click_at_random(running, CLICKERS[0], prompts[CLICKERS[0]], random.Random(1), clicks)
    tally = Tally()
    _close_by_cli(running, week, random.Random(2))()
    settle(running.slack)
    check_round(running, week, clicks, tally)
    assert tally.broken() == 0, tally.notes
    assert running.slack.messages_in(TEAM_CHANNEL), "the digest was not posted"
