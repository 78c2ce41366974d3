"""What every benchmark shares: the run's context, figures read against floors, and targets.

A figure on its own says little on a shared two-core machine, so each one is paired with a
floor measured in the same run (the bare framework, a plain loop, one SQL aggregate, an idle
process) and reported as a ratio. Targets are checked and printed, never enforced.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Figure:
    """One measured quantity beside the floor it is read against."""

    name: str
    value: float
    unit: str
    floor: float
    floor_name: str

    @property
    def ratio(self) -> float:
        """The figure as a multiple of its floor."""
        return self.value / self.floor if self.floor else math.inf


@dataclass(frozen=True)
class Target:
    """A goal, and whether this run met it (None when it could not be measured)."""

    goal: str
    met: bool | None
    detail: str

    @property
    def verdict(self) -> str:
        """The line printed for it."""
        if self.met is None:
            return "NOT MEASURED"
        return "TARGET MET" if self.met else "TARGET MISSED"


def at_most(goal: str, value: float, limit: float, unit: str) -> Target:
    """A target that holds while ``value`` stays at or under ``limit``."""
    margin = (limit - value) / limit if limit else 0.0
    if value <= limit:
        detail = f"{fmt(value)} {unit} against {fmt(limit)} {unit}: {margin:.0%} headroom"
    else:
        detail = f"{fmt(value)} {unit} against {fmt(limit)} {unit}: over by {-margin:.0%}"
    return Target(goal, value <= limit, detail.replace(" ×", "×"))


def at_least(goal: str, value: float, limit: float, unit: str) -> Target:
    """A target that holds while ``value`` stays at or over ``limit``."""
    margin = (value - limit) / limit if limit else 0.0
    if value >= limit:
        detail = f"{fmt(value)} {unit} against {fmt(limit)} {unit}: {margin:.0%} headroom"
    else:
        detail = f"{fmt(value)} {unit} against {fmt(limit)} {unit}: short by {-margin:.0%}"
    return Target(goal, value >= limit, detail.replace(" ×", "×"))


def unmeasured(goal: str, why: str) -> Target:
    """A target this run could not measure, and why."""
    return Target(goal, None, why)


@dataclass
class Section:
    """One benchmark's results: how it was set up, its figures and its targets."""

    name: str
    title: str
    setup: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def figure(self, *args: Any, **kwargs: Any) -> Figure:
        """Record a figure and hand it back."""
        item = Figure(*args, **kwargs)
        self.figures.append(item)
        return item


@dataclass
class Run:
    """What one invocation shares: the size, a scratch folder, PostgreSQL, cached datasets."""

    size: str
    folder: Path
    postgres_url: str | None
    stack: ExitStack
    say: Callable[[str], None] = print
    cache: dict[str, Any] = field(default_factory=dict)
    skip_before: bool = False
    """Leave out the "before" phases that take long at full size (the senders' is ~40 min)."""

    def pick(self, sizes: dict[str, Any]) -> Any:
        """This run's entry of a benchmark's size table."""
        return sizes[self.size]

    def scratch(self, name: str) -> Path:
        """A fresh sub-folder of the run's scratch folder."""
        path = self.folder / name
        path.mkdir(parents=True, exist_ok=True)
        return path


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (p99 of 1,000 samples is the 990th smallest)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    """The middle value (the mean of the two middle ones for an even count)."""
    return percentile(values, 50) if len(values) % 2 else _even_median(values)


def _even_median(values: Sequence[float]) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    middle = len(ordered) // 2
    return (ordered[middle - 1] + ordered[middle]) / 2


def timed(action: Callable[[], Any], *, repeats: int) -> tuple[float, Any]:
    """The median wall time of ``repeats`` calls, in seconds, and the last call's result."""
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return median(times), result


def fmt(value: float) -> str:
    """A number with as many digits as a reader needs."""
    if math.isnan(value) or math.isinf(value):
        return str(value)
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def ratio_text(ratio: float) -> str:
    """A ratio as people write it: 0.83×."""
    return f"{fmt(ratio)}×"
