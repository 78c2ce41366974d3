"""`python -m bench.digest_job DATABASE_URL WEEK floor|job`: every team's digest of one week.

Each part runs in a process of its own so that its peak memory is its own (a process's peak
is the highest it ever reached: a job run after the floor would report the floor's peak
whenever the floor's rows took more room than the job). `floor`: the single SQL aggregate
over the rows the digests read, three times, and the process's peak memory after it. `job`:
every team's digest of the week built with `services.digests.digest_batches`,
`TEAMS_PER_READ` teams at a time, as the schedule builds (and posts) the digests of the
rounds that closed. Each prints one JSON line: the floor's median seconds and peak, or the
job's seconds and peak (resident memory, MB) and how many digests it built.
"""

from __future__ import annotations

import json
import sys
import time

from sqlalchemy import func, select

from bench.core import median
from bench.processes import peak_rss_mb
from services import digests as digest_service
from storage.database import Database
from storage.models import Answer, Round, Team


def teams_of_week(db: Database, week: str) -> list[str]:
    """Channels of the teams that had a round that week."""
    with db.transaction() as session:
        return list(
            session.scalars(
                select(Team.channel_id)
                .join(Round, Round.team_id == Team.id)
                .where(Round.week == week)
                .order_by(Team.id)
            )
        )


def floor_query(week: str) -> object:
    """One aggregate over the rows every digest of the week reads."""
    return (
        select(
            Answer.round_id, Answer.behaviour_id, func.count(Answer.point), func.avg(Answer.point)
        )
        .join(Round, Round.id == Answer.round_id)
        .where(
            Round.week <= week,
            Round.team_id.in_(select(Round.team_id).where(Round.week == week)),
        )
        .group_by(Answer.round_id, Answer.behaviour_id)
    )


def main(argv: list[str]) -> int:
    """Run the floor or the job, and report it."""
    url, week, part = argv[0], argv[1], argv[2]
    db = Database.from_url(url)
    report = floor(db, week) if part == "floor" else job(db, week)
    db.dispose()
    sys.stdout.write(json.dumps(report) + "\n")
    return 0


def floor(db: Database, week: str) -> dict[str, float]:
    """The aggregate's median seconds over three runs, and the process's peak after them."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        with db.engine.connect() as connection:
            connection.execute(floor_query(week)).all()  # type: ignore[call-overload]
        times.append(time.perf_counter() - start)
    return {"floor_seconds": median(times), "floor_peak_rss_mb": peak_rss_mb("self")}


def job(db: Database, week: str) -> dict[str, float]:
    """Every team's digest of the week: seconds, the process's peak, and how many."""
    channels = teams_of_week(db, week)
    start = time.perf_counter()
    built = 0
    wanted = {channel: [week] for channel in channels}
    for batch in digest_service.digest_batches(db=db, weeks_by_channel=wanted):
        built += len(batch)  # the schedule posts each batch here, then lets it go
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_rss_mb": peak_rss_mb("self"), "digests": built}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
