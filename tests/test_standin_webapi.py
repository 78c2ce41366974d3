"""The stand-in Web API, exercised through a real slack_sdk WebClient over HTTP."""

from __future__ import annotations

import json
import threading
import time
import types
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from standin import RateLimits, StandInSlack, Workspace
from standin.limits import RateLimiter

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "How did the hand-off go?"}}


def _buttons(block_id: str = "answer") -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": block_id,
        "elements": [
            {
                "type": "button",
                "action_id": f"vote_{n}",
                "text": {"type": "plain_text", "text": str(n)},
                "value": str(n),
            }
            for n in range(1, 6)
        ],
    }


@pytest.fixture
def workspace() -> Workspace:
    ws = Workspace()
    ws.add_user("U100", "ada", tz="America/New_York", real_name="Ada Lovelace")
    ws.add_user("U200", "grace", tz="Asia/Tokyo")
    ws.add_user("U300", "gone", deleted=True)
    ws.add_user("U400", "otherbot", is_bot=True)
    ws.add_channel("C100", "partnership", members=["U100", "U200"])
    return ws


@pytest.fixture
def standin(workspace: Workspace) -> Iterator[StandInSlack]:
    with StandInSlack(workspace) as server:
        yield server
        assert server.internal_errors == []


@pytest.fixture
def client(standin: StandInSlack) -> WebClient:
    return WebClient(token=standin.bot_token, base_url=standin.api_url, timeout=5)


def _error_of(exc: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(exc.value.response["error"])


# ------------------------------------------------------------------ basics


def test_api_url_is_http_loopback_with_trailing_slash(standin: StandInSlack) -> None:
    assert standin.api_url.startswith("http://127.0.0.1:")
    assert standin.api_url.endswith("/api/")


def test_auth_test_describes_the_bot_and_team(client: WebClient, workspace: Workspace) -> None:
    reply = client.auth_test()
    assert reply["team_id"] == workspace.team_id
    assert reply["user_id"] == workspace.bot_user_id
    assert reply["bot_id"] == workspace.bot_id


def test_bad_token_is_refused_with_invalid_auth(standin: StandInSlack) -> None:
    bad = WebClient(token="xoxb-wrong", base_url=standin.api_url)
    with pytest.raises(SlackApiError) as exc:
        bad.chat_postMessage(channel="C100", text="hi")
    assert _error_of(exc) == "invalid_auth"
    assert standin.messages_in("C100") == []


def test_missing_token_is_refused_with_not_authed(standin: StandInSlack) -> None:
    with pytest.raises(SlackApiError) as exc:
        WebClient(base_url=standin.api_url).auth_test()
    assert _error_of(exc) == "not_authed"


def test_token_may_come_as_form_field_instead_of_header(standin: StandInSlack) -> None:
    reply = WebClient(base_url=standin.api_url).api_call(
        "auth.test", params={"token": standin.bot_token}
    )
    assert reply["ok"] is True


def test_unknown_method_answers_unknown_method(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.api_call("chat.teleport", json={"channel": "C100"})
    assert _error_of(exc) == "unknown_method"


def test_calls_are_logged_in_order_with_status_and_error(
    client: WebClient, standin: StandInSlack
) -> None:
    client.auth_test()
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C999", text="hi")
    assert [(c.method, c.http_status, c.error) for c in standin.calls] == [
        ("auth.test", 200, None),
        ("chat.postMessage", 200, "channel_not_found"),
    ]
    assert standin.calls[1].args == {"channel": "C999", "text": "hi"}
    assert standin.calls[1].token == standin.bot_token
    standin.reset_calls()
    assert standin.calls == []


# ---------------------------------------------------------------- messages


def test_post_message_to_user_id_lands_in_their_dm(
    client: WebClient, standin: StandInSlack
) -> None:
    reply = client.chat_postMessage(channel="U100", text="Pulse time", blocks=[SECTION])
    assert reply["channel"] == "D100"
    assert reply["message"]["blocks"] == [SECTION]
    [message] = standin.dms_to("U100")
    assert (message.ts, message.text, message.blocks) == (reply["ts"], "Pulse time", [SECTION])
    assert standin.block_kit_problems == []


def test_message_timestamps_are_unique_and_increasing(client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="C100", text=f"m{i}")["ts"] for i in range(5)]
    assert stamps == sorted(stamps, key=float)
    assert len(set(stamps)) == 5


def test_post_message_to_dm_id_and_to_channel_name(
    client: WebClient, standin: StandInSlack
) -> None:
    client.chat_postMessage(channel="D200", text="direct")
    client.chat_postMessage(channel="#partnership", text="by name")
    assert [m.text for m in standin.dms_to("U200")] == ["direct"]
    assert [m.text for m in standin.messages_in("C100")] == ["by name"]


@pytest.mark.parametrize(
    ("channel", "error"),
    [
        ("C999", "channel_not_found"),
        ("U999", "user_not_found"),
        ("U300", "account_inactive"),
        ("U400", "cannot_dm_bot"),
        ("D999", "channel_not_found"),
    ],
)
def test_post_message_refuses_unreachable_targets(
    client: WebClient, channel: str, error: str
) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel=channel, text="hello")
    assert _error_of(exc) == error


def test_invalid_blocks_are_refused_and_recorded(client: WebClient, standin: StandInSlack) -> None:
    broken = {"type": "section", "text": {"type": "mrkdwn"}}
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C100", text="fallback", blocks=[broken])
    assert _error_of(exc) == "invalid_blocks"
    assert exc.value.response["response_metadata"]["messages"]
    [(method, problems)] = standin.block_kit_problems
    assert method == "chat.postMessage"
    assert "'text' is a required property" in problems[0]
    assert standin.messages_in("C100") == []


def test_more_than_50_blocks_are_refused(client: WebClient, standin: StandInSlack) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C100", text="long", blocks=[{"type": "divider"}] * 51)
    assert _error_of(exc) == "invalid_blocks"
    assert "51 blocks" in standin.block_kit_problems[0][1][0]
    client.chat_postMessage(channel="C100", text="ok", blocks=[{"type": "divider"}] * 50)


def test_duplicate_action_ids_in_a_block_are_refused(client: WebClient) -> None:
    block = _buttons()
    block["elements"][1]["action_id"] = block["elements"][0]["action_id"]
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C100", text="vote", blocks=[block])
    assert _error_of(exc) == "invalid_blocks"


def test_message_without_text_is_refused_even_with_blocks(
    client: WebClient, standin: StandInSlack
) -> None:
    # slack_sdk itself warns about the missing fallback before sending.
    with pytest.warns(UserWarning), pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C100", blocks=[SECTION])
    assert _error_of(exc) == "no_text"
    assert standin.block_kit_problems[0][0] == "chat.postMessage"


def test_text_over_40000_chars_is_refused(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C100", text="x" * 40_001)
    assert _error_of(exc) == "msg_too_long"


def test_form_encoded_blocks_arrive_as_json_strings_and_are_checked(
    standin: StandInSlack,
) -> None:
    client = WebClient(token=standin.bot_token, base_url=standin.api_url)
    client.api_call(
        "chat.postMessage",
        params={"channel": "C100", "text": "form", "blocks": json.dumps([SECTION])},
    )
    assert standin.messages_in("C100")[0].blocks == [SECTION]
    with pytest.raises(SlackApiError) as exc:
        client.api_call(
            "chat.postMessage", params={"channel": "C100", "text": "x", "blocks": "[not json"}
        )
    assert _error_of(exc) == "invalid_blocks_format"


def test_chat_update_replaces_text_and_blocks_seen_by_dms_to(
    client: WebClient, standin: StandInSlack
) -> None:
    posted = client.chat_postMessage(channel="U100", text="Vote", blocks=[_buttons()])
    reply = client.chat_update(
        channel=posted["channel"], ts=posted["ts"], text="Thanks!", blocks=[SECTION]
    )
    assert reply["ts"] == posted["ts"]
    [message] = standin.dms_to("U100")
    assert (message.text, message.blocks) == ("Thanks!", [SECTION])
    assert message.edited_ts is not None


def test_chat_update_of_unknown_ts_is_message_not_found(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.chat_update(channel="C100", ts="1.000001", text="x")
    assert _error_of(exc) == "message_not_found"


def test_chat_delete_removes_the_message(client: WebClient, standin: StandInSlack) -> None:
    posted = client.chat_postMessage(channel="C100", text="oops")
    client.chat_delete(channel="C100", ts=posted["ts"])
    assert standin.messages_in("C100") == []
    with pytest.raises(SlackApiError) as exc:
        client.chat_delete(channel="C100", ts=posted["ts"])
    assert _error_of(exc) == "message_not_found"


def test_post_ephemeral_returns_message_ts_and_needs_membership(
    client: WebClient, standin: StandInSlack, workspace: Workspace
) -> None:
    reply = client.chat_postEphemeral(channel="C100", user="U100", text="Only you")
    assert reply["message_ts"]
    assert [m.text for m in standin.ephemerals_to("U100")] == ["Only you"]
    workspace.leave("C100", "U100")
    with pytest.raises(SlackApiError) as exc:
        client.chat_postEphemeral(channel="C100", user="U100", text="again")
    assert _error_of(exc) == "user_not_in_channel"


def test_concurrent_posts_from_many_threads_all_land(
    client: WebClient, standin: StandInSlack
) -> None:
    def post(n: int) -> None:
        client.chat_postMessage(channel="C100", text=f"n{n}")

    threads = [threading.Thread(target=post, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(m.text for m in standin.messages_in("C100")) == sorted(f"n{n}" for n in range(20))
    assert len(standin.calls_to("chat.postMessage")) == 20
    assert len({m.ts for m in standin.messages_in("C100")}) == 20


# ----------------------------------------------------- conversations/users


def test_conversations_open_gives_stable_dm_id(client: WebClient) -> None:
    first = client.conversations_open(users="U200")
    again = client.conversations_open(users="U200", return_im=True)
    assert first["channel"]["id"] == "D200"
    assert again["channel"]["id"] == "D200"
    assert again["already_open"] is True


def test_conversations_info_for_channel_and_dm(client: WebClient) -> None:
    assert client.conversations_info(channel="C100")["channel"]["name"] == "partnership"
    assert client.conversations_info(channel="D100")["channel"]["is_im"] is True
    with pytest.raises(SlackApiError) as exc:
        client.conversations_info(channel="C404")
    assert _error_of(exc) == "channel_not_found"


def test_conversations_members_cursor_loop_returns_all_250_members(
    client: WebClient, workspace: Workspace
) -> None:
    members = [f"U9{n:04d}" for n in range(250)]
    for user_id in members:
        workspace.add_user(user_id, f"member{user_id}")
    workspace.add_channel("C250", "big", members=members)

    seen: list[str] = []
    page_sizes: list[int] = []
    cursor = None
    while True:
        page = client.conversations_members(channel="C250", cursor=cursor)
        seen += page["members"]
        page_sizes.append(len(page["members"]))
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert seen == members
    assert page_sizes == [100, 100, 50]

    iterated = [m for page in client.conversations_members(channel="C250") for m in page["members"]]
    assert iterated == members


def test_pagination_rejects_garbage_cursor_and_limit(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.conversations_members(channel="C100", cursor="not-a-cursor")
    assert _error_of(exc) == "invalid_cursor"
    with pytest.raises(SlackApiError) as exc:
        client.conversations_members(channel="C100", limit=5000)
    assert _error_of(exc) == "invalid_limit"


def test_users_info_returns_tz_offset_and_profile(client: WebClient) -> None:
    user = client.users_info(user="U100")["user"]
    assert user["tz"] == "America/New_York"
    assert user["tz_offset"] in (-5 * 3600, -4 * 3600)
    assert user["real_name"] == "Ada Lovelace"
    assert user["profile"]["display_name"] == "ada"
    assert client.users_info(user="U200")["user"]["tz_offset"] == 9 * 3600
    with pytest.raises(SlackApiError) as exc:
        client.users_info(user="U404")
    assert _error_of(exc) == "user_not_found"


def test_users_list_pages_and_includes_bots_and_deleted(
    client: WebClient, workspace: Workspace
) -> None:
    # SlackResponse iteration reuses one object, so read each page as it comes.
    page_sizes = [len(page["members"]) for page in client.users_list(limit=2)]
    members = [m for page in client.users_list(limit=2) for m in page["members"]]
    assert page_sizes == [2, 2, 1]
    assert {m["id"] for m in members} == {u.id for u in workspace.users()}
    assert any(m["deleted"] for m in members)
    assert any(m["is_bot"] for m in members)


# ------------------------------------------------------------------- views

HOME = {"type": "home", "blocks": [SECTION]}
MODAL = {
    "type": "modal",
    "callback_id": "pulse_modal",
    "title": {"type": "plain_text", "text": "Pulse"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {
            "type": "input",
            "block_id": "comment",
            "label": {"type": "plain_text", "text": "Comment"},
            "element": {"type": "plain_text_input", "action_id": "comment_input"},
        }
    ],
}


def test_views_publish_stores_home_view_per_user(client: WebClient, standin: StandInSlack) -> None:
    reply = client.views_publish(user_id="U100", view=HOME)
    assert reply["view"]["type"] == "home"
    assert standin.published_views["U100"]["blocks"] == [SECTION]
    again = client.views_publish(user_id="U100", view={"type": "home", "blocks": [_buttons()]})
    assert again["view"]["id"] == reply["view"]["id"]
    assert standin.published_views["U100"]["blocks"] == [_buttons()]


def test_views_publish_refuses_invalid_home_view(client: WebClient, standin: StandInSlack) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.views_publish(user_id="U100", view={"type": "home", "blocks": [{"type": "x"}]})
    assert _error_of(exc) == "invalid_arguments"
    assert standin.block_kit_problems[0][0] == "views.publish"
    assert "U100" not in standin.published_views


def test_views_open_and_update_a_modal(client: WebClient, standin: StandInSlack) -> None:
    opened = client.views_open(trigger_id="123.456.abc", view={**MODAL, "external_id": "m1"})
    view_id = opened["view"]["id"]
    updated = client.views_update(
        view_id=view_id, view={**MODAL, "external_id": "m1", "private_metadata": "v2"}
    )
    assert updated["view"]["private_metadata"] == "v2"
    by_external = client.views_update(external_id="m1", view={**MODAL, "external_id": "m1"})
    assert by_external["view"]["id"] == view_id
    with pytest.raises(SlackApiError) as exc:
        client.views_update(view_id="V404", view=MODAL)
    assert _error_of(exc) == "not_found"
    assert standin.block_kit_problems == []


def test_views_open_requires_submit_for_input_blocks(
    client: WebClient, standin: StandInSlack
) -> None:
    without_submit = {k: v for k, v in MODAL.items() if k != "submit"}
    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id="1.2.3", view=without_submit)
    assert _error_of(exc) == "invalid_arguments"
    assert "submit" in standin.block_kit_problems[0][1][0]


# ------------------------------------------------------------------- files


def test_files_upload_v2_round_trip_stores_bytes_and_posts_to_channel(
    client: WebClient, standin: StandInSlack
) -> None:
    content = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    reply = client.files_upload_v2(
        channel="C100", content=content, filename="x.png", initial_comment="Weekly digest"
    )
    assert reply["file"]["name"] == "x.png"
    [uploaded] = standin.uploaded_files
    assert uploaded.content == content
    assert uploaded.completed and uploaded.channels == ["C100"]
    [message] = standin.messages_in("C100")
    assert message.text == "Weekly digest"
    assert message.files is not None and message.files[0]["id"] == uploaded.id
    assert [c.method for c in standin.calls] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]


def test_complete_upload_of_unknown_file_is_file_not_found(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.files_completeUploadExternal(files=[{"id": "F404", "title": "x"}], channel_id="C100")
    assert _error_of(exc) == "file_not_found"


# -------------------------------------------------------------- failures


def test_injected_429_is_retried_by_rate_limit_retry_handler(
    standin: StandInSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(builtin_handlers, "time", types.SimpleNamespace(sleep=slept.append))
    client = WebClient(
        token=standin.bot_token,
        base_url=standin.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )
    standin.fail_next("chat.postMessage", http_status=429, retry_after=7)
    reply = client.chat_postMessage(channel="C100", text="eventually")
    assert reply["ok"] is True
    assert len(slept) == 1 and 7 <= slept[0] < 8
    assert [c.http_status for c in standin.calls_to("chat.postMessage")] == [429, 200]
    assert standin.rate_limited == 1
    assert len(standin.messages_in("C100")) == 1


def test_injected_429_without_retry_handler_raises_with_status(
    client: WebClient, standin: StandInSlack
) -> None:
    standin.fail_next("chat.postMessage", http_status=429, retry_after=3)
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C100", text="x")
    assert exc.value.response.status_code == 429
    assert exc.value.response.headers["Retry-After"] == "3"
    assert _error_of(exc) == "ratelimited"


def test_fail_next_queues_errors_and_server_failures(
    client: WebClient, standin: StandInSlack
) -> None:
    standin.fail_next("chat.postMessage", error="fatal_error", times=2)
    standin.fail_next("*", http_status=500)
    for _ in range(2):
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel="C100", text="x")
        assert _error_of(exc) == "fatal_error"
    with pytest.raises(SlackApiError) as exc:
        client.users_info(user="U100")
    assert exc.value.response.status_code == 500
    client.chat_postMessage(channel="C100", text="recovered")
    assert [m.text for m in standin.messages_in("C100")] == ["recovered"]


def test_channel_rate_limit_answers_429_with_integer_retry_after(
    workspace: Workspace,
) -> None:
    with StandInSlack(workspace, limits=RateLimits(per_channel_per_second=1)) as server:
        client = WebClient(token=server.bot_token, base_url=server.api_url)
        client.chat_postMessage(channel="C100", text="first")
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel="C100", text="too soon")
        assert exc.value.response.status_code == 429
        assert int(exc.value.response.headers["Retry-After"]) >= 1
        client.chat_postMessage(channel="U100", text="other channel is fine")
        assert server.rate_limited == 1
        assert [m.text for m in server.messages_in("C100")] == ["first"]


def test_workspace_rate_limit_spans_channels(workspace: Workspace) -> None:
    with StandInSlack(workspace, limits=RateLimits(workspace_per_minute=3)) as server:
        client = WebClient(token=server.bot_token, base_url=server.api_url)
        for target in ("C100", "U100", "U200"):
            client.chat_postMessage(channel=target, text="ok")
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel="C100", text="over")
        assert exc.value.response.status_code == 429
        assert 1 <= int(exc.value.response.headers["Retry-After"]) <= 20


def test_rate_limiter_refills_over_time_with_fake_clock() -> None:
    now = [100.0]
    limiter = RateLimiter(RateLimits(per_channel_per_second=2), clock=lambda: now[0])
    assert limiter.acquire("T", "C") is None
    assert limiter.acquire("T", "C") is None
    assert limiter.acquire("T", "C") == 1
    now[0] += 0.5
    assert limiter.acquire("T", "C") is None


def test_latency_delays_every_call(workspace: Workspace) -> None:
    with StandInSlack(workspace, latency_seconds=0.05) as server:
        client = WebClient(token=server.bot_token, base_url=server.api_url)
        started = time.monotonic()
        client.auth_test()
        assert time.monotonic() - started >= 0.05


# ------------------------------------------------------------ tenancy/OAuth


def test_oauth_code_yields_token_that_passes_auth_test(standin: StandInSlack) -> None:
    standin.register_oauth_code("code-1", "T0SECOND", "Second Team", "U0SECONDBOT")
    anonymous = WebClient(base_url=standin.api_url)
    install = anonymous.oauth_v2_access(client_id="111.222", client_secret="shh", code="code-1")
    assert install["team"] == {"name": "Second Team", "id": "T0SECOND"}
    assert install["bot_user_id"] == "U0SECONDBOT"
    token = install["access_token"]
    identity = WebClient(token=token, base_url=standin.api_url).auth_test()
    assert (identity["team_id"], identity["user_id"]) == ("T0SECOND", "U0SECONDBOT")
    with pytest.raises(SlackApiError) as exc:
        anonymous.oauth_v2_access(client_id="111.222", client_secret="shh", code="code-1")
    assert _error_of(exc) == "invalid_code"


def test_oauth_checks_client_credentials_when_configured(standin: StandInSlack) -> None:
    standin.set_oauth_client("111.222", "right")
    standin.register_oauth_code("code-2", "T0THIRD", "Third", "U0THIRDBOT")
    anonymous = WebClient(base_url=standin.api_url)
    with pytest.raises(SlackApiError) as exc:
        anonymous.oauth_v2_access(client_id="111.222", client_secret="wrong", code="code-2")
    assert _error_of(exc) == "bad_client_secret"
    assert anonymous.oauth_v2_access(client_id="111.222", client_secret="right", code="code-2")[
        "ok"
    ]


def test_extra_tokens_route_to_their_own_workspace(standin: StandInSlack) -> None:
    other = Workspace("T0OTHER", bot_user_id="U0OTHERBOT")
    other.add_channel("C777", "elsewhere")
    standin.add_workspace(other, token="xoxb-other")
    WebClient(token="xoxb-other", base_url=standin.api_url).chat_postMessage(
        channel="C777", text="hi"
    )
    assert [m.text for m in standin.messages_in("C777", team_id="T0OTHER")] == ["hi"]
    with pytest.raises(SlackApiError):
        WebClient(token=standin.bot_token, base_url=standin.api_url).chat_postMessage(
            channel="C777", text="wrong team"
        )


# ------------------------------------------------------------ response_url


def test_response_url_replace_original_updates_the_message(
    client: WebClient, standin: StandInSlack
) -> None:
    posted = client.chat_postMessage(channel="U100", text="Vote", blocks=[_buttons()])
    url = standin.response_url(
        "click-1", channel_id=posted["channel"], message_ts=posted["ts"], user_id="U100"
    )
    reply = WebhookClient(url).send_dict(
        {"replace_original": True, "text": "Thanks", "blocks": [SECTION]}
    )
    assert reply.status_code == 200
    assert [(m.text, m.blocks) for m in standin.dms_to("U100")] == [("Thanks", [SECTION])]
    assert standin.responses[0]["key"] == "click-1"
    assert standin.responses[0]["body"]["text"] == "Thanks"


def test_response_url_refuses_and_records_invalid_blocks(standin: StandInSlack) -> None:
    url = standin.response_url("click-2")
    reply = WebhookClient(url).send_dict({"text": "x", "blocks": [{"type": "nope"}]})
    assert reply.status_code == 400
    assert standin.block_kit_problems[0][0] == "response_url"
    assert standin.responses[0]["accepted"] is False


def test_unknown_path_is_404_json(standin: StandInSlack) -> None:
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(standin.base_url + "/nowhere", timeout=5)
    assert exc.value.code == 404
    assert json.loads(exc.value.read())["ok"] is False
