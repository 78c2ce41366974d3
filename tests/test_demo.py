"""`bot.py demo`: the narrated loop runs cleanly in-process and as the real command."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from demo import run as demo_run
from demo.answers import prompts_to
from demo.partners import COUNCIL, NHS, PARTNERS, POLICE, VOLUNTARY
from demo.people import build_team
from demo.report import spec_json
from demo.stage import CHANNEL_ID, CHANNEL_NAME, NEVER_ASKED, is_digest
from demo.week import FIRST_MONDAY
from standin import StandInSlack
from surveys.weeks import week_of, week_words

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def stand_ins(monkeypatch: pytest.MonkeyPatch) -> list[StandInSlack]:
    """Every stand-in workspace the demo starts, kept so its records can be inspected."""
    started: list[StandInSlack] = []

    class Recorded(StandInSlack):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            started.append(self)

    monkeypatch.setattr(demo_run, "StandInSlack", Recorded)
    return started


def test_demo_runs_the_loop_cleanly(
    stand_ins: list[StandInSlack], capsys: pytest.CaptureFixture[str]
) -> None:
    status = demo_run.run_demo(weeks=4, members=8, seed=3)
    out = capsys.readouterr().out

    assert status == 0, out
    weeks = [str(week_of(FIRST_MONDAY).shifted(i)) for i in range(4)]
    for week in weeks:
        assert f"Partnership Pulse — #{CHANNEL_NAME}, {week_words(week)} ({week})" in out
    assert out.count("Where are we now:") == 4
    assert "✗" not in out
    (slack,) = stand_ins
    assert slack.block_kit_problems == []
    for user_id in NEVER_ASKED:
        assert slack.dms_to(user_id) == []
    digests = [m for m in slack.messages_in(CHANNEL_ID) if is_digest(m, "")]
    assert [m.text.split(":")[0] for m in digests] == [
        f"Partnership pulse · #{CHANNEL_NAME} · {week_words(w)}" for w in weeks
    ]


def test_transcript_names_people_only_before_any_answers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Names appear in the introductions; from the first round on, only counts and digests."""
    assert demo_run.run_demo(weeks=2, members=6, seed=11) == 0
    out = capsys.readouterr().out
    rounds = out[out.index("── Week 1") :]
    for person in build_team(6, random.Random(11)):
        assert person.real_name in out
        assert person.real_name not in rounds


def _as_json(value: Any) -> str:
    """Blocks as sent, whether form-encoded (a JSON string) or as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def _last_digest_json(out: str) -> dict[str, Any]:
    """The final digest as the demo prints it (SPEC §4 JSON)."""
    start = out.index("{", out.index("digest as data (`bot.py digest show --format json`):"))
    end = out.index("\n}\n", start) + 2
    data: dict[str, Any] = json.loads(out[start:end])
    return data


def test_the_demo_runs_a_partnership_of_four_organisations(
    stand_ins: list[StandInSlack], capsys: pytest.CaptureFixture[str]
) -> None:
    """Council (the installing workspace), NHS trust and police through Slack Connect (the
    police refused DMs, so prompted in the channel), a voluntary body too small to show on
    its own; cultures start apart and converge."""
    weeks, seed = 5, 7
    assert demo_run.run_demo(weeks=weeks, seed=seed) == 0
    out = capsys.readouterr().out
    assert "✗" not in out
    for partner in PARTNERS:
        assert partner.name in out
    assert f"{VOLUNTARY.name}: everyone whose email is @{VOLUNTARY.email_domain}" in out
    (slack,) = stand_ins
    team = build_team(demo_run.DEFAULT_PARTNERS, random.Random(seed))
    by_partner = {p: [m.user_id for m in team if m.partner is p] for p in PARTNERS}
    prompted = [
        str(call.args.get("channel"))
        for call in slack.calls_to("chat.postMessage")
        if call.error is None and '"q:' in _as_json(call.args.get("blocks"))
    ]
    for user_id in by_partner[NHS]:  # Slack Connect, DMs allowed
        assert prompted.count(user_id) == weeks
    ephemeral = [call.args["user"] for call in slack.calls_to("chat.postEphemeral")]
    for user_id in by_partner[POLICE]:  # Slack Connect, DMs refused: prompted in the channel
        assert prompts_to(slack, user_id) == [] or all(
            p.in_channel for p in prompts_to(slack, user_id)
        )
        assert ephemeral.count(user_id) == weeks
        assert all(e.channel == CHANNEL_ID for e in slack.ephemerals_to(user_id))
    assert set(ephemeral) == set(by_partner[POLICE])
    assert {call.args.get("team") for call in slack.calls_to("team.info")} >= {
        NHS.workspace,
        POLICE.workspace,
    }

    digest = _last_digest_json(out)
    names = [o["name"] for o in digest["organisations"]]
    assert names == [NHS.name, COUNCIL.name, "Other partners"]
    assert VOLUNTARY.name not in json.dumps(digest)  # folded, never shown on its own
    convergence = digest["convergence"]
    assert convergence["spread"] is not None and convergence["baseline"] is not None
    assert convergence["spread"] < convergence["baseline"]
    assert convergence["shift"] == "converging"
    assert "How do our partners see it: Our partners see" in out
    assert "Convergence: spread" in out


def test_spec_json_is_the_digest_as_data() -> None:
    data = {
        "team": "C0",
        "week": "2026-W40",
        "participation": {"invited": 3, "responded": 2},
        "index": {"n": 2, "score": None},
        "behaviours": [{"id": "a", "n": 0}, {"id": "b", "favourable": 'talk of "us"'}],
    }
    assert json.loads(spec_json(data)) == data


def test_bad_arguments_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert demo_run.run_demo(weeks=0) == 2
    assert "--weeks" in capsys.readouterr().err


def test_bot_py_demo_command(tmp_path: Path) -> None:
    """The real command, from a clean environment: it never touches a working database."""
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "PULSE"))
    }
    database = tmp_path / "must-not-be-used.db"
    env.update(HOME=str(tmp_path), DATABASE_URL=f"sqlite:///{database}")
    result = subprocess.run(
        [sys.executable, "bot.py", "demo", "--weeks", "3"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Where are we now" in result.stdout
    assert not database.exists()


def test_keep_leaves_a_database_that_digest_show_and_export_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = tmp_path / "demo-output" / "demo.db"
    assert demo_run.run_demo(weeks=2, members=6, seed=5, keep=kept) == 0
    out = capsys.readouterr().out
    assert kept.exists()
    last_week = str(week_of(FIRST_MONDAY).shifted(1))
    assert f"kept in {kept}" in out
    assert f"digest show --team {CHANNEL_ID} --week {last_week}" in out
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PULSE"))}
    env["DATABASE_URL"] = f"sqlite:///{kept}"
    shown = subprocess.run(
        [sys.executable, "bot.py", "digest", "show", "--team", CHANNEL_ID, "--week", last_week],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    assert f"#{CHANNEL_NAME}, {week_words(last_week)} ({last_week})" in shown.stdout
    exported = subprocess.run(
        [sys.executable, "bot.py", "export", "--team", CHANNEL_ID, "--format", "csv"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith("team,week,figure")


def test_keep_refuses_a_file_that_exists_and_leaves_it_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = tmp_path / "mine.db"
    kept.write_bytes(b"not the demo's")
    assert demo_run.run_demo(weeks=1, keep=kept) == 2
    assert "--keep" in capsys.readouterr().err
    assert kept.read_bytes() == b"not the demo's"


def test_the_closing_hint_runs_the_bot_with_this_python(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.setattr(demo_run.shutil, "which", lambda name: None)  # no venv on the PATH
    assert demo_run.bot_command() == f"{demo_run._from_here(Path(sys.executable))} bot.py"
    monkeypatch.setattr(demo_run.shutil, "which", lambda name: sys.executable)  # venv active
    assert demo_run.bot_command() == "python bot.py"
    assert demo_run.run_demo(weeks=1, members=4, seed=2) == 0
    assert "python bot.py check" in capsys.readouterr().out
