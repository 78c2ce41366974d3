"""APScheduler wiring: stable job ids in a persistent store on the bot's own database."""

from __future__ import annotations

import logging
from datetime import UTC

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from delivery.context import Outbound
from jobs.tick import run_tick
from storage.locks import schedule_lock

log = logging.getLogger(__name__)

TICK_JOB_ID = "pulse-tick"
TICK_SECONDS = 60

_outbound: Outbound | None = None


def scheduled_tick() -> None:
    """The stored job: one process at a time runs the tick."""
    if _outbound is None:
        log.warning("scheduler tick before the bot was wired; skipped")
        return
    with schedule_lock(_outbound.db) as held:
        if not held:
            return
        report = run_tick(_outbound)
        if any(vars(report).values()):
            log.info("tick: %s", report)


def build_scheduler(out: Outbound, *, tick_seconds: int = TICK_SECONDS) -> BackgroundScheduler:
    """A scheduler whose jobs survive restarts without being duplicated."""
    global _outbound
    _outbound = out
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=out.db.engine)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        timezone=UTC,
    )
    scheduler.add_job(
        "jobs.scheduler:scheduled_tick",
        trigger="interval",
        seconds=tick_seconds,
        next_run_time=out.clock(),
        id=TICK_JOB_ID,
        name="Open, send, remind, close and digest whatever is due",
        replace_existing=True,
    )
    return scheduler
