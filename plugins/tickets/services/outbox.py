"""Outbox rows: written with the change, delivered to RQ after commit (automation addon)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from plugins.tickets.models import OutboxEvent, Ticket, TicketEvent

#: session.info key: extra payload for every outbox row written while it is set. The trigger
#: engine puts the chain depth and rule ids there, so events it causes carry their origin
#: (the chain-depth limit and loop detection read it) without widening every signature.
CONTEXT_KEY = "outbox_context"


def add(
    session: Session, ticket: Ticket, event: TicketEvent | None, kind: str, payload: dict[str, Any]
) -> OutboxEvent:
    """Queue an event for delivery in the caller's transaction."""
    session.flush()
    row = OutboxEvent(
        ticket_id=ticket.id,
        event_id=event.id if event is not None else None,
        kind=kind,
        payload={
            "ticket_id": ticket.id,
            "status": ticket.status,
            **session.info.get(CONTEXT_KEY, {}),
            **payload,
        },
    )
    if event is not None:
        row.created_at = event.created_at
    session.add(row)
    return row


def jsonable_changes(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Trajectory [old, new] pairs as JSON values (dates as ISO text, the rest as text)."""

    def plain(value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value.isoformat() if isinstance(value, dt.date) else str(value)

    return {name: [plain(v) for v in pair] for name, pair in changes.items()}
