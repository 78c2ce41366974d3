"""`python bot.py demo`: the whole pulse loop against a local stand-in Slack, narrated.

It is the first thing a newcomer runs, so it uses nothing but the real paths: the bot is
assembled as `serve` assembles it and served over HTTP on loopback; its Web API calls go to
the stand-in workspace; the manager's `/pulse` commands and every member's answers arrive as
signed Slack requests (clicks on the buttons of the DM each member actually received); the
scheduler's tick opens, reminds, closes and posts digests as the simulated clock moves.
Only counts and the team's digests are printed, never one person's answers.

The parts: `stage` (the stand-in and the bot), `week` (one simulated week),
`answers` (members clicking their DMs), `report` (what is said around the weeks)
and `people` (the simulated partnership).
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from demo.examples import save_examples
from demo.loop import agree_an_action, run_review
from demo.organisations import assign_organisations, organisation_findings
from demo.partners import DEFAULT_PARTNERS
from demo.people import Person, build_team
from demo.report import banner, checks, final_digest, findings
from demo.stage import (
    BOT_TOKEN,
    CHANNEL_ID,
    CHANNEL_NAME,
    Stage,
    start_stage,
    workspace_for,
)
from demo.transcript import Transcript
from demo.week import FIRST_MONDAY, WeekLoop
from standin.blockkit import check_message
from standin.clock import ManualClock
from standin.webapi import StandInSlack

TARGET = "0.5"
MAX_WEEKS, MAX_MEMBERS = 52, 300
START = datetime.combine(FIRST_MONDAY, datetime.min.time(), tzinfo=UTC)


class Demo:
    """Runs the simulated weeks on a stage and narrates them."""

    def __init__(
        self,
        stage: Stage,
        team: list[Person],
        *,
        weeks: int,
        rng: random.Random,
        kept_in: Path | None = None,
    ) -> None:
        self.stage = stage
        self.team = team
        self.weeks = weeks
        self.kept_in = kept_in
        self.transcript = Transcript()
        self.week_loop = WeekLoop(stage, team, self.transcript, weeks=weeks, rng=rng)

    @property
    def manager(self) -> Person:
        """The team is built manager first; only they run /pulse."""
        return self.team[0]

    def run(self) -> int:
        """Set the team up, run the weeks, then show the last digest and the checks."""
        banner(self.transcript, self.stage, self.team, self.weeks, kept_in=self.kept_in)
        self.set_up_team()
        for number in range(self.weeks):
            self.week_loop.run_week(number)
            if number == self.weeks // 2 - 1:
                digests = self.week_loop.digests
                agree_an_action(self.stage, self.team, self.transcript, self.command, digests)
        digests = self.week_loop.digests
        findings(self.transcript, digests)
        organisation_findings(self.transcript, digests)
        final_digest(self.transcript, digests)
        run_review(self.stage, self.team, self.transcript, self.command, self.week_loop.rng)
        checks(self.transcript, self.stage, digests)
        return 1 if self.transcript.problems else 0

    def set_up_team(self) -> None:
        """The manager runs /pulse setup, sets a target the digest can measure against, and
        names the organisation the workspaces cannot tell apart."""
        self.stage.clock.set(START)
        self.transcript.say()
        for text in ("setup", f"target {TARGET}"):
            reply = self.command(text)
            self.transcript.say(f"{self.manager.real_name}: /pulse {text}")
            self.transcript.say(f"  ↳ seen only by {self.manager.real_name.split()[0]}: {reply}")
        assign_organisations(self.stage, self.team, self.transcript, self.command)

    def command(self, text: str) -> str:
        """A signed /pulse from the manager in the team channel; the bot's ephemeral reply."""
        reply = self.stage.sender.slash_command(
            text=text,
            user_id=self.manager.user_id,
            user_name=self.manager.handle,
            channel_id=CHANNEL_ID,
            channel_name=CHANNEL_NAME,
            response_url=self.stage.response_url("command"),
        )
        if reply.status != 200:
            self.transcript.problem(f"/pulse {text} got HTTP {reply.status}")
            return ""
        body = reply.json()
        problems = check_message(body.get("text", ""), body.get("blocks"))
        if problems:
            self.transcript.problem(f"the reply to /pulse {text} breaks Block Kit: {problems[:2]}")
        return str(body.get("text", ""))


def _check_arguments(weeks: int, members: int, keep: Path | None) -> str | None:
    if not 1 <= weeks <= MAX_WEEKS:
        return f"--weeks must be between 1 and {MAX_WEEKS}"
    if not 1 <= members <= MAX_MEMBERS:
        return f"--members must be between 1 and {MAX_MEMBERS}"
    if keep is not None and keep.exists():
        return f"--keep {keep}: that file exists; the demo starts a new database (remove it first)"
    return None


def _from_here(path: Path) -> str:
    """A path as typed from the working folder: relative when it is inside it."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path.absolute())


def bot_command() -> str:
    """How to run `bot.py` from the working folder, whether or not the venv is active.

    `python bot.py` when the shell's `python` is this one; otherwise this interpreter's
    path (`.venv/bin/python bot.py` after `make demo`, from the repository).
    """
    found = shutil.which("python")
    same = found is not None and Path(found).absolute() == Path(sys.executable).absolute()
    python = "python" if same else _from_here(Path(sys.executable))
    return f"{python} {_from_here(Path(__file__).resolve().parents[1] / 'bot.py')}"


def _closing(started: float, status: int, problems: Sequence[str]) -> None:
    seconds = time.monotonic() - started
    print()
    if status:
        print(f"✗ The demo found {len(problems)} problem(s) in {seconds:.1f} s; see ✗ above.")
        return
    bot = bot_command()
    print(f"Done in {seconds:.1f} s. To try it in your own workspace, without a public URL:")
    print("create the Slack app from manifest.socket.yml, then")
    print(f"  {bot} check")
    print(f"  {bot} socket")
    print("(README, “Try it in your workspace”, step by step).")


def _kept_database_hint(path: Path, last_week: str) -> None:
    """Where the kept database is, and what to try on it."""
    bot, url, team = bot_command(), f"sqlite:///{_from_here(path)}", f"--team {CHANNEL_ID}"
    print()
    print(f"The demo's database is kept in {path}. Try it with the bot's own commands:")
    print(f"  DATABASE_URL={url} {bot} digest show {team} --week {last_week}")
    print(f"  DATABASE_URL={url} {bot} export {team} --format csv")


@contextmanager
def _database(keep: Path | None) -> Iterator[Path]:
    """A new SQLite file: in a folder thrown away afterwards, or at `keep`, kept."""
    if keep is not None:
        keep.parent.mkdir(parents=True, exist_ok=True)
        yield keep.absolute()
        return
    with tempfile.TemporaryDirectory(prefix="pulse-demo-") as folder:
        yield Path(folder) / "demo.db"


def run_demo(
    *,
    weeks: int = 8,
    members: int = DEFAULT_PARTNERS,
    seed: int = 7,
    save_to: Path | None = None,
    keep: Path | None = None,
) -> int:
    """Run the narrated demo; 0 when every check passed, 1 when something failed.

    With `save_to`, the last digest, its chart and a prompt are written there; with `keep`,
    the demo's database is that file, and stays.
    """
    error = _check_arguments(weeks, members, keep)
    if error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    started = time.monotonic()
    rng = random.Random(seed)
    team = build_team(members, rng)
    with (
        _database(keep) as database,
        StandInSlack(workspace_for(team), bot_token=BOT_TOKEN) as slack,
    ):
        stage = start_stage(slack, f"sqlite:///{database}", ManualClock(START))
        demo = Demo(stage, team, weeks=weeks, rng=rng, kept_in=database if keep else None)
        try:
            status = demo.run()
            if save_to is not None:
                member = next(p.user_id for p in team if p is not demo.manager)
                for path in save_examples(slack, CHANNEL_ID, member, save_to):
                    print(f"Saved {path}")
        except Exception as failure:  # the transcript should end with a reason, not a trace
            demo.transcript.problem(f"the demo stopped: {type(failure).__name__}: {failure}")
            status = 1
        finally:
            stage.stop()
    if keep is not None and demo.week_loop.digests:
        _kept_database_hint(database, demo.week_loop.digests[-1].week)
    _closing(started, status, demo.transcript.problems)
    return status
