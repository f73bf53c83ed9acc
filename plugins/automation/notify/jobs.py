"""RQ jobs: send one delivery row; sweep for rows whose attempt is due. Jobs take ids only.

A row is claimed with one conditional UPDATE (pending/retrying/expired "sending" → sending)
and the claim is committed before the network call, so two workers never send the same row
at once and a second run of a finished job finds the row sent and does nothing. A worker that
dies mid-send leaves a "sending" row whose lease runs out; the sweeper then sends it again
(at-least-once; the receiver dedupes on X-Delivery-Id / Message-ID, both the row's key).
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from plugins.automation.channels.result import DeliveryResult
from plugins.automation.notify.models import Delivery
from plugins.automation.notify.senders import send
from plugins.automation.outbox.jobs import _get_app
from plugins.tickets.models.base import utcnow

log = logging.getLogger(__name__)
#: Wait after failed attempt n (1-based); attempt MAX_ATTEMPTS failing is final.
BACKOFF = (
    dt.timedelta(seconds=30),
    dt.timedelta(minutes=2),
    dt.timedelta(minutes=10),
    dt.timedelta(hours=1),
)
MAX_ATTEMPTS = 5
#: A claim older than this is presumed dead (longer than any channel's timeouts).
LEASE = dt.timedelta(minutes=5)
SWEEP_GRACE = dt.timedelta(seconds=5)
SWEEP_EVERY = dt.timedelta(seconds=15)
SWEEP_BATCH = 500
SWEEP_JOB_ID = "notify-sweep"
RETRYABLE_STATES = ("pending", "retrying", "sending")


def claim(session: Session, delivery_id: int, now: dt.datetime) -> bool:
    """Atomically take the row if its attempt is due; commits the claim."""
    stmt = (
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.status.in_(RETRYABLE_STATES),
            or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
        )
        .values(status="sending", attempts=Delivery.attempts + 1, next_attempt_at=now + LEASE)
        .returning(Delivery.id)
    )
    taken = session.execute(stmt).first() is not None
    session.commit()
    return taken


def record(row: Delivery, result: DeliveryResult, now: dt.datetime) -> dt.timedelta | None:
    """Write the attempt's outcome on the row; the delay before a retry, or None."""
    if result.ok:
        row.status, row.sent_at, row.next_attempt_at = "sent", now, None
        row.last_error = result.error  # a warning such as "some recipients refused"
        return None
    row.last_error = (result.error or "failed")[:2000]
    if not result.retryable or row.attempts >= MAX_ATTEMPTS:
        row.status, row.next_attempt_at = "failed", None
        return None
    delay = BACKOFF[min(row.attempts, len(BACKOFF)) - 1]
    if result.retry_after:
        delay = max(delay, dt.timedelta(seconds=result.retry_after))
    row.status, row.next_attempt_at = "retrying", now + delay
    return delay


def attempt(session: Session, delivery_id: int, config, now: dt.datetime | None = None):
    """One attempt at one row: claim, send, record. Returns (result, retry delay) or None
    when the row was not due (already sent, failed, claimed elsewhere or unknown)."""
    now = now or utcnow()
    if not claim(session, delivery_id, now):
        return None
    row = session.get(Delivery, delivery_id)
    try:
        result = send(session, row, config)
    except Exception as exc:  # noqa: BLE001 - a bug in a sender must not leave it "sending"
        log.exception("delivery %s crashed", delivery_id)
        result = DeliveryResult(False, True, None, f"{type(exc).__name__}: {exc}")
    delay = record(row, result, utcnow() if now is None else now)
    session.commit()
    return result, delay


def send_delivery(delivery_id: int) -> str | None:
    """The job: one attempt; a retryable failure schedules the next one with enqueue_in."""
    from plugins.automation.notify.relay import job_id
    from plugins.automation.outbox.queue import queue_for

    app = _get_app()
    with app.app_context():
        from app.extensions import db

        try:
            outcome = attempt(db.session, delivery_id, app.config)
            if outcome is None:
                return None
            result, delay = outcome
            attempts = db.session.get(Delivery, delivery_id).attempts
        finally:
            db.session.remove()
        queue = queue_for(app.config.get("REDIS_URL"))
        if delay is not None and queue is not None:
            try:
                queue.enqueue_in(
                    delay, send_delivery, delivery_id, job_id=job_id(delivery_id, attempts)
                )
            except Exception:  # noqa: BLE001 - the sweeper finds the due row anyway
                log.warning("could not schedule retry of delivery %s", delivery_id)
        return "sent" if result.ok else ("retrying" if delay else "failed")


def due(session: Session, now: dt.datetime, limit: int = SWEEP_BATCH) -> list[int]:
    """Rows whose attempt is overdue by a few seconds (index on status, next_attempt_at)."""
    stmt = (
        select(Delivery.id)
        .where(
            Delivery.status.in_(RETRYABLE_STATES),
            Delivery.next_attempt_at <= now - SWEEP_GRACE,
        )
        .order_by(Delivery.next_attempt_at)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def sweep(reschedule: bool = True) -> int:
    """Enqueue every overdue row, then schedule the next sweep."""
    from plugins.automation.notify.relay import enqueue
    from plugins.automation.outbox.queue import queue_for

    app = _get_app()
    with app.app_context():
        from app.extensions import db

        queue = queue_for(app.config.get("REDIS_URL"))
        try:
            rows = db.session.execute(
                select(Delivery.id, Delivery.attempts).where(
                    Delivery.id.in_(due(db.session, utcnow()))
                )
            ).all()
        finally:
            db.session.remove()
        sent = sum(enqueue(queue, rid, attempts) for rid, attempts in rows) if queue else 0
        if reschedule and queue is not None:
            queue.enqueue_in(SWEEP_EVERY, sweep, job_id=SWEEP_JOB_ID)
        return sent


def ensure_sweeper(queue) -> None:
    """Arm the sweep chain if it is gone (first start, or Redis restarted empty)."""
    try:
        if not queue.connection.exists(f"rq:job:{SWEEP_JOB_ID}"):
            queue.enqueue_in(SWEEP_EVERY, sweep, job_id=SWEEP_JOB_ID)
    except Exception:  # noqa: BLE001 - Redis down: the next commit tries again
        log.warning("could not arm the notification sweeper")
