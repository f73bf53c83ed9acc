"""Keeping the daily roll-ups (report_daily_ticket) in step with the tickets, and reading
them for "created per period and department / category".

refresh() recomputes every local day that holds a ticket changed since the watermark
(ticket.updated_at, minus a safety margin for transactions that committed late; a
future-dated updated_at counts once its time has come), one
GROUP BY per day over the created_at index; the first run builds them all. Reports call it
before reading, so the numbers are never staler than the last commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from plugins.reports.models import DailyTicketCount, RollupState
from plugins.reports.params import ReportQuery
from plugins.reports.services.sqlfuncs import date_bucket, local_date
from plugins.tickets.enums import OPEN_STATUSES
from plugins.tickets.models import Category, Ticket
from plugins.tickets.models.base import utcnow

#: Changes committed up to this long after their updated_at are still picked up.
SAFETY = dt.timedelta(minutes=5)
STATE_ID = 1


def _insert(session: Session, offset: int, day: dt.date | None) -> None:
    local = local_date(Ticket.created_at, offset)
    done = or_(Ticket.resolved_at.is_not(None), Ticket.closed_at.is_not(None))
    stmt = select(
        local,
        Ticket.department_id,
        Ticket.category_id,
        func.count(),
        func.sum(case((done, 1), else_=0)),
        func.sum(case((Ticket.status.in_(OPEN_STATUSES), 1), else_=0)),
    ).group_by(local, Ticket.department_id, Ticket.category_id)
    if day is not None:
        start = dt.datetime.combine(day, dt.time()) - dt.timedelta(minutes=offset)
        stmt = stmt.where(Ticket.created_at >= start, Ticket.created_at < start + dt.timedelta(1))
    columns = ["day", "department_id", "category_id", "created", "done", "open"]
    session.execute(insert(DailyTicketCount).from_select(columns, stmt))


def refresh(session: Session, offset: int) -> int:
    """Bring the roll-ups up to date; return how many days were recomputed (-1: all)."""
    now = utcnow()
    state = session.scalars(
        select(RollupState).where(RollupState.id == STATE_ID).with_for_update()
    ).first()
    if state is None:
        state = RollupState(id=STATE_ID, watermark=None)
        session.add(state)
        session.flush()
    if state.watermark is None:
        session.execute(delete(DailyTicketCount))
        _insert(session, offset, None)
        recomputed = -1
    else:
        local = local_date(Ticket.created_at, offset)
        days = session.scalars(
            select(local)
            .where(Ticket.updated_at >= state.watermark - SAFETY, Ticket.updated_at <= now)
            .distinct()
        ).all()
        for day in days:
            session.execute(delete(DailyTicketCount).where(DailyTicketCount.day == day))
            _insert(session, offset, day)
        recomputed = len(days)
    state.watermark = now
    session.commit()
    return recomputed


def usable(q: ReportQuery) -> bool:
    """The roll-ups answer when only department / category / date narrow the tickets and
    the scope is all tickets or whole departments (not an agent's own intake)."""
    return q.scope_departments is not None and all(
        v is None for v in (q.channel, q.priority, q.staff_id)
    )


def created_by(session: Session, q: ReportQuery, dimension: str) -> list[tuple[Any, ...]]:
    """(bucket, key, created, done, open) per period and department or category."""
    refresh(session, q.offset_minutes)
    r = DailyTicketCount
    col = r.department_id if dimension == "department" else r.category_id
    b = date_bucket(r.day, q.group_by, 0).label("b")
    conds = [r.day >= q.date_from, r.day <= q.date_to]
    if not q.scope_all:
        conds.append(r.department_id.in_(sorted(q.scope_departments or ())))
    if q.department_id is not None:
        conds.append(r.department_id == q.department_id)
    if q.category_id is not None:
        parent = select(Category.tree_path).where(Category.id == q.category_id)
        subtree = select(Category.id).where(Category.tree_path.startswith(parent.scalar_subquery()))
        conds.append(r.category_id.in_(subtree))
    stmt = (
        select(b, col, func.sum(r.created), func.sum(r.done), func.sum(r.open))
        .where(*conds)
        .group_by(b, col)
        .order_by(b, col)
    )
    return [tuple(row) for row in session.execute(stmt)]
