"""The quarterly board report, rendered from a real run (the demo's kept database) and read
back with poppler: its pages in the briefing's story order, its words, and no colour."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from demo.run import run_demo
from demo.stage import CHANNEL_ID

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
