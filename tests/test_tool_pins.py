"""The checks run before a commit are the ones `make lint` runs: one ruff version for both."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pinned(requirement: str) -> str:
    text = (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")
    found = re.search(rf"^{re.escape(requirement)}==(\S+)$", text, re.MULTILINE)
    assert found, f"{requirement} is not pinned in requirements-dev.txt"
    return found.group(1)


def test_the_pre_commit_hooks_run_the_pinned_ruff_check_and_format() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (ruff,) = [r for r in config["repos"] if r["repo"].endswith("/ruff-pre-commit")]
    assert ruff["rev"] == f"v{_pinned('ruff')}"
    assert [hook["id"] for hook in ruff["hooks"]] == ["ruff-check", "ruff-format"]
