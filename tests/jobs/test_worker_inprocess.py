"""The in-process worker (app.worker.InProcessWorker, the default): each job in a fresh app
context, nothing left behind for the next one (session, transaction, `g`, pushed contexts),
a failing or timed-out job does not poison the next, the worker hooks still run, memory
stays flat over many jobs.

The worker runs here, in the test process (burst mode), so the jobs below are plain
module-level functions and the test can look at the worker's own connection pool.
"""

from __future__ import annotations

import os
import time
import uuid

import pytest
from flask import current_app, g, has_app_context
from flask.globals import app_ctx
from rq import Queue
from rq.job import JobStatus
from rq.serializers import JSONSerializer
from sqlalchemy import func, select, text

from app.worker import InProcessWorker
from plugins.automation.outbox import jobs as outbox_jobs
from plugins.automation.outbox import sweepers
from plugins.automation.outbox.queue import queue_for
from plugins.tickets.models import Customer

# Jobs (run by the worker, in its app) -------------------------------------------------


def _db():
    from app.extensions import db

    return db


def leave_state_behind(name: str) -> int:
    """Flush a row and never commit, mark `g`: a job that forgets to clean up."""
    g.leftover = name
    db = _db()
    db.session.add(Customer(name=name))
    db.session.flush()
    return os.getpid()


def look(name: str) -> dict:
    """What the next job finds: its own `g`, a session with no transaction, no stray row."""
    db = _db()
    fresh = not db.session().in_transaction()
    rows = db.session.scalar(select(func.count()).where(Customer.name == name))
    return {"g_leftover": "leftover" in g, "fresh_session": fresh, "rows": rows,
            "pid": os.getpid()}  # fmt: skip


def broken_sql() -> None:
    """A failing statement (on PostgreSQL the transaction is aborted) and an exception."""
    _db().session.execute(text("SELECT * FROM no_such_table_at_all"))


def slow(seconds: float) -> None:
    _db().session.execute(text("SELECT 1"))
    time.sleep(seconds)


def leak_context(name: str) -> None:
    """Push an app context, use a session in it and never pop it."""
    current_app.app_context().push()
    g.leaked = name
    _db().session.scalar(select(func.count()).select_from(Customer))


def count_customers() -> int:
    return _db().session.scalar(select(func.count()).select_from(Customer))


# Fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def worker_and_queue(app, redis_url):
    """One worker for the module (building the app takes a second), on a queue of its own."""
    from redis import Redis

    conn = Redis.from_url(redis_url)
    queue = Queue(f"inproc-{uuid.uuid4().hex[:8]}", connection=conn, serializer=JSONSerializer)
    worker = InProcessWorker([queue], connection=conn, serializer=JSONSerializer)
    yield worker, queue
    queue.empty()
    conn.close()


@pytest.fixture
def run(worker_and_queue):
    """run([(func, args, kwargs)…]) → the jobs, after a burst of the worker."""
    worker, queue = worker_and_queue

    def _run(*calls):
        enqueued = [queue.enqueue(fn, *args, **kwargs) for fn, args, kwargs in calls]
        worker.work(burst=True)
        for job in enqueued:
            job.refresh()
        return enqueued

    return _run


def _checked_out(worker) -> int:
    """Connections of the worker's own pool in use (none between jobs)."""
    return sum(engine.pool.checkedout() for engine in worker.engines)


def _top_context():
    return app_ctx._get_current_object() if has_app_context() else None


# Tests ---------------------------------------------------------------------------------


def test_jobs_run_in_the_worker_process_and_leave_nothing_behind(worker_and_queue, run, db):
    worker, _ = worker_and_queue
    name = f"遗留-{uuid.uuid4().hex[:8]}"
    before = _top_context()
    left, looked = run((leave_state_behind, (name,), {}), (look, (name,), {}))
    assert left.get_status() == JobStatus.FINISHED
    assert left.return_value() == os.getpid()  # no fork: this very process ran it
    assert looked.return_value() == {"g_leftover": False, "fresh_session": True, "rows": 0,
                                     "pid": os.getpid()}  # fmt: skip
    # The flushed row was rolled back, and the connection is back in the pool.
    db.expire_all()
    assert db.scalar(select(func.count()).where(Customer.name == name)) == 0
    assert _checked_out(worker) == 0
    assert _top_context() is before  # the test's own context is current again


def test_a_failing_job_does_not_poison_the_next(worker_and_queue, run):
    worker, _ = worker_and_queue
    failed, after = run((broken_sql, (), {}), (count_customers, (), {}))
    assert failed.get_status() == JobStatus.FAILED
    assert "no_such_table_at_all" in failed.latest_result().exc_string
    assert after.get_status() == JobStatus.FINISHED
    assert after.return_value() >= 0
    assert _checked_out(worker) == 0


def test_a_timed_out_job_is_stopped_and_the_next_runs(worker_and_queue):
    worker, queue = worker_and_queue
    started = time.monotonic()
    timed_out = queue.enqueue(slow, 30, job_timeout=1)
    after = queue.enqueue(count_customers)
    worker.work(burst=True)
    assert time.monotonic() - started < 20  # the death penalty stopped it, no 30 s wait
    timed_out.refresh()
    assert timed_out.get_status() == JobStatus.FAILED
    assert "JobTimeoutException" in timed_out.latest_result().exc_string
    assert after.get_status(refresh=True) == JobStatus.FINISHED
    assert _checked_out(worker) == 0


def test_an_app_context_left_pushed_is_popped_after_the_job(worker_and_queue, run):
    worker, _ = worker_and_queue
    before = _top_context()
    leaked, after = run((leak_context, ("x",), {}), (look, ("nobody",), {}))
    assert leaked.get_status() == JobStatus.FINISHED
    assert after.return_value()["fresh_session"] is True
    assert _top_context() is before
    assert _checked_out(worker) == 0  # the leaked context's session was removed too


def test_hooks_run_at_start_and_each_maintenance_pass_in_a_fresh_context(
    worker_and_queue, redis_url, monkeypatch
):
    worker, _ = worker_and_queue
    app = worker.flask_app
    calls: list[dict] = []

    def hook(starting: bool) -> None:
        calls.append({"starting": starting, "app": current_app._get_current_object() is app,
                      "g_seen": "hook_was_here" in g,
                      "customers": count_customers()})  # fmt: skip
        g.hook_was_here = True

    monkeypatch.setitem(app.extensions["worker_hooks"], "test-hook", hook)
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    queue = queue_for(redis_url)
    queue.connection.delete(queue.scheduled_job_registry.key, f"rq:job:{outbox_jobs.SWEEP_JOB_ID}")
    monkeypatch.setattr(worker, "last_cleaned_at", None)  # as a worker that just started
    worker.run_maintenance_tasks()
    worker.run_maintenance_tasks()
    assert [c["starting"] for c in calls] == [True, False]
    assert all(c["app"] and not c["g_seen"] and c["customers"] >= 0 for c in calls)
    # The addons' hooks ran too: the outbox sweep chain is armed.
    assert sweepers.alive(queue, outbox_jobs.SWEEP_JOB_ID)
    assert _checked_out(worker) == 0


def _rss_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc")
def test_memory_stays_flat_over_many_jobs(worker_and_queue):
    worker, queue = worker_and_queue

    def burst(n: int) -> None:
        with queue.connection.pipeline() as pipe:
            for i in range(n):
                queue.enqueue(look, f"rss-{i}", pipeline=pipe, result_ttl=0)
            pipe.execute()
        worker.work(burst=True)

    burst(300)  # warm: caches, the statement cache, the pool
    warm = _rss_kb()
    burst(1500)
    grown_kb = _rss_kb() - warm
    # 1500 jobs: a per-job leak of even 4 KB would show as 6 MB.
    assert grown_kb < 4 * 1024, f"RSS grew {grown_kb} KB over 1500 jobs"
    assert _checked_out(worker) == 0
