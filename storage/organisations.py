"""Partner organisations: a manager's assignment, and who counts in which organisation.

The rule that decides a member's organisation is pure (surveys.organisations); this module
reads what it needs (the assignment, members' email domains and home workspaces, the
installing workspace's name) and hands back frozen records.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import column, delete, select, table
from sqlalchemy.orm import Session

from storage import home_workspaces as home_store
from storage.models import (
    Member,
    OrganisationAssignment,
    OrganisationRow,
    PendingAnswer,
    Prompt,
)
from storage.records import TeamRecord
from surveys.organisations import MemberFacts, Organisation, organisation_of

_PERSON, _DOMAIN = "user", "domain"


def assignment_of(session: Session, team_id: int) -> tuple[Organisation, ...]:
    """The organisations a team's manager named, in the order they named them."""
    named = session.scalars(
        select(OrganisationRow)
        .where(OrganisationRow.team_id == team_id)
        .order_by(OrganisationRow.position)
    ).all()
    rows = session.execute(
        select(
            OrganisationAssignment.organisation_id,
            OrganisationAssignment.kind,
            OrganisationAssignment.value,
        )
        .where(OrganisationAssignment.organisation_id.in_([o.id for o in named]))
        .order_by(OrganisationAssignment.id)
    ).all()
    return tuple(
        Organisation(
            name=o.name,
            people=tuple(v for i, k, v in rows if i == o.id and k == _PERSON),
            domains=tuple(v for i, k, v in rows if i == o.id and k == _DOMAIN),
        )
        for o in named
    )


def replace_assignment(
    session: Session, team_id: int, organisations: Sequence[Organisation]
) -> None:
    """Make a team's assignment exactly ``organisations`` (checked by the caller)."""
    session.execute(delete(OrganisationRow).where(OrganisationRow.team_id == team_id))
    session.flush()
    for position, organisation in enumerate(organisations):
        row = OrganisationRow(team_id=team_id, name=organisation.name, position=position)
        session.add(row)
        session.flush()
        session.add_all(
            [OrganisationAssignment(organisation_id=row.id, kind=_PERSON, value=u)
             for u in organisation.people]
            + [OrganisationAssignment(organisation_id=row.id, kind=_DOMAIN, value=d)
               for d in organisation.domains]
        )  # fmt: skip
    session.flush()


_INSTALLATIONS = table(
    "slack_installations", column("team_id"), column("team_name"), column("installed_at")
)


def workspace_name(session: Session, workspace_id: str) -> str:
    """A workspace's name as `team.info` gave it, or as its installation recorded it; its id
    until one is known."""
    learned = home_store.workspace_name(session, workspace_id)
    if learned:
        return learned
    name = session.scalar(
        select(_INSTALLATIONS.c.team_name)
        .where(_INSTALLATIONS.c.team_id == workspace_id, _INSTALLATIONS.c.team_name.is_not(None))
        .order_by(_INSTALLATIONS.c.installed_at.desc())
        .limit(1)
    )
    return name or workspace_id


def home_workspaces(session: Session, team: TeamRecord) -> dict[str, str]:
    """The home workspace's name of each member Slack Connect brought from another
    workspace (its id until `team.info` has named it)."""
    return {
        user_id: home.name or home.workspace_id
        for user_id, home in home_store.home_workspaces(session, team.id).items()
        if home.workspace_id != team.workspace_id
    }


def _facts(session: Session, team: TeamRecord, user_ids: Sequence[str]) -> list[MemberFacts]:
    domains: dict[str, str | None] = {
        user_id: domain
        for user_id, domain in session.execute(
            select(Member.user_id, Member.email_domain).where(
                Member.team_id == team.id, Member.user_id.in_(user_ids)
            )
        )
    }
    homes = home_workspaces(session, team)
    return [MemberFacts(u, domains.get(u) or None, homes.get(u)) for u in user_ids]


def organisations_of(session: Session, team: TeamRecord, user_ids: Sequence[str]) -> dict[str, str]:
    """The organisation each of these members of ``team`` is counted in."""
    assigned = assignment_of(session, team.id)
    installer = workspace_name(session, team.workspace_id)
    return {
        f.user_id: organisation_of(f, assigned, installer)
        for f in _facts(session, team, list(user_ids))
    }


def respondents_organisations(session: Session, team: TeamRecord, round_id: int) -> dict[int, str]:
    """For a round about to close: each answering prompt's member's organisation, by prompt."""
    prompts: dict[int, str] = {
        prompt_id: user_id
        for prompt_id, user_id in session.execute(
            select(Prompt.id, Prompt.user_id)
            .where(Prompt.round_id == round_id)
            .where(Prompt.id.in_(select(PendingAnswer.prompt_id)))
        )
    }
    by_user = organisations_of(session, team, sorted(set(prompts.values())))
    return {prompt_id: by_user[user_id] for prompt_id, user_id in prompts.items()}
