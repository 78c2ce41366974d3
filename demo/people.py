"""The simulated partnership of the demo: who is in it, and how each person answers.

Answers come from a small latent-scale model: each person has their own tendency, each
behaviour its own level, and a few behaviours drift from the "them" pole to the "us" pole
over the run while the rest stay put; each organisation adds a lean of its own that fades
over the run (demo.partners). Everything is drawn from one seeded generator so a
run can be repeated exactly. Nothing here talks to Slack or to the database: the demo
turns these choices into button clicks on the prompts the bot actually sent.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

from demo.partners import COUNCIL, Partner, allocate, culture_lean
from surveys.behaviours import BEHAVIOUR_IDS, is_behaviour

TEAM_ZONE = "Europe/London"
ELSEWHERE = {3: "America/Toronto", 7: "Europe/Berlin"}
"""Members (by position) who work from another time zone; everyone else is in London's."""

FIRST_NAMES = (
    "Daniel", "Priya", "Gareth", "Aisha", "Siobhan", "Tom", "Grace", "Imran", "Megan",
    "Kwame", "Rachel", "Liam", "Fatima", "Owen", "Hannah", "Tariq", "Chloe", "Rhys",
    "Yasmin", "Callum", "Joanne", "Marcus", "Niamh", "Ravi", "Eleanor", "Dev", "Sian",
    "Jamal", "Lucy", "Femi",
)  # fmt: skip
SURNAMES = (
    "Okafor", "Chandran", "Llewellyn", "Rahman", "Kelly", "Becker", "Osei", "Hussain",
    "Price", "Mensah", "Thornton", "Gallagher", "Ali", "Pritchard", "Walsh", "Iqbal",
    "Fletcher", "Morgan", "Begum", "Fraser", "Atkinson", "Campbell", "Doherty", "Patel",
    "Hughes", "Sharma", "Jenkins", "Bello", "Cartwright", "Adeyemi",
)  # fmt: skip

MANAGER_NAME = "Sarah Whitfield"

DRIFTING = (
    "talk-of-us",
    "ask-and-listen",
    "report-honestly",
    "accept-responsibility-and-act",
    "question-assumptions-in-the-light-of-feedback-on-what-s-working-and-not-working-on-the-ground",
)
"""The planted change: these move from mostly "them" (points 1–2) to mostly "us" (4–5).

They are spread over the table so that most weeks' three questions include one of them,
which lets the weekly index show the change rather than which questions came up.
"""

STEADY_LEVELS = {
    "plan-the-future": 0.5,
    "be-positive-about-change": 0.2,
    "be-willing-to-be-held-to-account": 0.1,
    "seek-robust-evidence-to-inform-decisions": 0.0,
    "challenge-each-other-constructively": -0.2,
    "seek-shared-understanding-of-the-logic-theories-behind-partnership-interventions": -0.1,
    "use-common-language-in-defining-and-measuring-performance": -0.3,
    "view-performance-management-as-part-of-the-day-job": -0.5,
}
"""Where the other behaviours sit all along (latent scale; 0 is "in between")."""

DRIFT_FROM, DRIFT_TO = -1.6, 1.6
CUTS = (-1.5, -0.5, 0.5, 1.5)
"""Latent thresholds between the five points, as in the calibration simulator."""

PERSON_SPREAD = 0.35
ANSWER_NOISE = 0.7
DIDNT_COME_UP = 0.07
KEENNESS_RANGE = (0.75, 0.97)
"""Each person answers before the reminder with their own probability in this range."""

for _id in (*DRIFTING, *STEADY_LEVELS):
    assert is_behaviour(_id), _id
assert set(DRIFTING) | set(STEADY_LEVELS) == set(BEHAVIOUR_IDS)


@dataclass(frozen=True)
class Person:
    """Someone in the team channel the bot will survey."""

    user_id: str
    handle: str
    real_name: str
    partner: Partner
    tz: str
    tendency: float
    keenness: float
    is_manager: bool = False

    @property
    def organisation(self) -> str:
        """The name of the organisation they work for."""
        return self.partner.name

    @property
    def email(self) -> str:
        """Their address in the council's workspace ("" for a Slack Connect member)."""
        domain = self.partner.email_domain
        return f"{self.handle}@{domain}" if domain else ""

    @property
    def place(self) -> str:
        """The city of the person's time zone, for the transcript."""
        return self.tz.rsplit("/", 1)[-1].replace("_", " ")


def _handle(name: str) -> str:
    return name.lower().replace(" ", ".").replace("'", "")


def _names(count: int, rng: random.Random) -> list[str]:
    """Distinct full names, none of them the manager's."""
    pool = [f"{f} {s}" for f in FIRST_NAMES for s in SURNAMES if f"{f} {s}" != MANAGER_NAME]
    if count > len(pool):
        raise ValueError(f"the demo has names for at most {len(pool)} members")
    shuffled = rng.sample(pool, len(pool))
    chosen: list[str] = []
    for name in shuffled:
        if not any(_shares_a_name(name, other) for other in chosen):
            chosen.append(name)
    for name in shuffled:  # large teams: repeats are unavoidable, whole names still differ
        if len(chosen) >= count:
            break
        if name not in chosen:
            chosen.append(name)
    return chosen[:count]


def _shares_a_name(one: str, other: str) -> bool:
    return any(a == b for a, b in zip(one.split(), other.split(), strict=True))


def _person(user_id: str, name: str, partner: Partner, tz: str, rng: random.Random) -> Person:
    return Person(
        user_id=user_id,
        handle=_handle(name),
        real_name=name,
        partner=partner,
        tz=tz,
        tendency=rng.gauss(0.0, PERSON_SPREAD),
        keenness=rng.uniform(*KEENNESS_RANGE),
    )


def build_team(members: int, rng: random.Random) -> list[Person]:
    """The manager (of the council) first, then ``members`` partner staff, organisation by
    organisation in proportion to their sizes (demo.partners)."""
    manager = _person("U0MANAGER1", MANAGER_NAME, COUNCIL, TEAM_ZONE, rng)
    team = [replace(manager, is_manager=True)]
    names = _names(members, rng)
    for i, (name, partner) in enumerate(zip(names, allocate(members), strict=True)):
        tz = ELSEWHERE.get(i, TEAM_ZONE)
        team.append(_person(f"U0PARTNER{i + 1:03d}", name, partner, tz, rng))
    return team


def drift_level(progress: float) -> float:
    """Latent level of a drifting behaviour, ``progress`` running 0 → 1 over the run."""
    return DRIFT_FROM + (DRIFT_TO - DRIFT_FROM) * min(1.0, max(0.0, progress))


def behaviour_level(behaviour_id: str, progress: float) -> float:
    """Where the partnership stands on a behaviour at a point of the run."""
    if behaviour_id in DRIFTING:
        return drift_level(progress)
    return STEADY_LEVELS[behaviour_id]


def choose_point(
    person: Person, behaviour_id: str, progress: float, rng: random.Random
) -> int | None:
    """The button a person clicks for one question; None is "didn't come up"."""
    if rng.random() < DIDNT_COME_UP:
        return None
    latent = behaviour_level(behaviour_id, progress) + person.tendency
    latent += culture_lean(person.partner, progress)
    latent += rng.gauss(0.0, ANSWER_NOISE)
    return 1 + sum(1 for cut in CUTS if latent > cut)


@dataclass(frozen=True)
class WeekPlan:
    """Who answers straight away, and who only after the reminder."""

    on_time: tuple[Person, ...]
    late: tuple[Person, ...]


def plan_week(team: Sequence[Person], rng: random.Random) -> WeekPlan:
    """Most answer before the reminder; one or two of the rest answer after it."""
    on_time = tuple(p for p in team if rng.random() < p.keenness)
    waiting = [p for p in team if p not in on_time]
    late_count = min(len(waiting), rng.choice((1, 2)))
    late = tuple(sorted(rng.sample(waiting, late_count), key=team.index))
    return WeekPlan(on_time=on_time, late=late)
