"""Signed Slack requests: signatures verify, payloads have Slack's shape, Bolt accepts them."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from standin import SlackRequestSender, StandInSlack, Workspace, sign

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
PAYLOADS = Path(__file__).resolve().parents[2] / "shared" / "oracles" / "payloads"


@dataclass
class Captured:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class CaptureServer:
    """What a plain HTTP server received, and where it listens."""

    requests: list[Captured] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def capture() -> Iterator[CaptureServer]:
    state = CaptureServer()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _record(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            state.requests.append(Captured(self.path, dict(self.headers.items()), body))
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        do_POST = _record
        do_GET = _record

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def sender(capture: CaptureServer) -> SlackRequestSender:
    return SlackRequestSender(capture.url, SECRET)


def _verify(request: Captured) -> bool:
    return SignatureVerifier(SECRET).is_valid_request(request.body, request.headers)


def _payload(request: Captured) -> dict[str, Any]:
    return json.loads(parse_qs(request.body.decode())["payload"][0])


def _oracle_keys(name: str) -> set[str]:
    path = PAYLOADS / name
    if not path.exists():
        pytest.skip(f"shared payload samples not present at {path}")
    return set(json.loads(path.read_text(encoding="utf-8")))


# ------------------------------------------------------------- signatures


def test_slash_command_signature_verifies_with_slack_sdk(
    sender: SlackRequestSender, capture: CaptureServer
) -> None:
    reply = sender.slash_command(text="status", user_id="U100", channel_id="C100")
    assert (reply.status, reply.text) == (200, "ok")
    [request] = capture.requests
    assert request.path == "/slack/events"
    assert _verify(request)


def test_every_payload_kind_is_signed_validly(
    sender: SlackRequestSender, capture: CaptureServer
) -> None:
    sender.block_action(
        user_id="U1", action_id="a", value="v", block_id="b", channel_id="C1", message_ts="1.2"
    )
    sender.event({"type": "app_home_opened", "user": "U1", "tab": "home"})
    sender.view_submission(user_id="U1", view={"callback_id": "pulse_modal"})
    sender.url_verification("challenge-token")
    assert len(capture.requests) == 4
    assert all(_verify(request) for request in capture.requests)


def test_sign_matches_slack_sdk_signature_generation() -> None:
    body = b"token=x&text=hello%20world"
    expected = SignatureVerifier(SECRET).generate_signature(timestamp="1700000000", body=body)
    assert sign(SECRET, 1700000000, body) == expected


def test_forged_signature_and_stale_timestamp_fail_verification(
    sender: SlackRequestSender, capture: CaptureServer
) -> None:
    body = b'{"type":"event_callback"}'
    sender.post(body, content_type="application/json", signature="v0=" + "0" * 64)
    sender.post(body, content_type="application/json", timestamp=int(time.time()) - 600)
    sender.post(body, content_type="application/json", extra_headers={"X-Extra": "1"})
    forged, stale, fresh = capture.requests
    assert not _verify(forged)
    assert not _verify(stale)  # correctly signed, but outside Slack's five-minute window
    assert _verify(fresh) and fresh.headers["X-Extra"] == "1"


def test_get_sends_plain_request(sender: SlackRequestSender, capture: CaptureServer) -> None:
    reply = sender.get("/health")
    assert reply.status == 200
    assert capture.requests[0].path == "/health"
    assert reply.header("content-type") == "text/plain"


# ---------------------------------------------------------------- shapes


def test_slash_command_is_form_encoded_with_slack_fields(
    sender: SlackRequestSender, capture: CaptureServer
) -> None:
    sender.slash_command(
        text="results", user_id="U100", channel_id="C100", response_url="http://r/1"
    )
    [request] = capture.requests
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    fields = {k: v[0] for k, v in parse_qs(request.body.decode(), keep_blank_values=True).items()}
    assert fields["command"] == "/pulse"
    assert fields["text"] == "results"
    assert fields["response_url"] == "http://r/1"
    assert fields["trigger_id"]
    assert set(fields) <= _oracle_keys("SlashCommandPayload.json")


def test_block_action_payload_is_shaped_like_slack_sample(
    sender: SlackRequestSender, capture: CaptureServer
) -> None:
    blocks = [{"type": "divider"}]
    sender.block_action(
        user_id="U100",
        action_id="score_4",
        value="4",
        block_id="q1",
        channel_id="D100",
        message_ts="1700000000.000100",
        response_url="http://r/2",
        message_blocks=blocks,
    )
    payload = _payload(capture.requests[0])
    assert payload["type"] == "block_actions"
    action = payload["actions"][0]
    assert (action["type"], action["action_id"], action["block_id"], action["value"]) == (
        "button",
        "score_4",
        "q1",
        "4",
    )
    assert action["action_ts"]
    assert payload["container"]["message_ts"] == "1700000000.000100"
    assert payload["message"]["blocks"] == blocks
    assert set(payload) <= _oracle_keys("BlockActionPayload.json")


def test_event_envelope_is_an_event_callback(
    sender: SlackRequestSender, capture: CaptureServer
) -> None:
    sender.event({"type": "member_joined_channel", "user": "U1", "channel": "C1"}, event_id="Ev1")
    envelope = json.loads(capture.requests[0].body)
    assert envelope["type"] == "event_callback"
    assert envelope["event_id"] == "Ev1"
    assert envelope["event"]["type"] == "member_joined_channel"
    assert envelope["authorizations"][0]["team_id"] == "T0STANDIN"
    assert set(envelope) <= _oracle_keys("MemberJoinedChannelPayload.json")


# ------------------------------------------------------------ Bolt, for real


class _BoltServer:
    """Serves a Bolt App over HTTP by handing each request to `app.dispatch`."""

    def __init__(self, app: App) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers: dict[str, str | Sequence[str]] = {k: [v] for k, v in self.headers.items()}
                response = outer.app.dispatch(BoltRequest(body=body.decode(), headers=headers))
                payload = (response.body or "").encode()
                self.send_response(response.status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.app = app
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}
        )
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> _BoltServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def test_bolt_app_accepts_signed_requests_and_talks_back_to_the_standin() -> None:
    workspace = Workspace()
    workspace.add_user("U100", "ada")
    workspace.add_channel("C100", "partnership", members=["U100"])
    seen: list[str] = []
    with StandInSlack(workspace) as slack:
        app = App(
            client=WebClient(token=slack.bot_token, base_url=slack.api_url),
            signing_secret=SECRET,
            process_before_response=True,
        )

        @app.command("/pulse")
        def pulse(ack: Any, respond: Any, command: dict[str, Any]) -> None:
            ack()
            seen.append(f"command:{command['text']}")
            respond(text="Your pulse is on its way")

        @app.action("score_4")
        def score(ack: Any, body: dict[str, Any], client: WebClient) -> None:
            ack()
            seen.append(f"action:{body['actions'][0]['value']}")
            client.chat_postMessage(channel=body["user"]["id"], text="Thanks for answering")

        @app.event("app_home_opened")
        def home(event: dict[str, Any], client: WebClient) -> None:
            seen.append("home")
            client.views_publish(
                user_id=event["user"],
                view={"type": "home", "blocks": [{"type": "divider"}]},
            )

        @app.view("pulse_modal")
        def submitted(ack: Any, view: dict[str, Any]) -> None:
            ack()
            seen.append(f"view:{view['private_metadata']}")

        with _BoltServer(app) as bot:
            sender = SlackRequestSender(bot.url, SECRET)
            url = slack.response_url("cmd-1", channel_id="C100", user_id="U100")
            assert (
                sender.slash_command(
                    text="status", user_id="U100", channel_id="C100", response_url=url
                ).status
                == 200
            )
            assert (
                sender.block_action(
                    user_id="U100",
                    action_id="score_4",
                    value="4",
                    block_id="q1",
                    channel_id="D100",
                    message_ts="1700000000.000100",
                ).status
                == 200
            )
            assert (
                sender.event({"type": "app_home_opened", "user": "U100", "tab": "home"}).status
                == 200
            )
            assert (
                sender.view_submission(
                    user_id="U100", view={"callback_id": "pulse_modal", "private_metadata": "w1"}
                ).status
                == 200
            )
            challenge = sender.url_verification("abc123")
            assert challenge.status == 200 and challenge.json()["challenge"] == "abc123"
            forged = sender.post(
                b"command=/pulse&text=x",
                content_type="application/x-www-form-urlencoded",
                signature="v0=" + "1" * 64,
            )
            assert forged.status == 401
            stale = sender.post(
                b"command=/pulse&text=x",
                content_type="application/x-www-form-urlencoded",
                timestamp=int(time.time()) - 3600,
            )
            assert stale.status == 401

        assert seen == ["command:status", "action:4", "home", "view:w1"]
        assert slack.calls[0].method == "auth.test"  # Bolt checks its token at start-up
        assert [m.text for m in slack.dms_to("U100")] == ["Thanks for answering"]
        assert [m.text for m in slack.ephemerals_to("U100")] == ["Your pulse is on its way"]
        assert slack.published_views["U100"]["type"] == "home"
        assert slack.block_kit_problems == []
