"""The RQ worker classes: build the Flask app once per worker and keep the sweep chains alive.

`InProcessWorker` (the default: `make worker`, `python run.py`, the bench) runs every job
in the worker process itself, each in a fresh app context, with the database pool kept
between jobs. A fork per job cost 0.25-0.45 s (the fork, a new database connection, the
copy-on-write faults of a big app), so a worker managed 2-4 jobs/s; in process a trigger's
event costs milliseconds. What a fork gave for free is done by hand after every job: the
scoped session is removed (rollback, connection back to the pool), and the job's app
context, `g` and any context variable it set end with it.

`AppWorker` forks a work horse per job, as plain `rq worker` does: a job that crashes the
interpreter or leaks memory takes only its horse along. The app is pushed in the parent, so
every horse inherits it and finds it as `current_app`.

Addons' sweep chains are what turn "RQ lost a job" into "RQ was late". Each addon
registers a hook (`register_worker_hook`); a worker calls every hook when it starts (so
after a crash or a Redis outage the backlog is caught up at once, without waiting for the
dead worker's scheduler lock to expire) and at every maintenance pass (to re-arm any chain
that is gone). app/ names no addon: the hooks come from ADDON_MANAGERS.
"""

from __future__ import annotations

import contextvars
import datetime
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, has_app_context
from flask.globals import app_ctx
from rq import SimpleWorker, Worker
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)
#: A worker hook: called with starting=True once when a worker starts, then at every
#: maintenance pass with False; it must not raise.
WorkerHook = Callable[[bool], None]


def register_worker_hook(app: Flask, name: str, hook: WorkerHook) -> None:
    app.extensions.setdefault("worker_hooks", {})[name] = hook


def build_app() -> Flask:
    """The app every job of this worker uses, with the slow caches warmed once."""
    from app import create_app

    flask_app = create_app()
    # Build the holiday tables here, once: a job would otherwise load them again (1.5 s of
    # a 2 s job on a busy machine, measured by bench/).
    from workflows.holiday_data import china_holidays

    china_holidays().is_working_day(datetime.date.today())
    return flask_app


class AppWorkerMixin:
    """What our worker classes share: the app built once, the maintenance hooks."""

    flask_app: Flask
    #: The app's SQLAlchemy engines (Flask-SQLAlchemy only lists them inside a context).
    engines: list[Engine]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.flask_app = build_app()
        with self.flask_app.app_context():
            self.engines = list(self.flask_app.extensions["sqlalchemy"].engines.values())

    def run_maintenance_tasks(self) -> None:
        starting = self.last_cleaned_at is None  # type: ignore[attr-defined]
        super().run_maintenance_tasks()  # type: ignore[misc]
        try:
            with self.hook_context():
                self.keep_sweepers(starting)
        except Exception:  # noqa: BLE001 - an exception here would stop the worker
            log.exception("could not arm the sweepers")

    @contextmanager
    def hook_context(self) -> Iterator[None]:
        """Where the hooks run (they use `current_app` and the scoped session)."""
        yield

    def keep_sweepers(self, starting: bool) -> None:
        """Call every addon's worker hook (see register_worker_hook)."""
        for name, hook in self.flask_app.extensions.get("worker_hooks", {}).items():
            try:
                hook(starting)
            except Exception:  # noqa: BLE001 - one broken addon must not stop the others
                log.exception("worker hook %s failed", name)


class AppWorker(AppWorkerMixin, Worker):
    """Forks a work horse per job (isolation: a crash or a leak ends with the horse)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.flask_app.app_context().push()
        self._app_pid = os.getpid()

    def execute_job(self, job, queue):
        # Connections opened by the parent must not be shared with the horse: drop the
        # pool (without closing the parent's sockets) so the horse opens its own.
        for engine in self.engines:
            engine.dispose(close=False)
        return super().execute_job(job, queue)


class InProcessWorker(AppWorkerMixin, SimpleWorker):
    """Runs each job in this process, in a fresh app context (no fork per job).

    Job timeouts still hold (rq's death penalty: SIGALRM in this process), and heartbeats
    cover the job's timeout. Only a job that kills the interpreter takes the worker along;
    the outbox sweeper then redelivers whatever it was doing (tests/jobs/test_reliability).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A forked child (the scheduler process) must not use, nor close, our pooled
        # connections: it drops the inherited pool and would open its own.
        os.register_at_fork(after_in_child=self._drop_inherited_pool)

    def execute_job(self, job, queue):
        # A copy of the context variables: whatever the job sets (an app or request
        # context it forgot to pop, Babel's locale) is gone when the run returns.
        return contextvars.copy_context().run(self._execute_in_app, job, queue)

    def _execute_in_app(self, job, queue):
        with self.job_context():
            return super().execute_job(job, queue)

    @contextmanager
    def job_context(self) -> Iterator[None]:
        """A fresh app context for one job; afterwards no session, transaction or `g`.

        Flask-SQLAlchemy scopes its session to the app context, so this job's session is
        its own; it is removed even when the job raised or timed out (rollback of anything
        left open, connection back to the pool), and so is every context the job pushed
        and did not pop.
        """
        ctx = self.flask_app.app_context()
        ctx.push()
        try:
            yield
        finally:
            _pop_contexts_above(ctx)
            try:
                self.flask_app.extensions["sqlalchemy"].session.remove()
            finally:
                ctx.pop()

    hook_context = job_context

    def _drop_inherited_pool(self) -> None:
        for engine in self.engines:
            engine.dispose(close=False)


def _pop_contexts_above(ctx) -> None:
    """Pop (with their teardown: their sessions are removed) the app contexts a job pushed
    on top of `ctx` and left there."""
    while has_app_context() and app_ctx._get_current_object() is not ctx:
        leaked = app_ctx._get_current_object()
        log.warning("a job left an app context pushed; popping it")
        leaked.pop()
