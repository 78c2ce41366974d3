"""`StandInSlack`: a local Slack Web API over real HTTP.

The bot talks to it through slack_sdk's `base_url` (env `SLACK_API_URL`),
so the same HTTP, retry and error-handling code paths run in tests as in
production. Besides the Web API (`/api/<method>`) it serves the file upload
URLs it hands out (`/upload/<file_id>`), interaction `response_url`s
(`/response/<key>`) and Socket Mode's WebSockets (`/link/?ticket=…`, handed
out by apps.connections.open), and it records everything for tests to
assert on.
"""

from __future__ import annotations

import json
import threading
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from standin.http_server import JSON, RequestHandler, Server
from standin.limits import Fault, FaultQueue, RateLimiter, RateLimits
from standin.methods import UNAUTHENTICATED_METHODS, Reply, SlackMethods, fail
from standin.records import ApiCall, Records
from standin.responses import Responses, ResponseTarget
from standin.socket_mode import SocketModeHub
from standin.tenancy import DEFAULT_SCOPES, OAuthGrant, Tenancy
from standin.wire import BadRequest, DecodedRequest, decode_request, upload_bytes
from standin.workspace import EphemeralMessage, Message, UploadedFile, Workspace


class StandInSlack:
    """A stand-in Slack workspace reachable at `api_url`.

    Use as a context manager (or `start()`/`stop()`), point a
    `WebClient(base_url=standin.api_url)` at it, then assert on `calls`,
    `messages_in`, `dms_to` and friends. `block_kit_problems` must stay empty
    in a healthy test run.
    """

    def __init__(
        self,
        workspace: Workspace | None = None,
        *,
        bot_token: str = "xoxb-standin-token",
        app_token: str = "xapp-standin-token",
        granted_scopes: tuple[str, ...] = DEFAULT_SCOPES,
        limits: RateLimits | None = None,
        latency_seconds: float = 0.0,
        ack_timeout: float = 3.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.workspace = workspace or Workspace()
        self.bot_token = bot_token
        self.app_token = app_token
        self.latency_seconds = latency_seconds
        self.tenancy = Tenancy(self.workspace)
        self.tenancy.add_token(bot_token, self.workspace.team_id, scopes=granted_scopes)
        self.tenancy.add_app_token(app_token, self.workspace.team_id)
        self.records = Records()
        self.faults = FaultQueue()
        self.internal_errors: list[str] = []
        self._limits = limits
        self._limiter = RateLimiter(limits) if limits else None
        self.methods = SlackMethods(
            self.tenancy, self.records, limiter=lambda: self._limiter, upload_url=self._upload_url
        )
        self._handlers = self.methods.table()
        # What time it is for response_url limits; tests hand in the bot's clock.
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.responses_to = Responses(
            self.records,
            workspace_of=self._workspace,
            default_team_id=self.workspace.team_id,
            clock=lambda: self.clock(),
        )
        self._host = host
        self._port = port
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self.socket_mode = SocketModeHub(
            app_id=self.workspace.app_id,
            url_base=lambda: f"ws://{self._host}:{self.port}",
            on_ack=self.responses_to.apply_ack,
            ack_timeout=ack_timeout,
        )

    # -------------------------------------------------------------- lifecycle

    def start(self) -> StandInSlack:
        if self._server is not None:
            return self
        server = Server((self._host, self._port), RequestHandler)
        server.standin = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.name = f"standin-slack-{self.port}"
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self.socket_mode.stop()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> StandInSlack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("StandInSlack is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def api_url(self) -> str:
        """Web API root with the trailing slash slack_sdk's `base_url` expects."""
        return f"{self.base_url}/api/"

    def _upload_url(self, file_id: str) -> str:
        return f"{self.base_url}/upload/{file_id}"

    # ---------------------------------------------------------- configuration

    @property
    def limits(self) -> RateLimits | None:
        return self._limits

    @limits.setter
    def limits(self, limits: RateLimits | None) -> None:
        """Swap posting limits (fresh, full buckets) — e.g. between benchmark phases."""
        self._limits = limits
        self._limiter = RateLimiter(limits) if limits else None

    def add_token(self, token: str, team_id: str | None = None) -> Workspace:
        """Accept another bot token, for `team_id` (a new empty workspace if unknown)."""
        return self.tenancy.add_token(token, team_id)

    def add_workspace(self, workspace: Workspace, *, token: str | None = None) -> Workspace:
        self.tenancy.add_workspace(workspace)
        if token is not None:
            self.tenancy.add_token(token, workspace.team_id)
        return workspace

    def workspace_for(self, team_id: str) -> Workspace | None:
        return self.tenancy.workspace_for(team_id)

    def revoke_token(self, token: str) -> None:
        """Revoke a token, as uninstalling the app or rotating its tokens does."""
        self.tenancy.revoke(token)

    def grant_scopes(self, scopes: tuple[str, ...], *, token: str | None = None) -> None:
        """Set the scopes a bot token (default: the primary one) was granted."""
        self.tenancy.set_scopes(token or self.bot_token, scopes)

    def add_app_token(self, token: str, team_id: str | None = None) -> None:
        """Accept another app-level token for Socket Mode."""
        self.tenancy.add_app_token(token, team_id)

    def register_oauth_code(
        self,
        code: str,
        team_id: str,
        team_name: str,
        bot_user_id: str,
        *,
        installer_user_id: str = "U0INSTALLER",
        scope: str = "chat:write,commands,im:write,users:read,channels:read",
    ) -> None:
        """Make oauth.v2.access exchange `code` (once) for a fresh bot token of `team_id`."""
        self.tenancy.register_grant(
            OAuthGrant(code, team_id, team_name, bot_user_id, installer_user_id, scope)
        )

    def set_oauth_client(self, client_id: str, client_secret: str) -> None:
        """Require these app credentials on oauth.v2.access (otherwise any are accepted)."""
        self.methods.oauth_client = (client_id, client_secret)

    def fail_next(
        self,
        method: str,
        *,
        error: str | None = None,
        http_status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` ("*" = any) with a failure.

        A 429 gets a `Retry-After` (default 1) and error `ratelimited`; other
        statuses default to error `internal_error`.
        """
        self.faults.add(method, Fault(error, http_status, retry_after), times)

    def response_url(
        self,
        key: str,
        *,
        channel_id: str | None = None,
        message_ts: str | None = None,
        user_id: str | None = None,
        team_id: str | None = None,
        ephemeral: bool = False,
    ) -> str:
        """A response_url for interaction payloads.

        When bound to a message (`channel_id` + `message_ts`) and a user,
        `replace_original`, `delete_original`, `in_channel` and ephemeral
        responses change the workspace the way Slack would. With `ephemeral`, the message
        is that user's ephemeral one, and the URL keeps Slack's limits: five uses within
        30 minutes of the click.
        """
        target = ResponseTarget(
            team_id or self.workspace.team_id,
            channel_id,
            message_ts,
            user_id,
            ephemeral=ephemeral,
            issued_at=self.clock() if ephemeral else None,
        )
        self.responses_to.bind(key, target)
        return f"{self.base_url}/response/{key}"

    # ---------------------------------------------------------- observability

    @property
    def calls(self) -> list[ApiCall]:
        return self.records.calls

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.records.calls if call.method == method]

    @property
    def block_kit_problems(self) -> list[tuple[str, list[str]]]:
        """(method, problems) for every payload refused by the Block Kit checks."""
        return self.records.problems

    @property
    def responses(self) -> list[dict[str, Any]]:
        """Posts to response URLs: dicts with `key`, `body` and `accepted`."""
        return self.records.responses

    @property
    def rate_limited(self) -> int:
        """How many calls were answered 429 (rate limits and injected 429s)."""
        return self.records.rate_limited

    def _workspace(self, team_id: str | None) -> Workspace:
        if team_id is None:
            return self.workspace
        workspace = self.tenancy.workspace_for(team_id)
        if workspace is None:
            raise KeyError(team_id)
        return workspace

    def messages_in(self, channel_id: str, *, team_id: str | None = None) -> list[Message]:
        return self._workspace(team_id).messages(channel_id)

    def dms_to(self, user_id: str, *, team_id: str | None = None) -> list[Message]:
        """Messages in the bot's DM with `user_id`, as they stand after updates/deletes."""
        workspace = self._workspace(team_id)
        return workspace.messages(workspace.dm_channel_id(user_id))

    def ephemerals_to(self, user_id: str, *, team_id: str | None = None) -> list[EphemeralMessage]:
        return [m for m in self._workspace(team_id).ephemerals() if m.user == user_id]

    @property
    def uploaded_files(self) -> list[UploadedFile]:
        """Files whose bytes reached the upload URL, across all workspaces."""
        return [f for ws in self.tenancy.workspaces() for f in ws.files() if f.content is not None]

    @property
    def published_views(self) -> dict[str, dict[str, Any]]:
        """User id -> the last home tab view published for them (all workspaces)."""
        views: dict[str, dict[str, Any]] = {}
        for ws in self.tenancy.workspaces():
            views.update(ws.home_views())
        return views

    def reset_calls(self) -> None:
        """Forget calls, problems, responses and the 429 count; keep workspace state."""
        self.records.reset()

    # ----------------------------------------------------------------- HTTP

    def handle_http(
        self, path: str, query: str, body: bytes, headers: Any
    ) -> tuple[int, bytes, dict[str, str]]:
        """Route one HTTP request; returns (status, body bytes, headers)."""
        try:
            if path.startswith("/api/"):
                status, payload, extra = self._handle_api(
                    path[len("/api/") :], query, body, headers
                )
            elif path.startswith("/upload/"):
                return self._handle_upload(path[len("/upload/") :], body, headers)
            elif path.startswith("/response/"):
                status, payload, extra = self.responses_to.handle(path[len("/response/") :], body)
            else:
                status, payload, extra = 404, {"ok": False, "error": "not_found"}, {}
        except Exception:
            self.internal_errors.append(traceback.format_exc())
            status, payload, extra = 500, {"ok": False, "error": "internal_error"}, {}
        return status, json.dumps(payload).encode(), {"Content-Type": JSON, **extra}

    def _handle_api(self, method: str, query: str, body: bytes, headers: Any) -> Reply:
        seq = self.records.arrival()
        if self.latency_seconds > 0:
            time.sleep(self.latency_seconds)
        args: dict[str, Any] = {}
        token: str | None = None
        try:
            decoded = decode_request(query, body, headers)
            args, token = decoded.args, decoded.token
            status, payload, extra = self._answer(method, decoded)
        except BadRequest as exc:
            status, payload, extra = fail(exc.error)
        except Exception:
            self.internal_errors.append(traceback.format_exc())
            status, payload, extra = 500, {"ok": False, "error": "internal_error"}, {}
        error = None if payload.get("ok") else str(payload.get("error"))
        self.records.add_call(ApiCall(method, args, token, status, error, seq))
        return status, payload, extra

    def _answer(self, method: str, request: DecodedRequest) -> Reply:
        args, token = request.args, request.token
        if method == "apps.connections.open":
            return self._connections_open(request)
        handler = self._handlers.get(method)
        if handler is None:
            return fail("unknown_method")
        if method not in UNAUTHENTICATED_METHODS:
            refused = self._refuse_bot_token(token)
            if refused is not None:
                return refused
        fault = self.faults.take(method)
        if fault is not None:
            return fault.reply()
        status, payload, extra = handler(args, token)
        if token is not None and method not in UNAUTHENTICATED_METHODS:
            # Slack names the token's granted scopes on every response.
            extra = {**extra, "X-OAuth-Scopes": ",".join(self.tenancy.scopes_of(token))}
        return status, payload, extra

    def _refuse_bot_token(self, token: str | None) -> Reply | None:
        """Why a Web API method refuses this token, or None if it is a live bot token."""
        if token is None:
            return fail("not_authed")
        if self.tenancy.is_revoked(token):
            return fail("token_revoked")
        if self.tenancy.is_app_token(token):
            return fail("not_allowed_token_type")
        if self.tenancy.workspace_for_token(token) is None:
            return fail("invalid_auth")
        return None

    def _connections_open(self, request: DecodedRequest) -> Reply:
        """apps.connections.open: an app-level token, in the Authorization header only,
        gets a one-time WebSocket URL (docs.slack.dev/reference/methods/apps.connections.open)."""
        token = request.token
        if token is None or not request.token_in_header:
            return fail("missing_args")
        if not self.tenancy.is_app_token(token):
            known_bot_token = self.tenancy.workspace_for_token(token) is not None
            return fail("not_allowed_token_type" if known_bot_token else "invalid_auth")
        fault = self.faults.take("apps.connections.open")
        if fault is not None:
            return fault.reply()
        return 200, {"ok": True, "url": self.socket_mode.issue_url()}, {}

    def _handle_upload(
        self, file_id: str, body: bytes, headers: Any
    ) -> tuple[int, bytes, dict[str, str]]:
        content = upload_bytes(body, headers)
        for ws in self.tenancy.workspaces():
            if ws.store_file_content(file_id, content):
                return 200, f"OK - {len(content)}".encode(), {"Content-Type": "text/plain"}
        return 404, b"file_not_found", {"Content-Type": "text/plain"}
