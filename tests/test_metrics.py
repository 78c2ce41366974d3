"""GET /metrics: Prometheus' text format, with the database's totals and every process's
counters added up."""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from pathlib import Path

from metrics.registry import Registry, Sample
from tests.pulse_flow import SURVEYED, click, send_round, setup_team
from tests.support import MEMBERS, RunningBot, wait_for


def _scrape(running: RunningBot) -> str:
    with urllib.request.urlopen(f"{running.server.url}/metrics", timeout=5) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return response.read().decode()


def _value(text: str, series: str) -> float:
    match = re.search("^" + re.escape(series) + r" (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def test_counters_and_histograms_render_in_prometheus_text_format() -> None:
    registry = Registry()
    calls = registry.counter("x_calls_total", "Calls.", labels=("method",))
    latency = registry.histogram("x_seconds", "Latency.", labels=("method",), buckets=(0.1, 1))
    calls.inc(method='chat."post"')
    calls.inc(2, method="views.open")
    latency.observe(0.05, method="a")
    latency.observe(0.5, method="a")
    text = registry.render([Sample("x_total", "counter", "From the database.", 7)])
    assert "# TYPE x_calls_total counter" in text
    assert 'x_calls_total{method="chat.\\"post\\""} 1' in text
    assert 'x_calls_total{method="views.open"} 2' in text
    assert 'x_seconds_bucket{method="a",le="0.1"} 1' in text
    assert 'x_seconds_bucket{method="a",le="1"} 2' in text
    assert 'x_seconds_bucket{method="a",le="+Inf"} 2' in text
    assert 'x_seconds_count{method="a"} 2' in text
    assert "x_total 7" in text


def test_figures_of_several_processes_are_added_up(tmp_path: Path) -> None:
    registry = Registry()
    calls = registry.counter("x_calls_total", "Calls.", labels=("method",))
    registry.share(tmp_path)
    calls.inc(3, method="chat.postMessage")
    other = {"x_calls_total": [[["chat.postMessage"], 4.0], [["users.info"], 1.0]]}
    (tmp_path / f"{os.getpid() + 100000}.json").write_text(json.dumps(other))
    text = registry.render()
    assert 'x_calls_total{method="chat.postMessage"} 7' in text
    assert 'x_calls_total{method="users.info"} 1' in text
    assert (tmp_path / f"{os.getpid()}.json").exists()


def test_metrics_count_prompts_answers_requests_and_slack_calls(running: RunningBot) -> None:
    before = _scrape(running)
    setup_team(running)
    send_round(running)
    click(running, MEMBERS[0], 0, 4)
    click(running, MEMBERS[0], 0, 5)  # replaces the first: still one answer
    click(running, MEMBERS[1], 0, 2)
    text = _scrape(running)
    assert _value(text, "pulse_prompts_sent_total") == len(SURVEYED)
    assert _value(text, "pulse_answers_recorded_total") == 2
    assert _value(text, "pulse_teams_active") == 1
    events = 'pulse_http_requests_total{route="/slack/events",status="200"}'
    assert _value(text, events) - _value(before, events) >= 5
    posts = 'pulse_slack_api_request_duration_seconds_count{method="chat.postMessage"}'
    assert _value(text, posts) - _value(before, posts) >= len(SURVEYED)


def test_slack_api_errors_are_counted_by_method_and_error(running: RunningBot) -> None:
    series = 'pulse_slack_api_errors_total{method="views.publish",error="internal_error"}'
    before = _value(_scrape(running), series)
    running.slack.fail_next("views.publish", error="internal_error")
    running.sender.event({"type": "app_home_opened", "user": MEMBERS[0], "tab": "home"})
    wait_for(lambda: _value(_scrape(running), series) == before + 1)


def test_an_unknown_path_is_counted_as_other(running: RunningBot) -> None:
    try:
        urllib.request.urlopen(f"{running.server.url}/wp-login.php?x=1", timeout=5)
    except urllib.error.HTTPError as error:
        assert error.code == 404
    assert _value(_scrape(running), 'pulse_http_requests_total{route="other",status="404"}') >= 1
