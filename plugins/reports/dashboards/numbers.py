"""The numbers of the home dashboards: a few indexed COUNTs each, always within the user's
read scope (plugins/tickets/scoping.py), "today" meaning since local midnight.

Indexes used: ticket(created_by_id, created_at), (department_id, status, created_at),
(assignee_id, status), (status, created_at), (due_at), (resolved_at), (closed_at).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql.elements import ColumnElement

from plugins.tickets.enums import OPEN_STATUSES
from plugins.tickets.models import Ticket
from plugins.tickets.models.base import utcnow
from plugins.tickets.queues import QUEUES, overdue_clause
from plugins.tickets.queues import count as queue_count
from plugins.tickets.scoping import department_ids, read_scope

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
SATISFIED = ("satisfied", "basically_satisfied")
OVERDUE_LIST = 20


def today_start(now: dt.datetime | None = None) -> dt.datetime:
    """Local midnight of today, as naive UTC like the columns."""
    now = now or utcnow()
    local = now.replace(tzinfo=dt.UTC).astimezone(LOCAL_TZ)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(dt.UTC).replace(tzinfo=None)


def _count(session: Session, *where: ColumnElement[bool]) -> int:
    return session.scalar(select(func.count()).select_from(Ticket).where(*where)) or 0


def queue_counts(session: Session, user: Any, names: list[str]) -> list[tuple[Any, int]]:
    """(queue, count) for the named work queues (the menu's own counting function)."""
    return [(QUEUES[n], queue_count(session, user, n)) for n in names if n in QUEUES]


def agent(session: Session, user: Any, now: dt.datetime | None = None) -> dict[str, int]:
    """An agent's own intake today: registered, and how many of them are still open."""
    start = today_start(now)
    mine = (Ticket.created_by_id == user.id, Ticket.created_at >= start)
    return {
        "created_today": _count(session, *mine),
        "open_of_today": _count(session, *mine, Ticket.status.in_(OPEN_STATUSES)),
    }


def handler(session: Session, user: Any, now: dt.datetime | None = None) -> dict[str, int]:
    """My departments' 待签收 / 处理中, my open work, and what I accepted / resolved today."""
    start = today_start(now)
    scope = read_scope(session, user).clause()
    depts = sorted(department_ids(session, user.id))
    in_depts = Ticket.department_id.in_(depts)
    mine = Ticket.assignee_id == user.id
    return {
        "pending_accept": _count(session, scope, in_depts, Ticket.status == "pending_accept"),
        "in_progress": _count(session, scope, in_depts, Ticket.status == "in_progress"),
        "my_open": _count(session, scope, mine, Ticket.status.in_(OPEN_STATUSES)),
        "accepted_today": _count(session, scope, mine, Ticket.accepted_at >= start),
        "resolved_today": _count(session, scope, mine, Ticket.resolved_at >= start),
    }


@dataclass
class Overdue:
    total: int
    tickets: list[Ticket]
    open_total: int


def supervisor(session: Session, user: Any, now: dt.datetime | None = None) -> Overdue:
    """The supervisor's departments: overdue tickets, most overdue first, and the backlog."""
    now = now or utcnow()
    depts = sorted(department_ids(session, user.id))
    where = (read_scope(session, user).clause(), Ticket.department_id.in_(depts))
    late = (*where, overdue_clause(now))
    tickets = session.scalars(
        select(Ticket)
        .options(joinedload(Ticket.assignee), joinedload(Ticket.department))
        .where(*late)
        .order_by(Ticket.due_at.asc(), Ticket.id)
        .limit(OVERDUE_LIST)
    ).all()
    return Overdue(
        total=_count(session, *late),
        tickets=list(tickets),
        open_total=_count(session, *where, Ticket.status.in_(OPEN_STATUSES)),
    )


def centre(session: Session, user: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    """Centre-wide today: created, resolved, backlog, overdue, satisfaction of today's
    closed tickets (satisfied + basically satisfied over rated), within the user's scope."""
    now = now or utcnow()
    start = today_start(now)
    scope = read_scope(session, user).clause()
    rated = dict(
        session.execute(
            select(Ticket.satisfaction, func.count())
            .where(scope, Ticket.closed_at >= start, Ticket.satisfaction.is_not(None))
            .group_by(Ticket.satisfaction)
        ).all()
    )
    total_rated = sum(rated.values())
    happy = sum(rated.get(s, 0) for s in SATISFIED)
    return {
        "created_today": _count(session, scope, Ticket.created_at >= start),
        "resolved_today": _count(session, scope, Ticket.resolved_at >= start),
        "backlog": _count(session, scope, Ticket.status.in_(OPEN_STATUSES)),
        "overdue": _count(session, scope, overdue_clause(now)),
        "rated_today": total_rated,
        "satisfaction": round(happy * 100 / total_rated, 1) if total_rated else None,
    }
