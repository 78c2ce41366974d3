"""The digest's story in words: why a behaviour is suggested, no self-contradiction, and
plain words once a round has closed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from surveys.conversation import conversation_for
from surveys.digest import Digest, Figure
from surveys.story import tell_story
from tests.test_digest_chart import (
    SUPPRESSED,
    figure,
    first_digest,
    history,
    index_figure,
    make_digest,
    normal_digest,
)

CLOSED_NOT_ENOUGH = "Not enough answers this week to show without risking anyone's anonymity."


def _shifted(value: Figure, shift: str) -> Figure:
    return replace(value, shift=shift)  # type: ignore[arg-type]


def _parts(digest: Digest, **kwargs: bool) -> dict[str, str]:
    return {p.heading: p.text for p in tell_story(digest, **kwargs).parts}


def _digest(asked: dict[int, Figure], *, weeks: int = 6, index_shift: str = "none") -> Digest:
    past = history(range(11 - weeks, 11))
    index = _shifted(index_figure(past), index_shift)
    digest = make_digest("2026-W10", index, asked, past)
    # The overall figure is what "where are we going" names as the team's move.
    assert digest.overall is not None
    return replace(digest, overall=replace(digest.overall, shift=index_shift))  # type: ignore[arg-type]


def test_a_closed_round_without_enough_answers_says_so_in_plain_words() -> None:
    digest = make_digest("2026-W10", SUPPRESSED, {0: SUPPRESSED}, ())
    # Before the overall figure has a reading, "where are we now" says so first.
    assert _parts(digest)["Where are we now"].endswith(CLOSED_NOT_ENOUGH)
    assert "yet" in _parts(digest, preview=True)["Where are we now"].split(". ")[-1]


@pytest.mark.parametrize("weeks", [1, 2, 3, 6])
@pytest.mark.parametrize("index_shift", ["towards_favourable", "towards_unfavourable", "none"])
@pytest.mark.parametrize("behaviour_shift", ["towards_favourable", "none"])
def test_where_we_are_going_never_names_a_move_beside_no_direction(
    weeks: int, index_shift: str, behaviour_shift: str
) -> None:
    asked = {0: _shifted(figure(0.4, n=6, previous=0.1), behaviour_shift), 3: figure(0.0, n=6)}
    going = _parts(_digest(asked, weeks=weeks, index_shift=index_shift))["Where are we going"]
    if "moved towards" in going:
        assert "No clear direction" not in going
        assert "Too early to tell which way" not in going


def test_an_improver_is_celebrated_and_the_slipping_behaviour_is_suggested() -> None:
    improver = _shifted(figure(0.6, n=6, previous=0.1), "towards_favourable")
    slipping = _shifted(figure(0.1, n=6, previous=0.4), "towards_unfavourable")
    steady_low = figure(-0.3, n=6, previous=-0.3)
    story = tell_story(_digest({0: improver, 6: slipping, 2: steady_low}))
    parts = {p.heading: p.text for p in story.parts}
    assert '“talk of "us"” moved towards "us", worth celebrating' in parts["Where are we going"]
    assert story.focus is not None
    assert story.focus.behaviour.id == "challenge-each-other-constructively"
    todo = parts["What do we need to do"]
    assert "because it slipped towards “let important things pass”" in todo
    assert "“promote mutual challenge”" in todo


def test_without_a_slip_the_weakest_behaviour_is_suggested_with_its_reason() -> None:
    improver = _shifted(figure(0.6, n=6, previous=0.1), "towards_favourable")
    weakest = figure(-0.3, n=6, previous=-0.2)
    story = tell_story(_digest({0: improver, 2: weakest}))
    assert story.focus is not None and story.focus.behaviour.id == "plan-the-future"
    todo = {p.heading: p.text for p in story.parts}["What do we need to do"]
    assert "because it is where this week's answers sit furthest from “us”" in todo
    assert conversation_for("plan-the-future").action in todo


def test_a_team_doing_well_everywhere_hears_where_there_is_most_room_to_grow() -> None:
    story = tell_story(_digest({0: figure(0.8, n=6), 1: figure(0.5, n=6)}))
    todo = {p.heading: p.text for p in story.parts}["What do we need to do"]
    assert "“ask & listen”, because it has the most room to grow" in todo


def test_every_suggestion_names_the_briefing_action_it_comes_from() -> None:
    for digest in (normal_digest(), first_digest()):
        todo = {p.heading: p.text for p in tell_story(digest).parts}["What do we need to do"]
        assert "because" in todo and "From the briefing's actions" in todo
