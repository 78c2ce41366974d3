"""Redraws after a click: in the background, never two at once for a message, latest wins."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from delivery.redraws import Redraws
from tests.pulse_flow import click, latest_prompt, send_round, setup_team
from tests.support import MEMBERS, RunningBot, wait_for


class _Recorder:
    """A draw function that can be held, so jobs pile up behind the first."""

    def __init__(self) -> None:
        self.drawn: list[tuple[str, int]] = []
        self.release = threading.Event()
        self.started = threading.Event()
        self.lock = threading.Lock()
        self.at_once = 0
        self.most_at_once = 0

    def __call__(self, job: tuple[str, int]) -> None:
        with self.lock:
            self.at_once += 1
            self.most_at_once = max(self.most_at_once, self.at_once)
        self.started.set()
        self.release.wait(5)
        with self.lock:
            self.at_once -= 1
            self.drawn.append(job)


@pytest.fixture
def recorder() -> Iterator[_Recorder]:
    yield _Recorder()


def test_jobs_queued_behind_a_running_redraw_collapse_into_the_latest(
    recorder: _Recorder,
) -> None:
    redraws: Redraws[tuple[str, int]] = Redraws(recorder, workers=4)
    redraws.submit("message", ("message", 1))
    assert recorder.started.wait(5)
    for version in (2, 3, 4):
        redraws.submit("message", ("message", version))
    recorder.release.set()
    redraws.shutdown()
    assert recorder.drawn == [("message", 1), ("message", 4)]
    assert recorder.most_at_once == 1


def test_different_messages_are_redrawn_side_by_side(recorder: _Recorder) -> None:
    redraws: Redraws[tuple[str, int]] = Redraws(recorder, workers=4)
    for key in ("a", "b", "c"):
        redraws.submit(key, (key, 1))
    wait_for(lambda: recorder.at_once == 3)
    recorder.release.set()
    redraws.shutdown()
    assert sorted(recorder.drawn) == [("a", 1), ("b", 1), ("c", 1)]


def test_a_failed_redraw_is_logged_and_the_next_still_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    drawn: list[int] = []

    def draw(job: int) -> None:
        if job == 1:
            raise RuntimeError("Slack said no")
        drawn.append(job)

    redraws: Redraws[int] = Redraws(draw, workers=1)
    redraws.submit("message", 1)
    redraws.submit("other", 2)
    redraws.shutdown()
    assert drawn == [2]
    assert "a message redraw failed" in caplog.text


def test_quick_clicks_on_one_prompt_end_with_every_choice_shown(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    user = MEMBERS[0]
    for question, point in ((0, 2), (1, 4), (2, 5), (0, 1)):
        click(running, user, question, point)

    def shows_all() -> bool:
        text = str(latest_prompt(running, user).blocks)
        return all(f"You chose *{p}*" in text for p in (1, 4, 5)) and "You chose *2*" not in text

    wait_for(shows_all)
