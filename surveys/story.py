"""The digest told as the briefing's story, in plain and positive words.

Where are we now? Where did we start from? Where are we going? How will we know if we've
reached there? What do we need to do to get there?
"""

from __future__ import annotations

from dataclasses import dataclass

from surveys.conversation import Conversation, conversation_for
from surveys.digest import BehaviourFigure, Digest
from surveys.trend import Trend, index_trend
from surveys.weeks import parse_week, week_words

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


def _now(digest: Digest) -> str:
    index = digest.index
    if index.suppressed or index.score is None:
        return NOT_ENOUGH
    return (
        f"Our index is {index.score:+.2f}, {describe_score(index.score)} (from {index.n} people)."
    )


def _start(digest: Digest) -> str:
    index = digest.index
    if index.baseline is None or index.suppressed:
        return "We'll know once this week's figure can be shown."
    first = digest.index_history[0].week if digest.index_history else digest.week
    if first == digest.week:
        return "This is our first measurement: it becomes our starting point."
    return f"We started at {index.baseline:+.2f} in the {week_words(first)}."


def _index_movement(digest: Digest) -> str | None:
    """Name a real move of the index, saying which comparison found it."""
    if digest.index.shift in _NAMED:
        return f"Since last time our index moved {_DIRECTION[digest.index.shift]}."
    if digest.index_recent_shift in _NAMED:
        return (
            f"Over the last two weeks our index has moved {_DIRECTION[digest.index_recent_shift]}"
            " compared with the weeks before."
        )
    return None


def _going(digest: Digest, trend: Trend) -> str:
    moved = [b for b in digest.asked if b.figure.shift in _NAMED]
    named = "; ".join(f"{_quoted(b)} moved {_DIRECTION[b.figure.shift]}" for b in moved)
    movement = _index_movement(digest)
    lead = f"{movement} {trend.wording}" if movement else trend.wording
    return f"{lead} {named}." if named else lead


def _quoted(item: BehaviourFigure) -> str:
    """A pole phrase in typographic quotes, so phrases that quote "us" still read cleanly."""
    return f"“{item.behaviour.favourable}”"


def _target(digest: Digest, target: float | None) -> str:
    if target is None:
        return "No target set yet: a manager can set one with /pulse target <score>."
    score = digest.index.score
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
    history = [(parse_week(w.week).ordinal, w.sample) for w in digest.index_history]
    return index_trend(history, min_people=digest.threshold)


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
