"""Writing the trajectory row that accompanies every change."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from plugins.tickets.models import Ticket, TicketEvent


def record(
    session: Session,
    actor: object | None,
    ticket: Ticket,
    action: str,
    *,
    now: dt.datetime,
    from_status: str | None = None,
    from_department_id: int | None = None,
    note: str | None = None,
    changes: dict[str, Any] | None = None,
) -> TicketEvent:
    """Add one trajectory row in the caller's transaction (the caller commits)."""
    event = TicketEvent(
        ticket=ticket,
        actor_id=getattr(actor, "id", None),
        action=action,
        from_status=from_status,
        to_status=ticket.status,
        from_department_id=from_department_id,
        to_department_id=ticket.department_id,
        received_at=now,
        started_at=now,
        finished_at=now,
        required_by=ticket.due_at,
        note=note,
        changes=changes or None,
        created_at=now,
    )
    session.add(event)
    return event
