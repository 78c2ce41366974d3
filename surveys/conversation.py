"""One thing to talk about this week, drawn from the briefing's lists of actions.

Each behaviour is paired with the briefing action that most directly builds it, turned into
an open question a team can discuss without anyone being singled out.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Conversation:
    """A discussion prompt and the briefing action it comes from."""

    question: str
    action: str


_BY_BEHAVIOUR: dict[str, Conversation] = {
    "talk-of-us": Conversation(
        'Where did we last say "they" about a partner, and what would "we" have sounded like?',
        "accept collective responsibility within the partnership",
    ),
    "ask-and-listen": Conversation(
        "Whose perspective did we not hear this week, and how could we ask for it next time?",
        "seek to understand the organisational cultures of partners",
    ),
    "plan-the-future": Conversation(
        "What is one decision coming up that we could spend our next meeting planning for?",
        "allow adequate time for strategic thinking by partners",
    ),
    "accept-responsibility-and-act": Conversation(
        "What is one thing that slipped recently that we can own together and act on?",
        "accept collective responsibility within the partnership",
    ),
    "be-willing-to-be-held-to-account": Conversation(
        "Which commitment made to partners would we most like to be held to this month?",
        "be prepared to be held accountable for delivering on organisational commitments made",
    ),
    "report-honestly": Conversation(
        "What is one figure or story we could report more plainly, including what isn't working?",
        "ensure that performance data is well-presented, in forms which aid interpretation "
        "and debate",
    ),
    "challenge-each-other-constructively": Conversation(
        "What is one important thing we let pass, and how could we raise it kindly next time?",
        "promote mutual challenge",
    ),
    "seek-robust-evidence-to-inform-decisions": Conversation(
        "For the next decision we take together, what evidence would we want to see first?",
        "value good evidence in decision-making",
    ),
    (
        "seek-shared-understanding-of-the-logic-theories-behind-partnership-interventions"
    ): Conversation(
        "Can we sketch, together, how one of our interventions is meant to lead to better "
        "outcomes?",
        "encourage shared understanding of partnership vision and goals, including the "
        "'golden thread'",
    ),
    (
        "question-assumptions-in-the-light-of-feedback-on-what-s-working-and-not-working-"
        "on-the-ground"
    ): Conversation(
        "What have we heard from the ground lately that should make us rethink an assumption?",
        "support innovation and risk-taking - and ensure that there is evaluation",
    ),
    "use-common-language-in-defining-and-measuring-performance": Conversation(
        "Is there a term we use that means something different to each partner? Let's agree it.",
        "promote agreements between partners where there are particular needs to formalise "
        "joint working",
    ),
    "view-performance-management-as-part-of-the-day-job": Conversation(
        "Which part of how we track performance feels like a chore, and could we streamline it?",
        "take every opportunity to streamline systems",
    ),
    "be-positive-about-change": Conversation(
        "What recent change has worked out well, and who should we thank for it?",
        "keep the approach positive - give recognition to successful progress",
    ),
}


def conversation_for(behaviour_id: str) -> Conversation:
    """The discussion prompt for a behaviour."""
    return _BY_BEHAVIOUR[behaviour_id]
