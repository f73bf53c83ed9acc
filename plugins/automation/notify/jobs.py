"""RQ jobs: send one delivery row; sweep for rows whose attempt is due. Jobs take ids only.

A row is claimed with one conditional UPDATE (pending/retrying/expired "sending" → sending)
and the claim is committed before the network call, so two workers never send the same row
at once and a second run of a finished job finds the row sent and does nothing. A worker that
dies mid-send leaves a "sending" row whose lease runs out; the sweeper then sends it again
(at-least-once; the receiver dedupes on X-Delivery-Id / Message-ID, both the row's key).

Robots are paced (`channels.ratelimit`, ROBOT_RATE_LIMITS): a message that would exceed its
robot's limit is not sent; the claim is given back (the attempt is not counted, the row
stays pending) and the row comes back at the slot reserved for it. A reply saying the
platform throttles us (429, 45009, 130101, 11232) rests the whole robot for Retry-After or
ROBOT_THROTTLE_PAUSE and the message waits likewise, uncounted, for up to THROTTLE_GIVE_UP
after it was written; other failures keep the backoff below.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from plugins.automation.channels.ratelimit import RobotPacer
from plugins.automation.channels.result import DeliveryResult
from plugins.automation.notify.models import ROBOT_KINDS, Delivery, RobotEndpoint
from plugins.automation.notify.senders import send
from plugins.automation.outbox import sweepers
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
#: A message throttled by its platform for longer than this is failed like any other error.
THROTTLE_GIVE_UP = dt.timedelta(hours=24)
DEFAULT_THROTTLE_PAUSE = 60.0


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


def defer(row: Delivery, seconds: float, now: dt.datetime) -> dt.timedelta:
    """Give the claim back without counting the attempt: the row waits `seconds`."""
    row.attempts = max(0, row.attempts - 1)
    row.status = "retrying" if row.attempts else "pending"
    delay = dt.timedelta(seconds=max(seconds, 0.001))
    row.next_attempt_at = now + delay
    return delay


def record(
    row: Delivery, result: DeliveryResult, now: dt.datetime, throttle_pause: float | None = None
) -> dt.timedelta | None:
    """Write the attempt's outcome on the row; the delay before a retry, or None.

    `throttle_pause`: seconds the robot rests when the platform throttled this attempt; the
    row then waits as long, the attempt uncounted (until THROTTLE_GIVE_UP).
    """
    if result.ok:
        row.status, row.sent_at, row.next_attempt_at = "sent", now, None
        row.last_error = result.error  # a warning such as "some recipients refused"
        return None
    row.last_error = (result.error or "failed")[:2000]
    young = row.created_at is None or now - row.created_at < THROTTLE_GIVE_UP
    if result.throttled and throttle_pause is not None and young:
        row.last_error = f"throttled by the platform ({result.error}); waiting"[:2000]
        return defer(row, throttle_pause, now)
    if not result.retryable or row.attempts >= MAX_ATTEMPTS:
        row.status, row.next_attempt_at = "failed", None
        return None
    delay = BACKOFF[min(row.attempts, len(BACKOFF)) - 1]
    if result.retry_after:
        delay = max(delay, dt.timedelta(seconds=result.retry_after))
    row.status, row.next_attempt_at = "retrying", now + delay
    return delay


def pacer_for(config: Mapping[str, Any]) -> RobotPacer | None:
    """The robot pacer on the app's Redis, or None without Redis (then nothing is paced:
    there are no workers to share a limit with either)."""
    from plugins.automation.outbox.queue import queue_for

    queue = queue_for(config.get("REDIS_URL"))
    if queue is None:
        return None
    return RobotPacer(queue.connection, config.get("ROBOT_RATE_LIMITS") or {})


def _robot(session: Session, row: Delivery) -> RobotEndpoint | None:
    if row.channel not in ROBOT_KINDS or not row.robot_id:
        return None
    robot = session.get(RobotEndpoint, row.robot_id)
    return robot if robot is not None and robot.active and robot.url else None


def _wait_for_robot(pacer: RobotPacer | None, robot: RobotEndpoint | None, row: Delivery) -> float:
    """Seconds the robot's pace makes this row wait (0: send now)."""
    if pacer is None or robot is None:
        return 0.0
    try:
        return pacer.acquire(robot.kind, robot.url, f"{row.id}:{row.attempts}")
    except Exception:  # noqa: BLE001 - Redis trouble: send unpaced; the platform throttles
        log.warning("robot pacing unavailable for delivery %s", row.id)
        return 0.0


def _throttle_pause(pacer, robot, row: Delivery, result: DeliveryResult, config) -> float | None:
    """Rest the robot after the platform throttled it; the seconds of rest, or None."""
    if not result.throttled or robot is None:
        return None
    pauses = config.get("ROBOT_THROTTLE_PAUSE") or {}
    seconds = result.retry_after or float(pauses.get(robot.kind, DEFAULT_THROTTLE_PAUSE))
    if pacer is not None:
        try:
            seconds = max(seconds, pacer.pause(robot.url, seconds, f"{row.id}:{row.attempts}"))
        except Exception:  # noqa: BLE001 - the row still waits; only the others are not held
            log.warning("could not pause robot %s", robot.id)
    return seconds


def attempt(
    session: Session,
    delivery_id: int,
    config,
    now: dt.datetime | None = None,
    pacer: RobotPacer | None = None,
):
    """One attempt at one row: claim, pace, send, record. Returns (result, retry delay), or
    (None, delay) when the robot's pace deferred it uncounted, or None when the row was not
    due (already sent, failed, claimed elsewhere or unknown). `pacer`: default from config."""
    fixed_now = now
    now = now or utcnow()
    if not claim(session, delivery_id, now):
        return None
    row = session.get(Delivery, delivery_id)
    robot = _robot(session, row)
    pacer = pacer if pacer is not None else (pacer_for(config) if robot else None)
    wait = _wait_for_robot(pacer, robot, row)
    if wait > 0:
        delay = defer(row, wait, now)
        session.commit()
        return None, delay
    try:
        result = send(session, row, config)
    except Exception as exc:  # noqa: BLE001 - a bug in a sender must not leave it "sending"
        log.exception("delivery %s crashed", delivery_id)
        result = DeliveryResult(False, True, None, f"{type(exc).__name__}: {exc}")
    pause = _throttle_pause(pacer, robot, row, result, config)
    delay = record(row, result, utcnow() if fixed_now is None else fixed_now, pause)
    session.commit()
    return result, delay


def _schedule(queue, delay: dt.timedelta, delivery_id: int, attempts: int, deferred: bool):
    from plugins.automation.notify.relay import job_id

    # RQ's schedule has whole-second resolution and rounds down: round the due time up,
    # so a job never wakes before its slot and is deferred once more.
    due_at = dt.datetime.fromtimestamp(math.ceil(time.time() + delay.total_seconds()), dt.UTC)
    name = job_id(delivery_id, attempts)
    if deferred:  # same attempt number as the running job: a distinct id per wake-up
        name = f"{name}-at{int(due_at.timestamp())}"
    queue.enqueue_at(due_at, send_delivery, delivery_id, job_id=name)


def send_delivery(delivery_id: int) -> str | None:
    """The job: one attempt; a retryable failure or a deferral schedules the next one."""
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
        deferred = result is None or result.throttled
        if delay is not None and queue is not None:
            try:
                _schedule(queue, delay, delivery_id, attempts, deferred)
            except Exception:  # noqa: BLE001 - the sweeper finds the due row anyway
                log.warning("could not schedule retry of delivery %s", delivery_id)
        if result is None:
            return "deferred"
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
    """Schedule the next sweep first (a failing or killed sweep keeps the chain), then
    enqueue every overdue row."""
    from plugins.automation.notify.relay import enqueue
    from plugins.automation.outbox.queue import queue_for

    app = _get_app()
    with app.app_context():
        from app.extensions import db

        queue = queue_for(app.config.get("REDIS_URL"))
        if reschedule and queue is not None:
            sweepers.reschedule(queue, SWEEP_JOB_ID, sweep, SWEEP_EVERY)
        try:
            rows = db.session.execute(
                select(Delivery.id, Delivery.attempts).where(
                    Delivery.id.in_(due(db.session, utcnow()))
                )
            ).all()
        finally:
            db.session.remove()
        return sum(enqueue(queue, rid, attempts) for rid, attempts in rows) if queue else 0


def ensure_sweeper(queue) -> None:
    """Arm the sweep chain if it is gone (first start, Redis restarted empty, a sweep that
    failed or died): never raises."""
    sweepers.keep_alive(queue, SWEEP_JOB_ID, sweep, SWEEP_EVERY)
