"""The Web API client the bot talks to Slack with, whatever the base URL."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.jitter import Jitter
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web import SlackResponse

from metrics import SLACK_API_ERRORS, SLACK_API_LATENCY

log = logging.getLogger(__name__)

RateLimited = Callable[[str, float], None]
"""Told the method and Retry-After seconds of each 429, so other senders can wait too."""


_JITTER = random.Random()
"""The retries' own source of jitter. slack_sdk's handlers draw from the `random` module's
shared state, so a retry in a background thread would move the whole process's sequence: a
seeded simulation, or any code that relies on that state staying put, would be disturbed."""


class OwnJitter(Jitter):
    """Up to a second of jitter, drawn from the retries' own generator."""

    def recalculate(self, duration: float) -> float:
        return duration + _JITTER.random()


class RetryAfterHandler(RateLimitErrorRetryHandler):
    """On a 429, wait what Slack's Retry-After says plus up to a second of own jitter."""

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error or RuntimeError("a 429 retry without a response")
        state.next_attempt_requested = True
        after = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), None)
        seconds = int(after[0]) if after else 1
        time.sleep(OwnJitter().recalculate(seconds))
        state.increment_current_attempt()


_BACKOFF = BackoffRetryIntervalCalculator(jitter=OwnJitter())


class SharedRateLimitHandler(RetryAfterHandler):
    """Waits out a 429's Retry-After as slack_sdk does, after passing it on: Slack's limits
    are the workspace's, so every sender has to slow down, not just the one told."""

    def __init__(self, on_rate_limited: RateLimited, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._on_rate_limited = on_rate_limited

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is not None:
            method = request.url.rstrip("/").rsplit("/", 1)[-1]
            try:
                self._on_rate_limited(method, _retry_after(response))
            except Exception as problem:  # the retry still waits; others just learn later
                log.warning("could not share a 429 with the other senders: %s", problem)
        super().prepare_for_next_attempt(
            state=state, request=request, response=response, error=error
        )


def _retry_after(response: HttpResponse) -> float:
    for name, values in response.headers.items():
        if name.lower() == "retry-after" and values:
            try:
                return max(1.0, float(values[0]))
            except ValueError:
                break
    return 1.0


class MeteredWebClient(WebClient):
    """A WebClient that counts its calls' latency and failures for /metrics.

    Every typed method of WebClient goes through `api_call`, so measuring here covers
    them all (files_upload_v2 counts as the API calls it makes).
    """

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:
        started = time.perf_counter()
        try:
            return super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            code = error.response.get("error") if error.response is not None else None
            SLACK_API_ERRORS.inc(method=api_method, error=str(code or "unknown"))
            raise
        except Exception as error:
            SLACK_API_ERRORS.inc(method=api_method, error=type(error).__name__)
            raise
        finally:
            SLACK_API_LATENCY.observe(time.perf_counter() - started, method=api_method)


def make_client(
    token: str | None,
    *,
    api_url: str,
    max_retries: int = 5,
    patient: bool = True,
    on_rate_limited: RateLimited | None = None,
) -> WebClient:
    """A client that honours Retry-After on 429 and backs off on 5xx and broken connections.

    Without a token it can still exchange OAuth codes (oauth.v2.access needs none). An
    impatient client (`patient=False`) reports a server it cannot reach at once instead of
    trying again, for a person waiting at a terminal. ``on_rate_limited`` hears of each
    429 before the client waits it out.
    """
    rate_limits = (
        RetryAfterHandler(max_retry_count=max_retries)
        if on_rate_limited is None
        else SharedRateLimitHandler(on_rate_limited, max_retry_count=max_retries)
    )
    handlers = [
        rate_limits,
        ServerErrorRetryHandler(max_retry_count=3 if patient else 1, interval_calculator=_BACKOFF),
    ]
    if patient:
        handlers.append(
            ConnectionErrorRetryHandler(max_retry_count=3, interval_calculator=_BACKOFF)
        )
    return MeteredWebClient(
        token=token or None, base_url=api_url, timeout=10, retry_handlers=handlers
    )
