"""Rebuild the open clocks after an admin changes what they were computed from: a calendar
override (调休), or a policy added, edited, switched off or deleted.

The sweep no longer re-syncs every due ticket (only those with undelivered events), so such a
change reaches open tickets here. The work is the open tickets, not the history, but at a
million tickets that can be 100,000 of them (about 7 ms each): up to BATCH are rebuilt in the
admin's request, more in RQ jobs of BATCH tickets each, each job queueing the next (ticket-id
order) until none are left. Without Redis everything is rebuilt in the request.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugins.automation.outbox.jobs import _get_app
from plugins.automation.outbox.queue import queue_for
from plugins.automation.sla import calendar as sla_calendar
from plugins.automation.sla.models import SlaClock
from plugins.tickets.models import Ticket

log = logging.getLogger(__name__)
BATCH = 500


def _open_ticket_ids(session: Session, after_id: int, limit: int | None) -> list[int]:
    stmt = (
        select(SlaClock.ticket_id)
        .where(SlaClock.stopped_at.is_(None), SlaClock.ticket_id > after_id)
        .group_by(SlaClock.ticket_id)
        .order_by(SlaClock.ticket_id)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def rebuild(session: Session, ticket_ids: list[int]) -> None:
    """Re-sync these tickets' clocks and schedule their jobs; commits."""
    from plugins.automation.sla import jobs
    from plugins.automation.sla.engine import sync_ticket

    clocks: list[SlaClock] = []
    for ticket in session.scalars(select(Ticket).where(Ticket.id.in_(ticket_ids))):
        clocks.extend(sync_ticket(session, ticket))
    session.commit()
    jobs.schedule(clocks)


def request_recompute(session: Session) -> int:
    """After an admin's change: rebuild the open clocks now, or in background batches when
    there are more than BATCH. Returns how many tickets have open clocks."""
    sla_calendar.invalidate()
    total = session.scalar(
        select(func.count(func.distinct(SlaClock.ticket_id))).where(SlaClock.stopped_at.is_(None))
    )
    queue = queue_for(current_app.config.get("REDIS_URL"))
    if total <= BATCH or queue is None:
        rebuild(session, _open_ticket_ids(session, 0, None))
        return total
    try:
        queue.enqueue(recompute_batch, 0, job_timeout=600)
    except Exception:  # noqa: BLE001 - Redis away: do it here rather than not at all
        log.warning("could not queue the SLA recompute; rebuilding %s tickets now", total)
        rebuild(session, _open_ticket_ids(session, 0, None))
    return total


def recompute_batch(after_id: int) -> int:
    """RQ job: rebuild the next BATCH tickets after `after_id`, then queue the following
    batch. Returns the last ticket id done (0 when there was nothing left)."""
    app = _get_app()
    with app.app_context():
        from app.extensions import db

        try:
            sla_calendar.invalidate()  # this worker may hold the calendar from before
            ids = _open_ticket_ids(db.session, after_id, BATCH)
            if not ids:
                return 0
            rebuild(db.session, ids)
            if len(ids) == BATCH:
                queue = queue_for(app.config.get("REDIS_URL"))
                if queue is not None:
                    queue.enqueue(recompute_batch, ids[-1], job_timeout=600)
            return ids[-1]
        finally:
            db.session.remove()
