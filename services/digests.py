"""Digests and summaries: stored answers in, the survey domain's figures out."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from services import digest_moments
from services.errors import TeamNotFound
from services.lookup import team_of_channel
from services.rounds import RoundInfo, round_info
from storage import actions as action_store
from storage import answers as answer_store
from storage import closing as closing_store
from storage import digest_queries as digest_store
from storage import rounds as round_store
from storage.database import Database
from storage.digest_queries import DigestTeam, OrganisationAnswer
from storage.read_ahead import paused_read, read_ahead
from surveys.action_since import report_actions
from surveys.actions import AgreedAction
from surveys.digest import (
    AnswerRow,
    ArchivedFigure,
    Digest,
    RoundFacts,
    TeamAnswers,
    compute_digest,
)
from surveys.organisation_figures import Person, WeekGroups
from surveys.organisations import OTHER_PARTNERS
from surveys.partnership import partnership_view
from surveys.summary import Summary, compute_summary


@dataclass(frozen=True)
class DigestBundle:
    """A digest with the team facts needed to present it."""

    digest: Digest
    channel_id: str
    target: float | None
    workspace_id: str = ""
    channel_name: str | None = None

    @property
    def team_name(self) -> str:
        """The team as its members know it ("#community-safety"), or its channel id until
        Slack has told us the name."""
        return f"#{self.channel_name}" if self.channel_name else self.digest.team


def build_digest(*, db: Database, channel_id: str, week: str) -> DigestBundle:
    """The digest of a team's week, from closed answers and, for an open round, those so far."""
    bundle = build_digests(db=db, weeks_by_channel={channel_id: [week]}).get((channel_id, week))
    if bundle is None:
        raise TeamNotFound()
    return bundle


TEAMS_PER_READ = 250
"""Teams whose answers are summed together: a few queries for many teams, so the database
walks its indexes in long runs rather than once per handful of teams. A team's read is a few
sums a week; the batches held at once (see READS_AHEAD) cost some tens of MB, so a read of
250 teams keeps the all-teams job under 200 MB where 500 took it past 200 (no slower:
docs/PERFORMANCE.md §3)."""


def build_digests(
    *, db: Database, weeks_by_channel: Mapping[str, Collection[str]]
) -> dict[tuple[str, str], DigestBundle]:
    """Digests of many teams and weeks, keyed by (channel, week); channels that are no team
    are left out. Every digest is held at once: for a team's own history, or App Home."""
    bundles: dict[tuple[str, str], DigestBundle] = {}
    for batch in digest_batches(db=db, weeks_by_channel=weeks_by_channel):
        bundles.update(batch)
    return bundles


READS_AHEAD = 2
"""Reads under way while a batch's figures are worked out: two keep a database with more
than one core summing while Python works, and bound what is held to three batches."""


def digest_batches(
    *, db: Database, weeks_by_channel: Mapping[str, Collection[str]]
) -> Iterator[dict[tuple[str, str], DigestBundle]]:
    """Digests of many teams and weeks, TEAMS_PER_READ teams at a time, each batch from a
    few queries: the schedule needs every closed round's digest at once, and posting each
    batch before the next is built bounds what is held, however many teams there are.

    Reads take no write lock, and the figures are worked out after each read has ended,
    while the next teams are read (`storage.read_ahead`).
    """
    channels = list(weeks_by_channel)
    chunks = [
        {c: weeks_by_channel[c] for c in channels[start : start + TEAMS_PER_READ]}
        for start in range(0, len(channels), TEAMS_PER_READ)
    ]
    yield from read_ahead(
        lambda chunk: _read_grouped(db, chunk), _bundles, chunks, ahead=READS_AHEAD
    )


@dataclass(frozen=True)
class TeamReads:
    """What the digests of some teams read, grouped by team id."""

    teams: dict[str, DigestTeam]
    answers: dict[int, TeamAnswers]
    rounds: dict[int, list[RoundFacts]]
    archived: dict[int, list[ArchivedFigure]]
    actions: dict[int, list[AgreedAction]] = field(default_factory=dict)
    organisations: dict[int, dict[str, WeekGroups]] = field(default_factory=dict)


def _bundles(
    reads: TeamReads, weeks_by_channel: Mapping[str, Collection[str]]
) -> dict[tuple[str, str], DigestBundle]:
    bundles = {}
    for channel, weeks in weeks_by_channel.items():
        team = reads.teams.get(channel)
        if team is None:
            continue
        answers = reads.answers.get(team.id) or TeamAnswers({})
        for week in weeks:
            digest = compute_digest(
                team=team.channel_id,
                week=week,
                answers=answers,
                rounds=reads.rounds.get(team.id, []),
                threshold=team.anonymity_threshold,
                archived=reads.archived.get(team.id, []),
            )
            if reads.actions.get(team.id):
                digest = replace(
                    digest,
                    actions=report_actions(
                        reads.actions[team.id],
                        answers,
                        week=week,
                        threshold=team.anonymity_threshold,
                    ),
                )
            if reads.organisations.get(team.id):
                figures, convergence = partnership_view(
                    reads.organisations[team.id],
                    week=week,
                    asked=next(
                        (r.behaviour_ids for r in reads.rounds.get(team.id, []) if r.week == week),
                        (),
                    ),
                    threshold=team.anonymity_threshold,
                )
                digest = replace(digest, organisations=figures, convergence=convergence)
            bundles[channel, week] = DigestBundle(
                digest=digest,
                channel_id=team.digest_channel_id or team.channel_id,
                target=team.target,
                workspace_id=team.workspace_id,
                channel_name=team.channel_name,
            )
    return bundles


def _with_partnership(digest: Digest, reads: TeamReads, team: DigestTeam) -> Digest:
    """The digest with its organisations' figures and convergence."""
    this_round = [r for r in reads.rounds.get(team.id, []) if r.week == digest.week]
    figures, convergence = partnership_view(
        reads.organisations[team.id],
        week=digest.week,
        asked=this_round[0].behaviour_ids if this_round else (),
        threshold=team.anonymity_threshold,
    )
    return replace(digest, organisations=figures, convergence=convergence)


def read_teams(db: Database, weeks_by_channel: Mapping[str, Collection[str]]) -> TeamReads:
    """Everything the digests of some teams read, without working out any figure."""
    return paused_read(lambda chunk: _read_grouped(db, chunk), weeks_by_channel)


def _read_grouped(db: Database, weeks_by_channel: Mapping[str, Collection[str]]) -> TeamReads:
    every_week = {w for weeks in weeks_by_channel.values() for w in weeks}
    up_to = max(every_week, default="")
    with db.reading() as session:
        teams = digest_store.teams_by_channel(session, list(weeks_by_channel))
        ids = [t.id for t in teams.values()]
        weeks = digest_store.round_weeks(session, team_ids=ids, up_to_week=up_to)
        facts = digest_store.round_facts(session, team_ids=ids, weeks=every_week)
        kept = digest_store.archived_figures(session, team_ids=ids)
        actions = action_store.actions_of_teams(session, ids)
        by_organisation = digest_store.organisation_answers(session, team_ids=ids, up_to_week=up_to)
        answers = digest_moments.team_answers(
            session,
            rounds={r.round_id: (r.team_id, r.week) for r in weeks},
            thresholds={t.id: t.anonymity_threshold for t in teams.values()},
            up_to_week=up_to,
        )
    rounds: dict[int, list[RoundFacts]] = {}
    for fact in facts:
        rounds.setdefault(fact.team_id, []).append(
            RoundFacts(fact.week, fact.behaviour_ids, fact.invited)
        )
    archived: dict[int, list[ArchivedFigure]] = {}
    for row in kept:
        archived.setdefault(row.team_id, []).append(ArchivedFigure(row.week, row.figure, row.score))
    return TeamReads(teams, answers, rounds, archived, actions, _groups(by_organisation))


def _groups(rows: Sequence[OrganisationAnswer]) -> dict[int, dict[str, WeekGroups]]:
    """Partnerships' closed answers as each week's respondents by organisation."""
    people: dict[tuple[int, str, str, int], list[tuple[str, int | None]]] = {}
    for row in rows:
        group = row.organisation or OTHER_PARTNERS
        key = (row.team_id, row.week, group, row.respondent)
        people.setdefault(key, []).append((row.behaviour_id, row.point))
    weeks: dict[tuple[int, str], dict[str, list[Person]]] = {}
    for (team_id, week, group, _), answers in people.items():
        weeks.setdefault((team_id, week), {}).setdefault(group, []).append(answers)
    teams: dict[int, dict[str, WeekGroups]] = {}
    for (team_id, week), groups in weeks.items():
        teams.setdefault(team_id, {})[week] = groups
    return teams


def claim_digest_post(*, db: Database, round_id: int, now: datetime) -> bool:
    """Take the right to post a round's digest; only one process ever gets it."""
    with db.transaction() as session:
        return closing_store.claim_digest_post(session, round_id, now)


def release_digest_post(*, db: Database, round_id: int) -> None:
    """Give the claim back after a failed post, so a later attempt retries."""
    with db.transaction() as session:
        closing_store.release_digest_post(session, round_id)


def latest_round(*, db: Database, channel_id: str) -> RoundInfo | None:
    """The team's most recent round, open or closed."""
    with db.transaction() as session:
        team = team_of_channel(session, channel_id)
        latest = round_store.latest_round(session, team.id)
        return round_info(latest, team) if latest else None


def build_summary(*, db: Database, channel_id: str, weeks: int) -> Summary:
    """The team's last ``weeks`` closed rounds pooled (only what was publishable is pooled).

    An open round is left out: figures that grow answer by answer could be compared over
    time to single out the latest person to answer.
    """
    with db.transaction() as session:
        team = team_of_channel(session, channel_id)
        closed = [r.week for r in round_store.rounds_of_team(session, team.id) if r.closed_at]
        recent = closed[-weeks:]
        rows = answer_store.team_answers(
            session, team_id=team.id, up_to_week=recent[-1] if recent else "", weeks=recent
        )
    return compute_summary(
        team=team.channel_id,
        weeks=recent,
        answers=[AnswerRow(w, r, b, p) for w, r, b, p in rows],
        threshold=team.anonymity_threshold,
    )


def recent_digests(*, db: Database, channel_id: str, weeks: int) -> list[DigestBundle]:
    """The digests of the team's last ``weeks`` closed rounds, oldest first: a manager's
    summary tells their story. An open round is left out, as from every published figure."""
    with db.transaction() as session:
        team = team_of_channel(session, channel_id)
        closed = [r.week for r in round_store.rounds_of_team(session, team.id) if r.closed_at]
    recent = closed[-weeks:] if weeks > 0 else []
    bundles = build_digests(db=db, weeks_by_channel={channel_id: recent})
    return [bundles[channel_id, week] for week in recent]


def published_digests(*, db: Database, channel_id: str) -> list[Digest]:
    """The digest of every closed round of a team, oldest first."""
    with db.transaction() as session:
        team = team_of_channel(session, channel_id)
        weeks = [r.week for r in round_store.rounds_of_team(session, team.id) if r.closed_at]
    bundles = build_digests(db=db, weeks_by_channel={channel_id: weeks})
    return [bundles[channel_id, week].digest for week in weeks]
