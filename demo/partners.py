"""The demo's partnership: four organisations, how each one reaches the team channel, and the
culture each brings to the table.

The council installed the bot in its own workspace; the NHS trust and the police take part
through Slack Connect from their own workspaces (and the police's workspace will not let an
outside app DM its people, so their prompts come in the channel); the voluntary-sector body's
few staff are guests in the council's workspace, so only the manager's assignment (by email
domain, in the settings modal) says which organisation they are. Each organisation starts
with a lean of its own that fades over the run: the partners' cultures draw together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Partner:
    """One partner organisation of the demo."""

    name: str
    share: int
    """People in a partnership of 27 partners (the manager, from the council, comes on top)."""
    culture: float
    """Its lean on the latent scale at the start (0 is the partnership's own view); it
    fades to nothing by the last week."""
    workspace: str | None = None
    """Its own Slack workspace's team id when it joins through Slack Connect."""
    workspace_domain: str = ""
    dm_refused: bool = False
    """Slack will not let the bot DM its people: their prompts come in the team channel."""
    email_domain: str = ""
    """Its people's email domain in the council's workspace."""

    @property
    def joins_through_slack_connect(self) -> bool:
        """Whether its people are in the channel from a workspace of their own."""
        return self.workspace is not None


COUNCIL = Partner("Hartwell Borough Council", 9, 0.9, email_domain="hartwell.gov.uk")
NHS = Partner(
    "Hartwell & Vale NHS Foundation Trust",
    10,
    -0.9,
    workspace="T0HVNHS01",
    workspace_domain="hartwell-vale-nhs",
)
POLICE = Partner(
    "Hartshire Police",
    5,
    -0.4,
    workspace="T0POLICE1",
    workspace_domain="hartshire-police",
    dm_refused=True,
)
VOLUNTARY = Partner("Hartwell Voluntary Action", 3, 0.65, email_domain="hartwellva.org.uk")
PARTNERS = (COUNCIL, NHS, POLICE, VOLUNTARY)
"""Weighted by their people (the manager counts in the council) the leans add up to about zero,
so the partnership as a whole stands where the behaviours put it; only the gap between the
organisations changes."""

DEFAULT_PARTNERS = sum(p.share for p in PARTNERS)

for _partner in PARTNERS:
    assert _partner.joins_through_slack_connect != bool(_partner.email_domain), _partner.name


def culture_lean(partner: Partner, progress: float) -> float:
    """An organisation's lean at a point of the run (``progress`` 0 → 1): it fades away."""
    return partner.culture * (1.0 - min(1.0, max(0.0, progress)))


def allocate(members: int, partners: Sequence[Partner] = PARTNERS) -> list[Partner]:
    """Which organisation each of ``members`` people belongs to, in proportion to the
    partners' shares (largest remainders), grouped by organisation."""
    total = sum(p.share for p in partners)
    exact = [members * p.share / total for p in partners]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(partners)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: members - sum(counts)]:
        counts[i] += 1
    return [p for p, count in zip(partners, counts, strict=True) for _ in range(count)]
