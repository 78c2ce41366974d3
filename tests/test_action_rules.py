"""The rules behind agreed actions, as plain functions: which behaviours a review week asks,
which weeks an action may be reviewed in, what `since` may say, and the history export."""

from __future__ import annotations

import pytest

from surveys.action_export import export_actions_csv
from surveys.action_since import report_actions
from surveys.actions import (
    AgreedAction,
    every_suggestion,
    review_weeks,
    suggestions_for,
    with_reviewed,
)
from surveys.behaviours import BEHAVIOUR_IDS
from surveys.digest import TeamAnswers
from surveys.week_answers import AnswerRow, weeks_of
from surveys.weeks import parse_week

B = BEHAVIOUR_IDS[7]


def _action(**changes: object) -> AgreedAction:
    fields: dict[str, object] = dict(
        id=1,
        behaviour_id=B,
        text="hold a joint evidence session",
        owner="U0OWNER",
        agreed_week="2026-W45",
        review_week="2026-W49",
        status="open",
        baseline_week="2026-W45",
    )
    fields.update(changes)
    return AgreedAction(**fields)  # type: ignore[arg-type]


def _answers(weeks: dict[str, list[int]], threshold: int = 5) -> TeamAnswers:
    rows = [
        AnswerRow(week, f"r{i}", B, point)
        for week, points in weeks.items()
        for i, point in enumerate(points)
    ]
    return TeamAnswers(weeks_of(rows, threshold))


def test_a_review_week_adds_its_behaviour_to_the_rotation_once() -> None:
    rotation = (BEHAVIOUR_IDS[0], BEHAVIOUR_IDS[1], BEHAVIOUR_IDS[2])
    assert with_reviewed(rotation, []) == rotation
    assert with_reviewed(rotation, [BEHAVIOUR_IDS[1]]) == rotation
    assert with_reviewed(rotation, [B, B, "not-a-behaviour"]) == (*rotation, B)


def test_review_weeks_run_from_two_to_eight_weeks_on_across_a_year_end() -> None:
    weeks = [str(w) for w in review_weeks(parse_week("2026-W50"))]
    assert weeks == [
        "2026-W52",
        "2026-W53",
        "2027-W01",
        "2027-W02",
        "2027-W03",
        "2027-W04",
        "2027-W05",
    ]


def test_every_behaviour_has_suggestions_that_fit_a_menu() -> None:
    for behaviour in BEHAVIOUR_IDS:
        assert len(suggestions_for(behaviour)) >= 2
    assert all(len(s.label) <= 75 and len(s.text) <= 300 for s in every_suggestion())


def test_since_compares_the_figure_before_agreement_with_the_latest_shown() -> None:
    # Nobody's answers are alike across a whole week: a unanimous week is never published.
    answers = _answers(
        {"2026-W45": [1, 2, 2, 2, 2, 3], "2026-W47": [2, 3, 3, 3, 3, 4], "2026-W49": [4] + [5] * 5}
    )
    [report] = report_actions([_action()], answers, week="2026-W49", threshold=5)
    assert report.since is not None
    assert report.since.then == -0.5
    assert report.since.now == pytest.approx(11 / 12)
    assert report.since.shift == "towards_favourable"
    assert (report.since.then_week, report.since.now_week) == ("2026-W45", "2026-W49")


def test_since_never_uses_a_week_too_few_answered() -> None:
    # W45 had four answers (below five): no "then"; W49 had three: it is not "now" either.
    answers = _answers({"2026-W45": [1] * 4, "2026-W47": [3, 4, 4, 4, 5], "2026-W49": [5] * 3})
    [report] = report_actions([_action()], answers, week="2026-W49", threshold=5)
    assert report.since is not None
    assert report.since.then is None and report.since.shift == "insufficient_data"
    assert report.since.now == 0.5 and report.since.now_week == "2026-W47"
    only_small = _answers({"2026-W49": [5] * 4})
    [quiet] = report_actions([_action()], only_small, week="2026-W49", threshold=5)
    assert quiet.since is None


def test_a_digest_lists_open_actions_and_those_reviewed_that_week() -> None:
    actions = [
        _action(id=1),
        _action(id=2, status="done"),
        _action(id=3, status="dropped", review_week="2026-W48"),
        _action(id=4, agreed_week="2026-W50"),
    ]
    listed = report_actions(actions, _answers({}), week="2026-W49", threshold=5)
    assert [r.action.id for r in listed] == [1, 2]


def test_the_history_export_keeps_closed_actions() -> None:
    text = export_actions_csv("C0TEAM", [_action(id=1), _action(id=2, status="dropped")])
    lines = text.splitlines()
    assert lines[0].startswith("team,id,behaviour,text,owner")
    assert len(lines) == 3 and lines[2].endswith(",dropped,")
