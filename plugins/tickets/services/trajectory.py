"""Writing the trajectory row that accompanies every change.

A row describes the node the change closes: when the ticket arrived there (received_at),
when work started (started_at), when it ended (finished_at = now) and when it was required
to end (required_by), with the status and department before and after.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from plugins.tickets.models import Ticket, TicketEvent


def jsonable(values: dict[str, Any]) -> dict[str, Any]:
    """Parameters as JSON-friendly values (datetimes as ISO text), empty ones dropped."""
    out = {}
    for key, value in values.items():
        if value is None or value == "":
            continue
        out[key] = value.isoformat() if isinstance(value, dt.datetime | dt.date) else value
    return out


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
    received_at: dt.datetime | None = None,
    started_at: dt.datetime | None = None,
    required_by: dt.datetime | None = None,
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
        received_at=received_at or now,
        started_at=started_at or received_at or now,
        finished_at=now,
        required_by=required_by if received_at else ticket.due_at,
        note=note,
        changes=changes or None,
        created_at=now,
    )
    session.add(event)
    return event
