"""Answer path: signed button clicks over HTTP into the bot, recorded in SQLite.

The bot's WSGI app (`bot.wsgi()`, assembled by `build_bot`) is served by
`runtime.http.HttpServer`; the floor is a bare Bolt app on the same server stack whose only
listener acks, and a second floor is that app making the one chat.update a click needs
(`bench/servers.py`). Each runs in a process of its own; the load generator and the stand-in Slack
(which receives the bot's message redraws) run in two more, so no two share a GIL.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from bench.clicks import CHANNEL, Clicker, prepare
from bench.core import Run, Section, at_least, at_most, fmt
from bench.databases import sqlite_url
from bench.load import Counter, LoadResult, Send, closed_loop, open_loop
from bench.processes import Server, let_go, serve_on_http_server
from bench.slack import StandInProcess, schema_check_ms
from storage.database import Database
from storage.models import PendingAnswer


@dataclass(frozen=True)
class Sizes:
    """How big one run is."""

    members: int
    clients: int
    seconds: float
    warmup: float
    repeats: int
    rate: float
    open_seconds: float
    segments: int
    open_warmup: float


SIZES = {
    "full": Sizes(
        members=2000,
        clients=8,
        seconds=12,
        warmup=2,
        repeats=3,
        rate=50,
        open_seconds=48,
        segments=4,
        open_warmup=0.5,
    ),
    "quick": Sizes(
        members=300,
        clients=8,
        seconds=4,
        warmup=1,
        repeats=1,
        rate=50,
        open_seconds=8,
        segments=2,
        open_warmup=0.5,
    ),
    "smoke": Sizes(
        members=12,
        clients=2,
        seconds=0.3,
        warmup=0.1,
        repeats=1,
        rate=20,
        open_seconds=0.3,
        segments=1,
        open_warmup=0.1,
    ),
}


CLOSED_LOOP_ORDER = ("bare", "redrawing", "bot")


def _updates(slack: StandInProcess) -> int:
    """chat.update calls the stand-in has received so far."""
    return _updates_of(slack.stats())


def _drain(slack: StandInProcess, least: int, timeout: float = 300.0) -> float:
    """Wait until the bot's redraws have stopped reaching Slack; seconds it took.

    A message clicked again before its redraw went out is drawn once for both clicks, so
    there are at least as many redraws as messages clicked and at most one per click.
    """
    start = time.perf_counter()
    seen, still_since = -1, start
    while True:
        now = time.perf_counter()
        count = _updates(slack)
        if count != seen:
            seen, still_since = count, now
        elif count >= least and now - still_since >= 0.5:
            return still_since - start
        if now - start > timeout:
            raise RuntimeError("redraws did not catch up with the clicks")
        time.sleep(0.05)


def _mean_throughput(results: list[LoadResult]) -> float:
    return sum(r.throughput for r in results) / len(results)


def _pooled(results: list[LoadResult]) -> LoadResult:
    latencies = tuple(x for r in results for x in r.latencies)
    return LoadResult(
        sum(r.requests for r in results),
        sum(r.seconds for r in results),
        latencies,
        sum(r.failures for r in results),
    )


def run(context: Run) -> Section:
    """Measure the answer path against the bare Bolt app."""
    sizes: Sizes = context.pick(SIZES)
    section = Section("answer_path", "Answer path: a button click recorded over signed HTTP")
    folder = context.scratch("answer_path")
    slack = StandInProcess(users=sizes.members, channel=CHANNEL, log=folder / "standin.log")
    servers: list[Server] = []
    try:
        url = sqlite_url(folder / "pulse.db")

        def serve(kind: str) -> Server:
            server = serve_on_http_server(
                kind, database_url=url, api_url=slack.api_url, log=folder / f"{kind}.log"
            )
            servers.append(server)
            return server

        # The floors never touch the database: they may boot meanwhile.
        floor_servers = {"bare": serve("bare"), "redrawing": serve("redrawing")}
        context.say(f"  preparing a team of {sizes.members} with an open round, prompts DMed")
        clicks = prepare(url, slack.api_url, sizes.members)
        listening = {"bot": serve("bot").wait_until_listening()}
        listening |= {name: s.wait_until_listening() for name, s in floor_servers.items()}
        response_url = f"{slack.base_url}/response/bench-click"
        clickers = {name: Clicker(clicks, s.url, response_url) for name, s in listening.items()}
        bot = clickers["bot"]
        numbers = Counter()
        closed: dict[str, list[LoadResult]] = {name: [] for name in CLOSED_LOOP_ORDER}
        busy: dict[str, list[float]] = {name: [] for name in CLOSED_LOOP_ORDER}
        per_click: dict[str, list[float]] = {name: [] for name in CLOSED_LOOP_ORDER}
        drains = []
        floor_updates = 0
        for repeat in range(sizes.repeats):
            for name in CLOSED_LOOP_ORDER:
                context.say(
                    f"  closed loop {repeat + 1}/{sizes.repeats}: {name}, {sizes.clients} clients"
                )
                server = listening[name]
                updates_before = _updates(slack)
                answered = clickers[name].answered
                used = server.cpu_seconds()
                closed[name].append(_closed(clickers[name].send, numbers, sizes))
                busy[name].append((server.cpu_seconds() - used) / (sizes.warmup + sizes.seconds))
                # Its redraws finish before the next loop starts, and their CPU is the
                # click's: read the server's CPU once they have stopped.
                _drain(slack, 0)
                per_click[name].append(
                    (server.cpu_seconds() - used) / max(clickers[name].answered - answered, 1)
                )
                if name == "redrawing":
                    floor_updates += _updates(slack) - updates_before
            # The stand-in's count includes the floor's updates: at least one redraw per
            # message the bot was clicked on comes on top of them.
            drains.append(_drain(slack, floor_updates + len(bot.prompts)))
        segments: dict[str, list[LoadResult]] = {"bare": [], "bot": []}
        for segment in range(sizes.segments):
            for name, clicker in (("bare", clickers["bare"]), ("bot", bot)):
                context.say(
                    f"  open loop {segment + 1}/{sizes.segments}: {name} at "
                    f"{fmt(sizes.rate)} clicks/s"
                )
                segments[name].append(
                    open_loop(
                        clicker.send,
                        numbers,
                        rate=sizes.rate,
                        seconds=sizes.open_seconds / sizes.segments,
                        warmup=sizes.open_warmup,
                    )
                )
            drains.append(_drain(slack, floor_updates + len(bot.prompts)))
        opened = {name: _pooled(results) for name, results in segments.items()}
        stored = _stored_answers(url)
        stats = slack.stats()
        checked, problems = slack.check_sample(50)
    finally:
        let_go(servers, context.stack)
        slack.stop()
    schema_ms = schema_check_ms({"text": clicks[0].text, "blocks": clicks[0].blocks})
    _report(section, sizes, closed, opened, per_click)
    failures = sum(r.failures for rs in closed.values() for r in rs) + sum(
        r.failures for r in opened.values()
    )
    section.setup = [
        f"SQLite; one team of {sizes.members} members plus its manager, an open round whose "
        f"{len(clicks)} prompts were DMed through the services; click i answers member "
        "i mod M, cycling through the three questions and the six buttons.",
        "The bot (`build_bot(settings).wsgi()`, PULSE_SCHEDULER=off) and the floor, a bare "
        "Bolt app whose only listener acks (same signing secret, same WSGI adapter, same Bolt "
        "settings and client), each on `runtime.http.HttpServer` in its own process. The "
        "stand-in Slack that receives the redraws runs in another, and skips its Block Kit "
        f"schema check while timing ({fmt(schema_ms)} ms of CPU a prompt here: Slack's work, "
        "not the bot's); a sample of the delivered messages is checked afterwards.",
        f"Closed loop: {sizes.clients} client threads, {fmt(sizes.warmup)} s warm-up then "
        f"{fmt(sizes.seconds)} s measured, {sizes.repeats}× each, alternating. Open loop: "
        f"{fmt(sizes.rate)} clicks/s for {fmt(sizes.open_seconds)} s each, in "
        f"{sizes.segments} alternating segments after {fmt(sizes.open_warmup)} s of warm-up "
        "each, latency from each click's scheduled start. Between runs the bot's redraws are "
        "left to finish.",
        "The bot records the click, acks, and leaves the message's redraw (a chat.update) "
        "to a background pool that draws each message at most once at a time, from its "
        "latest state; the bare app does neither. A second floor, the bare app that also "
        "redraws, acks and then sends the clicked message back unchanged with chat.update "
        "from a pool of 8 background threads: the Web API call every click must make "
        "(Slack's answer path is to show the member what they chose), without the database "
        "and without building blocks. It runs in the closed loop only; the stand-in's "
        "counts below leave its calls out.",
    ]
    bare_rate = _mean_throughput(closed["bare"])
    redrawing_rate = _mean_throughput(closed["redrawing"])
    section.checks = [
        f"{bot.answered:,} clicks answered 200 by the bot; {failures} failed; "
        f"{stored:,} answers stored = {len(bot.pairs):,} distinct (prompt, question) pairs "
        f"clicked: {'yes' if stored == len(bot.pairs) else 'NO'}.",
        f"{_updates_of(stats) - floor_updates:,} message redraws reached the stand-in for "
        f"{bot.answered:,} clicks on {len(bot.prompts):,} messages (a message clicked again "
        "before its redraw went out is drawn once for both); ephemeral error replies: "
        f"{stats['responses']}; the last redraw came at most {fmt(max(drains))} s after the "
        "clicks stopped.",
        f"The bare app that redraws reached {redrawing_rate / bare_rate:.2f}× "
        "the bare app's throughput: that is as far as 0.7× can be approached by any app that "
        "shows the member their choice, as a click must, on this server stack and Web API "
        "client; the bot's own work (the gate, the database, the blocks) comes on top.",
        f"Block Kit: {checked} delivered messages sampled and checked against the schema, "
        f"{problems} problems.",
        f"CPU the server processes used during the closed loop: the bot "
        f"{_share(busy['bot'])} of one core, the bare app {_share(busy['bare'])}, the bare app "
        f"that redraws {_share(busy['redrawing'])} (less than a whole core means the process "
        "spent part of the time waiting: for requests, or for a lock).",
        "CPU per click: the user + system CPU time the server's processes used (read from "
        "/proc/<pid>/stat) from the start of a closed loop until its redraws had stopped "
        "reaching the stand-in, divided by the clicks it answered 200 in that loop (warm-up "
        "included), averaged over the repeats.",
    ]
    return section


def _updates_of(stats: dict[str, Any]) -> int:
    return int(stats["calls"].get("chat.update", 0))


def _share(shares: list[float]) -> str:
    return f"{sum(shares) / len(shares):.0%}"


def _closed(send: Send, numbers: Counter, sizes: Sizes) -> LoadResult:
    return closed_loop(
        send, numbers, clients=sizes.clients, seconds=sizes.seconds, warmup=sizes.warmup
    )


def _stored_answers(url: str) -> int:
    db = Database.from_url(url)
    with db.transaction() as session:
        count = int(session.scalar(select(func.count()).select_from(PendingAnswer)) or 0)
    db.dispose()
    return count


def _report(
    section: Section,
    sizes: Sizes,
    closed: dict[str, list[LoadResult]],
    opened: dict[str, LoadResult],
    per_click: dict[str, list[float]],
) -> None:
    bare, bot = _pooled(closed["bare"]), _pooled(closed["bot"])
    throughput = section.figure(
        f"throughput, closed loop, {sizes.clients} clients",
        _mean_throughput(closed["bot"]),
        "clicks/s",
        _mean_throughput(closed["bare"]),
        "bare Bolt app",
    )
    redrawing = section.figure(
        f"throughput, closed loop, {sizes.clients} clients, against a floor that redraws",
        _mean_throughput(closed["bot"]),
        "clicks/s",
        _mean_throughput(closed["redrawing"]),
        "bare Bolt app + chat.update",
    )
    cpu = section.figure(
        "server CPU per click (user + system, its redraw included), closed loop",
        _mean(per_click["bot"]) * 1000,
        "ms",
        _mean(per_click["redrawing"]) * 1000,
        "bare Bolt app + chat.update",
    )
    section.figure(
        "server CPU per click, against the bare app",
        _mean(per_click["bot"]) * 1000,
        "ms",
        _mean(per_click["bare"]) * 1000,
        "bare Bolt app",
    )
    section.figure("p50 latency, closed loop", bot.p(50), "ms", bare.p(50), "bare Bolt app")
    section.figure("p99 latency, closed loop", bot.p(99), "ms", bare.p(99), "bare Bolt app")
    rate = fmt(sizes.rate)
    section.figure(
        f"p50 latency, open loop at {rate}/s",
        opened["bot"].p(50),
        "ms",
        opened["bare"].p(50),
        "bare Bolt app",
    )
    p99 = section.figure(
        f"p99 latency, open loop at {rate}/s",
        opened["bot"].p(99),
        "ms",
        opened["bare"].p(99),
        "bare Bolt app",
    )
    section.targets = [
        at_least("throughput ≥ 0.7× the bare app's", throughput.ratio, 0.7, "×"),
        at_most(f"p99 < 50 ms at {rate} clicks/s", p99.value, 50, "ms"),
        at_least("throughput ≥ 0.9× the bare app that redraws", redrawing.ratio, 0.9, "×"),
        at_most("CPU per click ≤ 1.3× the bare app that redraws", cpu.ratio, 1.3, "×"),
        at_most(f"p99 < 20 ms at {rate} clicks/s", p99.value, 20, "ms"),
    ]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0
