"""催办: the `notify_holder` effect writes nothing itself; this outbox handler tells the holder.

The holder is the assignee, else the handlers of the ticket's department. The idempotency
key is the outbox event id, so a redelivered event adds no second notification (the outbox
claim already prevents it; the key keeps it true if the handler is ever re-registered).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from plugins.automation.notify.service import request_notification
from plugins.tickets.models import OutboxEvent, Ticket, TicketEvent

HANDLER_NAME = "urge_notify"
SUBJECT = _l("Ticket {ticket.number} was urged")
BODY = _l("{ticket.subject}\nDepartment: {department}\nNote: {note}")


def holders(ticket: Ticket) -> list[dict]:
    """Recipient specs: the assignee, else the department's handler members."""
    if ticket.assignee_id:
        return [{"user_id": ticket.assignee_id}]
    if ticket.department_id:
        return [{"department_handlers": ticket.department_id}]
    return []


def handle(session: Session, event: OutboxEvent) -> None:
    """Outbox handler: for "ticket.action" events with action "urge", notify in-app and by
    email (users without an email address get the in-app line only)."""
    if event.kind != "ticket.action" or (event.payload or {}).get("action") != "urge":
        return
    ticket = session.get(Ticket, event.ticket_id)
    if ticket is None:
        return
    recipients = holders(ticket)
    if not recipients:
        return
    trail = session.get(TicketEvent, event.event_id) if event.event_id else None
    note = (trail.note if trail is not None else None) or ""
    for channel in ("in_app", "email"):
        request_notification(
            session, ticket_id=ticket.id, template=f"urge.{channel}",
            subject=str(SUBJECT), body=str(BODY), recipients=recipients, channel=channel,
            idempotency_key=f"evt-{event.id}:{HANDLER_NAME}", context={"note": note},
        )  # fmt: skip
