"""The digest told as the briefing's story, in plain and positive words.

Where are we now? Where did we start from? Where are we going? How will we know if we've
reached there? What do we need to do to get there?
"""

from __future__ import annotations

from dataclasses import dataclass

from surveys.conversation import Conversation, conversation_for
from surveys.digest import BehaviourFigure, Digest
from surveys.partner_words import PARTNERS_HEADING, partners_in_words
from surveys.trend import Trend, index_trend
from surveys.weeks import week_words

NOT_ENOUGH = "Not enough answers this week to show without risking anyone's anonymity."
NOT_ENOUGH_YET = "Not enough answers yet to show a figure without risking anyone's anonymity."
"""While a round is still open (a preview), more answers may yet come; once it has closed,
none will."""


@dataclass(frozen=True)
class StoryPart:
    """One question of the story and its answer."""

    heading: str
    text: str


@dataclass(frozen=True)
class Story:
    """The five parts in the briefing's order (with how the partner organisations see it
    after "where are we going", when there are organisations to compare), plus the behaviour
    the conversation is about."""

    parts: tuple[StoryPart, ...]
    trend: Trend
    conversation: Conversation | None
    focus: BehaviourFigure | None
    focus_reason: str = ""


def describe_score(score: float) -> str:
    """Say where a −1..+1 score sits between the poles, without a league-table tone."""
    if score >= 0.5:
        return 'firmly on the "us" side'
    if score >= 0.15:
        return 'leaning towards "us"'
    if score > -0.15:
        return 'balanced between "them" and "us"'
    if score > -0.5:
        return 'leaning towards "them"'
    return 'on the "them" side for now'


OVERALL_DEFINITION = (
    "Our overall figure is the average of all 13 behaviours, each at its latest reading, "
    "so it compares like with like whichever behaviours a week asked."
)


def _this_week(digest: Digest, *, preview: bool = False) -> str:
    """This week's answers, pooled: what the index says, named for what it is."""
    index = digest.index
    if index.suppressed or index.score is None:
        return NOT_ENOUGH_YET if preview else NOT_ENOUGH
    asked = len(digest.asked)
    behaviours = "behaviour" if asked == 1 else "behaviours"
    return (
        f"This week's answers on its {asked} {behaviours} average {index.score:+.2f} "
        f"(from {index.n} people)."
    )


def _now(digest: Digest, *, preview: bool = False) -> str:
    overall = digest.overall
    if overall is None or overall.score is None:
        covered = overall.covered if overall else 0
        waiting = (
            f"Our overall figure appears once each of the 13 behaviours has a reading "
            f"({covered} of 13 so far)."
        )
        return f"{waiting} {_this_week(digest, preview=preview)}"
    return (
        f"Overall we are at {overall.score:+.2f}, {describe_score(overall.score)}. "
        f"{OVERALL_DEFINITION} {_this_week(digest, preview=preview)}"
    )


def _start(digest: Digest) -> str:
    overall = digest.overall
    if overall is None or overall.baseline is None:
        return "We'll know once every behaviour has a reading: that becomes our starting point."
    if overall.baseline_week == digest.week or overall.baseline_week is None:
        return "This is our first overall figure: it becomes our starting point."
    return (
        f"Our first overall figure was {overall.baseline:+.2f}, "
        f"in the {week_words(overall.baseline_week)}."
    )


def _overall_movement(digest: Digest) -> str | None:
    """Name a real move of the overall figure, one that has lasted two weeks."""
    overall = digest.overall
    if overall is None or overall.shift not in _NAMED:
        return None
    return (
        f"Over the last two weeks our overall figure has moved {_DIRECTION[overall.shift]} "
        "on the behaviours measured again."
    )


def _going(digest: Digest, trend: Trend) -> str:
    """The overall figure's move, the longer run, then the behaviours that moved, improvers
    first and celebrated. A week's real move and a longer run too unclear to call are said
    together without one contradicting the other."""
    moved = sorted(
        (b for b in digest.asked if b.figure.shift in _NAMED),
        key=lambda b: b.figure.shift != "towards_favourable",
    )
    named = "; ".join(_moved_words(b) for b in moved)
    movement = _overall_movement(digest)
    longer = _longer_run(trend, anything_moved=bool(movement or moved))
    lead = f"{movement} {longer}" if movement else longer
    return f"{lead} {named}." if named else lead


def _moved_words(item: BehaviourFigure) -> str:
    words = f"{_quoted(item)} moved {_DIRECTION[item.figure.shift]}"
    return f"{words}, worth celebrating" if item.figure.shift == "towards_favourable" else words


def _longer_run(trend: Trend, *, anything_moved: bool) -> str:
    """The trend's words; when this week did move but the run of weeks cannot yet say
    where it is heading, they say that, rather than "no clear direction" beside a move."""
    if trend.direction != "unclear" or not anything_moved:
        return trend.wording
    if trend.slope_per_week is None:
        return "It's too early to tell whether that will last."
    return (
        f"One week's move is not yet a trend: over the last {trend.weeks} weeks the ups and "
        "downs are within what small groups produce by chance."
    )


def _quoted(item: BehaviourFigure) -> str:
    """A pole phrase in typographic quotes, so phrases that quote "us" still read cleanly."""
    return f"“{item.behaviour.favourable}”"


def _target(digest: Digest, target: float | None) -> str:
    if target is None:
        return "No target set yet: a manager can set one with /pulse target <score>."
    score = digest.overall.score if digest.overall else None
    if score is None:
        return f"Our target is {target:+.2f}; we'll compare once there are enough answers."
    if score >= target:
        return f"Our target is {target:+.2f} and we're there: worth recognising."
    return f"Our target is {target:+.2f}; we're {target - score:.2f} away."


_NAMED = {"towards_favourable", "towards_unfavourable"}
_DIRECTION = {"towards_favourable": 'towards "us"', "towards_unfavourable": 'towards "them"'}


def focus_behaviour(digest: Digest) -> BehaviourFigure | None:
    """What to work on: the behaviour that slipped most if one really slipped, else the
    weakest shown, else any asked. An improver is celebrated under "where are we going"
    rather than chosen here: effort goes where the team is weakest or slipping."""
    return _focus(digest)[0]


def _focus(digest: Digest) -> tuple[BehaviourFigure | None, str]:
    """The behaviour to talk about and, in words, why it was chosen."""
    shown = [b for b in digest.asked if not b.figure.suppressed and b.figure.score is not None]
    slipped = [b for b in shown if b.figure.shift == "towards_unfavourable"]
    if slipped:
        item = min(slipped, key=lambda b: b.figure.change or 0.0)
        return item, f"it slipped towards “{item.behaviour.unfavourable}” since last time"
    if shown:
        item = min(shown, key=lambda b: b.figure.score or 0.0)
        if len(shown) == 1:
            return item, "it is the one behaviour this week's answers can show"
        if (item.figure.score or 0.0) < 0.15:
            return item, "it is where this week's answers sit furthest from “us”"
        return item, "it has the most room to grow of this week's behaviours"
    if digest.asked:
        return digest.asked[0], "it was asked this week, and talking is how to hear about it"
    return None, ""


def _trend(digest: Digest) -> Trend:
    """The overall figure's trend; a digest built without one has "too early to tell"."""
    if digest.overall is not None:
        return digest.overall.trend
    return index_trend([], min_people=digest.threshold)


def tell_story(digest: Digest, *, target: float | None = None, preview: bool = False) -> Story:
    """The five parts of the briefing's story for one digest; ``preview`` for a round that
    is still open."""
    trend = _trend(digest)
    focus, reason = _focus(digest)
    conversation = conversation_for(focus.behaviour.id) if focus else None
    todo = (
        f"Talk about {_quoted(focus)}, because {reason}: {conversation.question} "
        f"(From the briefing's actions: “{conversation.action}”.)"
        if focus and conversation
        else "Keep answering: the picture sharpens each week."
    )
    partners = partners_in_words(digest.organisations, digest.convergence)
    parts = (
        StoryPart("Where are we now", _now(digest, preview=preview)),
        StoryPart("Where did we start from", _start(digest)),
        StoryPart("Where are we going", _going(digest, trend)),
        *([StoryPart(PARTNERS_HEADING, partners)] if partners else []),
        StoryPart("How will we know", _target(digest, target)),
        StoryPart("What do we need to do", todo),
    )
    return Story(
        parts=parts, trend=trend, conversation=conversation, focus=focus, focus_reason=reason
    )
