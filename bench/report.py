"""Printing results as they come, and writing docs/PERFORMANCE.md at the end."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.core import Section, Target, fmt, ratio_text
from bench.databases import postgres_version

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Machine:
    """What the figures were measured on."""

    cpu: str
    cores: int
    memory_gib: float
    python: str
    sqlite: str
    postgres: str
    commit: str


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 0.0


def _commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head} (with uncommitted changes)" if head and dirty else head or "unknown"


def machine(postgres_url: str | None) -> Machine:
    """Describe this machine and the software under test."""
    return Machine(
        cpu=_cpu_model(),
        cores=os.cpu_count() or 0,
        memory_gib=_memory_gib(),
        python=platform.python_version(),
        sqlite=sqlite3.sqlite_version,
        postgres=postgres_version(postgres_url) or "not available",
        commit=_commit(),
    )


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def figure_rows(section: Section) -> list[str]:
    """The section's figures as a Markdown table."""
    lines = [
        _row(["figure", "measured", "floor", "floor is", "ratio"]),
        _row(["---", "---:", "---:", "---", "---:"]),
    ]
    for f in section.figures:
        lines.append(
            _row(
                [
                    f.name,
                    f"{fmt(f.value)} {f.unit}",
                    f"{fmt(f.floor)} {f.unit}",
                    f.floor_name,
                    ratio_text(f.ratio),
                ]
            )
        )
    return lines


def target_line(target: Target) -> str:
    """One target as the console prints it."""
    return f"{target.verdict}: {target.goal} ({target.detail})"


def print_section(section: Section) -> None:
    """The section's figures and verdicts, for a person watching the run."""
    print(f"\n== {section.title} ({fmt(section.seconds)} s)")
    width = max((len(f.name) for f in section.figures), default=0)
    for f in section.figures:
        print(
            f"  {f.name:<{width}}  {fmt(f.value):>8} {f.unit:<8} floor {fmt(f.floor):>8} "
            f"({f.floor_name})  {ratio_text(f.ratio)}"
        )
    for check in section.checks:
        print(f"  check: {check}")
    for note in section.notes:
        print(f"  note: {note}")
    for target in section.targets:
        print(f"  {target_line(target)}")


def write_document(
    path: Path,
    sections: list[Section],
    *,
    host: Machine,
    size: str,
    command: str,
    seconds: float,
) -> None:
    """Rewrite docs/PERFORMANCE.md from this run's results."""
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    lines = [
        "# Performance",
        "",
        f"Written by `{command}` on {today} ({size} sizes, {fmt(seconds / 60)} minutes). "
        "Every figure is read against a floor measured in the same run on the same machine "
        "(a bare Bolt app, a plain loop, one SQL aggregate, an idle process), so the ratios "
        "hold on a noisy machine where absolute times do not. Targets are reported, never "
        "enforced.",
        "",
        "To reproduce: `make bench` (or `.venv/bin/python -m bench`) rewrites this file; "
        "`.venv/bin/python -m bench --quick` runs small sizes in a minute or two and only "
        "prints; `--only answer_path|fanout|senders|digests|memory|tick` runs one benchmark. "
        "PostgreSQL "
        "figures need a server (`--postgres URL`, by default `TEST_DATABASE_URL` or "
        "postgresql://postgres@127.0.0.1:5432/postgres); the run creates its own databases "
        "and drops them afterwards.",
        "",
        "## Machine",
        "",
        _row(["CPU", "cores", "memory", "Python", "SQLite", "PostgreSQL", "commit"]),
        _row(["---"] * 7),
        _row(
            [
                host.cpu,
                str(host.cores),
                f"{host.memory_gib:.1f} GiB",
                host.python,
                host.sqlite,
                host.postgres,
                host.commit,
            ]
        ),
        "",
        "## Targets",
        "",
        _row(["target", "result", "by how much"]),
        _row(["---", "---", "---"]),
    ]
    for section in sections:
        for target in section.targets:
            lines.append(_row([target.goal, target.verdict, target.detail]))
    for number, section in enumerate(sections, start=1):
        lines += ["", f"## {number}. {section.title}", ""]
        lines += [f"- {item}" for item in section.setup]
        lines += ["", *figure_rows(section), ""]
        lines += [f"- {item}" for item in section.checks]
        if section.notes:
            lines += ["", *[f"- {note}" for note in section.notes]]
        lines += ["", f"This benchmark took {fmt(section.seconds)} s."]
    path.write_text("\n".join(lines) + "\n")
