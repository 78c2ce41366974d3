"""The short lead each question opens with, so three questions read as three questions.

Each lead names the moment in the past week the behaviour shows in, without leaning
towards either pole; the poles themselves follow it, worded as the briefing words them.
"""

from __future__ import annotations

from surveys.behaviours import BEHAVIOUR_IDS

_LEADS: dict[str, str] = {
    "talk-of-us": "How did we speak about each other?",
    "ask-and-listen": "When views were needed, how did we get them?",
    "plan-the-future": "Where did our time together go?",
    "accept-responsibility-and-act": "When something went wrong, what happened next?",
    "be-willing-to-be-held-to-account": "When a commitment fell due, who owned it?",
    "report-honestly": "How did we report how things are going?",
    "challenge-each-other-constructively": "When something important came up, did we raise it?",
    "seek-robust-evidence-to-inform-decisions": "How did evidence and decisions meet?",
    (
        "seek-shared-understanding-of-the-logic-theories-behind-partnership-interventions"
    ): "How did we make sense of what our work is meant to achieve?",
    (
        "question-assumptions-in-the-light-of-feedback-on-what-s-working-and-not-working-"
        "on-the-ground"
    ): "When we heard from the ground, what did we do with it?",
    "use-common-language-in-defining-and-measuring-performance": (
        "How did we talk about performance with each other?"
    ),
    "view-performance-management-as-part-of-the-day-job": (
        "How did keeping track of performance feel?"
    ),
    "be-positive-about-change": "How did we meet change?",
}
assert tuple(_LEADS) == BEHAVIOUR_IDS, "one lead per behaviour, in the table's order"


def question_lead(behaviour_id: str) -> str:
    """The question's own short opening line."""
    return _LEADS[behaviour_id]
