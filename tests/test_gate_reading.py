"""The gate reads a form body and a JSON payload's nesting as urllib and a token walk would.

`handlers.gate` decodes %-escapes in one C call and measures nesting with string methods,
for speed on the answer path; whatever the body, it must admit, refuse and read exactly
as `parse_qs` (strict, blanks kept) and a walk over the JSON tokens do.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from typing import Any
from urllib.parse import parse_qs, urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.gate import MAX_NESTING, Admitted, Refusal, check_request

SECRET = "gate-reading-secret"
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _signed(body: bytes) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    return {
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": "v0=" + digest.hexdigest(),
        "content-type": "application/x-www-form-urlencoded",
    }


def _walked_nesting(text: str) -> int:
    depth = deepest = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token[0] != '"':
            depth += 1 if token in "[{" else -1
            deepest = max(deepest, depth)
    return deepest


def _read(body: bytes) -> Admitted | Refusal:
    return check_request(body, _signed(body), secret=SECRET)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab=&+%4fG1é\\\x00 ", max_size=24))
def test_a_slash_command_form_is_read_as_parse_qs_reads_it(text: str) -> None:
    fields = f"command=/pulse&user_id=U1&channel_id=C1&team_id=T1&text={text}"
    result = _read(fields.encode())
    try:
        expected = parse_qs(fields, strict_parsing=True, keep_blank_values=True)
    except ValueError:
        assert isinstance(result, Refusal)
        return
    if any(len(values) > 1 for values in expected.values()):
        assert isinstance(result, Refusal)
        return
    assert isinstance(result, Admitted)
    assert result.body == {name: values[0] for name, values in expected.items()}


_JSON = st.recursive(
    st.none() | st.integers() | st.text(alphabet='ab[]{}"\\é%+&=', max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(_JSON, st.integers(min_value=0, max_value=MAX_NESTING + 2))
def test_a_payload_is_read_whole_and_too_deep_is_refused(value: Any, extra: int) -> None:
    inner = json.dumps(value, ensure_ascii=False)
    payload = '{"type": "block_actions", "user": {"id": "U1"}, "actions": [{"action_id": "a"}],'
    text = payload + ' "x": ' + "[" * extra + inner + "]" * extra + "}"
    result = _read(urlencode({"payload": text}).encode())
    if _walked_nesting(text) > MAX_NESTING:
        assert result == Refusal(400, "body is nested too deeply")
    else:
        assert isinstance(result, Admitted)
        assert result.body == json.loads(text)
