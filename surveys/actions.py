"""Agreed actions: the briefing's suggested actions per behaviour, the weeks an action can be
reviewed in, and what a digest says about each action.

The briefing ends its story with "how will we know if we've reached there? what do we need
to do to get there?"; an agreed action is the team's answer, and its review week is when
the pulse asks again and the digest says whether the behaviour moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from surveys.behaviours import BEHAVIOUR_IDS, is_behaviour
from surveys.statistics import Shift
from surveys.weeks import Week

ActionStatus = Literal["open", "done", "dropped"]
OwnerReport = Literal["done", "not_yet"]
STATUSES: tuple[ActionStatus, ...] = ("open", "done", "dropped")
MAX_TEXT = 300
REVIEW_AFTER_WEEKS = range(2, 9)
"""A review week is two to eight weeks after the action is agreed: soon enough to remember
why, late enough for a change to show."""


@dataclass(frozen=True)
class Suggestion:
    """One of the briefing's "what actions may be needed", with a label short enough for a
    menu (Slack cuts option text at 75 characters)."""

    key: str
    text: str
    label: str


_CATALOGUE: tuple[Suggestion, ...] = (
    Suggestion("set-clear-objectives", "set clear objectives", "Set clear objectives"),
    Suggestion(
        "value-good-evidence",
        "value good evidence in decision-making",
        "Value good evidence in decision-making",
    ),
    Suggestion(
        "invest-in-performance-systems",
        "invest in performance management systems that are fit for purpose and backed up by "
        "good quality data (including shared data)",
        "Invest in fit-for-purpose performance systems with good shared data",
    ),
    Suggestion(
        "shared-vision",
        "encourage shared understanding of partnership vision and goals, including the "
        "‘golden thread’, linking community-wide goals through to programme and project "
        "objectives and performance management",
        "Encourage a shared understanding of vision and goals (the golden thread)",
    ),
    Suggestion(
        "time-for-strategic-thinking",
        "allow adequate time for strategic thinking by partners to consider the implications "
        "of performance evidence",
        "Allow time for strategic thinking about performance evidence",
    ),
    Suggestion(
        "innovation-with-evaluation",
        "support innovation and risk-taking - and ensure that there is evaluation and that "
        "worthwhile practices are spread",
        "Support innovation and risk-taking, with evaluation",
    ),
    Suggestion(
        "model-positive-behaviours", "model positive behaviours", "Model positive behaviours"
    ),
    Suggestion("mutual-challenge", "promote mutual challenge", "Promote mutual challenge"),
    Suggestion(
        "supportive-leadership",
        "pursue supportive leadership practices within own organisation/ sector",
        "Pursue supportive leadership in our own organisations",
    ),
    Suggestion(
        "collective-responsibility",
        "accept collective responsibility within the partnership",
        "Accept collective responsibility within the partnership",
    ),
    Suggestion(
        "held-accountable",
        "be prepared to be held accountable for delivering on organisational commitments made",
        "Be prepared to be held accountable for commitments made",
    ),
    Suggestion(
        "act-on-underperformance",
        "take action where services/ projects/ staff are underperforming",
        "Take action where services, projects or staff underperform",
    ),
    Suggestion(
        "understand-partner-cultures",
        "seek to understand the organisational cultures of partners",
        "Seek to understand the organisational cultures of partners",
    ),
    Suggestion(
        "show-the-benefits",
        "help people see the benefits from their personal and organisational perspectives "
        "... and understand the why of performance management",
        "Help people see the benefits, and the why, of performance management",
    ),
    Suggestion(
        "recognise-progress",
        "keep the approach positive – give recognition to successful progress",
        "Keep it positive: recognise successful progress",
    ),
    Suggestion(
        "build-skills",
        "encourage partners to consider the skills and capacity needs that flow from what "
        "needs to be done to improve performance",
        "Consider the skills and capacity needed to improve, and build them",
    ),
    Suggestion(
        "peer-review",
        "consider peer review and/or the use of an external advisor as a sounding board",
        "Consider peer review or an external adviser as a sounding board",
    ),
    Suggestion(
        "formal-agreements",
        "promote agreements between partners where there are particular needs to formalise "
        "joint working (eg, in data sharing)",
        "Agree formally where joint working needs it (e.g. data sharing)",
    ),
    Suggestion(
        "streamline-systems",
        "take every opportunity to streamline systems – and avoid an approach that people "
        "see as a chore",
        "Streamline systems, so performance work isn't a chore",
    ),
    Suggestion(
        "quick-wins",
        "don't try to make the same progress everywhere at once – pursue quick wins",
        "Pursue quick wins where progress is likelier",
    ),
    Suggestion(
        "well-presented-data",
        "ensure that performance data is well-presented, in forms which aid interpretation "
        "and debate",
        "Present performance data so it aids interpretation and debate",
    ),
)
_BY_KEY = {s.key: s for s in _CATALOGUE}

_FOR_BEHAVIOUR: dict[str, tuple[str, ...]] = dict(
    zip(
        BEHAVIOUR_IDS,
        (
            ("collective-responsibility", "shared-vision", "model-positive-behaviours"),
            ("understand-partner-cultures", "mutual-challenge", "supportive-leadership"),
            ("time-for-strategic-thinking", "set-clear-objectives", "shared-vision"),
            ("collective-responsibility", "act-on-underperformance", "held-accountable"),
            ("held-accountable", "set-clear-objectives", "peer-review"),
            ("well-presented-data", "invest-in-performance-systems", "peer-review"),
            ("mutual-challenge", "model-positive-behaviours", "peer-review"),
            ("value-good-evidence", "invest-in-performance-systems", "time-for-strategic-thinking"),
            ("shared-vision", "understand-partner-cultures", "build-skills"),
            ("innovation-with-evaluation", "peer-review", "time-for-strategic-thinking"),
            ("formal-agreements", "invest-in-performance-systems", "well-presented-data"),
            ("streamline-systems", "show-the-benefits", "quick-wins"),
            ("recognise-progress", "quick-wins", "model-positive-behaviours"),
        ),
        strict=True,
    )
)


def every_suggestion() -> tuple[Suggestion, ...]:
    """The briefing's actions, in its order."""
    return _CATALOGUE


def suggestions_for(behaviour_id: str) -> tuple[Suggestion, ...]:
    """The briefing's actions that most directly build a behaviour, the closest first."""
    return tuple(_BY_KEY[key] for key in _FOR_BEHAVIOUR.get(behaviour_id, ()))


def suggestion(key: str) -> Suggestion | None:
    """A briefing action by its key, or None for a key the bot never made."""
    return _BY_KEY.get(key)


def review_weeks(agreed: Week) -> tuple[Week, ...]:
    """The weeks an action agreed in ``agreed`` may be reviewed in."""
    return tuple(agreed.shifted(n) for n in REVIEW_AFTER_WEEKS)


def with_reviewed(rotation: Sequence[str], reviewed: Sequence[str]) -> tuple[str, ...]:
    """The week's behaviours: the rotation's, then any behaviour an action is reviewed on
    this week that the rotation left out (each once, in the table's order)."""
    extra = sorted(
        {b for b in reviewed if is_behaviour(b) and b not in rotation},
        key=BEHAVIOUR_IDS.index,
    )
    return (*rotation, *extra)


@dataclass(frozen=True)
class AgreedAction:
    """An action as stored: what, on which behaviour, who owns it, and when it is reviewed.

    ``baseline_week`` is the team's latest closed week when the action was agreed: the
    figures the team was looking at, and the "then" its review is compared with.
    """

    id: int
    behaviour_id: str
    text: str
    owner: str | None
    agreed_week: str
    review_week: str
    status: ActionStatus
    baseline_week: str | None = None
    owner_report: OwnerReport | None = None


@dataclass(frozen=True)
class Since:
    """How the behaviour moved since the action was agreed: published figures only."""

    then: float | None
    now: float | None
    shift: Shift
    then_week: str | None = None
    now_week: str | None = None


@dataclass(frozen=True)
class ActionReport:
    """An action as a digest reports it."""

    action: AgreedAction
    since: Since | None


def listed_in(action: AgreedAction, week: str) -> bool:
    """Whether a week's digest lists the action: agreed by then, and open or reviewed that
    week (a closed action's history stays in the export)."""
    return action.agreed_week <= week and (action.status == "open" or action.review_week == week)
