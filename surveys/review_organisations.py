"""The review's results by partner organisation, under the pulse's rules, and where the
partners' answers differ most (SPEC §6; docs/METHOD.md, "The review by organisation").

A closed review's answers carry their organisation's name only where the organisation was
big enough to hide in (`surveys.anonymity.kept_organisation_labels`, applied at close); the
rest are "Other partners". Question by question, a group's counts are shown only where they
pass the review's own rule (`surveys.review.shown`: the threshold, and no unanimity under
ten), and where whatever the team's counts less the shown groups' leave is from no one or
passes it too: otherwise the smallest shown group is withheld as well, and so on. Nothing is
shown by organisation where the team's own counts are withheld, or when fewer than two
groups answered.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from itertools import combinations

from surveys.organisation_figures import group_order
from surveys.review import (
    LEVELS,
    OrganisationCounts,
    OrganisationGap,
    QuestionResult,
    ReviewResults,
    count_levels,
    shown,
)

Groups = Mapping[str, Mapping[str, Sequence[int | None]]]
"""A closed review's partner answers by group ("Other partners" for the unnamed), then by
question: each answer's level, None for "don't know"."""

LARGE_GAP = 0.474
"""Cliff's delta at or above which a gap between two organisations is called large (Romano
and others, 2006: 0.147 small, 0.33 medium, 0.474 large)."""
CHANCE_Z = 1.96
"""How many standard errors of a gap between two groups drawn alike the gap must exceed."""


def shown_groups(
    team: Sequence[int], groups: Mapping[str, Sequence[int]], threshold: int
) -> frozenset[str]:
    """The groups whose counts on one question may be shown beside the team's, with
    complementary suppression: the team's counts less the shown ones' are from no one or
    themselves shown by the rule; else the smallest shown group (ties by name) is withheld
    too, until they are."""
    if not shown(team, threshold):
        return frozenset()
    visible = {g for g, counts in groups.items() if sum(counts) and shown(counts, threshold)}
    while visible:
        rest = [t - sum(groups[g][i] for g in visible) for i, t in enumerate(team)]
        if sum(rest) == 0 or shown(rest, threshold):
            return frozenset(visible)
        visible.remove(min(visible, key=lambda g: (sum(groups[g]), g)))
    return frozenset()


def cliffs_delta(first: Sequence[int], second: Sequence[int]) -> float:
    """P(a level from ``first`` is higher than one from ``second``) less P(lower): −1..+1,
    0 when the two sit alike. Ordinal: it never treats the levels as numbers."""
    higher = sum(a * b for i, a in enumerate(first) for j, b in enumerate(second) if i > j)
    lower = sum(a * b for i, a in enumerate(first) for j, b in enumerate(second) if i < j)
    return (higher - lower) / (sum(first) * sum(second))


def _chance_error(n: int, m: int) -> float:
    """The standard error of Cliff's delta between two groups of n and m drawn alike
    (without ties, which only shrink it: the test errs towards saying nothing)."""
    return math.sqrt((n + m + 1) / (3 * n * m))


def widest_gap(shown_counts: Mapping[str, Sequence[int]]) -> OrganisationGap | None:
    """The two shown groups whose answers to a question differ most, or None with fewer
    than two shown. Named `beyond_chance` when the gap is large and beyond what two groups
    of their sizes answering alike would show (|δ| > 1.96 standard errors)."""
    best: OrganisationGap | None = None
    for one, two in combinations(sorted(shown_counts, key=group_order), 2):
        delta = cliffs_delta(shown_counts[one], shown_counts[two])
        higher, lower = (one, two) if delta >= 0 else (two, one)
        gap = round(abs(delta), 3)
        if best is not None and gap <= best.gap:
            continue
        error = _chance_error(sum(shown_counts[one]), sum(shown_counts[two]))
        beyond = gap >= LARGE_GAP and abs(delta) > CHANCE_Z * error
        best = OrganisationGap(higher=higher, lower=lower, gap=gap, beyond_chance=beyond)
    return best


def _group_counts(groups: Groups, question_id: str) -> dict[str, tuple[int, ...]]:
    return {g: count_levels(by_question.get(question_id, ())) for g, by_question in groups.items()}


def _question(
    result: QuestionResult,
    groups: Groups,
    previous: Groups | None,
    threshold: int,
    previous_threshold: int,
) -> QuestionResult:
    """One question's results with each group's counts beside them (withheld where the
    rule says), and the widest gap between the shown groups."""
    qid = result.question.id
    counts = _group_counts(groups, qid)
    team = tuple(sum(c[i] for c in counts.values()) for i in range(LEVELS))
    visible = shown_groups(team, counts, threshold)
    before: dict[str, tuple[int, ...]] = {}
    if previous:
        earlier = _group_counts(previous, qid)
        earlier_team = tuple(sum(c[i] for c in earlier.values()) for i in range(LEVELS))
        before = {g: earlier[g] for g in shown_groups(earlier_team, earlier, previous_threshold)}
    organisations = tuple(
        OrganisationCounts(
            name=g,
            n=sum(counts[g]) if g in visible else None,
            counts=counts[g] if g in visible else None,
            previous_counts=before.get(g),
        )
        for g in sorted(groups, key=group_order)
    )
    return dataclasses.replace(
        result,
        organisations=organisations,
        differ=widest_gap({g: counts[g] for g in visible}),
    )


def by_organisation(
    results: ReviewResults,
    groups: Groups,
    *,
    threshold: int,
    previous: Groups | None = None,
    previous_threshold: int | None = None,
) -> ReviewResults:
    """The results with each question's counts by organisation, where the rule allows.
    ``groups`` must hold exactly the partner answers the results were counted from; with
    fewer than two groups the results are returned as they are."""
    if len([g for g, answers in groups.items() if answers]) < 2:
        return results
    usable_previous = previous if previous and len(previous) >= 2 else None
    stricter = max(threshold, previous_threshold or threshold)
    questions = tuple(
        _question(q, groups, usable_previous, threshold, stricter) for q in results.questions
    )
    return dataclasses.replace(results, questions=questions)
