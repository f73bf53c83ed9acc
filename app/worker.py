"""The RQ worker class: builds the Flask app once, before jobs fork, and keeps the sweep
chains alive.

RQ forks a work horse per job. Without this, every job would build the whole app again
(about a second); with the app context pushed in the parent, each horse inherits it, and
jobs find it as `current_app`.

The sweepers (outbox, SLA, notifications) are what turn "RQ lost a job" into "RQ was
late". A worker therefore runs each sweep once when it starts — after a crash or a Redis
outage the backlog is caught up at once, without waiting for the dead worker's scheduler
lock to expire — and re-arms any chain that is gone at every maintenance pass.
"""

from __future__ import annotations

import datetime
import importlib
import logging
import os

from rq import Worker

log = logging.getLogger(__name__)
#: Modules with a self-rescheduling sweep (`ensure_sweeper(queue)`), armed by every worker.
SWEEPER_MODULES = (
    "plugins.automation.outbox.jobs",
    "plugins.automation.sla.jobs",
    "plugins.automation.notify.jobs",
    "plugins.automation.notify.callbacks",
)


class AppWorker(Worker):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from app import create_app

        self.flask_app = create_app()
        self.flask_app.app_context().push()
        # Build the holiday tables here, once: each job's fresh fork would otherwise load
        # them again (1.5 s of a 2 s job on a busy machine, measured by bench/).
        from workflows.holiday_data import china_holidays

        china_holidays().is_working_day(datetime.date.today())
        self._app_pid = os.getpid()

    def execute_job(self, job, queue):
        # Connections opened by the parent must not be shared with the horse: drop the
        # pool (without closing the parent's sockets) so the horse opens its own.
        for engine in self.flask_app.extensions["sqlalchemy"].engines.values():
            engine.dispose(close=False)
        return super().execute_job(job, queue)

    def run_maintenance_tasks(self):
        starting = self.last_cleaned_at is None
        super().run_maintenance_tasks()
        try:
            self.keep_sweepers(starting)
        except Exception:  # noqa: BLE001 - an exception here would stop the worker
            log.exception("could not arm the sweepers")

    def keep_sweepers(self, starting: bool) -> None:
        """At start: one run of the outbox and SLA sweeps now; always: re-arm every sweep
        chain that is gone (each module's `ensure_sweeper`, which never raises)."""
        from plugins.automation.outbox import jobs as outbox_jobs
        from plugins.automation.outbox import sweepers
        from plugins.automation.outbox.queue import queue_for
        from plugins.automation.sla import jobs as sla_jobs

        queue = queue_for(self.flask_app.config.get("REDIS_URL"))
        if queue is None:
            return
        if starting:
            for module in (outbox_jobs, sla_jobs):
                sweepers.run_now(queue, module.SWEEP_JOB_ID, module.sweep)
        for name in SWEEPER_MODULES:
            try:
                importlib.import_module(name).ensure_sweeper(queue)
            except Exception:  # noqa: BLE001 - one broken addon must not stop the others
                log.exception("could not arm the sweeper of %s", name)
