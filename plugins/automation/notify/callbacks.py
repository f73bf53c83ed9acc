"""预约回访 reminders: when a booked call-back comes due, tell whoever booked it, once.

The ticket's `callback_at` (set by the `book_callback` effect, already moved into working
hours) is the truth. The outbox handler schedules a job at that instant so the reminder is
prompt; the sweep (every minute, self-rescheduling) is what guarantees it, since Redis may
lose a schedule. Both claim the reminder with one conditional UPDATE of
`callback_reminded_at`, so it goes out exactly once however many runs race; a rebooking
clears the mark and the next time reminds again.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from plugins.automation.notify.service import request_notification
from plugins.automation.outbox import sweepers
from plugins.automation.outbox.jobs import _get_app
from plugins.automation.outbox.queue import queue_for
from plugins.tickets.models import OutboxEvent, Ticket
from plugins.tickets.models.base import utcnow

log = logging.getLogger(__name__)
HANDLER_NAME = "callback_reminder"
SWEEP_EVERY = dt.timedelta(seconds=60)
SWEEP_JOB_ID = "callback-sweep"
BATCH = 200
SUBJECT = _l("Call back now: ticket {ticket.number}")
BODY = _l("{ticket.subject}\nThe call-back you booked for this ticket is due.")


def remind_due(session: Session, now: dt.datetime, ticket_ids: list[int] | None = None) -> int:
    """Claim and send the reminders due at `now` (naive UTC); commits. Returns how many."""
    table = Ticket.__table__
    due = (
        select(Ticket.id)
        .where(
            Ticket.status == "pending_followup",
            Ticket.callback_at <= now,
            Ticket.callback_reminded_at.is_(None),
        )
        .order_by(Ticket.callback_at)
        .limit(BATCH)
    )
    if ticket_ids is not None:
        due = due.where(Ticket.id.in_(ticket_ids))
    sent = 0
    for ticket_id in session.scalars(due).all():
        # Plain UPDATE, no version bump: the reminder mark is derived, not a user's change.
        claimed = session.execute(
            update(table)
            .where(
                table.c.id == ticket_id,
                table.c.callback_reminded_at.is_(None),
                table.c.callback_at <= now,
            )
            .values(callback_reminded_at=now)
            .returning(table.c.callback_at, table.c.callback_by_id)
        ).first()
        if claimed is None or claimed.callback_by_id is None:
            continue
        key = f"callback-{ticket_id}-{claimed.callback_at.isoformat()}"
        for channel in ("in_app", "email"):
            request_notification(
                session, ticket_id=ticket_id, subject=str(SUBJECT), body=str(BODY),
                recipients=[{"user_id": claimed.callback_by_id}], channel=channel,
                idempotency_key=f"{key}:{channel}",
            )  # fmt: skip
        sent += 1
    session.commit()
    return sent


def handle(session: Session, event: OutboxEvent) -> None:
    """Outbox handler: a booking schedules the reminder job at the booked instant."""
    if event.kind != "ticket.action" or (event.payload or {}).get("action") != "book_callback":
        return
    ticket = session.get(Ticket, event.ticket_id)
    if ticket is None or ticket.callback_at is None or not has_app_context():
        return
    queue = queue_for(current_app.config.get("REDIS_URL"))
    if queue is None:
        return
    try:
        queue.enqueue_at(
            ticket.callback_at.replace(tzinfo=dt.UTC), remind, ticket.id,
            job_id=f"callback-{ticket.id}-{int(ticket.callback_at.timestamp())}",
        )  # fmt: skip
        ensure_sweeper(queue)
    except Exception:  # noqa: BLE001 - Redis trouble: the sweep reminds anyway
        log.warning("could not schedule the call-back reminder of ticket %s", ticket.id)


def remind(ticket_id: int) -> int:
    """The job scheduled at a booking's instant."""
    app = _get_app()
    with app.app_context():
        from app.extensions import db

        try:
            return remind_due(db.session, utcnow(), [ticket_id])
        finally:
            db.session.remove()


def sweep(reschedule: bool = True) -> int:
    """Schedule the next sweep first (a failing or killed sweep keeps the chain), then remind
    everything due."""
    app = _get_app()
    with app.app_context():
        from app.extensions import db

        queue = queue_for(app.config.get("REDIS_URL"))
        if reschedule and queue is not None:
            sweepers.reschedule(queue, SWEEP_JOB_ID, sweep, SWEEP_EVERY)
        try:
            return remind_due(db.session, utcnow())
        finally:
            db.session.remove()


def ensure_sweeper(queue) -> None:
    """Arm the sweep chain if it is gone (first start, Redis restarted empty, a sweep that
    failed or died): never raises."""
    sweepers.keep_alive(queue, SWEEP_JOB_ID, sweep, SWEEP_EVERY)
