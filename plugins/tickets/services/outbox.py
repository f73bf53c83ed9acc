"""Outbox rows: written with the change, delivered to RQ after commit (automation addon)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from plugins.tickets.models import OutboxEvent, Ticket, TicketEvent


def add(
    session: Session, ticket: Ticket, event: TicketEvent | None, kind: str, payload: dict[str, Any]
) -> OutboxEvent:
    """Queue an event for delivery in the caller's transaction."""
    session.flush()
    row = OutboxEvent(
        ticket_id=ticket.id,
        event_id=event.id if event is not None else None,
        kind=kind,
        payload={"ticket_id": ticket.id, "status": ticket.status, **payload},
    )
    if event is not None:
        row.created_at = event.created_at
    session.add(row)
    return row
