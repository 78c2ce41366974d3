"""One simulated week on the stage: the round opens, members answer, a reminder, the close.

The scheduler's tick does each step as the simulated clock reaches it, exactly as it would
in a real workspace; the week checks what the bot did and narrates it in counts only.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from demo.answers import Answerers, Clicks, Prompt, behaviour_of, prompts_to, question_blocks
from demo.people import Person, WeekPlan, plan_week
from demo.stage import CHANNEL_ID, CHANNEL_NAME, NEVER_ASKED, Stage, is_digest
from demo.transcript import LONDON, RULE, Transcript, short, when
from services import digests as digest_service
from services.digests import DigestBundle
from storage.models import PendingAnswer
from surveys.behaviours import behaviour
from surveys.digest import Digest
from surveys.digest_format import digest_to_text
from surveys.schedule import slot_in_week
from surveys.weeks import Week, week_of, week_words

FIRST_MONDAY = date(2026, 9, 28)
"""A fixed start (2026-W40), so every run with the same seed tells the same story."""

PULSE = (1, "10:00")  # Tuesday 10:00 in each member's zone: what `/pulse setup` schedules
REMINDER = (3, "10:00")  # Thursday 10:00 in the team's zone
CLOSE = (0, "09:00")  # the next Monday 09:00 in the team's zone


def slot(week: Week, weekday: int, clock: str, tz: ZoneInfo = LONDON) -> datetime:
    """A weekly slot as a UTC moment."""
    return slot_in_week(week, weekday=weekday, clock=clock, tz=tz)


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

    @property
    def invited(self) -> int:
        """Everyone the round was sent to, whichever slot their DM went out in."""
        return sum(self.dms_by_slot.values())

    def add_answers(self, people: int, clicks: Clicks) -> None:
        """Count people who answered and the clicks they made."""
        self.answered += people
        self.clicks += clicks.total
        self.skipped += clicks.didnt_come_up

    def answers_line(self) -> str:
        """How many answered before the reminder, in counts only."""
        came_up = f", {self.skipped} × “didn't come up”" if self.skipped else ""
        return f"{self.answered} of {self.invited} answered ({self.clicks} clicks{came_up})"

    def reminder_line(self) -> str:
        """Reminders and who answered after them, in counts only."""
        if not self.reminded:
            return "no reminders needed: everyone has answered"
        after = f"; {self.late} answered after the nudge" if self.late else ""
        return f"reminder sent to {self.reminded} who hadn't answered yet{after}"


class WeekLoop:
    """Runs the weeks one after another, keeping the digest each one posted."""

    def __init__(
        self,
        stage: Stage,
        team: list[Person],
        transcript: Transcript,
        *,
        weeks: int,
        rng: random.Random,
    ) -> None:
        self.stage = stage
        self.team = team
        self.transcript = transcript
        self.weeks = weeks
        self.rng = rng
        self.answerers = Answerers(stage, transcript, rng)
        self.digests: list[Digest] = []

    def run_week(self, number: int) -> None:
        """One week: DMs go out, answers come in, a reminder, then the close and its digest."""
        week = week_of(FIRST_MONDAY + timedelta(weeks=number))
        progress = number / max(1, self.weeks - 1)
        plan = plan_week(self.team, self.rng)
        tally = WeekTally()
        self.transcript.say()
        self.transcript.say(f"── Week {number + 1} of {self.weeks} · {week} ".ljust(RULE, "─"))
        prompts, received = self.send_round(week, tally)
        self.describe_round(prompts, tally)
        self.answers_before_reminder(week, plan, prompts, received, progress, tally)
        self.reminder_and_late_answers(week, plan, prompts, progress, tally)
        self.close(week, tally)

    def send_round(
        self, week: Week, tally: WeekTally
    ) -> tuple[dict[str, Prompt], dict[str, datetime]]:
        """Tick at 10:00 in each member's zone; collect the DM each person received, and when."""
        before = {p.user_id: len(self.prompts_of(p.user_id)) for p in self.team}
        received: dict[str, datetime] = {}
        zones = sorted({p.tz for p in self.team})
        for moment in sorted({slot(week, *PULSE, tz=ZoneInfo(z)) for z in zones}):
            report = self.stage.tick(moment)
            if report.opened and tally.opened_at is None:
                tally.opened_at = moment
            for person in self.team:
                got = len(self.prompts_of(person.user_id)) > before[person.user_id]
                if got and person.user_id not in received:
                    received[person.user_id] = moment
                    tally.dms_by_slot[moment] += 1
        return self.check_prompts(week, before), received

    def check_prompts(self, week: Week, before: dict[str, int]) -> dict[str, Prompt]:
        """Everyone surveyed got exactly one prompt for this week; nobody else got anything."""
        prompts: dict[str, Prompt] = {}
        for person in self.team:
            mine = self.prompts_of(person.user_id)
            said = week_words(str(week))
            if len(mine) != before[person.user_id] + 1 or said not in mine[-1].text:
                self.transcript.problem(
                    f"{person.real_name} did not get exactly one pulse for {week}"
                )
                continue
            prompts[person.user_id] = mine[-1]
        for user_id in NEVER_ASKED:
            if self.stage.slack.dms_to(user_id):
                self.transcript.problem(f"{user_id} was sent a DM, but must never be asked")
        return prompts

    def prompts_of(self, user_id: str) -> list[Prompt]:
        """A person's prompts that hold pulse questions: DMs, or in the channel."""
        return prompts_to(self.stage.slack, user_id)

    def describe_round(self, prompts: dict[str, Prompt], tally: WeekTally) -> None:
        """Round opened (with this week's questions, read off a DM) and the DMs sent."""
        if tally.opened_at is None or not prompts:
            self.transcript.problem("the scheduled round did not open")
            return
        asked = [behaviour(behaviour_of(b)) for b in question_blocks(next(iter(prompts.values())))]
        poles = " · ".join(short(b.favourable) for b in asked)
        self.transcript.event(when(tally.opened_at), f"round opened, asking: {poles}")
        slots = " · ".join(
            f"{when(moment)[-5:]} ×{count}" for moment, count in sorted(tally.dms_by_slot.items())
        )
        in_channel = sum(1 for p in prompts.values() if p.in_channel)
        where = (
            f" ({in_channel} of them in the channel: Slack refused the DM)" if in_channel else ""
        )
        self.transcript.event("", f"{tally.invited} prompts sent{where}, London time {slots}")

    def answers_before_reminder(
        self,
        week: Week,
        plan: WeekPlan,
        prompts: dict[str, Prompt],
        received: dict[str, datetime],
        progress: float,
        tally: WeekTally,
    ) -> None:
        """Most people answer some time between getting their DM and Thursday morning."""
        on_time = [p for p in plan.on_time if p.user_id in prompts]
        deadline = slot(week, *REMINDER) - timedelta(hours=1)
        clicks = self.answerers.answer(on_time, prompts, received, deadline, progress)
        tally.add_answers(len(on_time), clicks)
        self.transcript.event("Tue–Thu", tally.answers_line())

    def reminder_and_late_answers(
        self,
        week: Week,
        plan: WeekPlan,
        prompts: dict[str, Prompt],
        progress: float,
        tally: WeekTally,
    ) -> None:
        """Thursday's reminder goes to whoever hasn't answered; one or two answer after it."""
        reminder_at = slot(week, *REMINDER)
        self.remind(week, plan, prompts, tally)
        late = [p for p in plan.late if p.user_id in prompts]
        deadline = slot(week.shifted(1), *CLOSE) - timedelta(hours=12)
        ready = dict.fromkeys((p.user_id for p in late), reminder_at)
        clicks = self.answerers.answer(late, prompts, ready, deadline, progress)
        tally.add_answers(len(late), clicks)
        tally.late = len(late)
        self.transcript.event(when(reminder_at), tally.reminder_line())

    def remind(
        self, week: Week, plan: WeekPlan, prompts: dict[str, Prompt], tally: WeekTally
    ) -> None:
        """Thursday's tick nudges, once, everyone who has not answered anything (by DM: a
        member Slack will not let the bot DM may go without the nudge)."""
        report = self.stage.tick(slot(week, *REMINDER))
        tally.reminded = report.reminded
        waiting = [u for u, p in prompts.items() if u not in {q.user_id for q in plan.on_time}]
        by_dm = sum(1 for u in waiting if not prompts[u].in_channel)
        if not by_dm <= report.reminded <= len(waiting):
            self.transcript.problem(f"{report.reminded} reminders sent, {by_dm} expected")

    def close(self, week: Week, tally: WeekTally) -> None:
        """Monday's tick closes the round and posts its digest; print the digest's text form."""
        slack = self.stage.slack
        before = len(slack.messages_in(CHANNEL_ID))
        moment = slot(week.shifted(1), *CLOSE)
        report = self.stage.tick(moment)
        posted = [m for m in slack.messages_in(CHANNEL_ID)[before:] if is_digest(m, week)]
        if report.closed != 1 or report.digests != 1 or len(posted) != 1:
            self.transcript.problem(
                f"closing {week}: {report}, {len(posted)} digest message(s) posted"
            )
        self.transcript.event(when(moment), f"round closed; digest posted to #{CHANNEL_NAME}:")
        bundle = digest_service.build_digest(
            db=self.stage.bot.db, channel_id=CHANNEL_ID, week=str(week)
        )
        self.check_digest(bundle, tally)
        self.digests.append(bundle.digest)
        for line in digest_to_text(
            bundle.digest, target=bundle.target, team_name=bundle.team_name
        ).splitlines():
            self.transcript.say(f"    │ {line}".rstrip())

    def check_digest(self, bundle: DigestBundle, tally: WeekTally) -> None:
        """The digest counts exactly the people who clicked, and no answer stays linked."""
        participation = bundle.digest.participation
        if (participation.invited, participation.responded) != (tally.invited, tally.answered):
            self.transcript.problem(
                f"digest says {participation.responded} of {participation.invited} answered; "
                f"the simulation had {tally.answered} of {tally.invited}"
            )
        with self.stage.bot.db.transaction() as session:
            linked = session.scalar(select(func.count()).select_from(PendingAnswer)) or 0
        if linked:
            self.transcript.problem(f"{linked} answers are still linked to people after the close")
