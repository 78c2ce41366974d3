"""Differencing attacks on organisations' figures (SPEC §4 `organisations`).

Two promises, tested on random partnerships and on the classic cases:
- whatever anyone subtracts (the team's figure less the organisations shown beside it),
  what is left comes from no one or from at least the threshold of people;
- changing whose answers are whose inside what is withheld (which folded people are the
  police, which of the last two organisations said what) leaves every published output —
  digest JSON and text, the channel message, the export, App Home — byte-identical.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from blocks.digest import digest_message
from blocks.home import home_view
from surveys.anonymity import kept_organisation_labels, shown_organisations
from surveys.digest import AnswerRow, Digest, RoundFacts, compute_digest
from surveys.digest_format import digest_to_dict, digest_to_text
from surveys.export import export_csv
from surveys.moments import moments_of
from surveys.organisation_figures import Person
from surveys.organisations import OTHER_PARTNERS
from surveys.partnership import partnership_view
from surveys.story import tell_story
from tests.partnership_cases import last_two_left, police_folded_in

WEEK = "2026-W47"
A, B, C = "talk-of-us", "ask-and-listen", "report-honestly"
ROUNDS = [RoundFacts(WEEK, (A, B, C), 20)]

Member = tuple[str, Person]  # (organisation, answers)


def published(members: list[Member], threshold: int = 5) -> str:
    """Every published output of the week, as one string, from what a close would store:
    each member's answers under their organisation's name only where it was kept."""
    kept = kept_organisation_labels(Counter(o for o, _ in members), threshold)
    rows = [
        AnswerRow(WEEK, f"r{i}", behaviour, point)
        for i, (_, answers) in enumerate(members)
        for behaviour, point in answers
    ]
    groups: dict[str, list[Person]] = {}
    for organisation, answers in members:
        groups.setdefault(organisation if organisation in kept else OTHER_PARTNERS, []).append(
            answers
        )
    digest = compute_digest(team="C1", week=WEEK, answers=rows, rounds=ROUNDS, threshold=threshold)
    figures, convergence = partnership_view(
        {WEEK: groups} if kept else {}, week=WEEK, asked=(A, B, C), threshold=threshold
    )
    digest = Digest(**{**digest.__dict__, "organisations": figures, "convergence": convergence})
    return "\n".join(
        [
            json.dumps(digest_to_dict(digest), sort_keys=True),
            digest_to_text(digest),
            json.dumps(digest_message(digest, tell_story(digest))),
            export_csv([digest]),
            json.dumps(home_view(open_prompts=[], digests=[digest], opted_out=False)),
        ]
    )


def _person(row: Sequence[int | None]) -> Person:
    return [(b, p) for b, p in zip((A, B, C), row, strict=True)]


def _people(organisation: str, points: list[list[int | None]]) -> list[Member]:
    return [(organisation, _person(row)) for row in points]


answers = st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=3, max_size=3)


@settings(max_examples=40, deadline=None)
@given(
    council=st.lists(answers, min_size=6, max_size=6),
    nhs=st.lists(answers, min_size=6, max_size=6),
    folded=st.lists(answers, min_size=2, max_size=2),
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
    actual, relabelled = (
        [(organisation, _person(row)) for organisation, row in members]
        for members in police_folded_in(council, nhs, folded, police)
    )
    assert published(actual) == published(relabelled)
    assert "West Yorkshire Police" not in published(actual)


@settings(max_examples=40, deadline=None)
@given(
    points=st.lists(st.integers(1, 5), min_size=9, max_size=9),
    order=st.permutations(range(9)),
    rest=st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=11, max_size=11),
)
def test_the_last_organisation_left_cannot_be_read_off_the_team(
    points: list[int], order: list[int], rest: list[tuple[int, int]]
) -> None:
    """Council 6 and NHS 5 (threshold 4); only 3 of the NHS answered C. The NHS's C is withheld,
    and so is the council's (the team's C less the council's would give the NHS's): any
    shuffle of the nine C answers between the two organisations publishes the same."""

    shuffled = [points[i] for i in order]
    one, two = (
        [(o, _person(row)) for o, row in last_two_left(rest, c)] for c in (points, shuffled)
    )
    assert published(one, 4) == published(two, 4)


@settings(max_examples=150, deadline=None)
@given(
    groups=st.lists(
        st.lists(st.lists(st.integers(1, 5), min_size=1, max_size=3), min_size=0, max_size=9),
        min_size=2,
        max_size=5,
    ),
    threshold=st.integers(3, 6),
)
def test_what_any_subtraction_leaves_is_from_no_one_or_enough_people(
    groups: list[list[list[int]]], threshold: int
) -> None:
    samples = {f"org{i}": moments_of(people) for i, people in enumerate(groups)}
    team = moments_of([person for people in groups for person in people])
    shown = shown_organisations(team, samples, threshold)
    left = team.people - sum(samples[g].people for g in shown)
    assert not shown or left == 0 or left >= threshold
    assert all(samples[g].people >= threshold for g in shown)


def _published_json(members: list[Member], threshold: int) -> dict[str, Any]:
    text = published(members, threshold)
    return json.loads(text.split("\n", 1)[0])


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 9), min_size=2, max_size=4),
    data=st.data(),
    threshold=st.integers(3, 6),
)
def test_published_digests_never_let_a_subtraction_isolate_fewer_than_the_threshold(
    sizes: list[int], data: st.DataObject, threshold: int
) -> None:
    """From the digest JSON alone: for the index and each behaviour, the team's n less the
    shown organisations' n is 0 or at least the threshold."""
    members: list[Member] = []
    for i, size in enumerate(sizes):
        rows = data.draw(st.lists(answers, min_size=size, max_size=size))
        members += _people(f"Org {i}", rows)
    digest = _published_json(members, threshold)
    organisations = digest["organisations"]
    if not organisations:
        return
    assert len(organisations) >= 2
    if not digest["index"]["suppressed"]:
        shown = [o["n"] for o in organisations if not o["index"]["suppressed"]]
        left = digest["index"]["n"] - sum(shown)
        assert not shown or left == 0 or left >= threshold
    for behaviour in digest["behaviours"]:
        if behaviour["n"] in (None, 0):
            continue
        shown = [
            b["n"]
            for o in organisations
            for b in o["behaviours"]
            if b["id"] == behaviour["id"] and not b["suppressed"]
        ]
        left = behaviour["n"] - sum(shown)
        assert not shown or left == 0 or left >= threshold, (behaviour["id"], shown)


def test_fewer_than_two_organisations_publish_an_empty_list() -> None:
    high: list[int | None] = [4, 3, 2]
    low: list[int | None] = [2, 3, 4]
    rows = [high] * 4 + [low] * 4
    members = _people("Leeds City Council", rows)
    digest = _published_json(members, 5)
    assert digest["organisations"] == []
    assert digest["convergence"]["spread"] is None
