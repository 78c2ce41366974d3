"""A sample of answers reduced to whole-number sums over people.

With the person as the unit, every estimate in `surveys.statistics` needs only each person's
count of answers and sum of points, and only through a few sums over people. Those sums add
up, so weeks pool by adding, and a database can work them out without any one person's
answers leaving it (docs/METHOD.md, "Variance of a period's score").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

from surveys import scale

Sample = Sequence[Sequence[int]]
"""One period's answers: one entry per person, each the person's counted points (1..5)."""


@dataclass(frozen=True, slots=True)
class Moments:
    """A sample reduced to the sums its statistics read, all of them whole numbers.

    With the person as the unit, everything estimated here needs only each person's count of
    answers k and their sum t of (point − 3), and only through these sums over people. They
    add up, so weeks pool by adding, and a database can work them out without sending a
    single person's answers anywhere.
    """

    people: int
    answers: int  # Σk
    total: int  # Σt
    total_squares: int  # Σt²
    cross: int  # Σt·k
    size_squares: int  # Σk²

    def __add__(self, other: Moments) -> Moments:
        return Moments(
            self.people + other.people,
            self.answers + other.answers,
            self.total + other.total,
            self.total_squares + other.total_squares,
            self.cross + other.cross,
            self.size_squares + other.size_squares,
        )

    @classmethod
    def of_single_answers(cls, people: int, total: int, total_squares: int) -> Moments:
        """Moments of a sample in which each person gave one answer (one behaviour's week)."""
        return cls(people, people, total, total_squares, total, people)


NO_ONE = Moments(0, 0, 0, 0, 0, 0)

AnySample = Sample | Moments
"""Either form of a sample: the statistics read both the same way."""


def moments_of(sample: AnySample) -> Moments:
    """The sums behind a sample, refusing anything in it that is not a point of the scale."""
    if isinstance(sample, Moments):
        return sample
    persons = [person for person in sample if len(person) > 0]
    _check_points(persons)
    sizes = [len(person) for person in persons]
    totals = [sum(person) - 3 * size for person, size in zip(persons, sizes, strict=True)]
    return Moments(
        people=len(persons),
        answers=sum(sizes),
        total=sum(totals),
        total_squares=sum(t * t for t in totals),
        cross=sum(t * k for t, k in zip(totals, sizes, strict=True)),
        size_squares=sum(k * k for k in sizes),
    )


def _check_points(persons: Sequence[Sequence[int]]) -> None:
    """Refuse anything that is not a point of the scale, checked for the whole sample at once."""
    every = list(chain.from_iterable(persons))
    if set(map(type, every)) - {int} or not set(every) <= _POINTS:
        bad = next(p for p in every if not scale.is_point(p))
        raise ValueError(f"a point must be an integer from 1 to 5, not {bad!r}")


_POINTS = frozenset(scale.POINTS)
