"""manifest.yml (HTTP) and manifest.socket.yml (Socket Mode) ask Slack for exactly what the
code uses: the events it listens to, its slash command, and the bot scopes of the Web API
methods it calls. They differ only in how Slack reaches the bot."""

from __future__ import annotations

import ast
import inspect
import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator
from slack_sdk import WebClient

from delivery.client import make_client
from delivery.context import Outbound
from delivery.scopes import APP_TOKEN_SCOPES, COMMAND_SCOPES, METHOD_SCOPES, bot_scopes
from handlers.app import build_app, register_all
from handlers.context import HandlerContext

ROOT = Path(__file__).resolve().parents[1]
# shared/ sits beside the checkout (or beside the folder of worktrees holding it).
ORACLES = next(
    (p / "shared" / "oracles" for p in ROOT.parents if (p / "shared" / "oracles").is_dir()),
    ROOT.parent / "shared" / "oracles",
)
APP_FOLDERS = ("blocks", "charts", "config", "delivery", "handlers", "jobs", "runtime", "services")
# Called by Bolt, not by our code: it exchanges the install code with oauth.v2.access (and
# checks a new installation's token with auth.test, which `bot.py check` calls too).
CALLED_BY_BOLT = frozenset({"auth.test", "oauth.v2.access"})


HTTP_MANIFEST, SOCKET_MANIFEST = "manifest.yml", "manifest.socket.yml"
MANIFESTS = pytest.mark.parametrize("name", [HTTP_MANIFEST, SOCKET_MANIFEST])


def _manifest(name: str = HTTP_MANIFEST) -> dict[str, Any]:
    return yaml.safe_load((ROOT / name).read_text())


class RecordingApp:
    """Stands in for Bolt's App at registration: notes what each surface registers."""

    def __init__(self) -> None:
        self.registered: dict[str, list[Any]] = {}

    def __getattr__(self, kind: str) -> Callable[..., Callable[..., None]]:
        def registrar(matcher: Any, *args: Any, **kwargs: Any) -> Callable[..., None]:
            self.registered.setdefault(kind, []).append(matcher)
            return lambda *listeners, **named: None

        return registrar


def _context() -> HandlerContext:
    client = make_client("xoxb-unused", api_url="http://127.0.0.1:9/api/")
    return HandlerContext(outbound=Outbound(db=None, client=client))  # type: ignore[arg-type]


@cache
def _registered() -> dict[str, list[Any]]:
    app = RecordingApp()
    register_all(app, _context())
    return app.registered


@MANIFESTS
def test_manifest_is_valid_against_slacks_schema(name: str) -> None:
    schema_file = ORACLES / "manifest.schema.json"
    if not schema_file.exists():
        pytest.skip(f"Slack's manifest schema is not at {schema_file} (shared/ beside the repo)")
    schema = json.loads(schema_file.read_text())
    errors = sorted(
        Draft7Validator(schema).iter_errors(_manifest(name)), key=lambda e: list(e.absolute_path)
    )
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []


def test_the_bolt_app_registers_nothing_beyond_the_surfaces() -> None:
    app = build_app(_context(), signing_secret="unused")
    recorded = sum(len(matchers) for matchers in _registered().values())
    assert len(app._listeners) == recorded


@MANIFESTS
def test_bot_events_are_exactly_the_events_the_code_listens_to(name: str) -> None:
    subscribed = _manifest(name)["settings"]["event_subscriptions"]["bot_events"]
    assert sorted(subscribed) == sorted(_registered()["event"])


@MANIFESTS
def test_slash_commands_are_exactly_the_ones_the_code_answers(name: str) -> None:
    commands = [c["command"] for c in _manifest(name)["features"]["slash_commands"]]
    assert sorted(commands) == sorted(_registered()["command"])


@MANIFESTS
def test_interactivity_and_app_home_are_on_because_the_code_uses_them(name: str) -> None:
    manifest = _manifest(name)
    assert _registered()["action"] and _registered()["view"]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert "app_home_opened" in _registered()["event"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


def test_every_request_url_points_at_the_bots_endpoints() -> None:
    manifest = _manifest()
    urls = [c["url"] for c in manifest["features"]["slash_commands"]]
    urls.append(manifest["settings"]["event_subscriptions"]["request_url"])
    urls.append(manifest["settings"]["interactivity"]["request_url"])
    assert all(url.endswith("/slack/events") for url in urls)
    assert all(
        u.endswith("/slack/oauth_redirect") for u in manifest["oauth_config"]["redirect_urls"]
    )


@MANIFESTS
def test_bot_scopes_are_exactly_those_of_the_methods_called(name: str) -> None:
    assert sorted(_manifest(name)["oauth_config"]["scopes"]["bot"]) == bot_scopes()
    assert "user" not in _manifest(name)["oauth_config"]["scopes"]
    assert set(COMMAND_SCOPES) <= set(bot_scopes())


def _without_urls(node: Any) -> Any:
    """A manifest with every URL setting and Socket Mode's switch left out."""
    if isinstance(node, dict):
        return {
            key: _without_urls(value)
            for key, value in node.items()
            if not key.endswith(("url", "urls")) and key != "socket_mode_enabled"
        }
    if isinstance(node, list):
        return [_without_urls(item) for item in node]
    return node


def _urls(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [url for value in node.values() for url in _urls(value)]
    if isinstance(node, list):
        return [url for item in node for url in _urls(item)]
    return [node] if isinstance(node, str) and "://" in node else []


def test_the_socket_mode_manifest_turns_socket_mode_on_and_names_no_url() -> None:
    socket, http = _manifest(SOCKET_MANIFEST), _manifest(HTTP_MANIFEST)
    assert socket["settings"]["socket_mode_enabled"] is True
    assert http["settings"]["socket_mode_enabled"] is False
    assert _urls(socket) == []
    assert _without_urls(socket) == _without_urls(http)


NOT_IN_THE_REFERENCE = frozenset({"chat.getPermalink"})
"""Methods the copied method reference lacks; Slack's own page for each lists no bot scope,
and the bot asks none for them."""

SCOPES_FROM_SLACKS_PAGE = {"team.info": ("team:read",)}
"""Methods the copied method reference lacks whose bot scope Slack's own page names
(https://docs.slack.dev/reference/methods/team.info : `team:read`)."""


def test_method_scopes_agree_with_slacks_method_reference() -> None:
    folder = ORACLES / "slack-methods"
    if not folder.exists():
        pytest.skip(f"Slack's method reference is not at {folder} (shared/ beside the repo)")
    checked = 0
    for method, scopes in METHOD_SCOPES.items():
        path = folder / f"{method}.json"
        if method in NOT_IN_THE_REFERENCE:
            assert not path.exists() and scopes == (), method
            continue
        if method in SCOPES_FROM_SLACKS_PAGE:
            assert not path.exists() and scopes == SCOPES_FROM_SLACKS_PAGE[method], method
            continue
        if not path.exists():
            continue
        allowed = (json.loads(path.read_text()).get("scope") or {}).get("bot", [])
        if scopes:
            assert set(scopes) <= set(allowed), (method, scopes, allowed)
        else:
            assert allowed == [], f"{method} needs one of {allowed}"
        checked += 1
    assert checked == len(METHOD_SCOPES) - len(NOT_IN_THE_REFERENCE) - len(SCOPES_FROM_SLACKS_PAGE)


@cache
def _api_methods_of(name: str) -> frozenset[str]:
    """The Web API methods a WebClient method calls (files_upload_v2 makes two calls)."""
    function = getattr(WebClient, name, None)
    if not callable(function):
        return frozenset()
    source = inspect.getsource(function)
    found = set(re.findall(r'self\.api_call\(\s*"([^"]+)"', source))
    for inner in re.findall(r"self\.(\w+)\(", source):
        if inner != name and not inner.startswith("_"):
            found |= _api_methods_of(inner)
    return frozenset(found)


def _calls_in_code() -> Iterator[tuple[str, str]]:
    for folder in APP_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    for method in _api_methods_of(node.func.attr):
                        yield method, f"{path.relative_to(ROOT)}:{node.lineno}"


def test_the_code_calls_exactly_the_methods_listed_with_their_scopes() -> None:
    called = {method for method, _ in _calls_in_code()}
    assert called, "no Web API call found: the scan is broken"
    listed = METHOD_SCOPES | APP_TOKEN_SCOPES
    unlisted = sorted(f"{m} ({w})" for m, w in _calls_in_code() if m not in listed)
    assert unlisted == []
    assert set(listed) - called == CALLED_BY_BOLT - called
