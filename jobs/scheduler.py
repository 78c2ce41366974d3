"""APScheduler wiring: stable job ids in a persistent store on the bot's own database.

The store keeps each job's schedule and the name of its function (so a restart neither loses
nor duplicates a job); what the function works on is not stored. Each scheduler hands its
own `Schedule` (the outbound side, the retention period, the lead) to the jobs it runs,
through its executor, so two schedulers built in one process each run their own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
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
RETENTION_DAYS = 730


@dataclass
class Schedule:
    """What one scheduler's jobs work on. Given the ``lead`` that chose this process to run
    the schedule, each job first confirms it still does."""

    out: Outbound
    retention_days: int = RETENTION_DAYS
    lead: Lead | None = None
    leading: bool = field(default=True, init=False)

    def still_leading(self) -> bool:
        """Confirm, before each job, that this process still holds the schedule's lock (it
        is lost if its connection is cut); a process that lost it and cannot take it again
        does nothing until it can."""
        if self.lead is None:
            return True
        leading = self.lead.confirm()
        if leading != self.leading:
            if leading:
                log.info("this process holds the scheduler's lock again and runs the schedule")
            else:
                log.warning("this process lost the scheduler's lock; another runs the schedule")
        self.leading = leading
        return leading


def scheduled_tick(schedule: Schedule | None = None) -> None:
    """The stored job: one process at a time runs the tick. The store keeps only this
    function's name; the scheduler's executor passes its schedule (without one, as when the
    name alone is called, the job says so and does nothing)."""
    if schedule is None:
        log.warning("scheduler tick without the bot's schedule; skipped")
        return
    if not schedule.still_leading():
        return
    with schedule_lock(schedule.out.db) as held:
        if not held:
            return
        report = run_tick(schedule.out)
        SCHEDULER_TICKS.inc()
        if any(vars(report).values()):
            log.info("tick: %s", report)


def scheduled_purge(schedule: Schedule | None = None) -> None:
    """The stored daily job: raw answers past retention go, their figures are archived."""
    if schedule is None or not schedule.still_leading():
        return
    with schedule_lock(schedule.out.db) as held:
        if held:
            purged = purge_expired_answers(
                db=schedule.out.db, now=schedule.out.clock(), retention_days=schedule.retention_days
            )
            if purged:
                log.info("purged %d raw answers past their retention period", purged)


@dataclass(frozen=True)
class _Run:
    """A stored job as the executor runs it: its function, given this scheduler's Schedule."""

    job: Job
    schedule: Schedule

    @property
    def id(self) -> str:
        return str(self.job.id)

    @property
    def _jobstore_alias(self) -> str:
        return str(self.job._jobstore_alias)

    @property
    def misfire_grace_time(self) -> int | None:
        grace: int | None = self.job.misfire_grace_time
        return grace

    @property
    def func(self) -> Any:
        return self.job.func

    @property
    def args(self) -> tuple[Schedule]:
        return (self.schedule,)

    @property
    def kwargs(self) -> dict[str, Any]:
        return {}

    def __str__(self) -> str:
        return str(self.job)


class _ScheduleExecutor(ThreadPoolExecutor):
    """APScheduler's thread pool, passing this scheduler's Schedule to every job it runs."""

    def __init__(self, schedule: Schedule) -> None:
        super().__init__()
        self._schedule = schedule

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        super()._do_submit_job(_Run(job, self._schedule), run_times)


def build_scheduler(
    out: Outbound,
    *,
    tick_seconds: int = TICK_SECONDS,
    retention_days: int = RETENTION_DAYS,
    lead: Lead | None = None,
) -> BackgroundScheduler:
    """A scheduler whose jobs survive restarts without being duplicated. Given the ``lead``
    that chose this process to run the schedule, each job first confirms it still does."""
    schedule = Schedule(out, retention_days=retention_days, lead=lead)
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=out.db.engine)},
        executors={"default": _ScheduleExecutor(schedule)},
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
