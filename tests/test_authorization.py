"""Who may do what: every /pulse subcommand, run by every kind of caller, in a team channel
and in a DM, gets the right answer and nothing more; and a click carrying an altered value
records nothing.

One workspace holds two teams: ours (TEAM_CHANNEL, managed by MANAGER) with an open round
that everyone has answered, and another (OTHER_CHANNEL) with its own manager and members.
The world is built once per database; each cell compares the database, the Web API calls
and the response_url replies before and after its command.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from standin import StandInSlack, Workspace
from storage.database import normalise_url
from storage.models import Answer, Manager, Member, OptOut, PendingAnswer, Prompt, Round, Team
from surveys.behaviours import BEHAVIOUR_IDS
from tests.conftest import POSTGRES_ENV, _admin_engine
from tests.pulse_flow import SURVEYED, behaviour_of, click, latest_prompt
from tests.support import (
    MANAGER,
    MEMBERS,
    OUTSIDER,
    TEAM_CHANNEL,
    TUESDAY_10,
    FakeClock,
    RunningBot,
    standard_workspace,
    start_bot,
    wait_for,
)

OTHER_CHANNEL = "C0OTHER0001"
OTHER_MANAGER = "U0OTHERMGR"
OTHER_MEMBERS = tuple(f"U0OTHER{i:02d}" for i in range(1, 6))
OTHER_SURVEYED = (OTHER_MANAGER, *OTHER_MEMBERS)
MEMBER = MEMBERS[0]
WRITES = ("chat.", "files.", "views.", "conversations.open")
POLITE = ("Sorry", "Please run", "Run `/pulse setup`", "Ask one of its managers")


# ------------------------------------------------------------------------------ the world


@dataclass
class World:
    """Two teams in one workspace, the bot serving them."""

    running: RunningBot

    def team_rows(self, channel: str) -> dict[str, list[tuple[Any, ...]]]:
        """Every row that belongs to one team."""
        with self.running.bot.db.transaction() as session:
            team = session.scalars(select(Team).where(Team.channel_id == channel)).one()
            rounds = select(Round.id).where(Round.team_id == team.id)
            prompts = select(Prompt.id).where(Prompt.round_id.in_(rounds))
            queries = {
                "teams": select(Team.__table__).where(Team.id == team.id),
                "managers": select(Manager.__table__).where(Manager.team_id == team.id),
                "members": select(Member.__table__).where(Member.team_id == team.id),
                "rounds": select(Round.__table__).where(Round.team_id == team.id),
                "prompts": select(Prompt.__table__).where(Prompt.round_id.in_(rounds)),
                "pending_answers": select(PendingAnswer.__table__).where(
                    PendingAnswer.prompt_id.in_(prompts)
                ),
                "answers": select(Answer.__table__).where(Answer.round_id.in_(rounds)),
            }
            return {
                name: sorted(tuple(row) for row in session.execute(query))
                for name, query in queries.items()
            }

    def everything(self) -> dict[str, Any]:
        """Both teams' rows and the opt-outs."""
        with self.running.bot.db.transaction() as session:
            opt_outs = sorted(tuple(row) for row in session.execute(select(OptOut.__table__)))
        return {
            "ours": self.team_rows(TEAM_CHANNEL),
            "theirs": self.team_rows(OTHER_CHANNEL),
            "opt_outs": opt_outs,
        }

    def opted_out(self, user: str) -> bool:
        """Whether the person has paused their prompts."""
        with self.running.bot.db.transaction() as session:
            return session.scalar(select(OptOut.id).where(OptOut.user_id == user)) is not None


def two_team_workspace() -> Workspace:
    """The standard workspace, plus another team's channel with its own people."""
    workspace = standard_workspace()
    for user in OTHER_SURVEYED:
        workspace.add_user(user, user.lower())
    workspace.add_channel(OTHER_CHANNEL, "other-team", OTHER_SURVEYED)
    return workspace


def settle(running: RunningBot, *, quiet: float = 0.2) -> None:
    """Wait until lazy listeners have stopped calling Slack and replying."""
    seen = -1
    while True:
        now = len(running.slack.calls) + len(running.slack.responses)
        if now == seen:
            return
        seen = now
        time.sleep(quiet)


def _send(running: RunningBot, channel: str, manager: str, people: tuple[str, ...]) -> None:
    assert running.command("setup", user=manager, channel=channel).status == 200
    settle(running)  # setup reads the channel's members after its reply
    assert running.command("send", user=manager, channel=channel).status == 200
    wait_for(lambda: all(running.slack.dms_to(u) for u in people))


def build_world(running: RunningBot) -> World:
    """Our team's round answered by everyone; the other team's round sent."""
    _send(running, TEAM_CHANNEL, MANAGER, SURVEYED)
    for i, user in enumerate(SURVEYED):
        assert click(running, user, 0, 1 + i % 5).status == 200
    _send(running, OTHER_CHANNEL, OTHER_MANAGER, OTHER_SURVEYED)
    settle(running)
    return World(running)


@contextmanager
def serving(param: str, folder: Path, template: str | None) -> Iterator[World]:
    """The two-team world on a fresh database of one kind."""
    admin, name = None, f"pulse_authz_{uuid.uuid4().hex[:12]}"
    if param == "sqlite":
        url = f"sqlite:///{folder / 'pulse.db'}"
    elif template is None:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}")
    else:
        admin = _admin_engine()
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        url = (
            make_url(normalise_url(os.environ[POSTGRES_ENV]))
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    try:
        with StandInSlack(two_team_workspace()) as slack:
            running = start_bot(url, slack, FakeClock(TUESDAY_10))
            try:
                yield build_world(running)
            finally:
                running.stop()
            assert slack.block_kit_problems == [], slack.block_kit_problems
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_template: str | None,
) -> Iterator[World]:
    """Built once per database for the whole table: each cell checks its own changes."""
    folder = tmp_path_factory.mktemp("authorization")
    with serving(request.param, folder, postgres_template) as built:
        yield built


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def clicking_world(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_template: str | None,
) -> Iterator[World]:
    """A world of its own for the clicks, whose rounds no command has closed."""
    folder = tmp_path_factory.mktemp("clicks")
    with serving(request.param, folder, postgres_template) as built:
        yield built


# ----------------------------------------------------------------------------- the table


class Outcome(Enum):
    """What a cell of the table must answer."""

    USAGE = "usage"
    UNKNOWN = "unknown command"
    OPT = "opts out or in"
    REFUSED = "polite refusal"
    ALREADY_MANAGER = "already a manager"
    THIS_TEAM = "acts on this team"
    OWN_TEAM_ONLY = "acts on its own team only"


ROLES = {
    "member": MEMBER,
    "manager": MANAGER,
    "other-teams-manager": OTHER_MANAGER,
    "outsider": OUTSIDER,
}
PLACES = ("team-channel", "dm")
COMMANDS = {
    "help": "help",
    "setup": "setup",
    "summary": "summary",
    "summary-channel": f"summary <#{TEAM_CHANNEL}|partnership>",
    "summary-weeks": "summary 4",
    "send": "send",
    "digest": "digest",
    "target": "target 0.5",
    "export": "export",
    "settings": "settings",
    "optout": "optout",
    "optin": "optin",
    "unknown": "launch-rockets",
}


def expected(command: str, role: str, place: str) -> Outcome:
    """The contract (SPEC §2), cell by cell."""
    if command == "help":
        return Outcome.USAGE
    if command == "unknown":
        return Outcome.UNKNOWN
    if command in ("optout", "optin"):
        return Outcome.OPT
    if command == "setup":
        mine = role == "manager" and place == "team-channel"
        return Outcome.ALREADY_MANAGER if mine else Outcome.REFUSED
    if role == "manager":
        return Outcome.THIS_TEAM
    if role == "other-teams-manager" and place == "dm" and command != "summary-channel":
        return Outcome.OWN_TEAM_ONLY  # from a DM, "your team" is the one they manage
    return Outcome.REFUSED


@dataclass(frozen=True)
class Cell:
    """One subcommand, run by one kind of caller, in one place."""

    command: str
    role: str
    place: str

    @property
    def outcome(self) -> Outcome:
        return expected(self.command, self.role, self.place)

    @property
    def user(self) -> str:
        return ROLES[self.role]

    @property
    def channel(self) -> str:
        return TEAM_CHANNEL if self.place == "team-channel" else "D" + self.user[1:]

    def __str__(self) -> str:
        return f"{self.command}-by-{self.role}-in-{self.place}"


CELLS = [Cell(c, r, p) for c in COMMANDS for r in ROLES for p in PLACES]


@dataclass
class Result:
    """What one command did: the ack, and everything that happened because of it."""

    ack: dict[str, Any]
    before: dict[str, Any]
    after: dict[str, Any]
    calls: list[Any]
    responses: list[dict[str, Any]]

    @property
    def writes(self) -> list[Any]:
        return [c for c in self.calls if c.method.startswith(WRITES)]

    def response_texts(self) -> list[str]:
        return [str(r["body"]) for r in self.responses]


def run_cell(world: World, cell: Cell, *, awaiting: str | None = None) -> Result:
    """Run the command, wait for its lazy reply (if one is awaited) and for quiet."""
    running = world.running
    before = world.everything()
    calls, responses = len(running.slack.calls), len(running.slack.responses)
    reply = running.command(COMMANDS[cell.command], user=cell.user, channel=cell.channel)
    assert reply.status == 200, reply.text
    if awaiting is not None:
        wait_for(
            lambda: any(awaiting in str(r["body"]) for r in running.slack.responses[responses:])
        )
    settle(running)
    return Result(
        ack=reply.json(),
        before=before,
        after=world.everything(),
        calls=running.slack.calls[calls:],
        responses=running.slack.responses[responses:],
    )


def _ack_text(result: Result) -> str:
    blocks = " ".join(str(b) for b in result.ack.get("blocks", []))
    return f"{result.ack.get('text', '')} {blocks}"


def _target(rows: dict[str, Any]) -> float | None:
    (team,) = rows["teams"]
    return team[Team.__table__.c.keys().index("target")]


def _mentions_our_team(texts: list[str]) -> bool:
    return any(TEAM_CHANNEL in t for t in texts)


# ------------------------------------------------------------------------------- the test


@pytest.mark.parametrize("cell", CELLS, ids=str)
def test_each_subcommand_answers_each_caller_and_place_as_the_contract_says(
    world: World, cell: Cell
) -> None:
    if cell.outcome is Outcome.THIS_TEAM:
        check_manager_acts_on_this_team(world, cell)
    elif cell.outcome is Outcome.OWN_TEAM_ONLY:
        check_other_manager_reaches_only_their_team(world, cell)
    elif cell.outcome is Outcome.OPT:
        check_opting(world, cell)
    else:
        check_answer_only(world, cell)


def check_answer_only(world: World, cell: Cell) -> None:
    """Usage, unknown commands and refusals: an ephemeral answer and nothing else."""
    result = run_cell(world, cell)
    text = _ack_text(result)
    if cell.outcome is Outcome.USAGE:
        assert "/pulse setup" in text
    elif cell.outcome is Outcome.UNKNOWN:
        assert "don't know the command" in text and "/pulse setup" in text
    elif cell.outcome is Outcome.ALREADY_MANAGER:
        assert "already a team, and you're one of its managers" in text
    else:
        assert any(p in text for p in POLITE), text
        assert not any(ch.isdigit() for ch in text), text
    assert result.after == result.before
    assert result.responses == []
    if cell.outcome is Outcome.ALREADY_MANAGER:
        # Setup again re-reads the channel and opens the team's settings for its manager.
        assert [c for c in result.calls if c.method.startswith(("chat.", "files."))] == []
    else:
        assert result.calls == []


def check_opting(world: World, cell: Cell) -> None:
    """Anyone may pause or resume their own prompts; only their opt-out changes."""
    result = run_cell(world, cell)
    pausing = cell.command == "optout"
    assert ("paused" if pausing else "Welcome back") in _ack_text(result)
    assert world.opted_out(cell.user) is pausing
    assert {k: v for k, v in result.after.items() if k != "opt_outs"} == {
        k: v for k, v in result.before.items() if k != "opt_outs"
    }
    assert result.calls == [] and result.responses == []
    if pausing:  # leave the world as it was for the cells that follow
        world.running.command("optin", user=cell.user, channel=cell.channel)


LAZY_REPLY = {
    "summary": "",
    "summary-channel": "",
    "summary-weeks": "",
    "send": "The pulse for",
    "digest": "digest",
    "export": "",
}


def check_manager_acts_on_this_team(world: World, cell: Cell) -> None:
    """Our manager gets our team's answer, wherever they ask; the other team is untouched."""
    result = run_cell(world, cell, awaiting=LAZY_REPLY.get(cell.command))
    if cell.command == "settings":
        assert f"Opening the settings for <#{TEAM_CHANNEL}>" in _ack_text(result)
        (opened,) = [c for c in result.calls if c.method == "views.open"]
        assert TEAM_CHANNEL in str(opened.args) and OTHER_CHANNEL not in str(opened.args)
        assert result.after == result.before and result.responses == []
    elif cell.command == "target":
        assert "Target set" in _ack_text(result)
        assert _target(result.after["ours"]) == 0.5
        assert result.responses == []
    else:
        assert "On it" in _ack_text(result)
        assert len(result.responses) == 1
        (answer,) = result.response_texts()
        if cell.command.startswith("summary"):
            assert f"<#{TEAM_CHANNEL}>" in answer or "No rounds yet" in answer, answer
        elif cell.command == "export":
            assert "published" in answer, answer
        else:
            assert f"<#{TEAM_CHANNEL}>" in answer or cell.command == "send", answer
    assert result.after["theirs"] == result.before["theirs"]
    assert not any(OTHER_CHANNEL in t for t in result.response_texts())
    for call in result.writes:
        assert call.args.get("channel") not in (OTHER_CHANNEL, *OTHER_SURVEYED), call
    if cell.command == "digest":
        assert any(c.args.get("channel") == TEAM_CHANNEL for c in result.writes)


def check_other_manager_reaches_only_their_team(world: World, cell: Cell) -> None:
    """From a DM, another team's manager is answered about their own team, never ours."""
    result = run_cell(world, cell, awaiting=LAZY_REPLY.get(cell.command))
    assert result.after["ours"] == result.before["ours"]
    assert not _mentions_our_team([_ack_text(result), *result.response_texts()])
    ours = {TEAM_CHANNEL, MANAGER, *MEMBERS, *("D" + u[1:] for u in (MANAGER, *MEMBERS))}
    for call in result.writes:
        assert call.args.get("channel") not in ours, call
    if cell.command == "settings":
        assert f"Opening the settings for <#{OTHER_CHANNEL}>" in _ack_text(result)
        (opened,) = [c for c in result.calls if c.method == "views.open"]
        assert OTHER_CHANNEL in str(opened.args) and TEAM_CHANNEL not in str(opened.args)
    elif cell.command == "target":
        assert "Target set" in _ack_text(result)
        assert _target(result.after["theirs"]) == 0.5
    else:
        assert len(result.responses) == 1


# ------------------------------------------------------------------------- altered clicks


def _prompt_value(running: RunningBot, user: str, *, point: int) -> tuple[int, str]:
    message = latest_prompt(running, user)
    behaviour = behaviour_of(message, 0)
    value = next(
        e["value"]
        for b in message.blocks
        if b.get("block_id", "").endswith(f":{behaviour}")
        for e in b["elements"]
        if e["action_id"] == f"answer-{point}"
    )
    return int(value.split(":")[0]), behaviour


def _altered(world: World, case: str) -> tuple[str, str]:
    """(value, the words the member is told) for each way a button's value can be altered."""
    running = world.running
    own_prompt, behaviour = _prompt_value(running, MEMBERS[1], point=3)
    if case == "another-members-prompt":
        prompt, theirs = _prompt_value(running, MEMBERS[2], point=3)
        return f"{prompt}:{theirs}:1", "someone else"
    if case == "another-teams-prompt":
        prompt, theirs = _prompt_value(running, OTHER_MEMBERS[0], point=3)
        return f"{prompt}:{theirs}:1", "someone else"
    if case == "point-0":
        return f"{own_prompt}:{behaviour}:0", "doesn't fit"
    if case == "point-6":
        return f"{own_prompt}:{behaviour}:6", "doesn't fit"
    if case == "point-negative":
        return f"{own_prompt}:{behaviour}:-1", "doesn't fit"
    asked = {behaviour_of(latest_prompt(running, MEMBERS[1]), q) for q in range(3)}
    elsewhere = next(b for b in BEHAVIOUR_IDS if b not in asked)
    return f"{own_prompt}:{elsewhere}:4", "doesn't fit"


@pytest.mark.parametrize(
    "case",
    [
        "another-members-prompt",
        "another-teams-prompt",
        "point-0",
        "point-6",
        "point-negative",
        "behaviour-not-in-the-round",
    ],
)
def test_a_click_with_an_altered_value_records_nothing_and_says_why(
    clicking_world: World, case: str
) -> None:
    world = clicking_world
    running = world.running
    value, told = _altered(world, case)
    before = world.everything()
    responses = len(running.slack.responses)
    reply = click(running, MEMBERS[1], 0, 3, value=value)
    assert reply.status == 200
    wait_for(lambda: any(told in str(r["body"]) for r in running.slack.responses[responses:]))
    settle(running)
    assert world.everything() == before
