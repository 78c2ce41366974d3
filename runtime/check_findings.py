"""The lines of `python bot.py check`'s report, and what every check shares."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from config.settings import Settings
from delivery.client import make_client

APPS_PAGE = "api.slack.com/apps → your app"
REINSTALL = "then reinstall it (Install App → Reinstall to Workspace)"


@dataclass(frozen=True)
class Finding:
    """One line of the report: what was checked, and OK or the fix."""

    ok: bool
    subject: str
    text: str

    def render(self) -> str:
        return f"{'OK ' if self.ok else 'FIX'}  {self.subject}: {self.text}"


def ok(subject: str, text: str) -> Finding:
    """A line that needs nothing done."""
    return Finding(True, subject, text)


def fix(subject: str, text: str) -> Finding:
    """A line that says what to fix."""
    return Finding(False, subject, text)


def slack_error(error: Exception) -> str:
    """Slack's error code, or what kept the request from reaching Slack."""
    if isinstance(error, SlackApiError) and error.response is not None:
        return str(error.response.get("error") or f"HTTP {error.response.status_code}")
    return f"unreachable: {type(error).__name__}: {error}"


def client_for(token: str | None, settings: Settings) -> WebClient:
    """A Web API client that says at once when Slack cannot be reached."""
    return make_client(token, api_url=settings.api_url, max_retries=1, patient=False)
