"""One frozen settings object, so every part of the bot sees the same configuration.

Secrets are wrapped so that they never appear in a repr, a traceback or a log line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_FILE = "partnership_pulse.db"


class MissingSetting(RuntimeError):
    """A required setting is absent; the message names the variable to set."""


class BadSetting(MissingSetting):
    """A setting is present but unusable; the message says what it should be."""


@dataclass(frozen=True)
class Secret:
    """A value that prints as stars, so it cannot leak through logs or reprs."""

    value: str = field(repr=False)

    def __repr__(self) -> str:
        return "Secret('****')" if self.value else "Secret('')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self.value)


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment (SPEC §3)."""

    bot_token: Secret
    signing_secret: Secret
    app_token: Secret
    api_url: str
    database_url: str
    run_scheduler: bool
    command_name: str = "/pulse"
    client_id: str = ""
    client_secret: Secret = Secret("")
    log_format: str = "text"
    claim_lease_seconds: int = 60
    tick_seconds: int = 60
    retention_days: int = 730
    workers: int = 2
    posts_per_minute: int | None = None

    @property
    def socket_mode(self) -> bool:
        """Socket Mode is chosen by the presence of an app-level token."""
        return bool(self.app_token)

    @property
    def oauth_enabled(self) -> bool:
        """Installs into many workspaces through OAuth, chosen by the app's client id.

        Each workspace then has its own bot token, kept in the database, and
        SLACK_BOT_TOKEN is not needed.
        """
        return bool(self.client_id)

    def require_client_secret(self) -> str:
        """The client secret that OAuth installs exchange their codes with."""
        if not self.client_secret:
            raise MissingSetting(
                "SLACK_CLIENT_SECRET is not set: installing into many workspaces (SLACK_CLIENT_ID "
                "is set) needs it (Basic Information → App Credentials in the app's settings)."
            )
        return self.client_secret.value

    @property
    def marking_secret(self) -> bytes:
        """The secret that keys the marks left in an open round for people who asked to be
        forgotten (`services.withdrawals`). It is one the database never holds, the same in
        every process of the bot: the app's client secret when installed through OAuth,
        otherwise the bot token."""
        chosen = (
            (self.client_secret, self.bot_token, self.signing_secret)
            if self.oauth_enabled
            else (self.bot_token, self.client_secret, self.signing_secret)
        )
        return next((secret.value.encode() for secret in chosen if secret), b"")

    def require_bot_token(self) -> str:
        """The bot token, or a clear failure saying what to set."""
        if not self.bot_token:
            raise MissingSetting(
                "SLACK_BOT_TOKEN is not set: set it to the app's bot token (xoxb-…)."
            )
        return self.bot_token.value

    def require_signing_secret(self) -> str:
        """The signing secret, needed to verify requests in HTTP mode."""
        if not self.signing_secret:
            raise MissingSetting(
                "SLACK_SIGNING_SECRET is not set: HTTP mode needs it to verify requests "
                "(Basic Information → App Credentials in the app's settings)."
            )
        return self.signing_secret.value

    def require_app_token(self) -> str:
        """The app-level token Socket Mode connects with."""
        if not self.app_token:
            raise MissingSetting(
                "SLACK_APP_TOKEN is not set: Socket Mode needs an app-level token (xapp-…) "
                "with the connections:write scope."
            )
        return self.app_token.value


FLAG_ON = frozenset({"on", "1", "true", "yes"})
FLAG_OFF = frozenset({"off", "0", "false", "no"})
LOG_FORMATS = ("text", "json")
# Slack's rule for a slash command's name: a slash, then up to 31 lowercase letters,
# digits, hyphens or underscores.
COMMAND_NAME = re.compile(r"/[a-z0-9_-]{1,31}")


def _flag(name: str, value: str | None, *, default: bool) -> bool:
    """on/off (or true/false, yes/no, 1/0); anything else is refused, naming the variable."""
    if value is None or not value.strip():
        return default
    word = value.strip().lower()
    if word in FLAG_ON | FLAG_OFF:
        return word in FLAG_ON
    raise BadSetting(
        f"{name} must be on or off, not {value!r}: set it to one of those or unset it."
    )


def _whole(name: str, value: str | None, *, unit: str, default: int) -> int:
    """A whole number of at least 1, or a failure that names the variable and its default."""
    if value is None or not value.strip():
        return default
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise BadSetting(
            f"{name} must be a whole number of {unit}, 1 or more, not {value!r}: "
            f"fix it or unset it (the default is {default})."
        )
    return int(text)


def _optional_whole(name: str, value: str | None, *, unit: str) -> int | None:
    """A whole number of at least 1, or None when unset."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise BadSetting(
            f"{name} must be a whole number of {unit}, 1 or more, not {value!r}: "
            "fix it or unset it (unset, no rate is assumed and Slack's 429s set the pace)."
        )
    return int(text)


def _choice(name: str, value: str | None, *, choices: tuple[str, ...]) -> str:
    if value is None or not value.strip():
        return choices[0]
    if value.strip().lower() not in choices:
        listed = " or ".join(choices)
        raise BadSetting(
            f"{name} must be {listed}, not {value!r}: set it to one of those or unset it."
        )
    return value.strip().lower()


def _command(value: str | None) -> str:
    if value is None or not value.strip():
        return "/pulse"
    if not COMMAND_NAME.fullmatch(value.strip()):
        raise BadSetting(
            f"PULSE_COMMAND must be a slash command's name such as /pulse (a slash, then up to "
            f"31 lowercase letters, digits, - or _), not {value!r}: set it to the command in "
            "the app's manifest, or unset it."
        )
    return value.strip()


def _api_url(value: str | None) -> str:
    if value is None or not value.strip():
        return DEFAULT_API_URL
    url = value.strip()
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", url):
        raise BadSetting(
            f"SLACK_API_URL must be an http(s) URL such as {DEFAULT_API_URL}, not {value!r}: "
            "fix it or unset it."
        )
    return url if url.endswith("/") else url + "/"


def default_database_url(folder: Path | None = None) -> str:
    """A SQLite file in the working folder: the embedded default."""
    path = (folder or Path.cwd()) / DEFAULT_DATABASE_FILE
    return f"sqlite:///{path}"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the environment once; missing secrets are checked where they are needed."""
    env = os.environ if environ is None else environ
    return Settings(
        bot_token=Secret(env.get("SLACK_BOT_TOKEN", "")),
        signing_secret=Secret(env.get("SLACK_SIGNING_SECRET", "")),
        app_token=Secret(env.get("SLACK_APP_TOKEN", "")),
        api_url=_api_url(env.get("SLACK_API_URL")),
        database_url=env.get("DATABASE_URL") or default_database_url(),
        run_scheduler=_flag("PULSE_SCHEDULER", env.get("PULSE_SCHEDULER"), default=True),
        command_name=_command(env.get("PULSE_COMMAND")),
        client_id=env.get("SLACK_CLIENT_ID", ""),
        client_secret=Secret(env.get("SLACK_CLIENT_SECRET", "")),
        log_format=_choice("PULSE_LOG_FORMAT", env.get("PULSE_LOG_FORMAT"), choices=LOG_FORMATS),
        claim_lease_seconds=_whole(
            "PULSE_CLAIM_LEASE_SECONDS",
            env.get("PULSE_CLAIM_LEASE_SECONDS"),
            unit="seconds",
            default=60,
        ),
        tick_seconds=_whole(
            "PULSE_TICK_SECONDS", env.get("PULSE_TICK_SECONDS"), unit="seconds", default=60
        ),
        retention_days=_whole(
            "PULSE_RETENTION_DAYS", env.get("PULSE_RETENTION_DAYS"), unit="days", default=730
        ),
        workers=_whole("PULSE_WORKERS", env.get("PULSE_WORKERS"), unit="workers", default=2),
        posts_per_minute=_optional_whole(
            "PULSE_POSTS_PER_MINUTE", env.get("PULSE_POSTS_PER_MINUTE"), unit="messages a minute"
        ),
    )
