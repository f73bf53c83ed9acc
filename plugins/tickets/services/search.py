"""Ticket query (工单查询): criteria from a form or the API, one scoped SQL query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from plugins.tickets.models import Customer, CustomerPhone, Ticket
from plugins.tickets.models.base import utcnow
from plugins.tickets.queues import overdue_clause
from plugins.tickets.scoping import read_scope
from plugins.tickets.services.phones import to_e164

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
PAGE_SIZE = 50


@dataclass
class Criteria:
    number: str = ""
    phone: str = ""
    customer: str = ""
    category_id: int | None = None
    department_id: int | None = None
    status: str = ""
    channel: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    overdue: bool = False
    page: int = 0
    errors: dict[str, str] = field(default_factory=dict)


def _local_midnight_utc(day: dt.date) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def conditions(session: Session, actor: object, c: Criteria) -> list:
    """The WHERE clauses for these criteria, starting with the user's scope."""
    where = [read_scope(session, actor).clause()]
    if c.number:
        where.append(Ticket.number == c.number.strip().upper())
    if c.phone:
        e164 = to_e164(c.phone)
        if e164:
            by_customer = select(CustomerPhone.customer_id).where(CustomerPhone.e164 == e164)
            where.append(or_(Ticket.caller_e164 == e164, Ticket.customer_id.in_(by_customer)))
        else:
            where.append(Ticket.caller_number == c.phone.strip())
    if c.customer:
        names = select(Customer.id).where(Customer.name.contains(c.customer.strip()))
        where.append(Ticket.customer_id.in_(names))
    if c.category_id:
        where.append(Ticket.category_id == c.category_id)
    if c.department_id:
        where.append(Ticket.department_id == c.department_id)
    if c.status:
        where.append(Ticket.status == c.status)
    if c.channel:
        where.append(Ticket.channel == c.channel)
    if c.date_from:
        where.append(Ticket.created_at >= _local_midnight_utc(c.date_from))
    if c.date_to:
        where.append(Ticket.created_at < _local_midnight_utc(c.date_to + dt.timedelta(days=1)))
    if c.overdue:
        where.append(overdue_clause(utcnow()))
    return where


def run(session: Session, actor: object, c: Criteria) -> tuple[int, list[Ticket]]:
    """(total, one page of tickets), newest first; relations loaded with the rows."""
    where = conditions(session, actor, c)
    total = session.scalar(select(func.count()).select_from(Ticket).where(*where)) or 0
    rows = session.scalars(
        select(Ticket)
        .options(
            joinedload(Ticket.category),
            joinedload(Ticket.department),
            joinedload(Ticket.customer),
            joinedload(Ticket.assignee),
        )
        .where(*where)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(PAGE_SIZE)
        .offset(max(c.page, 0) * PAGE_SIZE)
    ).all()
    return total, list(rows)
