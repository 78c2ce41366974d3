"""Block Kit checks applied to everything the bot sends.

Real Slack rejects malformed blocks at run time, in production, in front of
users. The stand-in rejects them in tests instead, against the published
Block Kit JSON Schema plus the payload-level rules the schema cannot express
(block counts, unique ids, the plain-text fallback).

Each function returns a list of human-readable problems; an empty list means
the payload is fine.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, relevance
from referencing import Registry, Resource

SCHEMA_PATH = Path(__file__).resolve().parent / "oracles" / "block-kit.schema.json"

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT_LENGTH = 40_000
_MAX_PROBLEM_LENGTH = 300


@cache
def _validators() -> dict[str, Draft202012Validator]:
    """Compile the schema once per process; validation is on the hot path of every test."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    schema_id = schema["$id"]
    registry: Registry = Registry().with_resource(schema_id, Resource.from_contents(schema))
    return {
        "blocks": Draft202012Validator(schema, registry=registry),
        "modal": Draft202012Validator(
            {"$ref": f"{schema_id}#/$defs/modal_view"}, registry=registry
        ),
        "home": Draft202012Validator({"$ref": f"{schema_id}#/$defs/home_view"}, registry=registry),
    }


def _is_type_mismatch(error: ValidationError) -> bool:
    return error.validator == "const" and list(error.relative_path) == ["type"]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _message(error: ValidationError) -> str:
    # Messages embed the failing value ("'xxxx…' is too long"); keep them readable.
    return error.message.replace(repr(error.instance), _short(error.instance))


def _explain(error: ValidationError) -> tuple[ValidationError, str]:
    """Follow oneOf/anyOf branches the way Slack's `type` discriminator would.

    Block Kit unions are discriminated by `type`, so the branch whose `type`
    matches the instance explains the failure; jsonschema's generic heuristic
    often picks an unrelated branch ("'plain_text' was expected").
    """
    while error.context:
        branches: dict[object, list[ValidationError]] = defaultdict(list)
        for sub in error.context:
            branches[sub.relative_schema_path[0]].append(sub)
        live = [subs for subs in branches.values() if not any(map(_is_type_mismatch, subs))]
        if not live and isinstance(error.instance, dict):
            return error, f"unknown type {_short(error.instance.get('type'))}"
        if len(live) > 1:
            options = dict.fromkeys(_message(max(subs, key=relevance)) for subs in live)
            if len(options) == 1:
                return error, next(iter(options))
            return error, "must satisfy one of: " + " | ".join(list(options)[:4])
        if not live:
            break
        error = max(live[0], key=relevance)
    return error, _message(error)


def _describe(error: ValidationError, prefix: str) -> str:
    specific, message = _explain(error)
    where = prefix + "".join(
        f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in specific.absolute_path
    )
    if len(message) > _MAX_PROBLEM_LENGTH:
        message = message[: _MAX_PROBLEM_LENGTH - 3] + "..."
    return f"{where}: {message}"


def _schema_problems(validator: Draft202012Validator, instance: Any, prefix: str) -> list[str]:
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    return [_describe(error, prefix) for error in errors]


def _action_ids(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "action_id" and isinstance(value, str):
                yield value
            else:
                yield from _action_ids(value)
    elif isinstance(node, list):
        for item in node:
            yield from _action_ids(item)


def _id_problems(blocks: list[Any], prefix: str) -> list[str]:
    """Uniqueness rules Slack enforces but the schema cannot express."""
    problems: list[str] = []
    block_ids = Counter(
        b["block_id"] for b in blocks if isinstance(b, dict) and isinstance(b.get("block_id"), str)
    )
    for block_id, count in block_ids.items():
        if count > 1:
            problems.append(f"{prefix}: duplicate block_id {block_id!r} ({count} blocks)")
    for index, block in enumerate(blocks):
        for action_id, count in Counter(_action_ids(block)).items():
            if count > 1:
                problems.append(
                    f"{prefix}[{index}]: duplicate action_id {action_id!r} within one block"
                )
    return problems


def _surface_block_problems(blocks: Any, limit: int, prefix: str) -> list[str]:
    if not isinstance(blocks, list):
        return [f"{prefix}: must be an array of blocks, got {type(blocks).__name__}"]
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"{prefix}: {len(blocks)} blocks, at most {limit} are allowed")
    return problems + _id_problems(blocks, prefix)


def check_blocks(blocks: Any) -> list[str]:
    """Problems with a message's `blocks` array (schema, 50-block cap, unique ids)."""
    problems = _surface_block_problems(blocks, MAX_MESSAGE_BLOCKS, "blocks")
    if isinstance(blocks, list):
        problems = _schema_problems(_validators()["blocks"], blocks, "blocks") + problems
    return problems


def check_message(text: Any, blocks: Any = None) -> list[str]:
    """Problems with a message payload.

    We require the plain-text `text` even when blocks are present: it is what
    notifications, screen readers and search show, and Slack only warns about
    it. An empty `blocks` list counts as "no blocks", as it does in Slack.
    """
    problems: list[str] = []
    if not isinstance(text, str) or not text.strip():
        problems.append("text: a non-empty plain-text fallback is required")
    elif len(text) > MAX_TEXT_LENGTH:
        problems.append(f"text: {len(text)} characters, at most {MAX_TEXT_LENGTH} are allowed")
    if blocks is not None and blocks != []:
        problems.extend(check_blocks(blocks))
    return problems


def check_view(view: Any) -> list[str]:
    """Problems with a modal or home-tab view (schema, 100-block cap, unique ids)."""
    if not isinstance(view, dict):
        return [f"view: must be an object, got {type(view).__name__}"]
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return [f"view['type']: must be 'modal' or 'home', got {kind!r}"]
    problems = _schema_problems(_validators()[kind], view, "view")
    blocks = view.get("blocks")
    if isinstance(blocks, list):
        problems.extend(_surface_block_problems(blocks, MAX_VIEW_BLOCKS, "view['blocks']"))
    return problems
