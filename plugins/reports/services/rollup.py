"""Keeping the daily roll-ups (report_daily_ticket) in step with the tickets, and reading
them for the cohort reports: created per period and department / category / channel, the
volume's created and backlog, the 三率 and timeliness.

refresh() recomputes every local day that holds a ticket changed since the watermark
(ticket.updated_at, minus a safety margin for transactions that committed late; a
future-dated updated_at counts once its time has come), one GROUP BY per day over the
created_at index; the first run builds them all. The sibling roll-ups of
services/rollup_more (resolved / closed, per assignee, node times) are keyed by the same
creation day and recomputed here with it. Reports call it before reading, so the
numbers are never staler than the last commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import case, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from plugins.reports.models import DailyTicketCount, RollupState
from plugins.reports.params import ReportQuery
from plugins.reports.services import rollup_more
from plugins.reports.services.common import CONTENT
from plugins.reports.services.sqlfuncs import date_bucket, local_date, minutes_between
from plugins.tickets.enums import OPEN_STATUSES
from plugins.tickets.models import Category, Ticket, TicketEvent
from plugins.tickets.models.base import utcnow

#: Changes committed up to this long after their updated_at are still picked up.
SAFETY = dt.timedelta(minutes=5)
STATE_ID = 1


def _measures() -> dict[str, Any]:
    """Roll-up column → SQL over the tickets of one (day, department, category)."""
    done = or_(Ticket.resolved_at.is_not(None), Ticket.closed_at.is_not(None))
    reopened = Ticket.id.in_(select(TicketEvent.ticket_id).where(TicketEvent.action == "reopen"))

    def count_if(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    return {
        "created": func.count(),
        "done": count_if(done),
        "open": count_if(Ticket.status.in_(OPEN_STATUSES)),
        "responded": count_if(or_(Ticket.accepted_at.is_not(None), done)),
        "rated": func.count(Ticket.satisfaction),
        "content": count_if(Ticket.satisfaction.in_(CONTENT)),
        "reopened": count_if(reopened),
        "redone": count_if(Ticket.redo_count > 0),
        "accepted": func.count(Ticket.accepted_at),
        "accept_minutes": func.coalesce(
            func.sum(minutes_between(Ticket.created_at, Ticket.accepted_at)), 0
        ),
        "resolved": func.count(Ticket.resolved_at),
        "resolve_minutes": func.coalesce(
            func.sum(minutes_between(Ticket.created_at, Ticket.resolved_at)), 0
        ),
    }


def _insert(session: Session, offset: int, day: dt.date | None) -> None:
    local = local_date(Ticket.created_at, offset)
    measures = _measures()
    keys = (local, Ticket.department_id, Ticket.category_id, Ticket.channel)
    stmt = select(*keys, *measures.values()).group_by(*keys)
    if day is not None:
        start = dt.datetime.combine(day, dt.time()) - dt.timedelta(minutes=offset)
        stmt = stmt.where(Ticket.created_at >= start, Ticket.created_at < start + dt.timedelta(1))
    columns = ["day", "department_id", "category_id", "channel", *measures]
    session.execute(insert(DailyTicketCount).from_select(columns, stmt))


def _max_age() -> dt.timedelta:
    seconds = current_app.config.get("REPORT_REFRESH_SECONDS", 0) if has_app_context() else 0
    return dt.timedelta(seconds=int(seconds or 0))


def refresh(session: Session, offset: int) -> int:
    """Bring the roll-ups up to date; return how many days were recomputed (-1: all).

    Skipped (0) while the last refresh is younger than REPORT_REFRESH_SECONDS: checked
    without the row lock, so concurrent reports do not queue behind one recompute."""
    now = utcnow()
    max_age = _max_age()
    if max_age:
        watermark = session.scalar(select(RollupState.watermark).where(RollupState.id == STATE_ID))
        if watermark is not None and now - watermark < max_age:
            return 0
    state = session.scalars(
        select(RollupState).where(RollupState.id == STATE_ID).with_for_update()
    ).first()
    if state is None:
        state = RollupState(id=STATE_ID, watermark=None)
        session.add(state)
        session.flush()
    if state.watermark is None:
        for table in (DailyTicketCount, *rollup_more.TABLES):
            session.execute(delete(table))
        _insert(session, offset, None)
        rollup_more.insert_days(session, offset, None)
        recomputed = -1
    else:
        local = local_date(Ticket.created_at, offset)
        days = session.scalars(
            select(local)
            .where(Ticket.updated_at >= state.watermark - SAFETY, Ticket.updated_at <= now)
            .distinct()
        ).all()
        for day in days:
            for table in (DailyTicketCount, *rollup_more.TABLES):
                session.execute(delete(table).where(table.day == day))
            _insert(session, offset, day)
            rollup_more.insert_days(session, offset, day)
        recomputed = len(days)
    state.watermark = now
    session.commit()
    return recomputed


def usable(q: ReportQuery) -> bool:
    """The roll-ups answer when only department / category / channel / date narrow the
    tickets and
    the scope is all tickets or whole departments (not an agent's own intake)."""
    return q.scope_departments is not None and q.priority is None and q.staff_id is None


def _conditions(q: ReportQuery) -> list[Any]:
    r = DailyTicketCount
    conds = [r.day >= q.date_from, r.day <= q.date_to]
    if not q.scope_all:
        conds.append(r.department_id.in_(sorted(q.scope_departments or ())))
    if q.department_id is not None:
        conds.append(r.department_id == q.department_id)
    if q.category_id is not None:
        parent = select(Category.tree_path).where(Category.id == q.category_id)
        subtree = select(Category.id).where(Category.tree_path.startswith(parent.scalar_subquery()))
        conds.append(r.category_id.in_(subtree))
    if q.channel is not None:
        conds.append(r.channel == q.channel)
    return conds


def created_by(session: Session, q: ReportQuery, dimension: str) -> list[tuple[Any, ...]]:
    """(bucket, key, created, done, open) per period and department, category or channel."""
    refresh(session, q.offset_minutes)
    r = DailyTicketCount
    col = {"department": r.department_id, "category": r.category_id, "channel": r.channel}[
        dimension
    ]
    b = date_bucket(r.day, q.group_by, 0).label("b")
    stmt = (
        select(b, col, func.sum(r.created), func.sum(r.done), func.sum(r.open))
        .where(*_conditions(q))
        .group_by(b, col)
        .order_by(b, col)
    )
    return [tuple(row) for row in session.execute(stmt)]


def per_period(session: Session, q: ReportQuery, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """{"bucket", <column>: sum} per period of creation, for the named roll-up columns."""
    refresh(session, q.offset_minutes)
    r = DailyTicketCount
    b = date_bucket(r.day, q.group_by, 0).label("b")
    sums = [func.sum(getattr(r, c)) for c in columns]
    stmt = select(b, *sums).where(*_conditions(q)).group_by(b).order_by(b)
    return [
        {"bucket": key, **{c: v or 0 for c, v in zip(columns, values, strict=True)}}
        for key, *values in session.execute(stmt)
    ]
