"""The digest told as the briefing's story, in plain and positive words.

Where are we now? Where did we start from? Where are we going? How will we know if we've
reached there? What do we need to do to get there?
"""

from __future__ import annotations

from dataclasses import dataclass

from surveys.conversation import Conversation, conversation_for
from surveys.digest import BehaviourFigure, Digest
from surveys.trend import Trend, index_trend

NOT_ENOUGH = "Not enough answers yet to show a figure without risking anyone's anonymity."


@dataclass(frozen=True)
class StoryPart:
    """One question of the story and its answer."""

    heading: str
    text: str


@dataclass(frozen=True)
class Story:
    """The five parts in the briefing's order, plus the behaviour the conversation is about."""

    parts: tuple[StoryPart, ...]
    trend: Trend
    conversation: Conversation | None
    focus: BehaviourFigure | None


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


def _this_week(digest: Digest) -> str:
    """This week's answers, pooled: what the index says, named for what it is."""
    index = digest.index
    if index.suppressed or index.score is None:
        return NOT_ENOUGH
    asked = len(digest.asked)
    behaviours = "behaviour" if asked == 1 else "behaviours"
    return (
        f"This week's answers on its {asked} {behaviours} average {index.score:+.2f} "
        f"(from {index.n} people)."
    )


def _now(digest: Digest) -> str:
    overall = digest.overall
    if overall is None or overall.score is None:
        covered = overall.covered if overall else 0
        waiting = (
            f"Our overall figure appears once each of the 13 behaviours has a reading "
            f"({covered} of 13 so far)."
        )
        return f"{waiting} {_this_week(digest)}"
    return (
        f"Overall we are at {overall.score:+.2f}, {describe_score(overall.score)}. "
        f"{OVERALL_DEFINITION} {_this_week(digest)}"
    )


def _start(digest: Digest) -> str:
    overall = digest.overall
    if overall is None or overall.baseline is None:
        return "We'll know once every behaviour has a reading: that becomes our starting point."
    if overall.baseline_week == digest.week:
        return "This is our first overall figure: it becomes our starting point."
    return f"Our first overall figure was {overall.baseline:+.2f}, in {overall.baseline_week}."


def _overall_movement(digest: Digest) -> str | None:
    """Name a real move of the overall figure since its previous value."""
    overall = digest.overall
    if overall is None or overall.shift not in _NAMED:
        return None
    return (
        f"Since last week our overall figure moved {_DIRECTION[overall.shift]} "
        "on the behaviours measured again."
    )


def _behaviour_move(item: BehaviourFigure) -> str:
    return f"{_quoted(item)} moved {_DIRECTION[item.figure.shift]}"


def _going(digest: Digest, trend: Trend) -> str:
    moved = [b for b in digest.asked if b.figure.shift in _NAMED]
    named = "; ".join(_behaviour_move(b) for b in moved)
    movement = _overall_movement(digest)
    lead = f"{movement} {trend.wording}" if movement else trend.wording
    return f"{lead} {named}." if named else lead


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
    """The biggest real mover if there is one, else the weakest shown behaviour, else any asked."""
    shown = [b for b in digest.asked if not b.figure.suppressed and b.figure.score is not None]
    movers = [b for b in shown if b.figure.shift in _NAMED and b.figure.change is not None]
    if movers:
        return max(movers, key=lambda b: abs(b.figure.change or 0.0))
    if shown:
        return min(shown, key=lambda b: b.figure.score or 0.0)
    return digest.asked[0] if digest.asked else None


def _trend(digest: Digest) -> Trend:
    """The overall figure's trend; a digest built without one has "too early to tell"."""
    if digest.overall is not None:
        return digest.overall.trend
    return index_trend([], min_people=digest.threshold)


def tell_story(digest: Digest, *, target: float | None = None) -> Story:
    """The five parts of the briefing's story for one digest."""
    trend = _trend(digest)
    focus = focus_behaviour(digest)
    conversation = conversation_for(focus.behaviour.id) if focus else None
    todo = (
        f"Talk about {_quoted(focus)}: {conversation.question}"
        if focus and conversation
        else "Keep answering: the picture sharpens each week."
    )
    parts = (
        StoryPart("Where are we now", _now(digest)),
        StoryPart("Where did we start from", _start(digest)),
        StoryPart("Where are we going", _going(digest, trend)),
        StoryPart("How will we know", _target(digest, target)),
        StoryPart("What do we need to do", todo),
    )
    return Story(parts=parts, trend=trend, conversation=conversation, focus=focus)
