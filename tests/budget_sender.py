"""`python -m tests.budget_sender DATABASE_URL API_URL TOKEN PER_MINUTE BURST USER…`: one
sender process drawing on the workspace's budget in the database, as a `serve` process
does: it waits for a line on stdin, then DMs each user once through the bot's pacer and
client, and prints how many went."""

from __future__ import annotations

import sys

from delivery.budgets import SharedBudget
from delivery.client import make_client
from delivery.context import SOLE_WORKSPACE
from delivery.pacing import Pacer
from storage.database import Database
from surveys.token_bucket import Allowance


def main(argv: list[str]) -> int:
    url, api_url, token, per_minute, burst, *users = argv
    db = Database.from_url(url)
    tiers = {"t5": Allowance(per_minute=float(per_minute), burst=float(burst))}
    pacer = Pacer(per_channel_interval=0.0, shared=SharedBudget(db, tiers))
    client = make_client(
        token,
        api_url=api_url,
        on_rate_limited=lambda method, seconds: pacer.rate_limited(SOLE_WORKSPACE, method, seconds),
    )
    sys.stdin.readline()
    for user in users:
        pacer.wait_turn(user, workspace=SOLE_WORKSPACE)
        client.chat_postMessage(channel=user, text="Budget check")
    print(len(users), flush=True)
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
