"""The 5-point bipolar scale and its score: 1 is the unfavourable pole, 5 the favourable."""

from __future__ import annotations

from collections.abc import Iterable

POINTS: tuple[int, ...] = (1, 2, 3, 4, 5)
FAVOURABLE_POINTS = frozenset({4, 5})


def is_point(value: object) -> bool:
    """Whether a value is a point of the scale (bools and floats are not)."""
    return type(value) is int and value in POINTS


def point_score(point: int) -> float:
    """Map 1..5 onto −1..+1 so that 0 is the midpoint between the poles."""
    return (point - 3) / 2


def score(points: Iterable[int]) -> float | None:
    """Mean score of a set of answers, or None when there are none."""
    values = [point_score(p) for p in points]
    return sum(values) / len(values) if values else None
