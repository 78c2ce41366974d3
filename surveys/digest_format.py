"""The digest as SPEC §4 JSON and as plain text for a terminal."""

from __future__ import annotations

from typing import Any

from surveys.actions import ActionReport
from surveys.digest import Digest, Figure
from surveys.organisation_format import organisation_text, organisations_json
from surveys.overall import Overall
from surveys.story import tell_story
from surveys.weeks import week_words


def figure_fields(figure: Figure) -> dict[str, Any]:
    """A figure's numbers under the SPEC §4 names and in its order, so JSON and CSV agree."""
    return {
        "n": figure.n,
        "score": figure.score,
        "previous": figure.previous,
        "previous_week": figure.previous_week,
        "baseline": figure.baseline,
        "change": figure.change,
        "shift": figure.shift,
        "suppressed": figure.suppressed,
        "basis": figure.basis,
    }


def _index_fields(digest: Digest) -> dict[str, Any]:
    """SPEC §4 gives the index no `previous_week`: its `previous` is the week before's index.

    `shift` is this week against the previous measurement (so it agrees with `change`);
    `recent` is the last two measurements against the four before; `basis` names the one of
    them a shift named in the words rests on (docs/METHOD.md).
    """
    fields = figure_fields(digest.index)
    del fields["previous_week"]
    fields["recent"] = digest.index_recent_shift
    return fields


def overall_fields(overall: Overall | None) -> dict[str, Any]:
    """SPEC §4's `overall`: the like-for-like index, `null` figures until all 13 are measured."""
    if overall is None:
        return {
            "score": None, "previous": None, "baseline": None, "baseline_week": None,
            "change": None, "shift": "insufficient_data", "trend": "unclear",
            "covered": 0, "suppressed": False,
        }  # fmt: skip
    return {
        "score": overall.score,
        "previous": overall.previous,
        "baseline": overall.baseline,
        "baseline_week": overall.baseline_week,
        "change": overall.change,
        "shift": overall.shift,
        "trend": overall.trend.direction,
        "covered": overall.covered,
        "suppressed": overall.suppressed,
    }


def action_fields(report: ActionReport) -> dict[str, Any]:
    """An agreed action under the SPEC §4 names; ``since`` is null until the behaviour has
    been shown again since the action was agreed."""
    a, since = report.action, report.since
    return {
        "id": a.id,
        "behaviour": a.behaviour_id,
        "text": a.text,
        "owner": a.owner,
        "agreed_week": a.agreed_week,
        "review_week": a.review_week,
        "status": a.status,
        "since": None
        if since is None
        else {"then": since.then, "now": since.now, "shift": since.shift},
    }


NO_CONVERGENCE: dict[str, Any] = {
    "spread": None, "previous": None, "baseline": None, "shift": "insufficient_data",
}  # fmt: skip
"""SPEC §4's `convergence` while a team's members all count in one organisation: with
fewer than two organisations shown there is no spread to measure, so `organisations` is
empty and these figures are null."""


def digest_to_dict(digest: Digest) -> dict[str, Any]:
    """The digest exactly as the outside contract names its fields."""
    behaviours = [
        {
            "id": item.behaviour.id,
            "favourable": item.behaviour.favourable,
            "unfavourable": item.behaviour.unfavourable,
            **figure_fields(item.figure),
        }
        for item in digest.behaviours
    ]
    return {
        "team": digest.team,
        "week": digest.week,
        "participation": {
            "invited": digest.participation.invited,
            "responded": digest.participation.responded,
        },
        "index": _index_fields(digest),
        "overall": overall_fields(digest.overall),
        "behaviours": behaviours,
        "organisations": organisations_json(digest.organisations),
        "convergence": digest.convergence.to_json(),
        "actions": [action_fields(report) for report in digest.actions],
    }


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


def digest_to_text(
    digest: Digest,
    *,
    target: float | None = None,
    team_name: str | None = None,
    preview: bool = False,
) -> str:
    """A readable digest for the terminal: the story first, then every asked behaviour;
    ``preview`` for a round still open, whose figures may yet change."""
    story = tell_story(digest, target=target, preview=preview)
    who = team_name or digest.team
    lines = [f"Partnership Pulse — {who}, {week_words(digest.week)} ({digest.week})", ""]
    lines += [f"{part.heading}: {part.text}" for part in story.parts]
    lines += ["", 'Behaviours asked this week (−1 = all "them" … +1 = all "us"):']
    for item in digest.asked:
        f = item.figure
        if f.suppressed:
            figures = "not enough answers to show yet" if preview else "not enough answers"
        else:
            figures = (
                f"now {_number(f.score)} (n={f.n}), before {_number(f.previous)}, "
                f"start {_number(f.baseline)}, {f.shift.replace('_', ' ')}"
            )
        lines.append(f"  • {item.behaviour.unfavourable} ↔ {item.behaviour.favourable}: {figures}")
    lines += organisation_text(digest.organisations, digest.convergence)
    if digest.actions:
        lines += ["", "Agreed actions:"]
        lines += [f"  • {action_text(report)}" for report in digest.actions]
    p = digest.participation
    so_far = " so far (the round is still open: a preview, not published)" if preview else ""
    lines += ["", f"{p.responded} of {p.invited} people answered this week{so_far}."]
    return "\n".join(lines)


def action_text(report: ActionReport) -> str:
    """One agreed action as a terminal line, with how its behaviour moved since."""
    a, since = report.action, report.since
    line = (
        f"{a.text} (on {a.behaviour_id}; owner {a.owner or 'none'}; agreed {a.agreed_week}, "
        f"review {week_words(a.review_week)}; {a.status})"
    )
    if since is not None:
        line += (
            f" — since agreed: {_number(since.then)} → {_number(since.now)}, "
            f"{since.shift.replace('_', ' ')}"
        )
    return line
