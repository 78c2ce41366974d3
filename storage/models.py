"""The database schema as typed SQLAlchemy 2.0 models; every datetime is stored in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: pass an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


OPEN = text("closed_at IS NULL")
OPEN_UNREMINDED = text("closed_at IS NULL AND reminded_at IS NULL")
DIGEST_OWED = text("closed_at IS NOT NULL AND digest_posted_at IS NULL")
REMINDER_DUE = text("reminder_state = 'due'")
NAMED = text("organisation IS NOT NULL")
REVIEWS_SCHEDULED = text("review_schedule_from IS NOT NULL")


def _partial(where: Any) -> dict[str, Any]:
    """An index over only the rows a query looks for, on SQLite as on PostgreSQL."""
    return {"sqlite_where": where, "postgresql_where": where}


class Base(DeclarativeBase):
    """Declarative base for every table of the bot."""


def _from_created_at(context: DefaultExecutionContext) -> datetime:
    """A team's schedule starts when it was made, unless told otherwise."""
    # SQLAlchemy leaves this method unannotated; the row's parameters are its own values.
    created: datetime = context.get_current_parameters()["created_at"]  # type: ignore[no-untyped-call]
    return created


class Team(Base):
    """A Slack channel whose members are surveyed together, with its schedule settings."""

    __tablename__ = "teams"
    __table_args__ = (
        UniqueConstraint("workspace_id", "channel_id"),
        Index("ix_teams_reviews_scheduled", "id", **_partial(REVIEWS_SCHEDULED)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    channel_name: Mapped[str | None] = mapped_column(String(80), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # The first scheduled round is the first pulse slot at or after this moment.
    schedule_from: Mapped[datetime] = mapped_column(UtcDateTime(), default=_from_created_at)
    questions_per_week: Mapped[int] = mapped_column(SmallInteger, default=3)
    anonymity_threshold: Mapped[int] = mapped_column(SmallInteger, default=5)
    pulse_weekday: Mapped[int] = mapped_column(SmallInteger, default=1)
    pulse_time: Mapped[str] = mapped_column(String(5), default="10:00")
    reminder_weekday: Mapped[int] = mapped_column(SmallInteger, default=3)
    reminder_time: Mapped[str] = mapped_column(String(5), default="10:00")
    close_weekday: Mapped[int] = mapped_column(SmallInteger, default=0)
    close_time: Mapped[str] = mapped_column(String(5), default="09:00")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    round_days: Mapped[int] = mapped_column(SmallInteger, default=6)
    target: Mapped[float | None] = mapped_column(Float, nullable=True)
    digest_channel_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The earliest moment a scheduled round could fall due; None: work it out at the next
    # tick. Storage sets it to None whenever what it depends on changes.
    next_pulse_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime(), nullable=True, index=True, default=None
    )
    # When a manager asked for the partnership review to start by itself each quarter;
    # None: it does not. Only quarters whose slot comes at or after it are started.
    review_schedule_from: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class Manager(Base):
    """Someone who may see a team's summaries and run its rounds."""

    __tablename__ = "managers"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))


class Member(Base):
    """A person in a team's channel; ``in_channel`` follows joins and leaves."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    in_channel: Mapped[bool] = mapped_column(Boolean, default=True)
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    deactivated: Mapped[bool] = mapped_column(Boolean, default=False)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The domain of their email (never the address): NULL not looked up yet, "" none.
    email_domain: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # The workspace Slack names as the member's home (users.info user.team_id): another
    # organisation's in a Slack Connect channel. None until Slack has said.
    home_team_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # When the team's managers were told the bot cannot reach this member (told once).
    unreachable_told_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class OptOut(Base):
    """Someone who has paused their prompts, in every team of the workspace."""

    __tablename__ = "opt_outs"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))


class Round(Base):
    """One week's pulse for a team: which behaviours it asks and when it closes."""

    __tablename__ = "rounds"
    __table_args__ = (
        UniqueConstraint("team_id", "week"),
        Index("ix_rounds_open_closes_at", "closes_at", **_partial(OPEN)),
        Index("ix_rounds_open_remind_at", "remind_at", **_partial(OPEN_UNREMINDED)),
        Index("ix_rounds_digest_owed", "id", **_partial(DIGEST_OWED)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(8))
    behaviour_ids: Mapped[list[str]] = mapped_column(JSON)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closes_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    invited: Mapped[int] = mapped_column(Integer, default=0)
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    digest_posted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # When its one reminder falls due (its close, when it owes none); None: work it out.
    remind_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class Prompt(Base):
    """The outbox row for one member's DM in a round: recorded before it is sent."""

    __tablename__ = "prompts"
    __table_args__ = (
        UniqueConstraint("round_id", "user_id"),
        Index("ix_prompts_state_due", "state", "due_at", "id"),
        Index("ix_prompts_round_state_due", "round_id", "state", "due_at", "id"),
        Index("ix_prompts_reminder_due", "round_id", **_partial(REMINDER_DUE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    channel_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    claim_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # A reminder: "due" once the round's pass is taken, "sent" once its nudge is taken to go.
    reminder_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # How it reached its member: "dm", "ephemeral" (in the team channel, where Slack would
    # not let the bot DM them) or "unreachable"; None for prompts from before it was kept.
    route: Mapped[str | None] = mapped_column(String(16), nullable=True)


class PendingAnswer(Base):
    """An answer while its round is open: still linked to its prompt so it can be replaced."""

    __tablename__ = "pending_answers"
    __table_args__ = (UniqueConstraint("prompt_id", "behaviour_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prompt_id: Mapped[int] = mapped_column(ForeignKey("prompts.id", ondelete="CASCADE"))
    behaviour_id: Mapped[str] = mapped_column(String(120))
    point: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)


class Answer(Base):
    """A closed round's answer: ``respondent`` is a number drawn at close, linked to no one."""

    __tablename__ = "answers"
    __table_args__ = (
        Index("ix_answers_round_behaviour_point", "round_id", "behaviour_id", "point"),
        Index("ix_answers_round_respondent_point", "round_id", "respondent", "point"),
        # Rounds in which an organisation kept its name: few, and a digest asks of each of
        # its team's rounds whether it is one (storage.digest_queries.organisation_answers).
        Index("ix_answers_named_round", "round_id", **_partial(NAMED)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    respondent: Mapped[int] = mapped_column(Integer)
    behaviour_id: Mapped[str] = mapped_column(String(120))
    point: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    # Named only where the organisation had enough respondents that round (docs/METHOD.md).
    organisation: Mapped[str | None] = mapped_column(String(80), nullable=True)


def utc_now() -> datetime:
    """The current time in UTC; only edges call it, the core is passed the time."""
    return datetime.now(UTC)


class ArchivedFigure(Base):
    """A published figure kept after its round's raw answers were purged for retention."""

    __tablename__ = "archived_figures"
    __table_args__ = (UniqueConstraint("team_id", "week", "figure"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(8))
    figure: Mapped[str] = mapped_column(String(120))
    n: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)


class SeenRequest(Base):
    """A signed request already acted on, kept while Slack's signature on it could still be
    accepted, so that the same request sent again takes no effect a second time.

    The key is a digest (of the signature, or of an event's id), never the request itself.
    """

    __tablename__ = "seen_requests"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class ClosedRedraw(Base):
    """A DM to redraw or delete once its round has closed: the outbox that leaves every
    member of a round with the same message, whatever they chose or whether they were
    reminded. A reminder is recorded when it is sent ('waiting'); a round's prompts and
    reminders become 'due' when it closes, and each row goes once its message is done."""

    __tablename__ = "closed_redraws"
    __table_args__ = (Index("ix_closed_redraws_state_id", "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # prompt: redrawn; reminder: deleted
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="due")
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class AgreedActionRow(Base):
    """An action a team's managers agreed on one behaviour, with its owner and review week.

    Kept when done or dropped: the team's history of what it tried stays in the export.
    """

    __tablename__ = "agreed_actions"
    __table_args__ = (Index("ix_agreed_actions_team_status", "team_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    behaviour_id: Mapped[str] = mapped_column(String(120))
    suggestion: Mapped[str | None] = mapped_column(String(64), nullable=True)
    text: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    agreed_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    agreed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    agreed_week: Mapped[str] = mapped_column(String(8))
    baseline_week: Mapped[str | None] = mapped_column(String(8), nullable=True)
    review_week: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(8), default="open")
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    owner_told_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    review_asked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    owner_report: Mapped[str | None] = mapped_column(String(8), nullable=True)


class Withdrawal(Base):
    """Someone who asked to be forgotten while a round was open, so that it does not ask
    them again. ``mark`` is a keyed hash of the round and the person, whose key the
    database does not hold: it names nobody to a reader. Deleted when the round closes."""

    __tablename__ = "round_withdrawals"
    __table_args__ = (UniqueConstraint("round_id", "mark"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    mark: Mapped[str] = mapped_column(String(64))


class Review(Base):
    """A partnership-effectiveness review of a team: one a quarter, open for a week or until
    a manager closes it. ``threshold`` is the one its invitation promised."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("team_id", "quarter"),
        Index("ix_reviews_open_closes_at", "closes_at", **_partial(OPEN)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    quarter: Mapped[str] = mapped_column(String(7))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closes_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    threshold: Mapped[int] = mapped_column(SmallInteger)
    invited: Mapped[int] = mapped_column(Integer, default=0)
    responded: Mapped[int] = mapped_column(Integer, default=0)
    # Peer reviewers from outside the partnership, counted apart from the partners.
    peers_invited: Mapped[int] = mapped_column(Integer, default=0)
    peers_responded: Mapped[int] = mapped_column(Integer, default=0)


class ReviewPrompt(Base):
    """The outbox row of one member's review DM: recorded before it is sent, claimed by the
    sender (``state`` pending → sending → sent) so that nobody is asked twice."""

    __tablename__ = "review_prompts"
    __table_args__ = (
        UniqueConstraint("review_id", "user_id"),
        Index("ix_review_prompts_state", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    workspace_id: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    channel_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    redrawn_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    # A peer reviewer's DM: their answers are shown as the peer's view, apart from the
    # partners', and told so.
    peer: Mapped[bool] = mapped_column(Boolean, default=False)
    # How it reached its member, as `Prompt.route`: "dm", "ephemeral" or "unreachable".
    route: Mapped[str | None] = mapped_column(String(16), nullable=True)


class ReviewPendingAnswer(Base):
    """A review answer while the review is open, linked to its prompt so it can change;
    ``level`` None is "don't know"."""

    __tablename__ = "review_pending_answers"
    __table_args__ = (UniqueConstraint("prompt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prompt_id: Mapped[int] = mapped_column(ForeignKey("review_prompts.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(64))
    level: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)


class ReviewAnswer(Base):
    """A closed review's answer: ``respondent`` is a number drawn at close, linked to no one."""

    __tablename__ = "review_answers"
    __table_args__ = (Index("ix_review_answers_review_question", "review_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    respondent: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str] = mapped_column(String(64))
    level: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    peer: Mapped[bool] = mapped_column(Boolean, default=False)
    # Named only where the organisation had enough respondents in the review (docs/METHOD.md).
    organisation: Mapped[str | None] = mapped_column(String(80), nullable=True)


class WorkspaceName(Base):
    """A Slack workspace's name as `team.info` gave it: the name of a member's home
    organisation in a Slack Connect channel."""

    __tablename__ = "workspace_names"

    workspace_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    learned_at: Mapped[datetime] = mapped_column(UtcDateTime())


class InChannelView:
    """The columns the pulse's and the review's kept views share (`storage.in_channel_views`
    holds their rules)."""

    response_url: Mapped[str] = mapped_column(String(512))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    hide_at: Mapped[datetime] = mapped_column(UtcDateTime())
    uses: Mapped[int] = mapped_column(SmallInteger)
    shows_answer: Mapped[bool] = mapped_column(Boolean)


class EphemeralView(InChannelView, Base):
    """The latest `response_url` of an in-channel (ephemeral) prompt its member clicked.

    An ephemeral message can only be changed through a response_url, which Slack honours
    for 30 minutes and five uses; the bot hides the chosen points at ``hide_at`` (before
    it expires) or at close, whichever comes first, and deletes the row once nothing the
    member's client shows holds an answer."""

    __tablename__ = "ephemeral_views"
    __table_args__ = (Index("ix_ephemeral_views_hide_at", "shows_answer", "hide_at"),)

    prompt_id: Mapped[int] = mapped_column(
        ForeignKey("prompts.id", ondelete="CASCADE"), primary_key=True
    )
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))


class ReviewEphemeralView(InChannelView, Base):
    """The latest `response_url` of an in-channel review prompt its member clicked, kept
    until the answers it shows are hidden (as `EphemeralView` for the pulse)."""

    __tablename__ = "review_ephemeral_views"
    __table_args__ = (Index("ix_review_ephemeral_views_hide_at", "shows_answer", "hide_at"),)

    prompt_id: Mapped[int] = mapped_column(
        ForeignKey("review_prompts.id", ondelete="CASCADE"), primary_key=True
    )
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))


class OrganisationRow(Base):
    """A partner organisation a team's manager named in the settings, in the modal's order."""

    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("team_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(SmallInteger)


class OrganisationAssignment(Base):
    """A person (kind "user") or an email domain (kind "domain") assigned to an organisation."""

    __tablename__ = "organisation_assignments"
    __table_args__ = (UniqueConstraint("organisation_id", "kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(255))


class SendBudget(Base):
    """What is left of one workspace's Slack budget for one method tier, shared by every
    process that sends (PostgreSQL only; one SQLite process keeps its pacing in memory).

    Times are seconds on the database's clock, the one clock every sender agrees on."""

    __tablename__ = "send_budgets"

    workspace_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tier: Mapped[str] = mapped_column(String(16), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    refilled_epoch: Mapped[float] = mapped_column(Float)
    paused_until_epoch: Mapped[float] = mapped_column(Float, default=0.0)
