"""The bot as the benchmarks build it: aimed at a stand-in Slack, with a team to survey."""

from __future__ import annotations

from collections.abc import Sequence

from bench.slack import BOT_TOKEN, MANAGER, SIGNING_SECRET
from config.settings import load_settings
from runtime.assembly import Bot, build_bot
from services import teams as team_service
from services.teams import MemberInfo, TeamRef
from standin import DEFAULT_TEAM_ID
from storage.models import utc_now


def bench_bot(*, database_url: str, api_url: str) -> Bot:
    """The bot without its Bolt app (nothing here answers HTTP), talking to ``api_url``."""
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": api_url,
            "DATABASE_URL": database_url,
        }
    )
    return build_bot(settings, with_app=False)


def add_team(bot: Bot, channel: str, users: Sequence[str]) -> TeamRef:
    """``channel`` made a team by the benchmarks' manager, with ``users`` as its members."""
    team = team_service.setup_team(
        db=bot.db, workspace_id=DEFAULT_TEAM_ID, channel_id=channel, user_id=MANAGER, now=utc_now()
    ).team
    team_service.sync_members(
        db=bot.db,
        team_id=team.id,
        present=[MANAGER, *users],
        details=[MemberInfo(u, is_bot=False, deactivated=False, timezone=None) for u in users],
    )
    return team
