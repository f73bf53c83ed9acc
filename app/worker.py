"""The RQ worker class: builds the Flask app once, before jobs fork, and keeps the sweep
chains alive.

RQ forks a work horse per job. Without this, every job would build the whole app again
(about a second); with the app context pushed in the parent, each horse inherits it, and
jobs find it as `current_app`.

Addons' sweep chains are what turn "RQ lost a job" into "RQ was late". Each addon
registers a hook (`register_worker_hook`); a worker calls every hook when it starts (so
after a crash or a Redis outage the backlog is caught up at once, without waiting for the
dead worker's scheduler lock to expire) and at every maintenance pass (to re-arm any chain
that is gone). app/ names no addon: the hooks come from ADDON_MANAGERS.
"""

from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Callable

from flask import Flask
from rq import Worker

log = logging.getLogger(__name__)
#: A worker hook: called with starting=True once when a worker starts, then at every
#: maintenance pass with False; it must not raise.
WorkerHook = Callable[[bool], None]


def register_worker_hook(app: Flask, name: str, hook: WorkerHook) -> None:
    app.extensions.setdefault("worker_hooks", {})[name] = hook


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
        """Call every addon's worker hook (see register_worker_hook)."""
        for name, hook in self.flask_app.extensions.get("worker_hooks", {}).items():
            try:
                hook(starting)
            except Exception:  # noqa: BLE001 - one broken addon must not stop the others
                log.exception("worker hook %s failed", name)
