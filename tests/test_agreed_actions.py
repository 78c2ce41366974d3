"""Agreeing an action from Slack: `/pulse action` opens the modal for managers only, a
signed `view_submission` stores it or says which field is wrong, and its owner gets a DM."""

from __future__ import annotations

import json
from typing import Any

from tests.action_flow import (
    initial_behaviour,
    open_by_command,
    opened_action_modals,
    review_week_values,
    stored_actions,
    submit_action,
    suggestion_keys,
)
from tests.pulse_flow import setup_team
from tests.support import MANAGER, MEMBERS, OUTSIDER, TEAM_CHANNEL, RunningBot, wait_for

OWNER = MEMBERS[0]
EVIDENCE = "seek-robust-evidence-to-inform-decisions"


def _owner_dms(running: RunningBot, words: str) -> list[object]:
    return [m for m in running.slack.dms_to(OWNER) if words in (m.text or "")]


def test_a_manager_agrees_an_action_and_its_owner_is_told(running: RunningBot) -> None:
    setup_team(running)
    view = open_by_command(running)
    assert initial_behaviour(view) is None
    weeks = review_week_values(view)
    assert weeks == [f"2026-W{n}" for n in range(49, 54)] + ["2027-W01", "2027-W02"]
    assert "value-good-evidence" in suggestion_keys(view)
    answer = submit_action(
        running,
        view,
        behaviour=EVIDENCE,
        suggestion="value-good-evidence",
        owner=OWNER,
        review_week="2026-W51",
    )
    assert answer["response_action"] == "update"
    assert "Agreed" in json.dumps(answer["view"])
    [(_, behaviour, text, owner, review, status, report)] = stored_actions(running)
    assert (behaviour, text, owner, review, status, report) == (
        EVIDENCE,
        "value good evidence in decision-making",
        OWNER,
        "2026-W51",
        "open",
        None,
    )
    [dm] = wait_for(lambda: _owner_dms(running, "is yours"))
    assert "week of 14 Dec" in json.dumps(dm.blocks)
    assert f"<@{MANAGER}>" in json.dumps(dm.blocks)


def test_the_team_can_write_the_action_in_its_own_words(running: RunningBot) -> None:
    setup_team(running)
    view = open_by_command(running)
    submit_action(
        running,
        view,
        behaviour="ask-and-listen",
        own_words="  Hold a   joint evidence session  ",
        owner=OWNER,
        review_week=review_week_values(view)[0],
    )
    [(_, behaviour, text, *_rest)] = stored_actions(running)
    assert (behaviour, text) == ("ask-and-listen", "Hold a joint evidence session")


def test_someone_who_is_no_manager_is_refused_and_no_modal_opens(running: RunningBot) -> None:
    setup_team(running)
    for user in (MEMBERS[1], OUTSIDER):
        reply = running.command("action", user=user)
        assert "only a manager" in reply.json()["text"]
    assert opened_action_modals(running) == []
    assert stored_actions(running) == []


def test_each_wrong_field_is_named_in_the_modal_and_nothing_is_stored(
    running: RunningBot,
) -> None:
    setup_team(running)
    view = open_by_command(running)
    week = review_week_values(view)[0]
    cases: list[tuple[dict[str, Any], str]] = [
        (dict(behaviour=None, suggestion="promote-mutual-challenge"), "behaviour"),
        (dict(behaviour="no-such-behaviour", own_words="x"), "behaviour"),
        (dict(behaviour=EVIDENCE), "suggestion"),
        (dict(behaviour=EVIDENCE, suggestion="made-up"), "suggestion"),
        (dict(behaviour=EVIDENCE, suggestion="peer-review", own_words="also"), "own_words"),
        (dict(behaviour=EVIDENCE, own_words="x" * 301), "own_words"),
        (dict(behaviour=EVIDENCE, own_words="   "), "suggestion"),
    ]
    for fields, problem in cases:
        answer = submit_action(running, view, owner=OWNER, review_week=week, **fields)
        assert answer["response_action"] == "errors", fields
        assert problem in answer["errors"], (fields, answer)
    for owner, review in [
        (None, week),
        ("not-a-user", week),
        (OWNER, None),
        (OWNER, "2026-W48"),  # next week: too soon
        (OWNER, "2027-W10"),  # further than eight weeks
        (OWNER, "2026-W99"),
    ]:
        answer = submit_action(
            running, view, behaviour=EVIDENCE, own_words="x", owner=owner, review_week=review
        )
        assert answer["response_action"] == "errors"
        assert set(answer["errors"]) == {"owner" if owner != OWNER else "review_week"}
    assert stored_actions(running) == []
    assert running.slack.dms_to(OWNER) == []


def test_an_altered_or_foreign_modal_changes_nothing(running: RunningBot) -> None:
    setup_team(running)
    view = open_by_command(running)
    week = review_week_values(view)[0]
    good: dict[str, Any] = dict(behaviour=EVIDENCE, own_words="x", owner=OWNER, review_week=week)
    for metadata in (
        "not json",
        json.dumps({"workspace": "T0OTHER", "team": TEAM_CHANNEL}),
        json.dumps({"workspace": "T0STANDIN", "team": "C0NOTEAM"}),
        json.dumps({"workspace": "T0STANDIN"}),
    ):
        answer = submit_action(running, view, metadata=metadata, **good)
        assert answer["response_action"] == "update", metadata
        assert "Agreed" not in json.dumps(answer["view"])
    answer = submit_action(running, view, user=MEMBERS[1], **good)
    assert "only a manager" in json.dumps(answer["view"])
    assert stored_actions(running) == []
