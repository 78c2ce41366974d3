"""`python bot.py demo`: the whole pulse loop against a local stand-in Slack, narrated.

It is the first thing a newcomer runs, so it uses nothing but the real paths: the bot is
assembled as `serve` assembles it and served over HTTP on loopback; its Web API calls go to
the stand-in workspace; the manager's `/pulse` commands and every member's answers arrive as
signed Slack requests (clicks on the buttons of the DM each member actually received); the
scheduler's tick opens, reminds, closes and posts digests as the simulated clock moves.
Only counts and the team's digests are printed, never one person's answers.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import textwrap
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from config.settings import load_settings
from delivery.pacing import Pacer
from jobs.tick import TickReport, run_tick
from runtime.assembly import Bot, build_bot
from runtime.http import HttpServer
from services import digests as digest_service
from services.digests import DigestBundle
from standin.blockkit import check_message
from standin.demo_examples import save_examples
from standin.demo_people import (
    DRIFTING,
    TEAM_ZONE,
    Person,
    WeekPlan,
    build_team,
    choose_point,
    plan_week,
)
from standin.signer import SlackRequestSender
from standin.webapi import StandInSlack
from standin.workspace import DEFAULT_BOT_USER_ID, Message, Workspace
from storage.models import PendingAnswer
from surveys.behaviours import behaviour
from surveys.digest import Digest
from surveys.digest_format import digest_to_dict, digest_to_text
from surveys.schedule import slot_in_week
from surveys.story import tell_story
from surveys.weeks import Week, week_of

CHANNEL_ID = "C0PARTNERS"
CHANNEL_NAME = "community-safety-partnership"
HELPER_BOT = "U0MINUTES1"
FORMER_MEMBER = "U0FORMER01"
NEVER_ASKED = (DEFAULT_BOT_USER_ID, HELPER_BOT, FORMER_MEMBER)

FIRST_MONDAY = date(2026, 9, 28)
"""A fixed start (2026-W40), so every run with the same seed tells the same story."""

PULSE = (1, "10:00")  # Tuesday 10:00 in each member's zone: what `/pulse setup` schedules
REMINDER = (3, "10:00")  # Thursday 10:00 in the team's zone
CLOSE = (0, "09:00")  # the next Monday 09:00 in the team's zone
TARGET = "0.5"

SIGNING_SECRET = "demo-signing-secret-for-loopback-only"
BOT_TOKEN = "xoxb-demo-standin-token"
LONDON = ZoneInfo(TEAM_ZONE)
WAIT_SECONDS = 10.0
RULE = 78
MAX_WEEKS, MAX_MEMBERS = 52, 300
ZONES_NOTE = (
    " Each pulse goes out at 10:00 where the person is (the bot learns time zones from Slack"
    " when the first round opens)."
)


class SimulatedClock:
    """The bot's only clock in the demo: weeks pass in moments, and only when we move it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        """Jump to a moment (aware, UTC)."""
        self.now = moment


@dataclass
class Stage:
    """The running pieces: stand-in Slack, the bot serving HTTP, and a signed-request sender."""

    slack: StandInSlack
    bot: Bot
    server: HttpServer
    sender: SlackRequestSender
    clock: SimulatedClock

    def stop(self) -> None:
        """Stop serving and release the database."""
        self.server.stop()
        self.bot.db.dispose()


@dataclass
class WeekTally:
    """What happened in one week, in counts only."""

    dms_by_slot: Counter[datetime] = field(default_factory=Counter)
    opened_at: datetime | None = None
    answered: int = 0
    clicks: int = 0
    skipped: int = 0
    reminded: int = 0
    late: int = 0


def workspace_for(team: Sequence[Person]) -> Workspace:
    """The stand-in workspace: the team channel with its people, a bot and a leaver."""
    workspace = Workspace(team_name="Hartwell Partnerships")
    for person in team:
        workspace.add_user(person.user_id, person.handle, tz=person.tz, real_name=person.real_name)
    workspace.add_user(HELPER_BOT, "minutes-bot", is_bot=True, real_name="Minutes bot")
    workspace.add_user(FORMER_MEMBER, "kevin.marsh", deleted=True, real_name="Kevin Marsh")
    members = [p.user_id for p in team] + [DEFAULT_BOT_USER_ID, HELPER_BOT, FORMER_MEMBER]
    workspace.add_channel(CHANNEL_ID, CHANNEL_NAME, members)
    return workspace


def start_stage(slack: StandInSlack, database_url: str, clock: SimulatedClock) -> Stage:
    """Assemble the bot as `serve` does, pointed at the stand-in, on an ephemeral port.

    Pacing is turned off because simulated days pass in milliseconds: real-time spacing
    between a member's prompt and their reminder would only make the demo wait.
    """
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": database_url,
            "PULSE_SCHEDULER": "off",
        }
    )
    bot = build_bot(settings, pacer=Pacer(per_channel_interval=0.0))
    bot.outbound.clock = clock
    server = HttpServer(bot.wsgi()).start()
    sender = SlackRequestSender(server.url, SIGNING_SECRET)
    return Stage(slack=slack, bot=bot, server=server, sender=sender, clock=clock)


def wait_until(condition: Callable[[], bool], *, timeout: float = WAIT_SECONDS) -> bool:
    """Poll briefly: the bot redraws a clicked message after it has answered the click."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def when(moment: datetime) -> str:
    """A moment as the team reads it: London wall-clock time."""
    return moment.astimezone(LONDON).strftime("%a %d %b %H:%M")


def short(text: str, width: int = 34) -> str:
    """Long pole phrases cut at a word to fit one transcript line."""
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0].rstrip(" -,/")
    return cut + "…"


def question_blocks(message: Message) -> list[dict[str, Any]]:
    """The actions blocks of a pulse DM: one per question, its scale buttons first."""
    blocks = message.blocks or []
    return [b for b in blocks if b.get("type") == "actions" and len(b.get("elements", [])) >= 5]


def behaviour_of(block: dict[str, Any]) -> str:
    """The behaviour a question is about, as its block id names it (q:<prompt>:<behaviour>)."""
    return str(block.get("block_id", "")).rsplit(":", 1)[-1]


def button_for(block: dict[str, Any], point: int | None) -> dict[str, Any]:
    """Point p is the p-th button; "didn't come up" is the button that says so."""
    elements = block["elements"]
    if point is not None:
        return dict(elements[point - 1])
    return next(e for e in elements[5:] if "come up" in e["text"]["text"].lower())


def is_digest(message: Message, week: Week | str) -> bool:
    """Whether a channel message is the digest of a week (its plain-text fallback says so)."""
    return message.text.startswith(f"Partnership pulse for {week}")


def spec_json(data: dict[str, Any]) -> str:
    """SPEC §4 JSON, indented, with each behaviour on one line so 13 of them stay readable."""
    lines = ["{"]
    for i, (key, value) in enumerate(data.items()):
        comma = "," if i < len(data) - 1 else ""
        if key == "behaviours":
            rows = [json.dumps(item, ensure_ascii=False) for item in value]
            lines.append('  "behaviours": [')
            lines += [f"    {row}{',' if j < len(rows) - 1 else ''}" for j, row in enumerate(rows)]
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines)


class Demo:
    """Runs the simulated weeks on a stage and narrates them."""

    def __init__(self, stage: Stage, team: list[Person], *, weeks: int, rng: random.Random) -> None:
        self.stage = stage
        self.team = team
        self.weeks = weeks
        self.rng = rng
        self.problems: list[str] = []
        self.digests: list[Digest] = []
        self.clicked: dict[tuple[str, str], int] = {}  # (member, message ts): questions
        self.refusals_seen = 0
        self.requests = 0

    # ------------------------------------------------------------------ output

    def say(self, text: str = "") -> None:
        """Print one transcript line at once, so a watcher sees progress."""
        print(text, flush=True)

    def event(self, moment: str, text: str) -> None:
        """A timestamped line of the week's story."""
        self.say(f"  {moment:<17} {text}")

    def problem(self, text: str) -> None:
        """Note a failure; the demo goes on so the transcript shows the whole picture."""
        self.problems.append(text)
        self.say(f"  ✗ {text}")

    @property
    def manager(self) -> Person:
        return self.team[0]

    # ------------------------------------------------------------------- steps

    def run(self) -> int:
        """Set the team up, run the weeks, then show the last digest and the checks."""
        self.banner()
        self.set_up_team()
        for number in range(self.weeks):
            self.run_week(number)
        self.findings()
        self.final_digest()
        self.checks()
        return 1 if self.problems else 0

    def banner(self) -> None:
        """Say what is about to happen and who is in the partnership."""
        self.say("═" * RULE)
        self.say(" Partnership Pulse · demo")
        self.say("═" * RULE)
        self.paragraph(
            f"A stand-in Slack workspace is running at {self.stage.slack.base_url}, and the bot "
            f"serves signed Slack requests at {self.stage.server.url}/slack/events. Nothing "
            "leaves this machine; a fresh database is used and thrown away."
        )
        self.say()
        members = len(self.team) - 1
        self.say(f"#{CHANNEL_NAME}: {self.manager.real_name} (manager) and {members} partners")
        for organisation, names in self.organisations().items():
            self.say(f"  {organisation}: {', '.join(names)}")
        self.say("  Also in the channel: the Pulse app, a minutes bot and a deactivated account")
        self.say("  (none of them should ever get a pulse).")
        self.say()
        drifting = ", ".join(short(behaviour(i).favourable, 26) for i in DRIFTING)
        zones = ZONES_NOTE if len({p.tz for p in self.team}) > 1 else ""
        self.paragraph(
            f"{self.weeks} weeks from {week_of(FIRST_MONDAY)} on a simulated clock; times below "
            f"are London time.{zones} Planted: on {len(DRIFTING)} behaviours ({drifting}) the "
            'partnership drifts from "them" towards "us"; the others hold steady. Watch the '
            "index and “Where are we going”."
        )

    def paragraph(self, text: str) -> None:
        """A paragraph wrapped to the transcript's width."""
        for line in textwrap.wrap(text, width=RULE):
            self.say(line)

    def organisations(self) -> dict[str, list[str]]:
        """Names by organisation, with the place of anyone outside the team's time zone."""
        grouped: dict[str, list[str]] = {}
        for person in self.team:
            label = person.real_name
            if person.tz != TEAM_ZONE:
                label += f" ({person.place})"
            grouped.setdefault(person.organisation, []).append(label)
        return grouped

    def set_up_team(self) -> None:
        """The manager runs /pulse setup, then sets a target the digest can measure against."""
        self.stage.clock.set(datetime.combine(FIRST_MONDAY, datetime.min.time(), tzinfo=UTC))
        self.say()
        for text in ("setup", f"target {TARGET}"):
            reply = self.command(text)
            self.say(f"{self.manager.real_name}: /pulse {text}")
            self.say(f"  ↳ seen only by {self.manager.real_name.split()[0]}: {reply}")

    def command(self, text: str) -> str:
        """A signed /pulse from the manager in the team channel; the bot's ephemeral reply."""
        self.requests += 1
        reply = self.stage.sender.slash_command(
            text=text,
            user_id=self.manager.user_id,
            user_name=self.manager.handle,
            channel_id=CHANNEL_ID,
            channel_name=CHANNEL_NAME,
            response_url=self.stage.slack.response_url(f"command-{self.requests}"),
        )
        if reply.status != 200:
            self.problem(f"/pulse {text} got HTTP {reply.status}")
            return ""
        body = reply.json()
        problems = check_message(body.get("text", ""), body.get("blocks"))
        if problems:
            self.problem(f"the reply to /pulse {text} breaks Block Kit: {problems[:2]}")
        return str(body.get("text", ""))

    def run_week(self, number: int) -> None:
        """One week: DMs go out, answers come in, a reminder, then the close and its digest."""
        week = week_of(FIRST_MONDAY + timedelta(weeks=number))
        progress = number / max(1, self.weeks - 1)
        plan = plan_week(self.team, self.rng)
        tally = WeekTally()
        self.say()
        self.say(f"── Week {number + 1} of {self.weeks} · {week} ".ljust(RULE, "─"))
        prompts, received = self.send_round(week, tally)
        self.describe_round(prompts, tally)
        self.answers_before_reminder(week, plan, prompts, received, progress, tally)
        self.reminder_and_late_answers(week, plan, prompts, progress, tally)
        self.close(week, tally)

    def answers_before_reminder(
        self,
        week: Week,
        plan: WeekPlan,
        prompts: dict[str, Message],
        received: dict[str, datetime],
        progress: float,
        tally: WeekTally,
    ) -> None:
        """Most people answer some time between getting their DM and Thursday morning."""
        on_time = [p for p in plan.on_time if p.user_id in prompts]
        deadline = self.slot(week, *REMINDER) - timedelta(hours=1)
        self.answer(on_time, prompts, received, deadline, progress, tally)
        self.event("Tue–Thu", self.answers_line(tally))

    def reminder_and_late_answers(
        self,
        week: Week,
        plan: WeekPlan,
        prompts: dict[str, Message],
        progress: float,
        tally: WeekTally,
    ) -> None:
        """Thursday's reminder goes to whoever hasn't answered; one or two answer after it."""
        reminder_at = self.slot(week, *REMINDER)
        self.remind(week, prompts, tally.answered, tally)
        late = [p for p in plan.late if p.user_id in prompts]
        deadline = self.slot(week.shifted(1), *CLOSE) - timedelta(hours=12)
        ready = dict.fromkeys((p.user_id for p in late), reminder_at)
        self.answer(late, prompts, ready, deadline, progress, tally)
        tally.late = len(late)
        self.event(when(reminder_at), self.reminder_line(tally))

    def slot(self, week: Week, weekday: int, clock: str, tz: ZoneInfo = LONDON) -> datetime:
        """A weekly slot as a UTC moment."""
        return slot_in_week(week, weekday=weekday, clock=clock, tz=tz)

    def send_round(
        self, week: Week, tally: WeekTally
    ) -> tuple[dict[str, Message], dict[str, datetime]]:
        """Tick at 10:00 in each member's zone; collect the DM each person received, and when."""
        before = {p.user_id: len(self.prompts_of(p.user_id)) for p in self.team}
        received: dict[str, datetime] = {}
        zones = sorted({p.tz for p in self.team})
        for moment in sorted({self.slot(week, *PULSE, tz=ZoneInfo(z)) for z in zones}):
            report = self.tick(moment)
            if report.opened and tally.opened_at is None:
                tally.opened_at = moment
            for person in self.team:
                got = len(self.prompts_of(person.user_id)) > before[person.user_id]
                if got and person.user_id not in received:
                    received[person.user_id] = moment
                    tally.dms_by_slot[moment] += 1
        return self.check_prompts(week, before), received

    def check_prompts(self, week: Week, before: dict[str, int]) -> dict[str, Message]:
        """Everyone surveyed got exactly one prompt for this week; nobody else got anything."""
        prompts: dict[str, Message] = {}
        for person in self.team:
            mine = self.prompts_of(person.user_id)
            if len(mine) != before[person.user_id] + 1 or str(week) not in mine[-1].text:
                self.problem(f"{person.real_name} did not get exactly one pulse for {week}")
                continue
            prompts[person.user_id] = mine[-1]
        for user_id in NEVER_ASKED:
            if self.stage.slack.dms_to(user_id):
                self.problem(f"{user_id} was sent a DM, but must never be asked")
        return prompts

    def prompts_of(self, user_id: str) -> list[Message]:
        """A person's DMs that hold pulse questions."""
        return [m for m in self.stage.slack.dms_to(user_id) if question_blocks(m)]

    def tick(self, moment: datetime) -> TickReport:
        """Move the clock and let the scheduler do whatever is due."""
        self.stage.clock.set(moment)
        return run_tick(self.stage.bot.outbound)

    def describe_round(self, prompts: dict[str, Message], tally: WeekTally) -> None:
        """Round opened (with this week's questions, read off a DM) and the DMs sent."""
        if tally.opened_at is None or not prompts:
            self.problem("the scheduled round did not open")
            return
        asked = [behaviour(behaviour_of(b)) for b in question_blocks(next(iter(prompts.values())))]
        poles = " · ".join(short(b.favourable) for b in asked)
        self.event(when(tally.opened_at), f"round opened, asking: {poles}")
        slots = " · ".join(
            f"{when(moment)[-5:]} ×{count}" for moment, count in sorted(tally.dms_by_slot.items())
        )
        total = sum(tally.dms_by_slot.values())
        self.event("", f"{total} DMs sent, London time {slots}")

    def answer(
        self,
        people: Sequence[Person],
        prompts: dict[str, Message],
        ready: dict[str, datetime],
        deadline: datetime,
        progress: float,
        tally: WeekTally,
    ) -> None:
        """Each person clicks through their DM at a moment of their own before the deadline."""
        moments = []
        for person in people:
            start = ready[person.user_id] + timedelta(minutes=5)
            span = max(0.0, (deadline - start).total_seconds())
            moments.append((start + timedelta(seconds=self.rng.uniform(0, span)), person))
        for moment, person in sorted(moments, key=lambda pair: pair[0]):
            self.stage.clock.set(moment)
            self.click_through(person, prompts[person.user_id], progress, tally)
        tally.answered += len(people)
        self.await_redraws()

    def click_through(
        self, person: Person, message: Message, progress: float, tally: WeekTally
    ) -> None:
        """Answer every question of the DM by clicking its buttons, as Slack would send them."""
        for block in question_blocks(message):
            point = choose_point(person, behaviour_of(block), progress, self.rng)
            self.click(person, message, block, point)
            tally.clicks += 1
            tally.skipped += point is None
        self.clicked[(person.user_id, message.ts)] = len(question_blocks(message))

    def click(
        self, person: Person, message: Message, block: dict[str, Any], point: int | None
    ) -> None:
        """One signed block_actions request for one button."""
        element = button_for(block, point)
        self.requests += 1
        reply = self.stage.sender.block_action(
            user_id=person.user_id,
            action_id=element["action_id"],
            value=element["value"],
            block_id=block["block_id"],
            channel_id=message.channel,
            message_ts=message.ts,
            response_url=self.stage.slack.response_url(
                f"click-{self.requests}",
                channel_id=message.channel,
                message_ts=message.ts,
                user_id=person.user_id,
            ),
            message_blocks=message.blocks,
            message_text=message.text,
        )
        if reply.status != 200:
            self.problem(f"a click got HTTP {reply.status}")

    def shows_every_choice(self, user_id: str, ts: str, questions: int) -> bool:
        """Whether the member's DM now shows an answer to each question they clicked."""
        message = next((m for m in self.stage.slack.dms_to(user_id) if m.ts == ts), None)
        shown = str(message.blocks if message else "")
        return shown.count("You chose") + shown.count("You said this didn't") >= questions

    def await_redraws(self) -> None:
        """Wait until the bot has updated every clicked DM to show the member's choices."""
        clicked, self.clicked = self.clicked, {}
        done = wait_until(
            lambda: all(self.shows_every_choice(u, ts, n) for (u, ts), n in clicked.items())
        )
        if not done:
            self.problem("some clicked messages were not updated to show the choice")
        refused = [r for r in self.stage.slack.responses if str(r.get("key", "")).startswith("cl")]
        fresh = refused[self.refusals_seen :]
        self.refusals_seen = len(refused)
        if fresh:
            self.problem(f"{len(fresh)} click(s) were refused: {fresh[0]['body'].get('text')}")

    def answers_line(self, tally: WeekTally) -> str:
        """How many answered before the reminder, in counts only."""
        came_up = f", {tally.skipped} × “didn't come up”" if tally.skipped else ""
        invited = sum(tally.dms_by_slot.values())
        return f"{tally.answered} of {invited} answered ({tally.clicks} clicks{came_up})"

    def remind(
        self, week: Week, prompts: dict[str, Message], answered: int, tally: WeekTally
    ) -> None:
        """Thursday's tick nudges, once, everyone who has not answered anything."""
        report = self.tick(self.slot(week, *REMINDER))
        tally.reminded = report.reminded
        expected = len(prompts) - answered
        if report.reminded != expected:
            self.problem(f"{report.reminded} reminders sent, {expected} expected")

    def reminder_line(self, tally: WeekTally) -> str:
        """Reminders and who answered after them, in counts only."""
        if not tally.reminded:
            return "no reminders needed: everyone has answered"
        after = f"; {tally.late} answered after the nudge" if tally.late else ""
        return f"reminder sent to {tally.reminded} who hadn't answered yet{after}"

    def close(self, week: Week, tally: WeekTally) -> None:
        """Monday's tick closes the round and posts its digest; print the digest's text form."""
        slack = self.stage.slack
        before = len(slack.messages_in(CHANNEL_ID))
        moment = self.slot(week.shifted(1), *CLOSE)
        report = self.tick(moment)
        posted = [m for m in slack.messages_in(CHANNEL_ID)[before:] if is_digest(m, week)]
        if report.closed != 1 or report.digests != 1 or len(posted) != 1:
            self.problem(f"closing {week}: {report}, {len(posted)} digest message(s) posted")
        self.event(when(moment), f"round closed; digest posted to #{CHANNEL_NAME}:")
        bundle = digest_service.build_digest(
            db=self.stage.bot.db, channel_id=CHANNEL_ID, week=str(week)
        )
        self.check_digest(bundle, tally)
        self.digests.append(bundle.digest)
        for line in digest_to_text(bundle.digest, target=bundle.target).splitlines():
            self.say(f"    │ {line}".rstrip())

    def check_digest(self, bundle: DigestBundle, tally: WeekTally) -> None:
        """The digest counts exactly the people who clicked, and no answer stays linked."""
        participation = bundle.digest.participation
        invited = sum(tally.dms_by_slot.values())
        if (participation.invited, participation.responded) != (invited, tally.answered):
            self.problem(
                f"digest says {participation.responded} of {participation.invited} answered; "
                f"the simulation had {tally.answered} of {invited}"
            )
        with self.stage.bot.db.transaction() as session:
            linked = session.scalar(select(func.count()).select_from(PendingAnswer)) or 0
        if linked:
            self.problem(f"{linked} answers are still linked to people after the close")

    # ---------------------------------------------------------------- the end

    def findings(self) -> None:
        """What was planted, what the digests named, and where the index ended up."""
        self.say()
        self.say("═" * RULE)
        self.say(" What the digests found")
        self.say("═" * RULE)
        named: dict[str, list[str]] = {}
        for digest in self.digests:
            for item in digest.asked:
                if item.figure.shift == "towards_favourable":
                    named.setdefault(item.behaviour.id, []).append(digest.week)
        self.say("Planted to drift towards “us”   → digests that named the move")
        for line in self.named_lines(DRIFTING, named):
            self.say(line)
        false_alarms = [i for i in named if i not in DRIFTING]
        self.say("Planted to hold steady          → digests that named a move")
        for line in self.named_lines(false_alarms, named) or ["  none: no false alarms"]:
            self.say(line)
        self.say(self.index_line())

    def named_lines(self, ids: Iterable[str], named: dict[str, list[str]]) -> list[str]:
        """One line per behaviour with the weeks a digest named it (— for never)."""
        return [
            f"  {short(behaviour(i).favourable, 30):<30} {', '.join(named.get(i, ['—']))}"
            for i in ids
        ]

    def index_line(self) -> str:
        """The index from first to last week, and the last digest's trend in its own words."""
        if not self.digests:
            return "No digests."
        last = self.digests[-1]
        history = last.index_history
        trend = tell_story(last).trend.wording
        if not history:
            return f"Index: not shown yet. {trend}"
        first, final = history[0], history[-1]
        return (
            f"Index: {first.score:+.2f} in {first.week} → {final.score:+.2f} in {final.week}.\n"
            f"Trend: {trend}"
        )

    def final_digest(self) -> None:
        """The last digest as SPEC §4 JSON, as `bot.py digest show --format json` prints it."""
        if not self.digests:
            return
        last = self.digests[-1]
        self.say()
        self.say(f"The {last.week} digest as data (`bot.py digest show --format json`):")
        self.say(spec_json(digest_to_dict(last)))

    def checks(self) -> None:
        """Confirm the last digest is in the channel and that Slack saw nothing malformed."""
        slack = self.stage.slack
        self.say()
        self.say("═" * RULE)
        self.say(" Checks")
        self.say("═" * RULE)
        digests = [m for m in slack.messages_in(CHANNEL_ID) if is_digest(m, "")]
        last_week = self.digests[-1].week if self.digests else "?"
        if digests and is_digest(digests[-1], last_week):
            self.say(
                f"✓ the {last_week} digest is the latest digest in #{CHANNEL_NAME} "
                f"({len(digests)} posted, one a week)"
            )
        else:
            self.problem(f"the {last_week} digest is not in #{CHANNEL_NAME}")
        if slack.uploaded_files:
            self.say(f"✓ {len(slack.uploaded_files)} digest chart(s) uploaded beside the digests")
        calls = Counter(call.method for call in slack.calls)
        by_method = " · ".join(f"{m} {n}" for m, n in calls.most_common())
        self.say(f"✓ {sum(calls.values())} Slack Web API calls by the bot: {by_method}")
        self.say(f"  ({self.requests} signed requests sent to the bot: /pulse commands and clicks)")
        problems = slack.block_kit_problems
        if problems:
            self.problem(f"Block Kit problems: {problems[:3]}")
        else:
            self.say("✓ block_kit_problems is empty: every message passed the Block Kit check")
        if not any(slack.dms_to(user_id) for user_id in NEVER_ASKED):
            self.say("✓ the Pulse app, the minutes bot and the deactivated account got no DMs")
        if slack.internal_errors:
            self.problem(f"the stand-in hit internal errors: {slack.internal_errors[:3]}")


def _check_arguments(weeks: int, members: int) -> str | None:
    if not 1 <= weeks <= MAX_WEEKS:
        return f"--weeks must be between 1 and {MAX_WEEKS}"
    if not 1 <= members <= MAX_MEMBERS:
        return f"--members must be between 1 and {MAX_MEMBERS}"
    return None


def _closing(started: float, status: int, problems: Sequence[str]) -> None:
    seconds = time.monotonic() - started
    print()
    if status:
        print(f"✗ The demo found {len(problems)} problem(s) in {seconds:.1f} s; see ✗ above.")
        return
    print(f"Done in {seconds:.1f} s. To run it in a real workspace, create the Slack app from")
    print("manifest.yml, then: SLACK_BOT_TOKEN=xoxb-… SLACK_SIGNING_SECRET=… python bot.py serve")
    print("(README, “Running it on a real workspace”).")


def run_demo(
    *, weeks: int = 8, members: int = 12, seed: int = 7, save_to: Path | None = None
) -> int:
    """Run the narrated demo; 0 when every check passed, 1 when something failed."""
    error = _check_arguments(weeks, members)
    if error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    started = time.monotonic()
    rng = random.Random(seed)
    team = build_team(members, rng)
    clock = SimulatedClock(datetime.combine(FIRST_MONDAY, datetime.min.time(), tzinfo=UTC))
    with (
        tempfile.TemporaryDirectory(prefix="pulse-demo-") as folder,
        StandInSlack(workspace_for(team), bot_token=BOT_TOKEN) as slack,
    ):
        stage = start_stage(slack, f"sqlite:///{Path(folder) / 'demo.db'}", clock)
        demo = Demo(stage, team, weeks=weeks, rng=rng)
        try:
            status = demo.run()
            if save_to is not None:
                member = next(p.user_id for p in team if p is not demo.manager)
                for path in save_examples(slack, CHANNEL_ID, member, save_to):
                    print(f"Saved {path}")
        except Exception as failure:  # the transcript should end with a reason, not a trace
            demo.problem(f"the demo stopped: {type(failure).__name__}: {failure}")
            status = 1
        finally:
            stage.stop()
    _closing(started, status, demo.problems)
    return status
