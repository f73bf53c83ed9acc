"""After commit, hand the new delivery rows to RQ (the outbox relay's pattern).

`request_notification` records the ids of the rows it created in `session.info`; they are
enqueued only after the transaction commits (a worker must never read a row that is not
committed) and forgotten on rollback. A lost enqueue is left to the delivery sweeper.
"""

from __future__ import annotations

import logging

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from plugins.automation.notify.service import PENDING_KEY
from plugins.automation.outbox.queue import queue_for

log = logging.getLogger(__name__)


def job_id(delivery_id: int, attempt: int = 0) -> str:
    """RQ job id: one per (row, attempt), so a retry is never folded into a finished job."""
    return f"dlv-{delivery_id}-{attempt}"


def enqueue(queue, delivery_id: int, attempt: int = 0) -> bool:
    """Enqueue `send_delivery`; False when Redis refused (the sweeper tries later)."""
    from plugins.automation.notify import jobs

    try:
        queue.enqueue(
            jobs.send_delivery, delivery_id, job_id=job_id(delivery_id, attempt),
            result_ttl=600, failure_ttl=7 * 24 * 3600,
        )  # fmt: skip
    except Exception:  # noqa: BLE001 - any Redis trouble: the sweeper sends it later
        log.warning("could not enqueue delivery %s; the sweeper will", delivery_id)
        return False
    return True


def _after_commit(session: Session) -> None:
    ids = session.info.pop(PENDING_KEY, [])
    if not ids or not has_app_context():
        return
    queue = queue_for(current_app.config.get("REDIS_URL"))
    if queue is None:
        return
    for delivery_id in ids:
        enqueue(queue, delivery_id)
    from plugins.automation.notify.jobs import ensure_sweeper

    ensure_sweeper(queue)


def _after_rollback(session: Session, previous_transaction) -> None:
    session.info.pop(PENDING_KEY, None)


def install(session_factory) -> None:
    """Listen on the session factory (idempotent: tests build many apps)."""
    if event.contains(session_factory, "after_commit", _after_commit):
        return
    event.listen(session_factory, "after_commit", _after_commit)
    event.listen(session_factory, "after_soft_rollback", _after_rollback)
