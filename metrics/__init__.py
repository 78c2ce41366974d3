"""Operational metrics: a tiny in-process registry rendered in Prometheus' text format.

The instruments every part of the bot records into are defined here, once.
"""

from __future__ import annotations

from metrics.registry import Counter, Histogram, Registry, Sample

REGISTRY = Registry()

SLACK_API_LATENCY: Histogram = REGISTRY.histogram(
    "pulse_slack_api_request_duration_seconds",
    "Time taken by Slack Web API calls, retries included, by method.",
    labels=("method",),
)
SLACK_API_ERRORS: Counter = REGISTRY.counter(
    "pulse_slack_api_errors_total",
    "Slack Web API calls that failed, by method and Slack's error code.",
    labels=("method", "error"),
)
HTTP_REQUESTS: Counter = REGISTRY.counter(
    "pulse_http_requests_total",
    "HTTP requests answered, by route and status code.",
    labels=("route", "status"),
)
SCHEDULER_TICKS: Counter = REGISTRY.counter(
    "pulse_scheduler_ticks_total",
    "Ticks of the schedule this server ran (only the process that leads the schedule ticks).",
)

__all__ = [
    "HTTP_REQUESTS",
    "REGISTRY",
    "SCHEDULER_TICKS",
    "SLACK_API_ERRORS",
    "SLACK_API_LATENCY",
    "Counter",
    "Histogram",
    "Registry",
    "Sample",
]
