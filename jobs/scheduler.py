"""APScheduler wiring: stable job ids in a persistent store on the bot's own database."""

from __future__ import annotations

import logging
from datetime import UTC

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from delivery.context import Outbound
from jobs.tick import run_tick
from services.privacy import purge_expired_answers
from storage.locks import schedule_lock

log = logging.getLogger(__name__)

TICK_JOB_ID = "pulse-tick"
TICK_SECONDS = 60

PURGE_JOB_ID = "purge-expired-answers"

_outbound: Outbound | None = None
_retention_days = 730


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


def scheduled_purge() -> None:
    """The stored daily job: raw answers past retention go, their figures are archived."""
    if _outbound is None:
        return
    with schedule_lock(_outbound.db) as held:
        if held:
            purged = purge_expired_answers(
                db=_outbound.db, now=_outbound.clock(), retention_days=_retention_days
            )
            if purged:
                log.info("purged %d raw answers past their retention period", purged)


def build_scheduler(
    out: Outbound, *, tick_seconds: int = TICK_SECONDS, retention_days: int = 730
) -> BackgroundScheduler:
    """A scheduler whose jobs survive restarts without being duplicated."""
    global _outbound, _retention_days
    _outbound = out
    _retention_days = retention_days
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
    scheduler.add_job(
        "jobs.scheduler:scheduled_purge",
        trigger="interval",
        hours=24,
        id=PURGE_JOB_ID,
        name="Purge raw answers past their retention period, keeping published figures",
        replace_existing=True,
    )
    return scheduler
