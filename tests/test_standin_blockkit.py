"""Block Kit checks: the schema copy, the schema rules and the payload-level rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from standin import check_blocks, check_message, check_view
from standin.blockkit import SCHEMA_PATH

SHARED_ORACLES = Path(__file__).resolve().parents[2] / "shared" / "oracles"

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*Pulse*"}}


def _button(action_id: str, value: str = "1") -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": value},
        "value": value,
    }


def test_bundled_schema_equals_shared_oracle() -> None:
    shared = SHARED_ORACLES / "block-kit.schema.json"
    if not shared.exists():
        pytest.skip(f"shared oracles not present at {shared}")
    assert SCHEMA_PATH.read_bytes() == shared.read_bytes()


def test_bundled_schema_license_equals_shared_oracle() -> None:
    shared = SHARED_ORACLES / "LICENSES" / "block-kit-schema.LICENSE"
    if not shared.exists():
        pytest.skip(f"shared oracles not present at {shared}")
    assert (SCHEMA_PATH.parent / "block-kit-schema.LICENSE").read_bytes() == shared.read_bytes()


def test_bundled_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def test_well_formed_survey_message_has_no_problems() -> None:
    actions = {
        "type": "actions",
        "block_id": "q1",
        "elements": [_button(f"score_{n}", str(n)) for n in range(1, 6)],
    }
    assert check_message("How was this week?", [SECTION, {"type": "divider"}, actions]) == []


def test_schema_violation_names_the_failing_field() -> None:
    [problem] = check_blocks([{"type": "section", "text": {"type": "mrkdwn"}}])
    assert problem.startswith("blocks[0]['text']")
    assert "'text' is a required property" in problem


def test_unknown_block_type_is_reported_as_such() -> None:
    assert check_blocks([{"type": "sectoin"}]) == ["blocks[0]: unknown type 'sectoin'"]


def test_overlong_values_are_abbreviated_in_problems() -> None:
    [problem] = check_blocks([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}])
    assert "is too long" in problem
    assert len(problem) < 200


def test_more_than_50_blocks_is_a_problem_for_messages_but_not_views() -> None:
    dividers = [{"type": "divider"}] * 51
    assert any("at most 50" in p for p in check_blocks(dividers))
    assert check_view({"type": "home", "blocks": dividers}) == []
    assert check_view({"type": "home", "blocks": [{"type": "divider"}] * 101}) != []


def test_duplicate_block_ids_are_a_problem() -> None:
    blocks = [{**SECTION, "block_id": "same"}, {"type": "divider", "block_id": "same"}]
    assert check_blocks(blocks) == ["blocks: duplicate block_id 'same' (2 blocks)"]


def test_duplicate_action_ids_within_a_block_are_a_problem() -> None:
    block = {"type": "actions", "elements": [_button("vote"), _button("vote", "2")]}
    assert check_blocks([block]) == ["blocks[0]: duplicate action_id 'vote' within one block"]


def test_same_action_id_in_different_blocks_is_fine() -> None:
    blocks = [
        {"type": "actions", "block_id": "a", "elements": [_button("vote")]},
        {"type": "actions", "block_id": "b", "elements": [_button("vote")]},
    ]
    assert check_blocks(blocks) == []


@pytest.mark.parametrize("text", [None, "", "   "])
def test_message_needs_a_plain_text_fallback(text: str | None) -> None:
    assert check_message(text, [SECTION]) == ["text: a non-empty plain-text fallback is required"]


def test_message_text_is_capped_at_40000_chars() -> None:
    assert check_message("x" * 40_000) == []
    assert check_message("x" * 40_001) == ["text: 40001 characters, at most 40000 are allowed"]


def test_empty_blocks_list_counts_as_no_blocks() -> None:
    assert check_message("plain", []) == []


def test_blocks_must_be_an_array() -> None:
    assert check_blocks({"type": "divider"}) == ["blocks: must be an array of blocks, got dict"]


def test_modal_with_input_needs_submit() -> None:
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Pulse"},
        "blocks": [
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "Why?"},
                "element": {"type": "plain_text_input", "action_id": "why"},
            }
        ],
    }
    assert check_view(modal) == ["view: 'submit' is a required property"]
    assert check_view({**modal, "submit": {"type": "plain_text", "text": "Send"}}) == []


def test_modal_title_is_capped_at_24_chars() -> None:
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "A title far too long for a modal"},
        "blocks": [SECTION],
    }
    [problem] = check_view(modal)
    assert problem.startswith("view['title']['text']")


def test_view_type_must_be_modal_or_home() -> None:
    assert check_view({"type": "workflow_step", "blocks": [SECTION]}) == [
        "view['type']: must be 'modal' or 'home', got 'workflow_step'"
    ]
    assert check_view("not a view") == ["view: must be an object, got str"]
