"""`python -m bench [--quick] [--only NAME]`: run the benchmarks and report the targets.

A full run (the default) rewrites docs/PERFORMANCE.md; `--quick` and `--only` print their
results and leave the document alone unless `--write PATH` is given. The exit status is 0
whatever the timings; it is 1 only when a benchmark could not run to the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from types import ModuleType

from bench import answer_path, digests, fanout, memory, senders, tick
from bench.core import Run, Section, unmeasured
from bench.databases import DEFAULT_POSTGRES, postgres_version
from bench.report import ROOT, machine, print_section, target_line, write_document

BENCHMARKS: dict[str, ModuleType] = {
    "answer_path": answer_path,
    "fanout": fanout,
    "senders": senders,
    "digests": digests,
    "memory": memory,
    "tick": tick,
}
DOCUMENT = ROOT / "docs" / "PERFORMANCE.md"


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (about a minute)")
    parser.add_argument(
        "--only",
        metavar="NAME",
        choices=sorted(BENCHMARKS),
        action="append",
        help="run only this benchmark (repeatable): " + ", ".join(BENCHMARKS),
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get("TEST_DATABASE_URL") or DEFAULT_POSTGRES,
        help="a PostgreSQL database to create the run's databases from "
        "(default: TEST_DATABASE_URL, else the local server); 'none' to skip PostgreSQL",
    )
    parser.add_argument(
        "--skip-before",
        action="store_true",
        help="leave out the slow 'before' phases (senders: each process pacing alone, "
        "about 40 minutes at full size)",
    )
    parser.add_argument(
        "--write",
        metavar="PATH",
        type=Path,
        help="write the report here (default: a full run "
        "writes docs/PERFORMANCE.md, other runs write nothing)",
    )
    return parser


def run_benchmarks(
    names: Sequence[str],
    *,
    size: str,
    postgres_url: str | None,
    skip_before: bool = False,
    say: Callable[[str], None] = print,
    show: Callable[[Section], None] = print_section,
) -> tuple[list[Section], bool]:
    """Run the named benchmarks in order; (their sections, whether every one ran to the end)."""
    sections = []
    complete = True
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pulse-bench-")))
        context = Run(
            size=size,
            folder=folder,
            postgres_url=postgres_url,
            stack=stack,
            say=say,
            skip_before=skip_before,
        )
        for name in names:
            say(f"\n-- {name} ({size})")
            start = time.perf_counter()
            try:
                section: Section = BENCHMARKS[name].run(context)
            except Exception:
                complete = False
                say(traceback.format_exc())
                section = Section(name, name, targets=[unmeasured(name, "the benchmark failed")])
            section.seconds = time.perf_counter() - start
            show(section)
            sections.append(section)
    return sections, complete


def main(argv: Sequence[str] | None = None) -> int:
    """Run, print, and write the document when asked to."""
    args = build_parser().parse_args(argv)
    size = "quick" if args.quick else "full"
    names = args.only or list(BENCHMARKS)
    postgres_url = None if args.postgres == "none" else args.postgres
    if postgres_url and postgres_version(postgres_url) is None:
        print(f"PostgreSQL is not reachable at {postgres_url}: its figures are skipped.")
        postgres_url = None
    start = time.perf_counter()
    sections, complete = run_benchmarks(
        names, size=size, postgres_url=postgres_url, skip_before=args.skip_before
    )
    seconds = time.perf_counter() - start
    print(f"\n== Targets ({size} sizes, {seconds / 60:.1f} minutes)")
    for section in sections:
        for target in section.targets:
            print(f"  {target_line(target)}")
    destination = args.write or (DOCUMENT if size == "full" and not args.only else None)
    if destination is not None:
        command = "python -m bench" + (" --quick" if args.quick else "")
        command += "".join(f" --only {name}" for name in args.only or [])
        write_document(
            destination,
            sections,
            host=machine(postgres_url),
            size=size,
            command=command,
            seconds=seconds,
        )
        print(f"Wrote {destination}.")
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
