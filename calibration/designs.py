"""Ways of turning simulated weeks into a digest's verdicts: the design the digest uses, and
the alternatives the calibration compares it with (`docs/METHOD.md`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from calibration.tidy_team import Week
from surveys import statistics as st
from surveys.moments import Sample
from surveys.scale import FAVOURABLE_POINTS

ShiftTestFn = Callable[..., st.ShiftTest]


def detect_shift_in_favourable_share(
    current: Sample, previous: Sample | None, *, min_people: int, family_size: int = 4
) -> st.ShiftTest:
    """The simpler alternative to detect_shift: person-level favourable share, Newcombe interval.

    Each person counts once with the share of their answers at points 4–5; the Wilson
    intervals take those shares as (fractional) successes out of the people. Kept for
    comparison in the calibration: it is valid but needs larger changes to name them.
    """
    if previous is None or st.people(current) < min_people or st.people(previous) < min_people:
        return st.INSUFFICIENT
    s1, n1 = _person_favourable(previous)
    s2, n2 = _person_favourable(current)
    low, high = st.newcombe_difference(s1, n1, s2, n2, confidence=st.family_confidence(family_size))
    return st.ShiftTest(st.verdict(low, high), s2 / n2 - s1 / n1, low, high)


def _person_favourable(sample: Sample) -> tuple[float, int]:
    shares = [
        sum(1 for p in person if p in FAVOURABLE_POINTS) / len(person)
        for person in sample
        if person
    ]
    return sum(shares), len(shares)


IndexMode = Literal["both", "week_on_week", "plain"]


@dataclass(frozen=True)
class Design:
    """A way of turning weeks into digest verdicts, so alternatives can be compared.

    index_mode: "both" is detect_index_shift as the digest uses it; "week_on_week" keeps only
    its week-on-week comparison (still allowing for weekly wobble); "plain" applies `test`
    to this week's index and the previous measurement's, nothing more.
    """

    name: str
    test: ShiftTestFn = st.detect_shift
    index_mode: IndexMode = "both"
    answer_as_unit: bool = False


CHOSEN = Design("chosen: person mean score, week-on-week + recent weeks, weekly wobble")
WEEK_ON_WEEK = Design(
    "person mean score, week-on-week only, weekly wobble", index_mode="week_on_week"
)
NO_WOBBLE = Design("person mean score, week-on-week only, no wobble", index_mode="plain")
FAVOURABLE_SHARE = Design(
    "person favourable share (Newcombe), week-on-week only, no wobble",
    test=detect_shift_in_favourable_share,
    index_mode="plain",
)
ANSWERS_AS_PEOPLE = Design(
    "answer as the unit (ignores clustering), week-on-week only, no wobble",
    index_mode="plain",
    answer_as_unit=True,
)
ALTERNATIVES = (CHOSEN, WEEK_ON_WEEK, NO_WOBBLE, FAVOURABLE_SHARE, ANSWERS_AS_PEOPLE)


def digest_shifts(
    weeks: Sequence[Week], *, min_people: int, design: Design = CHOSEN
) -> tuple[st.Shift, ...]:
    """All shift verdicts of the digest for the last week: its behaviours, then the index."""
    current = weeks[-1]
    family = st.DIGEST_FAMILY_SIZE
    verdicts = [
        design.test(
            sample,
            _previous_measurement(weeks, behaviour, min_people),
            min_people=min_people,
            family_size=family,
        ).shift
        for behaviour, sample in zip(current.asked, current.behaviours, strict=True)
    ]
    verdicts.append(index_shift(weeks, min_people=min_people, design=design))
    return tuple(verdicts)


def index_shift(weeks: Sequence[Week], *, min_people: int, design: Design) -> st.Shift:
    history = [(w.number, _unit(w.index, design)) for w in weeks]
    if design.index_mode == "both":
        return st.detect_index_shift(history, min_people=min_people).shift
    if design.index_mode == "week_on_week":
        # Half of a family of two is the index's whole share of a family of four.
        both = st.detect_index_shift(history, min_people=min_people, family_size=2)
        return both.week_on_week.shift
    measured = [s for _, s in history[:-1] if st.people(s) >= min_people]
    previous = measured[-1] if measured else None
    return design.test(
        history[-1][1], previous, min_people=min_people, family_size=st.DIGEST_FAMILY_SIZE
    ).shift


def _previous_measurement(weeks: Sequence[Week], behaviour: int, min_people: int) -> Sample | None:
    for week in reversed(weeks[:-1]):
        if behaviour in week.asked:
            sample = week.behaviours[week.asked.index(behaviour)]
            if st.people(sample) >= min_people:
                return sample
    return None


def _unit(sample: Sample, design: Design) -> Sample:
    """The index sample as the design sees it (behaviour samples hold one answer a person)."""
    if not design.answer_as_unit:
        return sample
    return [(p,) for person in sample for p in person]
