"""`python -m bench.sender_process DATABASE_URL API_URL PACER [PER_MINUTE]`: one sending
process, as a `serve` worker is one, draining the outbox until nobody is owed a prompt.

PACER is `shared` (the bot as it is built on PostgreSQL, with the workspaces' budget) or
`local` (each process pacing on its own, as before the budget was shared). It says it is
ready, waits for a line on stdin, so that every sender starts together, then prints one
JSON line.
"""

from __future__ import annotations

import json
import sys
import time

from config.settings import load_settings
from delivery.pacing import Pacer
from delivery.prompts import send_due_prompts
from runtime.assembly import build_bot
from services import rounds as round_service

CLIENT_ID = "1111.2222"


def settings_for(database_url: str, api_url: str, per_minute: int | None) -> dict[str, str]:
    """The environment of a bot installed into several workspaces through OAuth."""
    env = {
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": "bench-client-secret",
        "SLACK_API_URL": api_url,
        "DATABASE_URL": database_url,
    }
    if per_minute:
        env["PULSE_POSTS_PER_MINUTE"] = str(per_minute)
    return env


def main(argv: list[str]) -> int:
    database_url, api_url, pacer = argv[0], argv[1], argv[2]
    per_minute = int(argv[3]) if len(argv) > 3 and pacer == "shared" else None
    settings = load_settings(settings_for(database_url, api_url, per_minute))
    bot = build_bot(
        settings, with_app=False, migrate=False, pacer=Pacer() if pacer == "local" else None
    )
    out = bot.outbound
    rounds = [r.id for r in round_service.open_round_infos(db=out.db)]
    print(json.dumps({"ready": True}), flush=True)
    sys.stdin.readline()
    start = time.perf_counter()
    sent = passes = 0
    while True:
        report = send_due_prompts(out)
        sent += report.sent
        passes += 1
        owed = sum(
            round_service.owed_prompts(
                db=out.db, round_id=r, now=out.clock(), lease=out.claim_lease
            ).count
            for r in rounds
        )
        if not owed:
            break
        if not report.sent:
            time.sleep(0.05)  # another sender holds what is left
    seconds = time.perf_counter() - start
    ended = time.monotonic()
    print(
        json.dumps({"sent": sent, "passes": passes, "seconds": seconds, "ended": ended}),
        flush=True,
    )
    bot.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
