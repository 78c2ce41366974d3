"""The digest's part on partner organisations: where they see things most differently, from
published figures only, and whether the gap is narrowing only when the verdict says so."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from blocks.digest import digest_message
from blocks.replies import story_summary_message
from surveys.convergence import NO_CONVERGENCE, Convergence, ConvergenceShift
from surveys.digest import AnswerRow, Digest, RoundFacts, compute_digest
from surveys.digest_format import digest_to_text
from surveys.organisation_figures import (
    OrganisationBehaviour,
    OrganisationFigures,
    WeekGroups,
)
from surveys.organisations import OTHER_PARTNERS
from surveys.partner_words import (
    NOT_ENOUGH_TO_COMPARE,
    PARTNERS_HEADING,
    TOO_EARLY,
    partners_in_words,
    widest_gap,
)
from surveys.partnership import partnership_view
from surveys.story import tell_story

CHALLENGE, TALK, ASK = "challenge-each-other-constructively", "talk-of-us", "ask-and-listen"
COUNCIL, NHS, POLICE = "Leeds City Council", "NHS Leeds", "West Yorkshire Police"
LEAKED = 0.77
"""A value a withheld figure wrongly carries; the words must never say it."""


def org(name: str, scores: dict[str, float | None], *, leaky: bool = False) -> OrganisationFigures:
    """An organisation's figures; a None score is withheld (carrying LEAKED when leaky)."""
    behaviours = tuple(
        OrganisationBehaviour(b, 6, s, False)
        if s is not None
        else OrganisationBehaviour(b, 2 if leaky else None, LEAKED if leaky else None, True)
        for b, s in scores.items()
    )
    return OrganisationFigures(name, 6, 0.1, False, behaviours)


def verdict(shift: ConvergenceShift, weeks: int = 6) -> Convergence:
    return Convergence(0.3, 0.35, 0.6, shift, 2, weeks, -0.01, -0.02, -0.001)


def test_names_the_behaviour_with_the_widest_gap_and_each_organisations_score() -> None:
    figures = [
        org(COUNCIL, {TALK: 0.2, CHALLENGE: 0.4}),
        org(NHS, {TALK: 0.1, CHALLENGE: -0.2}),
    ]
    words = partners_in_words(figures, verdict("converging", 8))
    assert words == (
        "Our partners see “challenge each other constructively” most differently: "
        "Leeds City Council +0.40, NHS Leeds -0.20. The gap between our organisations has "
        "narrowed over the last 8 weeks: a sign of a partnership culture forming."
    )


def test_a_widening_gap_is_said_with_the_briefings_action_not_blame() -> None:
    figures = [org(COUNCIL, {TALK: 0.5}), org(NHS, {TALK: -0.1})]
    words = partners_in_words(figures, verdict("diverging", 5)) or ""
    assert "has widened over the last 5 weeks" in words
    assert "seek to understand each other's organisational cultures" in words


def test_no_change_beyond_chance_says_nothing_about_change() -> None:
    figures = [org(COUNCIL, {TALK: 0.5}), org(NHS, {TALK: -0.1})]
    words = partners_in_words(figures, verdict("none")) or ""
    assert words.endswith("NHS Leeds -0.10.")
    assert not any(w in words for w in ("narrow", "widen", "early"))


def test_too_few_weeks_is_honestly_too_early_to_say() -> None:
    figures = [org(COUNCIL, {TALK: 0.5}), org(NHS, {TALK: -0.1})]
    assert (partners_in_words(figures, NO_CONVERGENCE) or "").endswith(TOO_EARLY)


def test_withheld_figures_and_other_partners_are_never_named() -> None:
    figures = [
        org(COUNCIL, {TALK: 0.3, CHALLENGE: 0.5}),
        org(NHS, {TALK: 0.0, CHALLENGE: None}, leaky=True),
        org(POLICE, {TALK: None, CHALLENGE: None}, leaky=True),
        org(OTHER_PARTNERS, {TALK: -0.9, CHALLENGE: -0.9}),
    ]
    words = partners_in_words(figures, verdict("none")) or ""
    assert '“talk of "us"”' in words
    assert "0.77" not in words
    assert POLICE not in words and OTHER_PARTNERS not in words
    assert "-0.90" not in words


def test_organisations_that_cannot_be_compared_are_said_so_without_change_words() -> None:
    figures = [org(COUNCIL, {TALK: 0.3}), org(NHS, {TALK: None})]
    assert partners_in_words(figures, verdict("converging")) == NOT_ENOUGH_TO_COMPARE


def test_a_single_organisation_team_has_no_partners_part() -> None:
    assert partners_in_words([], NO_CONVERGENCE) is None


def test_equal_views_are_said_to_be_alike_and_ties_go_to_the_tables_order() -> None:
    figures = [org(COUNCIL, {TALK: 0.2, ASK: 0.2}), org(NHS, {TALK: 0.2, ASK: 0.2})]
    assert "alike" in (partners_in_words(figures, verdict("none")) or "")
    tied = [org(COUNCIL, {ASK: 0.4, TALK: 0.4}), org(NHS, {ASK: 0.0, TALK: 0.0})]
    gap = widest_gap(tied)
    assert gap is not None and gap.behaviour == TALK


# --- in the digest ------------------------------------------------------------------------

WEEK = "2026-W47"


def partnership_digest() -> Digest:
    """Council 6 leaning "us", NHS 6 leaning "them", on three behaviours."""
    asked = (TALK, ASK, CHALLENGE)
    groups: WeekGroups = {
        COUNCIL: [[(TALK, 4), (ASK, 4), (CHALLENGE, 5)] for _ in range(5)]
        + [[(TALK, 3), (ASK, 4), (CHALLENGE, 4)]],
        NHS: [[(TALK, 3), (ASK, 3), (CHALLENGE, 2)] for _ in range(5)]
        + [[(TALK, 4), (ASK, 3), (CHALLENGE, 1)]],
    }
    rows = [
        AnswerRow(WEEK, f"{name}{i}", b, p)
        for name, people in groups.items()
        for i, person in enumerate(people)
        for b, p in person
    ]
    digest = compute_digest(
        team="C1", week=WEEK, answers=rows, rounds=[RoundFacts(WEEK, asked, 12)], threshold=5
    )
    figures, convergence = partnership_view({WEEK: groups}, week=WEEK, asked=asked, threshold=5)
    return replace(digest, organisations=figures, convergence=convergence)


@pytest.mark.parametrize("where", ["text", "message", "summary"])
def test_the_digest_text_message_and_summary_tell_the_partners_part(where: str) -> None:
    digest = partnership_digest()
    story = tell_story(digest)
    shown = {
        "text": lambda: digest_to_text(digest),
        "message": lambda: json.dumps(digest_message(digest, story), ensure_ascii=False),
        "summary": lambda: json.dumps(
            story_summary_message("C1", [digest], story), ensure_ascii=False
        ),
    }[where]()
    assert PARTNERS_HEADING in shown
    assert "“challenge each other constructively” most differently" in shown
    assert "Leeds City Council +0.92, NHS Leeds -0.58" in shown
    assert TOO_EARLY in shown


def test_the_partners_part_follows_where_we_are_going() -> None:
    headings = [p.heading for p in tell_story(partnership_digest()).parts]
    assert headings.index(PARTNERS_HEADING) == headings.index("Where are we going") + 1
    single = replace(partnership_digest(), organisations=(), convergence=NO_CONVERGENCE)
    assert PARTNERS_HEADING not in [p.heading for p in tell_story(single).parts]
