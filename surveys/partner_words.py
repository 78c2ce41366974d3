"""How the partner organisations see the partnership, in plain and positive words.

The briefing starts from partners who each bring "its own distinctive culture to the table"
and hopes for a partnership culture to form rather than partner cultures to clash; it also
calls differences "a source of creative tension and innovation". So the digest names where
the organisations see things most differently, without ranking anyone, and says whether the
gap between them is narrowing only when the convergence verdict (surveys/convergence.py)
names it beyond chance.

Only published figures are used: an organisation's behaviour figure that is withheld, and
"Other partners" (a mix of organisations, not one partner's view), are never named here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from surveys.behaviours import BEHAVIOURS
from surveys.convergence import Convergence
from surveys.organisation_figures import OrganisationFigures
from surveys.organisations import OTHER_PARTNERS

PARTNERS_HEADING = "How do our partners see it"

ALIKE_GAP = 0.005
"""Below this (half a hundredth, so the two figures print alike) the organisations see the
behaviour the same."""

NOT_ENOUGH_TO_COMPARE = (
    "Not enough answers from each organisation this week to compare them without risking "
    "anyone's anonymity."
)
TOO_EARLY = "It's too early to say whether the gap between our organisations is narrowing."

_FAVOURABLE = {b.id: b.favourable for b in BEHAVIOURS}
_ORDER = {b.id: b.position for b in BEHAVIOURS}


@dataclass(frozen=True)
class PartnerGap:
    """The behaviour the shown organisations see most differently, and each one's score,
    highest first."""

    behaviour: str
    scores: tuple[tuple[str, float], ...]

    @property
    def gap(self) -> float:
        """Highest score less lowest."""
        return self.scores[0][1] - self.scores[-1][1]


def widest_gap(figures: Sequence[OrganisationFigures]) -> PartnerGap | None:
    """The behaviour with the largest gap between two named organisations' published scores
    (the table's order breaks a tie), or None when no behaviour shows two of them."""
    by_behaviour: dict[str, list[tuple[str, float]]] = {}
    for organisation in figures:
        if organisation.name == OTHER_PARTNERS:
            continue
        for b in organisation.behaviours:
            if not b.suppressed and b.score is not None:
                by_behaviour.setdefault(b.id, []).append((organisation.name, b.score))
    gaps = [
        PartnerGap(b, tuple(sorted(scores, key=lambda pair: (-pair[1], pair[0].casefold()))))
        for b, scores in by_behaviour.items()
        if len(scores) >= 2
    ]
    if not gaps:
        return None
    return max(gaps, key=lambda g: (round(g.gap, 10), -_ORDER.get(g.behaviour, 99)))


def _scores(gap: PartnerGap) -> str:
    return ", ".join(f"{name} {score:+.2f}" for name, score in gap.scores)


def _difference(gap: PartnerGap) -> str:
    quoted = f"“{_FAVOURABLE.get(gap.behaviour, gap.behaviour)}”"
    if gap.gap < ALIKE_GAP:
        return f"Our partners see every behaviour shown by organisation alike, {quoted} included."
    return f"Our partners see {quoted} most differently: {_scores(gap)}."


def _weeks(convergence: Convergence) -> str:
    return f"over the last {convergence.weeks} weeks" if convergence.weeks else "lately"


def change_words(convergence: Convergence) -> str | None:
    """The convergence verdict in words; nothing about change unless it is beyond chance."""
    if convergence.shift == "converging":
        return (
            f"The gap between our organisations has narrowed {_weeks(convergence)}: "
            "a sign of a partnership culture forming."
        )
    if convergence.shift == "diverging":
        return (
            f"The gap between our organisations has widened {_weeks(convergence)}: "
            "a good moment to seek to understand each other's organisational cultures."
        )
    if convergence.shift == "insufficient_data":
        return TOO_EARLY
    return None


def partners_in_words(
    figures: Sequence[OrganisationFigures], convergence: Convergence
) -> str | None:
    """The digest's part on the partner organisations, or None for a single-organisation
    team (nothing to compare)."""
    if not figures:
        return None
    gap = widest_gap(figures)
    if gap is None:
        return NOT_ENOUGH_TO_COMPARE
    change = change_words(convergence)
    lead = _difference(gap)
    return f"{lead} {change}" if change else lead
