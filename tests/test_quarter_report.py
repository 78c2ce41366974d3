"""The quarterly board report, rendered from a real run (the demo's kept database) and read
back with poppler: its pages in the briefing's story order, its words, and no colour."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from charts.report_pdf import render_report
from demo.run import run_demo
from demo.stage import CHANNEL_ID
from services import reports as report_service
from tests.pulse_flow import SURVEYED, _questions, click, close_round, send_round
from tests.support import TEAM_CHANNEL, RunningBot, wait_for
from tests.test_organisations import (  # noqa: F401  (slack: the fixture with email domains)
    ASSIGNMENT,
    COUNCIL,
    NHS,
    NHS_PEOPLE,
    POLICE,
    setup_partnership,
    slack,
    submit_organisations,
)
from tests.test_partnership_review import _click, _close, _start

ROOT = Path(__file__).resolve().parents[1]
POPPLER = ("pdftotext", "pdfinfo", "pdftoppm")
pytestmark = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in POPPLER),
    reason="needs poppler-utils (pdftotext, pdfinfo, pdftoppm); .ci/run installs it",
)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's 2026-Q4 report, written by `python bot.py report`."""
    folder = tmp_path_factory.mktemp("report")
    kept = folder / "demo.db"
    assert run_demo(weeks=6, members=10, seed=7, keep=kept) == 0
    pdf = folder / "report.pdf"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    command = ["report", "--team", CHANNEL_ID, "--quarter", "2026-Q4", "--output", str(pdf)]
    result = subprocess.run(
        [sys.executable, "bot.py", *command],
        cwd=ROOT,
        env={**clean, "DATABASE_URL": f"sqlite:///{kept}"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "6 weeks published" in result.stdout
    return pdf


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


def test_the_report_has_four_pages_in_the_story_order(report: Path) -> None:
    info = subprocess.run(["pdfinfo", str(report)], capture_output=True, text=True, check=True)
    assert re.search(r"^Pages:\s+4$", info.stdout, re.MULTILINE), info.stdout
    story, behaviours, review, actions = _pages(report)
    where = [story.index(h) for h in ("Where are we now?", "Where did we start from?")]
    assert where == sorted(where) and "Where are we going?" in story
    assert "2026-Q4" in story and "likely between" in story
    assert "start" in behaviours and "now" in behaviours and "talk of" in behaviours
    assert "collating and analysing data?" in review and "Not in place" in review
    assert "never added" in review
    for heading in ("Agreed this quarter", "Done", "Still open"):
        assert heading in actions


def test_the_report_prints_the_same_in_greyscale(report: Path, tmp_path: Path) -> None:
    subprocess.run(["pdftoppm", "-r", "20", str(report), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.ppm"))
    assert len(pages) == 4
    for page in pages:
        raw = page.read_bytes()
        pixels = raw.split(b"\n", 3)[3]  # P6, size, depth, then RGB bytes
        assert all(pixels[i] == pixels[i + 1] == pixels[i + 2] for i in range(0, len(pixels), 3)), (
            page.name
        )


def _second_round(running: RunningBot) -> None:
    """A week later, the next round: wait until everyone has its prompt."""
    first = {u: {m.ts for m in running.slack.dms_to(u)} for u in SURVEYED}
    running.clock.advance(timedelta(days=7))
    running.command("send")
    wait_for(lambda: all(_has_new_prompt(running, u, first[u]) for u in SURVEYED))


def _has_new_prompt(running: RunningBot, user: str, seen: set[str]) -> bool:
    return any(m.ts not in seen and _questions(m.blocks or []) for m in running.slack.dms_to(user))


def test_organisations_are_set_side_by_side_where_their_figures_are_shown(
    running: RunningBot, tmp_path: Path
) -> None:
    """Three organisations at threshold 3 (council 4, NHS 4, police 1): the NHS and "Other
    partners" (the police folded with the council) side by side, the pulse's start and now
    and the review's counts; the council and the police never named; all in grey."""
    setup_partnership(running)
    submit_organisations(running, ASSIGNMENT, threshold="3")
    for week in range(2):
        if week:
            _second_round(running)
        else:
            send_round(running)
        for i, user in enumerate(SURVEYED):
            nhs = user in NHS_PEOPLE
            click(running, user, 0, (3 + week + i % 2) if nhs else 1 + i % 3)
            click(running, user, 1, (2 + i % 3) if nhs else 1 + (i + week) % 4)
        close_round(running)
    _start(running)
    for user, level in zip(SURVEYED, REVIEW_LEVELS, strict=True):
        _click(running, user, 0, level)
    _close(running)

    data = report_service.quarter_report(
        db=running.bot.db, channel_id=TEAM_CHANNEL, quarter="2026-Q4"
    )
    assert [o.name for o in data.organisations] == [NHS, "Other partners"]
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_report(data))
    pages = _pages(pdf)
    side = next(p for p in pages if "Organisations side by side" in p)
    assert pages.index(side) == 2  # after the behaviours, before the review
    assert NHS in side and "Other partners" in side and "Weekly index" in side
    assert re.search(r"Weekly index\s+[+−]\d\.\d\d → [+−]\d\.\d\d", side), side
    assert "0·0·2·2" in side and "2·3·0·0" in side  # the review's first question
    assert "differ most" in side and "NHS Leeds’ answers sit higher" in side.replace("'", "’")
    for text in pages:
        assert COUNCIL not in text and POLICE not in text
    _assert_grey(pdf, tmp_path)


REVIEW_LEVELS = [1, 2, 1, 2, 2, 3, 4, 4, 3]  # the police, four council people, four NHS people


def _assert_grey(pdf: Path, folder: Path) -> None:
    subprocess.run(["pdftoppm", "-r", "20", str(pdf), str(folder / "grey")], check=True)
    for page in sorted(folder.glob("grey*.ppm")):
        pixels = page.read_bytes().split(b"\n", 3)[3]
        assert all(pixels[i] == pixels[i + 1] == pixels[i + 2] for i in range(0, len(pixels), 3))
