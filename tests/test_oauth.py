"""Installing into many workspaces through OAuth, end to end against the stand-in Slack:
each workspace installs with its own code, gets its own token, and its teams, settings,
rounds and DMs are kept apart from every other workspace's."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from config.settings import load_settings
from delivery.scopes import METHOD_SCOPES, bot_scopes
from jobs.tick import run_tick
from runtime.assembly import Bot, build_bot
from runtime.http import HttpServer
from standin import SlackRequestSender, StandInSlack, Workspace
from storage.installations import latest_bot
from storage.models import Team
from tests.support import TUESDAY_10, FakeClock, wait_for

SIGNING_SECRET = "oauth-signing-secret-0123456789"
CLIENT_ID = "1234567890.0987654321"
CLIENT_SECRET = "client-secret-abcdef"


@dataclass(frozen=True)
class Org:
    """One workspace of the test: its team channel, manager and members."""

    team_id: str
    name: str
    channel: str
    manager: str
    members: tuple[str, ...]
    code: str

    @property
    def surveyed(self) -> tuple[str, ...]:
        return (self.manager, *self.members)


ALPHA = Org(
    "T0ALPHA001", "Alpha Council", "C0ALPHA001", "U0AMANAGER", ("U0A01", "U0A02", "U0A03"), "ca"
)
BRAVO = Org("T0BRAVO001", "Bravo Health", "C0BRAVO001", "U0BMANAGER", ("U0B01", "U0B02"), "cb")


def _workspace(org: Org) -> Workspace:
    workspace = Workspace(org.team_id, team_name=org.name, domain=org.name.split()[0].lower())
    for user in org.surveyed:
        workspace.add_user(user, user.lower(), tz="Europe/London")
    workspace.add_channel(org.channel, "partnership", list(org.surveyed))
    return workspace


@dataclass
class Distributed:
    """The bot installed for many workspaces, serving signed HTTP."""

    bot: Bot
    server: HttpServer
    slack: StandInSlack
    sender: SlackRequestSender
    clock: FakeClock

    def command(self, org: Org, text: str, *, user: str | None = None) -> Any:
        reply = self.sender.slash_command(
            text=text,
            user_id=user or org.manager,
            channel_id=org.channel,
            team_id=org.team_id,
            response_url=self.slack.response_url(f"cmd-{time.monotonic_ns()}", team_id=org.team_id),
        )
        assert reply.status == 200, reply.text
        return reply

    def token_of(self, org: Org) -> str:
        installations = self.bot.outbound.installations
        assert installations is not None
        bot = latest_bot(installations.store, workspace_id=org.team_id)
        assert bot is not None and bot.bot_token
        return bot.bot_token


@pytest.fixture
def slack() -> Iterator[StandInSlack]:
    with StandInSlack(_workspace(ALPHA)) as server:
        server.add_workspace(_workspace(BRAVO))
        server.set_oauth_client(CLIENT_ID, CLIENT_SECRET)
        for org in (ALPHA, BRAVO):
            server.register_oauth_code(
                org.code,
                org.team_id,
                org.name,
                f"U0BOT{org.team_id[-4:]}",
                installer_user_id=org.manager,
                scope=",".join(bot_scopes()),
            )
        yield server
        assert server.block_kit_problems == []
        assert server.internal_errors == []


@pytest.fixture
def distributed(database_url: str, slack: StandInSlack) -> Iterator[Distributed]:
    settings = load_settings(
        {
            "SLACK_CLIENT_ID": CLIENT_ID,
            "SLACK_CLIENT_SECRET": CLIENT_SECRET,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": database_url,
            "PULSE_SCHEDULER": "off",
        }
    )
    bot = build_bot(settings)
    clock = FakeClock(TUESDAY_10)
    bot.outbound.clock = clock
    from delivery.pacing import Pacer

    bot.outbound.pacer = Pacer(per_channel_interval=0.0)
    server = HttpServer(bot.wsgi()).start()
    yield Distributed(bot, server, slack, SlackRequestSender(server.url, SIGNING_SECRET), clock)
    server.stop()
    bot.db.dispose()


def install(running: Distributed, org: Org) -> None:
    """What an installer's browser does: the install link, Slack's approval, the redirect."""
    page = running.sender.get("/slack/install")
    assert page.status == 200
    cookie = page.header("Set-Cookie") or ""
    state = cookie.split(";", 1)[0].split("=", 1)[1]
    link = next(
        part.split('"', 1)[0]
        for part in page.text.split('href="')[1:]
        if part.startswith("https://slack.com/oauth/v2/authorize")
    )
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert query["state"] == [state]
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"][0].split(",") == bot_scopes()
    done = running.sender.get(
        f"/slack/oauth_redirect?code={org.code}&state={state}",
        headers={"Cookie": f"slack-app-oauth-state={state}"},
    )
    assert done.status == 200, done.text


def _settings_view(running: Distributed, org: Org) -> dict[str, Any]:
    def opened() -> list[dict[str, Any]]:
        views = []
        for call in running.slack.calls_to("views.open"):
            if call.token == running.token_of(org):
                view = call.args["view"]
                views.append(json.loads(view) if isinstance(view, str) else view)
        return views

    return wait_for(opened)[-1]


def submit_threshold(running: Distributed, org: Org, view: dict[str, Any], threshold: str) -> Any:
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        kind = element["type"]
        value: dict[str, Any] = {"type": kind}
        if kind == "static_select":
            value["selected_option"] = element["initial_option"]
        elif kind == "timepicker":
            value["selected_time"] = element["initial_time"]
        elif kind == "conversations_select":
            value["selected_conversation"] = element["initial_conversation"]
        elif kind == "multi_users_select":
            value["selected_users"] = element.get("initial_users", [])
        elif kind == "checkboxes":
            value["selected_options"] = element.get("initial_options", [])
        else:
            value["value"] = element.get("initial_value")
        values[block["block_id"]] = {element["action_id"]: value}
    values["threshold"]["threshold"]["value"] = threshold
    return running.sender.view_submission(
        user_id=org.manager,
        team_id=org.team_id,
        view={
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "state": {"values": values},
        },
    )


def _click(running: Distributed, org: Org, user: str, point: int) -> None:
    message = running.slack.dms_to(user, team_id=org.team_id)[-1]
    assert message.blocks is not None
    block = next(b for b in message.blocks if b["type"] == "actions")
    button = next(e for e in block["elements"] if e["action_id"] == f"answer-{point}")
    reply = running.sender.block_action(
        user_id=user,
        team_id=org.team_id,
        action_id=button["action_id"],
        value=button["value"],
        block_id=block["block_id"],
        channel_id=message.channel,
        message_ts=message.ts,
        message_blocks=message.blocks,
        response_url=running.slack.response_url(f"click-{user}", team_id=org.team_id),
    )
    assert reply.status == 200


def _teams(running: Distributed) -> dict[str, tuple[str, int, bool]]:
    with running.bot.db.transaction() as session:
        return {
            t.channel_id: (t.workspace_id, t.anonymity_threshold, t.active)
            for t in session.scalars(select(Team))
        }


def test_two_workspaces_install_and_are_kept_apart(distributed: Distributed) -> None:
    running, slack = distributed, distributed.slack
    for org in (ALPHA, BRAVO):
        install(running, org)
    tokens = {org.team_id: running.token_of(org) for org in (ALPHA, BRAVO)}
    assert len(set(tokens.values())) == 2

    for org, threshold in ((ALPHA, "4"), (BRAVO, "6")):
        reply = running.command(org, "setup")
        assert "now a Partnership Pulse team" in reply.json()["text"]
        answer = submit_threshold(running, org, _settings_view(running, org), threshold)
        assert answer.json()["response_action"] == "update"
    assert _teams(running) == {
        ALPHA.channel: (ALPHA.team_id, 4, True),
        BRAVO.channel: (BRAVO.team_id, 6, True),
    }

    for org in (ALPHA, BRAVO):
        running.command(org, "send")

        def prompted(org: Org = org) -> bool:
            return all(slack.dms_to(u, team_id=org.team_id) for u in org.surveyed)

        wait_for(prompted)
        _click(running, org, org.members[0], 5)

    for org, other in ((ALPHA, BRAVO), (BRAVO, ALPHA)):
        for user in org.surveyed:
            assert len(slack.dms_to(user, team_id=org.team_id)) == 1
        workspace = slack.workspace_for(org.team_id)
        assert workspace is not None
        assert all(workspace.get_user(u) is None for u in other.surveyed)
        posts = [
            c
            for c in slack.calls_to("chat.postMessage")
            if str(c.args.get("channel")) in org.surveyed
        ]
        assert posts and {c.token for c in posts} == {tokens[org.team_id]}

    for org in (ALPHA, BRAVO):
        running.command(org, "digest")

        def posted(org: Org = org) -> bool:
            return bool(slack.messages_in(org.channel, team_id=org.team_id))

        wait_for(posted)
    for org in (ALPHA, BRAVO):
        channel_posts = [
            c for c in slack.calls_to("chat.postMessage") if c.args.get("channel") == org.channel
        ]
        assert {c.token for c in channel_posts} == {tokens[org.team_id]}

    assert {c.method for c in slack.calls} <= set(METHOD_SCOPES)


def test_a_workspace_cannot_reach_another_workspaces_team(distributed: Distributed) -> None:
    running = distributed
    for org in (ALPHA, BRAVO):
        install(running, org)
        running.command(org, "setup")
    reply = running.sender.slash_command(
        text=f"summary <#{BRAVO.channel}>",
        user_id=ALPHA.manager,
        channel_id=ALPHA.channel,
        team_id=ALPHA.team_id,
        response_url=running.slack.response_url("cross", team_id=ALPHA.team_id),
    )
    assert "not a Partnership Pulse team" in reply.json()["text"]
    view = _settings_view(running, BRAVO)
    answer = running.sender.view_submission(
        user_id=BRAVO.manager,
        team_id=ALPHA.team_id,
        view={"callback_id": view["callback_id"], "private_metadata": view["private_metadata"]},
    )
    assert answer.json()["response_action"] == "update"
    assert _teams(running)[BRAVO.channel] == (BRAVO.team_id, 5, True)


def test_a_request_from_a_workspace_that_never_installed_is_refused(
    distributed: Distributed,
) -> None:
    running = distributed
    install(running, ALPHA)
    reply = running.command(BRAVO, "setup")
    assert "Partnership Pulse team" not in reply.text
    assert BRAVO.channel not in _teams(running)


def test_a_used_or_forged_state_installs_nothing(distributed: Distributed) -> None:
    running = distributed
    forged = running.sender.get(
        f"/slack/oauth_redirect?code={ALPHA.code}&state=forged",
        headers={"Cookie": "slack-app-oauth-state=forged"},
    )
    assert forged.status in {400, 401}
    installations = running.bot.outbound.installations
    assert installations is not None
    assert latest_bot(installations.store, workspace_id=ALPHA.team_id) is None


def test_uninstalling_forgets_the_token_and_stops_the_workspaces_rounds(
    distributed: Distributed,
) -> None:
    running, slack = distributed, distributed.slack
    for org in (ALPHA, BRAVO):
        install(running, org)
        running.command(org, "setup")
    reply = running.sender.event({"type": "app_uninstalled"}, team_id=BRAVO.team_id)
    assert reply.status == 200
    installations = running.bot.outbound.installations
    assert installations is not None
    assert latest_bot(installations.store, workspace_id=BRAVO.team_id) is None
    assert latest_bot(installations.store, workspace_id=ALPHA.team_id) is not None
    assert _teams(running)[BRAVO.channel] == (BRAVO.team_id, 5, False)
    assert _teams(running)[ALPHA.channel] == (ALPHA.team_id, 5, True)

    run_tick(running.bot.outbound)  # Tuesday 10:00: Alpha's pulse is due, Bravo's is not
    assert all(slack.dms_to(u, team_id=ALPHA.team_id) for u in ALPHA.surveyed)
    assert not any(slack.dms_to(u, team_id=BRAVO.team_id) for u in BRAVO.surveyed)

    again = replace(BRAVO, code="cb-again")  # Slack's codes are good for one exchange
    slack.register_oauth_code(
        again.code, again.team_id, again.name, "U0BOTAGAIN", scope=",".join(bot_scopes())
    )
    install(running, again)
    assert _teams(running)[BRAVO.channel] == (BRAVO.team_id, 5, True)
