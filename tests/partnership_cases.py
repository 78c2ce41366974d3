"""The classic differencing cases, shared by the pulse's and the review's anonymity tests.

Each builds the same partnership twice — as it is, and with answers moved between people
the close must not tell apart — so a test only has to show both publish the same bytes.
An answer row is whatever the test's survey asks (three points, three levels).
"""

from __future__ import annotations

from typing import TypeVar

Row = TypeVar("Row")

COUNCIL = "Leeds City Council"
NHS = "NHS Leeds"
POLICE = "West Yorkshire Police"


def police_folded_in(
    council: list[Row], nhs: list[Row], folded: list[Row], police: set[int]
) -> tuple[list[tuple[str, Row]], list[tuple[str, Row]]]:
    """Council 6, NHS 6, police 2: the police alone would be the remainder, so the council
    folds with them. Returns the partnership and the same one with the police being the
    two of those eight people that `police` picks."""
    actual = (
        [(COUNCIL, row) for row in council]
        + [(POLICE, row) for row in folded]
        + [(NHS, row) for row in nhs]
    )
    pool = council + folded
    relabelled = [(POLICE if i in police else COUNCIL, row) for i, row in enumerate(pool)]
    return actual, relabelled + [(NHS, row) for row in nhs]


def last_two_left(
    first_two: list[tuple[int, int]], third: list[int]
) -> list[tuple[str, tuple[int, int, int | None]]]:
    """Council 6 and NHS 5, of whom only the first nine (three of the NHS) answered the third
    question with `third`: the team's figure less the council's would be the NHS's."""
    return [
        (COUNCIL if i < 6 else NHS, (a, b, third[i] if i < 9 else None))
        for i, (a, b) in enumerate(first_two)
    ]
