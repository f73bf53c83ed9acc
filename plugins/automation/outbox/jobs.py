"""RQ jobs: deliver one outbox event; sweep for undelivered ones. Jobs take ids only."""

from __future__ import annotations

import datetime as dt
import logging

from flask import Flask, current_app, has_app_context
from rq.job import Job
from sqlalchemy import select, update

from plugins.automation.outbox import relay, sweepers
from plugins.automation.outbox.handlers import claim_all, registered
from plugins.tickets.models import OutboxEvent
from plugins.tickets.models.base import utcnow

log = logging.getLogger(__name__)
SWEEP_AGE = dt.timedelta(seconds=5)
SWEEP_BATCH = 500
SWEEP_EVERY = dt.timedelta(seconds=10)
SWEEP_JOB_ID = "outbox-sweep"
#: Sweeps an event may wait in the queue before it is pushed again regardless.
PATIENCE = 6
#: Events caused by one job's deliveries that the job delivers itself (the rest: enqueued).
MAX_CAUSED = 20
_app: Flask | None = None


def _get_app() -> Flask:
    """The worker's app (pushed by the host's worker class before forking), else one built
    once per process (jobs run outside any request)."""
    global _app
    if _app is None:
        if has_app_context():
            return current_app._get_current_object()
        from app import create_app

        _app = create_app()
    return _app


def deliver(session, event_id: int) -> bool:
    """Run every handler once for this event and mark it delivered; False if unknown."""
    row = session.get(OutboxEvent, event_id)
    if row is None:
        return False
    if row.delivered_at is None:
        handlers = registered()
        claimed = claim_all(session, event_id, list(handlers))
        for name, handler in handlers.items():
            if name in claimed:
                handler(session, row)
        row.delivered_at = utcnow()
        row.attempts = (row.attempts or 0) + 1
        session.commit()
    return True


def dispatch(event_id: int) -> bool:
    """The job enqueued after commit (job id evt-<id>); the events its handlers cause (a
    trigger's note) are delivered right after it, in the same job (see deliver_caused)."""
    app = _get_app()
    with app.app_context():
        from app.extensions import db

        caused = relay.deliver_inline(db.session)
        try:
            found = deliver(db.session, event_id)
            deliver_caused(db.session, caused)
            return found
        finally:
            db.session.remove()


def deliver_caused(session, caused: list[int]) -> int:
    """Deliver the events committed by this job's own deliveries, in process, now.

    Without this each would be a job of its own (a trip through Redis and the worker for a
    note a trigger added). Chains are bounded (triggers stop at their MAX_DEPTH; here at
    MAX_CAUSED events); what is left, or fails, is enqueued as usual, and an event whose
    worker dies before it is delivered is the sweeper's, as after any crash.
    """
    done = 0
    while caused and done < MAX_CAUSED:
        event_id = caused.pop(0)
        try:
            deliver(session, event_id)
        except Exception:  # noqa: BLE001 - its own job retries it, and shows the error
            session.rollback()
            log.exception("outbox event %s failed in process; enqueued", event_id)
            caused.insert(0, event_id)
            break
        done += 1
    if caused:
        relay.enqueue_all(list(caused))
        caused.clear()
    return done


def undelivered(session, now: dt.datetime, limit: int = SWEEP_BATCH) -> list[int]:
    """Ids of rows older than a few seconds and still undelivered (index on delivered_at)."""
    stmt = (
        select(OutboxEvent.id)
        .where(OutboxEvent.delivered_at.is_(None), OutboxEvent.created_at < now - SWEEP_AGE)
        .order_by(OutboxEvent.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.scalars(stmt))


def still_queued(queue, session, ids: list[int]) -> set[int]:
    """Events whose dispatch job is still waiting in the queue: pushing them again would
    only add no-op jobs, and under a backlog every sweep would add hundreds more. A job
    that stays "queued" for PATIENCE sweeps is pushed anyway (a lost list entry), and a
    started job is not waiting: its worker may be dead (the redelivery a crash needs)."""
    with queue.connection.pipeline(transaction=False) as pipe:
        for event_id in ids:
            pipe.hget(Job.key_for(relay.job_id(event_id)), "status")
        statuses = pipe.execute()
    queued = [i for i, s in zip(ids, statuses, strict=True) if s == b"queued"]
    if not queued:
        return set()
    patient = select(OutboxEvent.id).where(
        OutboxEvent.id.in_(queued), OutboxEvent.attempts < PATIENCE
    )
    return set(session.scalars(patient))


def sweep(reschedule: bool = True) -> int:
    """Schedule the next sweep, then re-enqueue undelivered events.

    The successor is scheduled first: a sweep that raises (the database briefly away) or
    whose horse is killed must not end the chain (see sweepers.py)."""
    from plugins.automation.outbox.queue import queue_for

    app = _get_app()
    with app.app_context():
        from app.extensions import db

        queue = queue_for(app.config.get("REDIS_URL"))
        if reschedule and queue is not None:
            sweepers.reschedule(queue, SWEEP_JOB_ID, sweep, SWEEP_EVERY)
        try:
            ids = undelivered(db.session, utcnow())
            sent = 0
            if queue is not None and ids:
                waiting = still_queued(queue, db.session, ids)
                sent = sum(
                    relay.enqueue(queue, event_id) for event_id in ids if event_id not in waiting
                )
            if ids:
                db.session.execute(
                    update(OutboxEvent).where(OutboxEvent.id.in_(ids))
                    .values(attempts=OutboxEvent.attempts + 1)
                )  # fmt: skip
            db.session.commit()
        finally:
            db.session.remove()
        return sent


def ensure_sweeper(queue) -> None:
    """Arm the sweep chain if it is gone (first start, Redis restarted empty, a sweep that
    failed or died): never raises."""
    sweepers.keep_alive(queue, SWEEP_JOB_ID, sweep, SWEEP_EVERY)
