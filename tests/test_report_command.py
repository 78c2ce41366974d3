"""`/pulse report`: a manager gets the quarter's board report as a PDF in their DMs."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from standin.workspace import UploadedFile
from tests.pulse_flow import SURVEYED, click, close_round, send_round, setup_team
from tests.support import MANAGER, RunningBot, responded, wait_for


def _closed_round(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    for i, user in enumerate(SURVEYED):
        click(running, user, 0, 1 + i % 5)
    close_round(running)


def _pdfs(running: RunningBot) -> list[UploadedFile]:
    return [f for f in running.slack.uploaded_files if f.filename.endswith(".pdf")]


def test_report_dms_the_manager_the_quarters_pdf(running: RunningBot) -> None:
    _closed_round(running)
    running.command("report")
    wait_for(lambda: responded(running, "board report"))
    (pdf,) = _pdfs(running)
    assert (pdf.content or b"").startswith(b"%PDF")
    assert pdf.filename.endswith("-2026-Q4.pdf")
    assert MANAGER.replace("U", "D", 1) in pdf.channels
    if shutil.which("pdftotext"):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "report.pdf"
            path.write_bytes(pdf.content or b"")
            text = subprocess.run(
                ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
            ).stdout
        assert "Where are we now?" in text


def test_report_of_a_quarter_with_nothing_published_uploads_nothing(running: RunningBot) -> None:
    _closed_round(running)
    running.command("report 2025-Q1")
    wait_for(lambda: responded(running, "Nothing is published for 2025-Q1"))
    assert _pdfs(running) == []


def test_report_is_refused_to_a_member(running: RunningBot) -> None:
    _closed_round(running)
    reply = running.command("report", user=SURVEYED[3])
    assert "only a manager" in reply.json()["text"]
    assert _pdfs(running) == []


def test_report_with_a_malformed_quarter_gets_usage_and_uploads_nothing(
    running: RunningBot,
) -> None:
    _closed_round(running)
    reply = running.command("report 2026-Q5")
    assert "is not a quarter" in reply.json()["text"]
    assert _pdfs(running) == []
