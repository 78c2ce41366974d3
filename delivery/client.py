"""The Web API client the bot talks to Slack with, whatever the base URL."""

from __future__ import annotations

import time
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.web import SlackResponse

from metrics import SLACK_API_ERRORS, SLACK_API_LATENCY


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
    token: str | None, *, api_url: str, max_retries: int = 5, patient: bool = True
) -> WebClient:
    """A client that honours Retry-After on 429 and backs off on 5xx and broken connections.

    Without a token it can still exchange OAuth codes (oauth.v2.access needs none). An
    impatient client (`patient=False`) reports a server it cannot reach at once instead of
    trying again, for a person waiting at a terminal.
    """
    handlers = [
        RateLimitErrorRetryHandler(max_retry_count=max_retries),
        ServerErrorRetryHandler(max_retry_count=3 if patient else 1),
    ]
    if patient:
        handlers.append(ConnectionErrorRetryHandler(max_retry_count=3))
    return MeteredWebClient(
        token=token or None, base_url=api_url, timeout=10, retry_handlers=handlers
    )
