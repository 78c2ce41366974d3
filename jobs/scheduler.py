"""APScheduler wiring: stable job ids in a persistent store on the bot's own database."""

from __future__ import annotations

import logging
from datetime import UTC

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from delivery.context import Outbound
from jobs.tick import run_tick
from metrics import SCHEDULER_TICKS
from services.privacy import purge_expired_answers
from storage.leader import Lead
from storage.locks import schedule_lock

log = logging.getLogger(__name__)

TICK_JOB_ID = "pulse-tick"
TICK_SECONDS = 60

PURGE_JOB_ID = "purge-expired-answers"

_outbound: Outbound | None = None
_retention_days = 730
_lead: Lead | None = None
_leading = True


def _still_leading() -> bool:
    """Confirm, before each job, that this process still holds the schedule's lock (it is
    lost if its connection is cut); a process that lost it and cannot take it again does
    nothing until it can."""
    global _leading
    if _lead is None:
        return True
    leading = _lead.confirm()
    if leading != _leading:
        if leading:
            log.info("this process holds the scheduler's lock again and runs the schedule")
        else:
            log.warning("this process lost the scheduler's lock; another runs the schedule")
    _leading = leading
    return leading


def scheduled_tick() -> None:
    """The stored job: one process at a time runs the tick."""
    if _outbound is None:
        log.warning("scheduler tick before the bot was wired; skipped")
        return
    if not _still_leading():
        return
    with schedule_lock(_outbound.db) as held:
        if not held:
            return
        report = run_tick(_outbound)
        SCHEDULER_TICKS.inc()
        if any(vars(report).values()):
            log.info("tick: %s", report)


def scheduled_purge() -> None:
    """The stored daily job: raw answers past retention go, their figures are archived."""
    if _outbound is None or not _still_leading():
        return
    with schedule_lock(_outbound.db) as held:
        if held:
            purged = purge_expired_answers(
                db=_outbound.db, now=_outbound.clock(), retention_days=_retention_days
            )
            if purged:
                log.info("purged %d raw answers past their retention period", purged)


def build_scheduler(
    out: Outbound,
    *,
    tick_seconds: int = TICK_SECONDS,
    retention_days: int = 730,
    lead: Lead | None = None,
) -> BackgroundScheduler:
    """A scheduler whose jobs survive restarts without being duplicated. Given the ``lead``
    that chose this process to run the schedule, each job first confirms it still does."""
    global _outbound, _retention_days, _lead, _leading
    _outbound = out
    _retention_days = retention_days
    _lead = lead
    _leading = True
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
