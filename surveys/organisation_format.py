"""Each organisation's figures as SPEC §4 JSON, as text lines, and as export rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from surveys.behaviours import BEHAVIOURS
from surveys.convergence import Convergence
from surveys.organisation_figures import OrganisationFigures

_FAVOURABLE = {b.id: b.favourable for b in BEHAVIOURS}


def organisations_json(figures: Sequence[OrganisationFigures]) -> list[dict[str, Any]]:
    """SPEC §4's `organisations`, exactly its fields and order."""
    return [
        {
            "name": f.name,
            "n": f.n,
            "index": {"score": f.index, "suppressed": f.index_suppressed},
            "behaviours": [
                {"id": b.id, "n": b.n, "score": b.score, "suppressed": b.suppressed}
                for b in f.behaviours
            ],
        }
        for f in figures
    ]


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


def organisation_line(figure: OrganisationFigures) -> str:
    """One organisation's index and behaviours on a line; "—" where withheld."""
    if figure.index_suppressed and not figure.behaviours:
        return f"{figure.name}: not enough answers to show on its own"
    head = f"{figure.name}: index {_number(figure.index)}"
    if figure.n is not None:
        head += f" (n={figure.n})"
    parts = [f"{_FAVOURABLE.get(b.id, b.id)} {_number(b.score)}" for b in figure.behaviours]
    return head + ("; " + ", ".join(parts) if parts else "")


def convergence_line(convergence: Convergence) -> str | None:
    """How far apart the organisations are and whether that is changing, or None."""
    if convergence.spread is None:
        return None
    line = f"Gap between organisations: {convergence.spread:.2f}"
    if convergence.baseline is not None:
        line += f" (at the start {convergence.baseline:.2f})"
    words = {
        "converging": "drawing together",
        "diverging": "drawing apart",
        "none": "no change beyond chance",
        "insufficient_data": "too few weeks to tell",
    }
    return f"{line}; {words[convergence.shift]}."


def organisation_text(
    figures: Sequence[OrganisationFigures], convergence: Convergence
) -> list[str]:
    """The digest text's part on organisations (nothing for a single organisation)."""
    if not figures:
        return []
    lines = ["", 'Each organisation\'s view (−1 = all "them" … +1 = all "us"):']
    lines += [f"  • {organisation_line(f)}" for f in figures]
    gap = convergence_line(convergence)
    return lines + ([f"  {gap}"] if gap else [])


def organisation_rows(figures: Sequence[OrganisationFigures]) -> list[dict[str, Any]]:
    """Export rows: each organisation's index and behaviours (other columns left to the
    caller)."""
    rows = []
    for f in figures:
        rows.append(_export_row(f.name, "index", f.n, f.index, f.index_suppressed))
        rows += [_export_row(f.name, b.id, b.n, b.score, b.suppressed) for b in f.behaviours]
    return rows


def _export_row(
    name: str, figure: str, n: int | None, score: float | None, suppressed: bool
) -> dict[str, Any]:
    return {
        "organisation": name,
        "figure": figure,
        "n": n,
        "score": score,
        "suppressed": suppressed,
    }
