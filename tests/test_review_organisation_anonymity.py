"""Differencing attacks on the review's results by organisation (SPEC §6), on random
partnerships and on the classic cases, from what a close would store:
- whatever anyone subtracts (a question's team counts less the organisations shown beside
  them), what is left is from no one or passes the review's own rule (the threshold, and
  no unanimity under ten);
- changing whose answers are whose inside what is withheld (which folded people are the
  police, which of the last two organisations gave which answers) leaves `review show`'s
  JSON and text and the export byte-identical;
- a peer reviewer's answers never move any organisation's counts.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.anonymity import kept_organisation_labels
from surveys.organisations import OTHER_PARTNERS
from surveys.review import (
    QUESTION_IDS,
    OrganisationGap,
    ReviewResults,
    peer_view,
    shown,
    summarise,
)
from surveys.review_format import review_to_dict, review_to_text, reviews_csv
from surveys.review_organisations import by_organisation, cliffs_delta, widest_gap
from tests.partnership_cases import last_two_left, police_folded_in

ASKED = QUESTION_IDS[:3]
Member = tuple[str, list[int | None]]  # (organisation, a level or None for each of ASKED)


def results_of(
    members: list[Member], threshold: int = 5, peers: Sequence[list[int | None]] = ()
) -> ReviewResults:
    """The review's results as `review show` reads them after a close stored each
    member's answers under their organisation's name only where it was kept."""
    kept = kept_organisation_labels(Counter(o for o, _ in members), threshold)
    answers: dict[str, list[int | None]] = {}
    groups: dict[str, dict[str, list[int | None]]] = {}
    for organisation, levels in members:
        group = organisation if organisation in kept else OTHER_PARTNERS
        for question, level in zip(ASKED, levels, strict=True):
            answers.setdefault(question, []).append(level)
            groups.setdefault(group, {}).setdefault(question, []).append(level)
    peer_answers: dict[str, list[int | None]] = {}
    for levels in peers:
        for question, level in zip(ASKED, levels, strict=True):
            peer_answers.setdefault(question, []).append(level)
    summary = summarise(
        team="C1",
        quarter="2027-Q1",
        invited=len(members) + 2,
        answers=answers,
        respondents=len(members),
        threshold=threshold,
        closed=True,
        peer=peer_view(invited=len(peers), responded=len(peers), answers=peer_answers),
    )
    return by_organisation(summary, groups, threshold=threshold)


def published(members: list[Member], threshold: int = 5) -> str:
    """Every published output of the review, as one string."""
    results = results_of(members, threshold)
    return "\n".join(
        [
            json.dumps(review_to_dict(results), sort_keys=True),
            review_to_text(results),
            reviews_csv([results]),
        ]
    )


def _people(organisation: str, rows: list[list[int | None]]) -> list[Member]:
    return [(organisation, row) for row in rows]


levels = st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=3, max_size=3)


@settings(max_examples=40, deadline=None)
@given(
    council=st.lists(levels, min_size=6, max_size=6),
    nhs=st.lists(levels, min_size=6, max_size=6),
    folded=st.lists(levels, min_size=2, max_size=2),
    police=st.sets(st.integers(0, 7), min_size=2, max_size=2),
)
def test_which_folded_people_are_the_police_changes_nothing_published(
    council: list[list[int | None]],
    nhs: list[list[int | None]],
    folded: list[list[int | None]],
    police: set[int],
) -> None:
    """Council 6, NHS 6, police 2: the police alone would be the remainder, so the council
    folds with them. Swapping any two of those eight for the police changes nothing."""
    actual, relabelled = police_folded_in(council, nhs, folded, police)
    assert published(actual) == published(relabelled)
    assert "West Yorkshire Police" not in published(actual)
    assert "Leeds City Council" not in published(actual)


@settings(max_examples=40, deadline=None)
@given(
    points=st.lists(st.integers(1, 4), min_size=9, max_size=9),
    order=st.permutations(range(9)),
    rest=st.lists(st.tuples(st.integers(1, 4), st.integers(1, 4)), min_size=11, max_size=11),
)
def test_the_last_organisation_left_cannot_be_read_off_the_team(
    points: list[int], order: list[int], rest: list[tuple[int, int]]
) -> None:
    """Council 6 and NHS 5 (threshold 4); only 3 of the NHS answered the third question.
    The NHS's counts there are withheld, and so are the council's (the team's less the
    council's would give the NHS's): any shuffle of the nine levels between the two
    organisations publishes the same."""

    shuffled = [points[i] for i in order]
    one, two = ([(o, list(row)) for o, row in last_two_left(rest, t)] for t in (points, shuffled))
    assert published(one, 4) == published(two, 4)


def _published_json(members: list[Member], threshold: int) -> dict[str, Any]:
    return review_to_dict(results_of(members, threshold))


@settings(max_examples=80, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 9), min_size=2, max_size=4),
    data=st.data(),
    threshold=st.integers(3, 6),
)
def test_no_subtraction_of_published_counts_isolates_what_is_withheld(
    sizes: list[int], data: st.DataObject, threshold: int
) -> None:
    """From the JSON alone: for each question, the team's counts less the shown
    organisations' are from no one or pass the review's rule; every shown organisation
    passes it too, and nothing is shown by organisation where the team's counts are not."""
    members: list[Member] = []
    for i, size in enumerate(sizes):
        members += _people(f"Org {i}", data.draw(st.lists(levels, min_size=size, max_size=size)))
    review = _published_json(members, threshold)
    for question in review["questions"]:
        groups = question["organisations"]
        if not groups:
            continue
        assert len(groups) >= 2
        shown_counts = [g["counts"] for g in groups if not g["suppressed"]]
        if question["suppressed"]:
            assert shown_counts == []
            continue
        assert all(shown(counts, threshold) for counts in shown_counts)
        left = [t - sum(c[i] for c in shown_counts) for i, t in enumerate(question["counts"])]
        assert not shown_counts or sum(left) == 0 or shown(left, threshold), question["id"]


@settings(max_examples=40, deadline=None)
@given(
    council=st.lists(levels, min_size=6, max_size=6),
    nhs=st.lists(levels, min_size=6, max_size=6),
    peers=st.lists(levels, min_size=1, max_size=2),
)
def test_a_peer_reviewer_never_moves_an_organisations_counts(
    council: list[list[int | None]], nhs: list[list[int | None]], peers: list[list[int | None]]
) -> None:
    members = _people("Leeds City Council", council) + _people("NHS Leeds", nhs)
    alone = review_to_dict(results_of(members))
    with_peers = review_to_dict(results_of(members, peers=peers))
    assert [q["organisations"] for q in with_peers["questions"]] == [
        q["organisations"] for q in alone["questions"]
    ]
    assert with_peers["differ_most"] == alone["differ_most"]


def test_fewer_than_two_organisations_show_none() -> None:
    high: list[int | None] = [4, 3, 2]
    low: list[int | None] = [2, 3, 4]
    members = _people("Leeds City Council", [high] * 4 + [low] * 4)
    review = _published_json(members, 5)
    assert all(q["organisations"] == [] and q["differ"] is None for q in review["questions"])
    assert review["differ_most"] == []


def test_the_gap_between_organisations_is_ordinal_and_named_only_beyond_chance() -> None:
    assert cliffs_delta([0, 0, 2, 2], [2, 3, 0, 0]) == 1.0
    assert cliffs_delta([1, 1, 1, 1], [1, 1, 1, 1]) == 0.0
    assert widest_gap({"A": [0, 0, 5, 5], "B": [5, 5, 0, 0]}) == OrganisationGap(
        higher="A", lower="B", gap=1.0, beyond_chance=True
    )
    # Large, but two groups of five could differ this much answering alike.
    small = widest_gap({"A": [0, 2, 2, 1], "B": [1, 3, 1, 0]})
    assert small is not None and small.gap >= 0.474 and not small.beyond_chance
    assert widest_gap({"A": [1, 2, 2, 1]}) is None
