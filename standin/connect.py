"""Slack Connect as a bot sees it: members of other workspaces in a shared channel.

Each behaviour the stand-in models comes from Slack's own documentation:

- Members of a shared channel from other workspaces are listed by `conversations.members`
  like anyone else, and their user objects carry their own home `team_id`
  (https://docs.slack.dev/apis/slack-connect , "Technical considerations": expect users
  and teams "originating from other teams").
- `users.info` may describe such a member as a stranger, `is_stranger: true`, with a
  thin profile (https://docs.slack.dev/reference/objects/user-object , `is_stranger`;
  https://docs.slack.dev/reference/methods/users.info : "the profile information varies
  ... for a user connected through Slack Connect"), or refuse with `user_not_visible`
  ("The requested user is not visible to the calling user") or `user_not_found`
  (oracles/slack-methods/users.info.json).
- `team.info` takes a `team` argument and is allowed on Slack Connect workspaces
  (`slack_connect_workspaces_allowed: true`); a team the token cannot see is
  `team_not_found` (https://docs.slack.dev/reference/methods/team.info , and
  slack-ruby/slack-api-ref docs.slack.dev/methods/team.info.json).
- A DM the bot may not open answers `channel_not_found`, from `chat.postMessage` with a
  user id as its channel as from `conversations.open`
  (https://github.com/slackapi/bolt-python/issues/565 ; conversations.open's documented
  errors, oracles/slack-methods/conversations.open.json).
- `chat.postEphemeral` reaches a user who is in the channel, and says
  `user_not_in_channel` otherwise (oracles/slack-methods/chat.postEphemeral.json).
- An ephemeral message cannot be changed with `chat.update`; a `response_url` from a
  click on it can replace or delete it, up to five times within 30 minutes
  (https://docs.slack.dev/messaging/modifying-messages ;
  https://api.slack.com/interactivity/handling#message_responses).
- A click on an ephemeral message is a `block_actions` payload whose `container` has
  `is_ephemeral: true` and no `message`; `user.team_id` is the clicker's home workspace
  and `team` the workspace the app is installed in
  (oracles/payloads/BlockActionPayload.json; https://docs.slack.dev/apis/slack-connect).
"""

from __future__ import annotations

from typing import Any

RESPONSE_URL_USES = 5
RESPONSE_URL_MINUTES = 30


def stranger_view(user_id: str, team_id: str, name: str, real_name: str) -> dict[str, Any]:
    """What users.info says of a stranger: who they are and where from, nothing more (no
    time zone, no email, no flags about their account)."""
    return {
        "id": user_id,
        "team_id": team_id,
        "name": name,
        "is_stranger": True,
        "profile": {
            "real_name": real_name,
            "real_name_normalized": real_name,
            "display_name": name,
            "display_name_normalized": name,
            "team": team_id,
        },
    }
