"""Work queues (工作队列): named conditions on top of the scoping rule.

Each queue is one indexed condition; the list page (`/ticketview/list/?queue=<name>`) and
the menu count both AND it with the user's scope, so a count never shows a ticket the list
would hide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from plugins.tickets.enums import OPEN_STATUSES
from plugins.tickets.models import Ticket
from plugins.tickets.models.base import utcnow
from plugins.tickets.scoping import department_ids, read_scope


@dataclass(frozen=True)
class Queue:
    name: str
    menu: str  # the menu item's permission name
    label: object
    icon: str
    condition: Callable[[Session, object], ColumnElement[bool]]


def _mine(session: Session, user) -> ColumnElement[bool]:
    return (Ticket.assignee_id == user.id) & Ticket.status.in_(OPEN_STATUSES)


def _department_accept(session: Session, user) -> ColumnElement[bool]:
    depts = department_ids(session, user.id)
    if not depts:
        return false()
    return Ticket.department_id.in_(sorted(depts)) & (Ticket.status == "pending_accept")


def _dispatch(session: Session, user) -> ColumnElement[bool]:
    return Ticket.status == "pending_dispatch"


def _followup(session: Session, user) -> ColumnElement[bool]:
    """待回访: a booked call-back hides the ticket until its time (预约回访)."""
    return (Ticket.status == "pending_followup") & (
        Ticket.callback_at.is_(None) | (Ticket.callback_at <= utcnow())
    )


def _callbacks(session: Session, user) -> ColumnElement[bool]:
    """The call-backs this user booked and has not done yet, due or not."""
    return (Ticket.status == "pending_followup") & (Ticket.callback_by_id == user.id)


#: States whose clock runs: overdue means one of these with its deadline passed.
RUNNING_STATUSES = tuple(s for s in OPEN_STATUSES if s != "suspended")


def overdue_clause(now: dt.datetime) -> ColumnElement[bool]:
    """The one definition of "overdue" (queue, query screen, saved views)."""
    return Ticket.status.in_(RUNNING_STATUSES) & (Ticket.due_at < now)


def _overdue(session: Session, user) -> ColumnElement[bool]:
    return overdue_clause(utcnow())


def _created(session: Session, user) -> ColumnElement[bool]:
    return Ticket.created_by_id == user.id


QUEUES: dict[str, Queue] = {
    q.name: q
    for q in (
        Queue("mine", "Queue Mine", _l("My to-do"), "fa-inbox", _mine),
        Queue("accept", "Queue Accept", _l("To accept in my departments"), "fa-download",
              _department_accept),
        Queue("dispatch", "Queue Dispatch", _l("To dispatch"), "fa-random", _dispatch),
        Queue("followup", "Queue Followup", _l("To follow up"), "fa-phone", _followup),
        Queue("callbacks", "Queue Callbacks", _l("My booked call-backs"), "fa-calendar",
              _callbacks),
        Queue("overdue", "Queue Overdue", _l("Overdue"), "fa-clock", _overdue),
        Queue("created", "Queue Created", _l("Registered by me"), "fa-pencil", _created),
    )
}  # fmt: skip


def condition(session: Session, user, name: str | None) -> ColumnElement[bool] | None:
    queue = QUEUES.get(name or "")
    return queue.condition(session, user) if queue else None


def count(session: Session, user, name: str) -> int:
    """Tickets in a queue that this user may see: one indexed COUNT."""
    stmt = (
        select(func.count())
        .select_from(Ticket)
        .where(read_scope(session, user).clause(), QUEUES[name].condition(session, user))
    )
    return session.scalar(stmt) or 0
