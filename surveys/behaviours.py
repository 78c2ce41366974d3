"""The 13 behaviour pairs of the performance-culture briefing, in the table's order."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Behaviour:
    """One row of the briefing's table: a favourable and an unfavourable way of working."""

    id: str
    favourable: str
    unfavourable: str
    position: int

    @property
    def short_label(self) -> str:
        """A compact label for charts and narrow places: the favourable pole itself."""
        return self.favourable


def slug(text: str) -> str:
    """The stable id of a behaviour: a slug of its favourable pole (e.g. ``talk-of-us``)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("&", "and")).strip("-")


_TABLE: tuple[tuple[str, str], ...] = (
    ('talk of "us"', 'talk of "them"'),
    ("ask & listen", "tell"),
    ("plan the future", "go over the past"),
    ("accept responsibility - and act", "parcel blame"),
    ("be willing to be held to account", "pass the buck"),
    ("report honestly", "paper over the cracks"),
    ("challenge each other constructively", "let important things pass"),
    ("seek robust evidence to inform decisions", "seek evidence after the decision has been taken"),
    (
        "seek shared understanding of the logic/ theories behind partnership interventions",
        "stick to the ways of looking at the world in one's own field",
    ),
    (
        "question assumptions in the light of feedback on what's working and not working "
        "on the ground",
        "take the assumptions behind strategies and services for granted",
    ),
    (
        "use common language in defining and measuring performance",
        "use different terms, with different meanings",
    ),
    (
        "view performance management as part of the day job",
        "view performance management as a chore",
    ),
    ("be positive about change", "be cynical about change"),
)

BEHAVIOURS: tuple[Behaviour, ...] = tuple(
    Behaviour(id=slug(fav), favourable=fav, unfavourable=unfav, position=i)
    for i, (fav, unfav) in enumerate(_TABLE)
)
BEHAVIOUR_IDS: tuple[str, ...] = tuple(b.id for b in BEHAVIOURS)
_BY_ID = {b.id: b for b in BEHAVIOURS}


class UnknownBehaviour(KeyError):
    """A behaviour id that is not in the table (e.g. from an altered button value)."""


def behaviour(behaviour_id: str) -> Behaviour:
    """Look a behaviour up by its stable id."""
    try:
        return _BY_ID[behaviour_id]
    except KeyError:
        raise UnknownBehaviour(behaviour_id) from None


def is_behaviour(behaviour_id: str) -> bool:
    """Whether the id names one of the 13 behaviours."""
    return behaviour_id in _BY_ID
