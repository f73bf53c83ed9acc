"""Events reach RQ without loss (reliability test plan): enqueue after commit only, at most
one effect per handler and event, Redis down at commit time, the sweeper as safety net."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import select

from plugins.automation.outbox import handlers, jobs, relay
from plugins.automation.outbox.models import HandledEvent
from plugins.tickets.models import OutboxEvent, Ticket
from plugins.tickets.services.actions import apply_action

CALLS: list[int] = []


@pytest.fixture
def wired(outbox_queue):
    """The outbox queue (conftest) and a counting handler."""
    name = f"count-{uuid.uuid4().hex[:6]}"
    handlers.register(name, lambda session, row: CALLS.append(row.id))
    CALLS.clear()
    yield outbox_queue
    handlers._HANDLERS.pop(name, None)


def _events(db, ticket_id):
    db.expire_all()
    return db.scalars(select(OutboxEvent).where(OutboxEvent.ticket_id == ticket_id)).all()


def _work(queue):
    """In-process worker, so the counting handler's calls are visible to the test."""
    SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(burst=True)


def test_enqueued_after_commit_and_delivered_once(wired, build, db):
    queue = wired
    ticket = build.ticket("agent", "REPAIR")
    row = _events(db, ticket.id)[0]
    assert queue.fetch_job(relay.job_id(row.id)) is not None  # enqueued after the commit
    _work(queue)
    assert CALLS == [row.id]
    assert _events(db, ticket.id)[0].delivered_at is not None
    # At-least-once delivery, exactly-once effect: a second run changes nothing.
    jobs.dispatch(row.id)
    assert CALLS == [row.id]


def test_rolled_back_change_enqueues_nothing(wired, build, db):
    queue = wired
    ticket = build.ticket("agent", "REPAIR")
    _work(queue)
    before = queue.count
    tech = build.user("tech")
    apply_action(db, tech, ticket, "accept", {}, ticket.version, commit=False)
    db.rollback()
    assert queue.count == before
    assert len(_events(db, ticket.id)) == 1


def test_redis_down_at_commit_loses_nothing(wired, app, build, db):
    queue = wired
    good_url = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    ticket = build.ticket("agent", "REPAIR")  # the user's change still commits
    app.config["REDIS_URL"] = good_url
    row = _events(db, ticket.id)[0]
    assert row.delivered_at is None
    # The sweeper only takes rows older than a few seconds: age this one.
    row.created_at = row.created_at - dt.timedelta(minutes=1)
    db.commit()
    assert jobs.sweep(reschedule=False) >= 1
    _work(queue)
    assert row.id in CALLS
    assert _events(db, ticket.id)[0].delivered_at is not None


def test_a_failing_handler_is_retried_without_repeating_the_others(wired, build, db):
    queue = wired
    attempts = []

    def flaky(session, row):
        attempts.append(row.id)
        if len(attempts) == 1:
            raise RuntimeError("boom")

    handlers.register("flaky", flaky)
    try:
        ticket = build.ticket("agent", "REPAIR")
        row_id = _events(db, ticket.id)[0].id
        with pytest.raises(RuntimeError):
            jobs.dispatch(row_id)
        assert _events(db, ticket.id)[0].delivered_at is None
        jobs.dispatch(row_id)  # the sweeper's retry
        assert attempts == [row_id, row_id]
        # The failed run rolled back every claim; the retry committed one per handler.
        # (Handlers keep their effects in the transaction; a Python list is not.)
        claims = db.scalars(
            select(HandledEvent.handler).where(HandledEvent.event_id == row_id)
        ).all()
        assert sorted(claims) == sorted(set(claims)) and "flaky" in claims
    finally:
        handlers._HANDLERS.pop("flaky", None)
    _work(queue)


def test_sweeper_ignores_fresh_and_delivered_rows(wired, build, db):
    ticket = build.ticket("agent", "REPAIR")
    fresh = _events(db, ticket.id)[0]
    assert fresh.id not in jobs.undelivered(db, fresh.created_at + dt.timedelta(seconds=1))
    db.execute(
        OutboxEvent.__table__.update()
        .where(OutboxEvent.id == fresh.id)
        .values(delivered_at=fresh.created_at)
    )
    db.commit()
    assert fresh.id not in jobs.undelivered(db, fresh.created_at + dt.timedelta(hours=1))
    assert db.get(Ticket, ticket.id) is not None


@pytest.mark.parametrize("worker_class", ["app.worker.InProcessWorker", "app.worker.AppWorker"])
def test_production_worker_class_delivers(wired, build, db, worker_class):
    """`rq worker --worker-class app.worker.InProcessWorker` (what make worker, run.py and the
    bench start) builds the app once and delivers the event in process; AppWorker (kept for
    isolation) delivers it in a forked horse."""
    import os
    import subprocess
    import sys

    queue = wired
    ticket = build.ticket("agent", "REPAIR")
    row_id = _events(db, ticket.id)[0].id
    rq_bin = os.path.join(os.path.dirname(sys.executable), "rq")
    url = queue.connection.connection_pool.connection_kwargs
    redis_url = f"redis://{url.get('host', '127.0.0.1')}:{url.get('port', 6379)}/{url.get('db', 0)}"
    done = subprocess.run(
        [rq_bin, "worker", "--burst", "--worker-class", worker_class,
         "--serializer", "rq.serializers.JSONSerializer", "--url", redis_url, "default"],
        env={**os.environ, "FLASK_APP": "run:app"}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    db.expire_all()
    assert db.get(OutboxEvent, row_id).delivered_at is not None
    job = queue.fetch_job(relay.job_id(row_id))
    assert job.get_status() == "finished" and job.return_value() is True
