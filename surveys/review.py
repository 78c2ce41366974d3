"""The partnership-effectiveness review: the briefing's ten "How effective is the partnership
in …" questions, each answered on four described levels, and what its results may show.

The levels follow Audit Scotland's basic / better / advanced matrix, with a level below it
for a practice the partnership does not have at all: "not in place", "basic", "better",
"embedded". Each question words its levels in the briefing's own vocabulary, so that a
member picks a description of what they see rather than a number.

The results are never summed into one score. The tools the review is modelled on (the
Partnership Assessment Tool, VicHealth's partnerships analysis tool, Audit Scotland's
toolkit) agree that the spread between partners is the finding: each question shows its own
distribution, and the questions whose answers spread most are pointed out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from surveys.anonymity import UNANIMOUS_MIN_PEOPLE

LEVEL_NAMES = ("Not in place", "Basic", "Better", "Embedded")
LEVELS = len(LEVEL_NAMES)
DONT_KNOW = "Don't know"
REVIEW_DAYS = 7
SPREAD_WORTH_NAMING = 0.5
"""Leik's ordinal dispersion at or above which a question's answers are said to spread:
half-way between everyone agreeing (0) and the team split between the two ends (1)."""
MOST_SPREAD_SHOWN = 3


@dataclass(frozen=True)
class ReviewQuestion:
    """One of the briefing's review questions, with its four levels described, lowest first."""

    id: str
    text: str
    levels: tuple[str, str, str, str]

    def described(self) -> tuple[str, ...]:
        """Each level's name and its words, as a reader sees them."""
        return tuple(f"{n}: {d}" for n, d in zip(LEVEL_NAMES, self.levels, strict=True))


QUESTIONS: tuple[ReviewQuestion, ...] = (
    ReviewQuestion(
        "understanding-the-delivery-process",
        "understanding the delivery process from analysis to option appraisal to plausible "
        "interventions to improved outcomes?",
        (
            "each partner works from its own view of how its services lead to outcomes",
            "the steps from analysis to outcomes are described, but not shared by all partners",
            "partners share the logic from analysis through options to interventions",
            "the golden thread from analysis to improved outcomes is shared and tested",
        ),
    ),
    ReviewQuestion(
        "collating-and-analysing-data",
        "collating and analysing data?",
        (
            "each partner keeps its own data; little is brought together",
            "some data is collated, mostly each partner's own figures, with little analysis",
            "shared data is collated regularly and analysed to inform decisions",
            "good quality shared data is routinely analysed together and drives decisions",
        ),
    ),
    ReviewQuestion(
        "accessing-and-using-the-evidence-base",
        "accessing and using the evidence base (‘what works’)?",
        (
            "evidence is sought after the decision has been taken, if at all",
            "evidence of what works is looked at now and then, for some decisions",
            "robust evidence informs most decisions before they are taken",
            "seeking robust evidence before deciding is how the partnership works",
        ),
    ),
    ReviewQuestion(
        "preparing-smart-plans",
        "preparing concise, SMART plans setting out how a partnership is to get from where it "
        "is to where it wants to be?",
        (
            "there is no joint plan, or only each partner's own",
            "a joint plan exists, but its objectives are vague or untimed",
            "concise plans set clear, measurable objectives from where we are to where we go",
            "SMART plans are the norm, linked from community goals down to projects",
        ),
    ),
    ReviewQuestion(
        "challenging-and-testing-plans",
        "challenging and testing these plans?",
        (
            "plans are accepted as written; important things are let pass",
            "plans are questioned now and then, by a few",
            "partners challenge each other's plans constructively before they are agreed",
            "mutual challenge and testing of plans is expected and welcomed",
        ),
    ),
    ReviewQuestion(
        "learning-from-other-areas",
        "learning from other areas and drawing on external support and advice?",
        (
            "we stick to our own ways; outside advice is rarely sought",
            "we look at other areas or take advice now and then",
            "we learn from other areas and use peer review or an external adviser",
            "learning from elsewhere and outside challenge are built into how we improve",
        ),
    ),
    ReviewQuestion(
        "project-managing-delivery",
        "putting in place the means for project managing the delivery of these plans?",
        (
            "nobody manages delivery of the plan as a whole",
            "some projects are managed, each in its own partner's way",
            "delivery is project managed jointly, with named owners and milestones",
            "joint project management is proportionate, streamlined and part of the day job",
        ),
    ),
    ReviewQuestion(
        "management-information-to-track-delivery",
        "ensuring there is management information available to track delivery?",
        (
            "there is no shared information on how delivery is going",
            "some information is available, late or in different terms",
            "timely management information in common terms tracks delivery",
            "well-presented information tracks delivery and aids interpretation and debate",
        ),
    ),
    ReviewQuestion(
        "monitoring-and-reporting-progress",
        "monitoring and reporting on progress?",
        (
            "progress is not reported, or the cracks are papered over",
            "progress is reported, but seen as a chore and not always honestly",
            "progress is monitored and reported honestly and regularly",
            "honest reporting of progress is part of the day job and acted upon",
        ),
    ),
    ReviewQuestion(
        "changing-what-isnt-working",
        "changing what isn't working?",
        (
            "what isn't working carries on; assumptions are taken for granted",
            "problems are noticed, but change is slow or blame is parcelled out",
            "assumptions are questioned in the light of feedback, and action is taken",
            "the partnership is positive about change and acts on what isn't working",
        ),
    ),
)
QUESTION_IDS = tuple(q.id for q in QUESTIONS)
_BY_ID = {q.id: q for q in QUESTIONS}


def question(question_id: str) -> ReviewQuestion | None:
    """A review question by its id, or None for an id the bot never made."""
    return _BY_ID.get(question_id)


class BadQuarter(ValueError):
    """A quarter not written YYYY-Qn."""


_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def quarter_of(moment: datetime) -> str:
    """The calendar quarter a moment falls in, as "2026-Q4"."""
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def parse_quarter(text: str) -> str:
    """A quarter written YYYY-Qn, checked."""
    match = _QUARTER.fullmatch(text.strip().upper())
    if match is None:
        raise BadQuarter(f"{text[:20]!r} is not a quarter: write it YYYY-Qn, e.g. 2026-Q4.")
    return f"{match.group(1)}-Q{match.group(2)}"


def shown(counts: Sequence[int], threshold: int) -> bool:
    """The pulse's publishing rule for one distribution: enough people, and no unanimity a
    handful of people could read each other's answers from."""
    n = sum(counts)
    if n < threshold:
        return False
    unanimous = max(counts, default=0) == n
    return n >= max(UNANIMOUS_MIN_PEOPLE, threshold) or not unanimous


def spread(counts: Sequence[int]) -> float:
    """Leik's ordinal dispersion: 0 when everyone chose one level, 1 when the team is split
    between the lowest and the highest; a distribution's disagreement in one number."""
    n = sum(counts)
    if n == 0:
        return 0.0
    total, running = 0.0, 0
    for count in counts[:-1]:
        running += count
        share = running / n
        total += share if share <= 0.5 else 1 - share
    return round(2 * total / (len(counts) - 1), 3)


@dataclass(frozen=True)
class OrganisationCounts:
    """One organisation's answers to one question (or "Other partners"'): counts per level,
    lowest first, or None when withheld (surveys.review_organisations says when)."""

    name: str
    n: int | None
    counts: tuple[int, ...] | None
    previous_counts: tuple[int, ...] | None = None

    @property
    def suppressed(self) -> bool:
        """Whether the counts are withheld."""
        return self.counts is None


@dataclass(frozen=True)
class OrganisationGap:
    """The two shown organisations whose answers to a question differ most: ``gap`` is the
    chance that one's answer is higher than the other's less the chance it is lower (Cliff's
    delta), ``higher`` the one whose answers sit higher."""

    higher: str
    lower: str
    gap: float
    beyond_chance: bool


@dataclass(frozen=True)
class QuestionResult:
    """One question's results: counts per level, lowest first, or None when withheld."""

    question: ReviewQuestion
    n: int
    counts: tuple[int, ...] | None
    previous_counts: tuple[int, ...] | None
    spread: float | None
    organisations: tuple[OrganisationCounts, ...] = ()
    differ: OrganisationGap | None = None

    @property
    def suppressed(self) -> bool:
        """Whether the counts are withheld."""
        return self.counts is None


@dataclass(frozen=True)
class PeerQuestion:
    """The peer reviewers' levels on one question: how many chose each, lowest first."""

    question: ReviewQuestion
    n: int
    counts: tuple[int, ...]


@dataclass(frozen=True)
class PeerView:
    """What the peer reviewers from outside the partnership said, shown as their own view.

    Never withheld by the threshold and never added to the partners' counts: a peer is told
    before answering that their answers are shown as the peer reviewer's view, not pooled
    or anonymous among the partners'. The partners' figures are the same whether or not a
    peer took part, so nothing about any partner can be read from the difference.
    """

    invited: int
    responded: int
    questions: tuple[PeerQuestion, ...]


def peer_view(
    *, invited: int, responded: int, answers: Mapping[str, Sequence[int | None]]
) -> PeerView | None:
    """The peers' view, or None when no peer was invited."""
    if invited == 0:
        return None
    questions = []
    for item in QUESTIONS:
        counts = count_levels(answers.get(item.id, ()))
        questions.append(PeerQuestion(question=item, n=sum(counts), counts=counts))
    return PeerView(invited=invited, responded=responded, questions=tuple(questions))


@dataclass(frozen=True)
class ReviewResults:
    """A review's results as the team may see them."""

    team: str
    quarter: str
    invited: int
    responded: int
    closed: bool
    questions: tuple[QuestionResult, ...]
    previous_quarter: str | None = None
    peer: PeerView | None = None

    def differ_most(self) -> tuple[QuestionResult, ...]:
        """The questions on which shown organisations' answers differ most, beyond chance
        and by a large gap, widest first (surveys.review_organisations)."""
        wide = [q for q in self.questions if q.differ is not None and q.differ.beyond_chance]
        wide.sort(
            key=lambda q: (-(q.differ.gap if q.differ else 0.0), QUESTION_IDS.index(q.question.id))
        )
        return tuple(wide[:MOST_SPREAD_SHOWN])

    def spread_most(self) -> tuple[QuestionResult, ...]:
        """The shown questions whose answers spread most, widest first."""
        wide = [q for q in self.questions if (q.spread or 0.0) >= SPREAD_WORTH_NAMING]
        wide.sort(key=lambda q: (-(q.spread or 0.0), QUESTION_IDS.index(q.question.id)))
        return tuple(wide[:MOST_SPREAD_SHOWN])


def count_levels(levels: Sequence[int | None]) -> tuple[int, ...]:
    """Counts per level, lowest first; "don't know" (None) is not counted."""
    return tuple(sum(1 for v in levels if v == level) for level in range(1, LEVELS + 1))


def summarise(
    *,
    team: str,
    quarter: str,
    invited: int,
    answers: Mapping[str, Sequence[int | None]],
    respondents: int,
    threshold: int,
    closed: bool,
    previous: Mapping[str, Sequence[int | None]] | None = None,
    previous_threshold: int | None = None,
    previous_quarter: str | None = None,
    peer: PeerView | None = None,
) -> ReviewResults:
    """Each question's distribution, withheld by the pulse's rule, beside the previous
    review's (itself withheld by the rule it was promised under)."""
    results = []
    for item in QUESTIONS:
        counts = count_levels(answers.get(item.id, ()))
        visible = shown(counts, threshold)
        before: tuple[int, ...] | None = None
        if previous is not None:
            earlier = count_levels(previous.get(item.id, ()))
            if shown(earlier, max(threshold, previous_threshold or threshold)):
                before = earlier
        results.append(
            QuestionResult(
                question=item,
                n=sum(counts),
                counts=counts if visible else None,
                previous_counts=before,
                spread=spread(counts) if visible else None,
            )
        )
    return ReviewResults(
        team=team,
        quarter=quarter,
        invited=invited,
        responded=respondents,
        closed=closed,
        questions=tuple(results),
        previous_quarter=previous_quarter,
        peer=peer,
    )
