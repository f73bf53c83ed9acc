"""After commit, hand the new outbox rows to RQ.

Rows are collected when they are flushed and enqueued only after the transaction commits
(a worker must never see an event whose change is not committed); a rollback forgets them.
Enqueue failures are logged and left to the sweeper. Inside a dispatch job the rows its
handlers add (a trigger's note) are not enqueued: the job delivers them itself, right after
(`deliver_inline`, jobs.deliver_caused).
"""

from __future__ import annotations

import logging

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from plugins.automation.outbox.queue import queue_for
from plugins.tickets.models import OutboxEvent

log = logging.getLogger(__name__)
PENDING_KEY = "automation_outbox_ids"
#: Set by a dispatch job on its session: events committed there are delivered by the job
#: itself, right after (jobs.deliver_caused), instead of being enqueued.
INLINE_KEY = "automation_outbox_inline"


def job_id(event_id: int) -> str:
    return f"evt-{event_id}"


def enqueue(queue, event_id: int) -> bool:
    """Enqueue the dispatch job of one event; False when Redis refused (sweeper retries)."""
    from plugins.automation.outbox import jobs

    try:
        queue.enqueue(
            jobs.dispatch, event_id, job_id=job_id(event_id), result_ttl=600,
            failure_ttl=7 * 24 * 3600,
        )  # fmt: skip
    except Exception:  # noqa: BLE001 - any Redis trouble: the sweeper delivers it later
        log.warning("could not enqueue outbox event %s; the sweeper will", event_id)
        return False
    return True


def enqueue_all(ids: list[int]) -> None:
    """Enqueue these events on the current app's queue (and keep the sweeper armed)."""
    queue = queue_for(current_app.config.get("REDIS_URL")) if has_app_context() else None
    if queue is None:
        return
    for event_id in ids:
        enqueue(queue, event_id)
    from plugins.automation.outbox.jobs import ensure_sweeper

    ensure_sweeper(queue)


def deliver_inline(session: Session) -> list[int]:
    """From now on, collect this session's committed events in the returned list instead
    of enqueueing them (the caller delivers them; ends with the session)."""
    return session.info.setdefault(INLINE_KEY, [])


def _after_flush(session: Session, flush_context) -> None:
    new = [obj.id for obj in session.new if isinstance(obj, OutboxEvent)]
    if new:
        session.info.setdefault(PENDING_KEY, []).extend(new)


def _after_commit(session: Session) -> None:
    ids = session.info.pop(PENDING_KEY, [])
    if not ids:
        return
    inline = session.info.get(INLINE_KEY)
    if inline is not None:
        inline.extend(ids)
        return
    enqueue_all(ids)


def _after_rollback(session: Session, previous_transaction) -> None:
    session.info.pop(PENDING_KEY, None)


def install(session_factory) -> None:
    """Listen on the session factory: collect on flush, enqueue after commit (idempotent)."""
    if event.contains(session_factory, "after_commit", _after_commit):
        return
    event.listen(session_factory, "after_flush", _after_flush)
    event.listen(session_factory, "after_commit", _after_commit)
    event.listen(session_factory, "after_soft_rollback", _after_rollback)
