"""A Web API retry keeps its jitter to itself: the process's shared `random` state stays put.

slack_sdk's own handlers draw their jitter from the `random` module, so a retry running in a
background thread moved the sequence every seeded simulation and property test reads.
"""

from __future__ import annotations

import random

from delivery.client import make_client
from standin import StandInSlack


def test_retries_after_a_429_and_a_500_leave_the_shared_random_state_alone() -> None:
    with StandInSlack() as slack:
        client = make_client(slack.bot_token, api_url=slack.api_url)
        slack.fail_next("auth.test", http_status=429, retry_after=0)
        slack.fail_next("auth.test", http_status=500)
        random.seed(20261205)
        before = random.getstate()
        assert client.auth_test()["ok"]
        assert random.getstate() == before
        assert len(slack.calls_to("auth.test")) == 3
