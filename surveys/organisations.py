"""Which partner organisation a member is counted in, and a manager's assignment of them.

A member's organisation is, in order (SPEC §5): the manager's assignment in the team's
settings (by person, then by email domain); else their home workspace, when Slack Connect
brought them from another one; else the workspace that installed the bot. The rule is
pure: storage and services hand it what they know of the member.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

OTHER_PARTNERS = "Other partners"
"""Where organisations too small to show on their own are folded (surveys.anonymity)."""

MAX_NAME = 80
MAX_ORGANISATIONS = 6
"""Organisations a manager can name in the settings modal (one slot each)."""

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class Organisation:
    """A named organisation and who the manager assigned to it."""

    name: str
    people: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class MemberFacts:
    """What is known of a member that says which organisation they belong to."""

    user_id: str
    email_domain: str | None = None
    home_workspace: str | None = None  # their home workspace's name, if not the installer's


def organisation_of(
    member: MemberFacts, assigned: Sequence[Organisation], installing_workspace: str
) -> str:
    """The organisation ``member`` is counted in (SPEC §5's order: assignment, home
    workspace, installing workspace)."""
    for organisation in assigned:
        if member.user_id in organisation.people:
            return organisation.name
    domain = (member.email_domain or "").lower()
    for organisation in assigned:
        if domain and domain in organisation.domains:
            return organisation.name
    return member.home_workspace or installing_workspace


def email_domain(address: str | None) -> str:
    """The domain of an email address, lower-cased; "" when there is none."""
    if not address or "@" not in address:
        return ""
    return address.rsplit("@", 1)[1].strip().lower()


@dataclass(frozen=True)
class AssignmentSlot:
    """One organisation as typed in the settings modal: unchecked."""

    name: str | None
    people: Sequence[str]
    domains: str | None


class AssignmentProblems(ValueError):
    """What is wrong with an assignment, by slot field ("org_name_1", …)."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = dict(problems)


def slot_field(kind: str, slot: int) -> str:
    """The block id of a slot's field in the settings modal: kind is name, people or domains."""
    return f"org_{kind}_{slot + 1}"


def _domains(text: str | None) -> tuple[tuple[str, ...], list[str]]:
    words = [w.strip().lower().lstrip("@") for w in re.split(r"[,\s]+", text or "") if w.strip()]
    bad = [w for w in words if not _DOMAIN.fullmatch(w)]
    return tuple(dict.fromkeys(words)), bad


def checked_assignment(
    slots: Sequence[AssignmentSlot], *, members: Collection[str]
) -> tuple[Organisation, ...]:
    """The organisations a manager's slots name, or AssignmentProblems naming each wrong
    field: a name missing or repeated, a person who is no member of the team or assigned
    twice, a malformed or repeated email domain."""
    problems: dict[str, str] = {}
    chosen: list[Organisation] = []
    names: set[str] = set()
    people_seen: set[str] = set()
    domains_seen: set[str] = set()
    for i, slot in enumerate(slots):
        name = " ".join((slot.name or "").split())
        domains, bad = _domains(slot.domains)
        people = tuple(dict.fromkeys(slot.people))
        if not name:
            if people or domains or bad:
                problems[slot_field("name", i)] = "Name this organisation, or clear its people."
            continue
        if len(name) > MAX_NAME or name.casefold() == OTHER_PARTNERS.casefold():
            problems[slot_field("name", i)] = (
                f"Use a name of up to {MAX_NAME} characters, other than “{OTHER_PARTNERS}”."
            )
        elif name.casefold() in names:
            problems[slot_field("name", i)] = f"“{name}” is named twice: use each name once."
        names.add(name.casefold())
        strangers = [u for u in people if u not in members]
        twice = [u for u in people if u in people_seen]
        if strangers:
            problems[slot_field("people", i)] = (
                f"<@{strangers[0]}> is not a member of this team's channel."
            )
        elif twice:
            problems[slot_field("people", i)] = f"<@{twice[0]}> is already in another organisation."
        people_seen.update(people)
        repeated = [d for d in domains if d in domains_seen]
        if bad:
            problems[slot_field("domains", i)] = (
                f"“{bad[0][:60]}” is not an email domain: write domains like leeds.gov.uk, "
                "separated by commas."
            )
        elif repeated:
            problems[slot_field("domains", i)] = (
                f"{repeated[0]} is already in another organisation."
            )
        domains_seen.update(domains)
        chosen.append(Organisation(name, people, domains))
    if problems:
        raise AssignmentProblems(problems)
    return tuple(chosen)


def counted_in(
    members: Iterable[MemberFacts], assigned: Sequence[Organisation], installing_workspace: str
) -> dict[str, str]:
    """Each member's organisation, by user id."""
    return {m.user_id: organisation_of(m, assigned, installing_workspace) for m in members}
