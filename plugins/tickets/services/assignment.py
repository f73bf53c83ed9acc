"""Assigning a ticket to a person of its department (round-robin or least-loaded).

The process definitions move tickets between departments; who in the department takes it
is this service's business. It is the only code besides the process effects that sets
assignee_id, and like apply_action it checks scope, version and state, writes the
trajectory row and the outbox row in the caller's transaction. Triggers use it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugins.tickets.models import StaffMembership, Ticket, TicketEvent
from plugins.tickets.models.base import utcnow
from plugins.tickets.services import outbox, trajectory
from plugins.tickets.services.errors import Conflict, ValidationFailed
from plugins.tickets.services.tickets import check_version, check_writable

#: States where the ticket sits with a department and someone may be made responsible.
ASSIGNABLE = frozenset({"pending_accept", "in_progress", "suspended", "extension_review"})
OPEN = ASSIGNABLE


def handlers_of(session: Session, department_id: int) -> list[User]:
    """Active handler members of the department, by id (a stable round-robin order)."""
    stmt = (
        select(User)
        .join(StaffMembership, StaffMembership.user_id == User.id)
        .where(
            StaffMembership.department_id == department_id,
            StaffMembership.duty == "handler",
            User.active.is_(True),
        )
        .order_by(User.id)
    )
    return list(session.scalars(stmt))


def _least_loaded(session: Session, users: list[User]) -> User:
    counts = dict(
        session.execute(
            select(Ticket.assignee_id, func.count())
            .where(Ticket.assignee_id.in_([u.id for u in users]), Ticket.status.in_(OPEN))
            .group_by(Ticket.assignee_id)
        ).all()
    )
    return min(users, key=lambda u: (counts.get(u.id, 0), u.id))


def _round_robin(session: Session, users: list[User], department_id: int) -> User:
    """The member after the one this department's last assignment went to."""
    last = session.scalar(
        select(TicketEvent.changes)
        .where(TicketEvent.action == "assign", TicketEvent.to_department_id == department_id)
        .order_by(TicketEvent.id.desc())
        .limit(1)
    )
    previous = ((last or {}).get("assignee_id") or [None, None])[-1]
    ids = [u.id for u in users]
    if previous in ids:
        return users[(ids.index(previous) + 1) % len(users)]
    return users[0]


def assign_in_department(
    session: Session,
    actor: object,
    ticket: Ticket,
    expected_version: Any,
    *,
    department_id: int | None = None,
    strategy: str = "round_robin",
    note: str | None = None,
    now: dt.datetime | None = None,
) -> User:
    """Make a handler of the ticket's department its assignee (the caller commits)."""
    now = now or utcnow()
    check_writable(session, actor, ticket)
    check_version(ticket, expected_version)
    if ticket.status not in ASSIGNABLE or ticket.department_id is None:
        raise Conflict(_("Only a ticket with a department can be assigned to a person."))
    if department_id is not None and department_id != ticket.department_id:
        raise Conflict(_("The ticket is with another department."))
    users = handlers_of(session, ticket.department_id)
    if not users:
        raise ValidationFailed(
            _("Please correct the errors below."),
            {"department_id": _("This department has no handler.")},
        )
    if strategy == "least_loaded":
        user = _least_loaded(session, users)
    else:
        user = _round_robin(session, users, ticket.department_id)
    old = ticket.assignee_id
    ticket.assignee_id = user.id
    ticket.updated_at = now
    event = trajectory.record(
        session, actor, ticket, "assign", now=now, from_status=ticket.status,
        from_department_id=ticket.department_id, note=note,
        changes={"assignee_id": [old, user.id], "strategy": strategy},
    )  # fmt: skip
    outbox.add(session, ticket, event, "ticket.action", {"action": "assign", "from": ticket.status})
    session.flush()
    return user
