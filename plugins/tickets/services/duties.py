"""An actor's duties for one ticket: what the process definition's `duties` lists refer to.

Roles give the centre-wide duties (agent, dispatcher, follow_up); membership of the
department holding the ticket gives handler or supervisor. Admin holds every duty; the
system user (automations, timers) holds `system`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

import workflows
from plugins.tickets.models import StaffMembership, Ticket
from plugins.tickets.scoping import role_names

ROLE_DUTIES = {
    "Agent": "agent",
    "Dispatcher": "dispatcher",
    "Follow-up": "follow_up",
}
SYSTEM_USERNAME = "system"


def duties_for(session: Session, actor: object | None, ticket: Ticket) -> set[str]:
    if actor is None:
        return set()
    if getattr(actor, "username", None) == SYSTEM_USERNAME:
        return {"system"}
    roles = role_names(actor)
    if "Admin" in roles:
        return set(workflows.DUTIES)
    duties = {duty for role, duty in ROLE_DUTIES.items() if role in roles}
    if ticket.department_id is not None and roles & {"Handler", "Supervisor", "Agent"}:
        membership = session.scalar(
            select(StaffMembership.duty).where(
                StaffMembership.user_id == actor.id,
                StaffMembership.department_id == ticket.department_id,
            )
        )
        if membership == "supervisor":
            duties.add("supervisor")
        elif membership == "handler":
            duties.add("handler")
    return duties
