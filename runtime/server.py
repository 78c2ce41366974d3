"""`serve` in production: gunicorn embedded, with the schedule run in exactly one worker.

Gunicorn forks web workers that answer Slack; the master only watches them and holds no
database connection or thread, so forking stays safe (SQLite in particular must never see a
connection cross a fork). Each worker offers to run the scheduler, and a lock that lives as
long as its holder (`storage/leader.py`) lets exactly one do so; if that worker stops,
another takes over within `LEAD_RETRY_SECONDS`. Each tick first confirms the lock is
still held (a cut connection loses it; `storage/leader.py`), so a worker that lost it
takes it back or stops ticking. The database lock each tick takes keeps a second server,
or a CLI run, from ticking at the same time.

SIGTERM stops gracefully: workers finish the requests they have in hand (up to
`graceful_timeout`), and the scheduling worker finishes its tick.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from gunicorn import glogging
from gunicorn.app.base import BaseApplication

from config.settings import Settings
from jobs.scheduler import build_scheduler
from metrics import REGISTRY
from runtime.assembly import Bot, build_bot
from storage.leader import Lead, try_lead

log = logging.getLogger(__name__)

GRACEFUL_TIMEOUT_SECONDS = 30
LEAD_RETRY_SECONDS = 15
WORKER_TIMEOUT_SECONDS = 60
DEFAULT_THREADS = 8


class PulseLogger(glogging.Logger):
    """Gunicorn's own lines go through the bot's logging (text or JSON, PULSE_LOG_FORMAT).

    Access lines name the path but never the query string: an OAuth redirect carries a
    one-time code in it.
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
            logger.propagate = True

    def access(
        self, resp: Any, req: Any, environ: MutableMapping[str, Any], request_time: Any
    ) -> None:
        status = getattr(resp, "status_code", None) or str(resp.status).split(" ", 1)[0]
        seconds = request_time.total_seconds()
        self.access_log.info(
            "%s %s %s %.3fs",
            req.method,
            req.path,
            status,
            seconds,
            extra={
                "fields": {
                    "method": req.method,
                    "path": req.path,
                    "status": int(status),
                    "duration_seconds": round(seconds, 4),
                }
            },
        )


class SchedulerSeat:
    """In one worker: wait for the scheduler's lock, then run the schedule until told to stop."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot
        self._stopping = threading.Event()
        self._lead: Lead | None = None
        self._scheduler: BackgroundScheduler | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="scheduler-seat", daemon=True)

    def start(self) -> SchedulerSeat:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                leadership = try_lead(self._bot.db)
            except Exception:
                log.warning("could not ask for the scheduler's lock; trying again")
                leadership = None
            if leadership is not None:
                with self._lock:
                    if self._stopping.is_set():
                        leadership.release()
                        return
                    self._lead = Lead(self._bot.db, leadership)
                    self._scheduler = build_scheduler(
                        self._bot.outbound,
                        tick_seconds=self._bot.settings.tick_seconds,
                        retention_days=self._bot.settings.retention_days,
                        lead=self._lead,
                    )
                    self._scheduler.start()
                log.info("scheduler started in this worker; the other workers only serve")
                return
            self._stopping.wait(LEAD_RETRY_SECONDS)

    def stop(self) -> None:
        """Finish the tick in hand, then let another process lead."""
        self._stopping.set()
        with self._lock:
            if self._scheduler is not None:
                self._scheduler.shutdown(wait=True)
                log.info("scheduler stopped")
            if self._lead is not None:
                self._lead.release()


class PulseServer(BaseApplication):
    """The bot's WSGI app under gunicorn's gthread workers."""

    def __init__(
        self, settings: Settings, *, host: str, port: int, workers: int, threads: int
    ) -> None:
        self.settings = settings
        self.options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "graceful_timeout": GRACEFUL_TIMEOUT_SECONDS,
            "timeout": WORKER_TIMEOUT_SECONDS,
            "keepalive": 5,
            "logger_class": PulseLogger,
            "accesslog": "-",
            "loglevel": "info",
            "proc_name": "partnership-pulse",
            "control_socket_disable": True,
            "worker_exit": self._worker_exit,
            "on_exit": self._on_exit,
        }
        self._seat: SchedulerSeat | None = None
        self._metrics_folder = Path(tempfile.mkdtemp(prefix="pulse-metrics-"))
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """In each worker, after the fork: its own app, connections and scheduler seat."""
        bot = build_bot(self.settings, migrate=False)
        if self.settings.run_scheduler:
            self._seat = SchedulerSeat(bot).start()
        return bot.wsgi()

    def run(self) -> None:
        """Serve until SIGTERM (or SIGINT); figures of every process add up on /metrics."""
        if not self.settings.run_scheduler:
            log.info("scheduler off: this server only answers requests")
        REGISTRY.share(self._metrics_folder)
        try:
            super().run()
        finally:
            shutil.rmtree(self._metrics_folder, ignore_errors=True)

    def _worker_exit(self, _arbiter: Any, _worker: Any) -> None:
        if self._seat is not None:
            self._seat.stop()
        REGISTRY.flush()

    def _on_exit(self, _arbiter: Any) -> None:
        REGISTRY.flush()


def serve(settings: Settings, *, host: str, port: int, workers: int, threads: int) -> int:
    """Run gunicorn in this process (it becomes the master) until it is stopped."""
    PulseServer(settings, host=host, port=port, workers=workers, threads=threads).run()
    return 0
