"""The roll-ups beyond the cohort one: resolved / closed per local day of that instant,
tickets per assignee, and node times from the trajectory (plugins/reports/models.py).

Each is keyed by the ticket's local day of creation as well, so services/rollup.refresh
recomputes them with report_daily_ticket, for the same days. The readers answer only
when the scope is whole departments and no filter but the department applies (usable());
callers refresh first and fall back to the raw query otherwise.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, case, func, insert, literal, or_, select
from sqlalchemy.orm import Session

from plugins.reports.models import DailyDoneCount, DailyNodeTime, DailyStaffCount
from plugins.reports.params import ReportQuery
from plugins.reports.services.sqlfuncs import date_bucket, local_date, minutes_between
from plugins.tickets.enums import OPEN_STATUSES
from plugins.tickets.models import Ticket, TicketEvent

TABLES = (DailyDoneCount, DailyStaffCount, DailyNodeTime)


def _count_if(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _in_day(stmt: Any, offset: int, day: dt.date | None) -> Any:
    if day is None:
        return stmt
    start = dt.datetime.combine(day, dt.time()) - dt.timedelta(minutes=offset)
    return stmt.where(Ticket.created_at >= start, Ticket.created_at < start + dt.timedelta(1))


def closes_node() -> Any:
    """A trajectory row that ends a node (status or department changed); see timeliness."""
    return and_(
        TicketEvent.action != "create",
        or_(
            TicketEvent.from_status != TicketEvent.to_status,
            TicketEvent.from_department_id.is_distinct_from(TicketEvent.to_department_id),
        ),
    )


def insert_days(session: Session, offset: int, day: dt.date | None) -> None:
    """Compute the rows of the tickets created on local `day` (None: every day)."""
    created = local_date(Ticket.created_at, offset)
    for col, measures in (
        (Ticket.resolved_at, (func.count(), literal(0))),
        (Ticket.closed_at, (literal(0), func.count())),
    ):
        at = local_date(col, offset)
        keys = (created, at, Ticket.department_id)
        stmt = select(*keys, *measures).where(col.is_not(None)).group_by(*keys)
        columns = ["day", "at_day", "department_id", "resolved", "closed"]
        session.execute(insert(DailyDoneCount).from_select(columns, _in_day(stmt, offset, day)))

    done = or_(Ticket.resolved_at.is_not(None), Ticket.closed_at.is_not(None))
    keys = (created, Ticket.department_id, Ticket.assignee_id)
    stmt = select(
        *keys, func.count(), _count_if(done), _count_if(Ticket.status.in_(OPEN_STATUSES))
    ).group_by(*keys)
    columns = ["day", "department_id", "assignee_id", "created", "done", "open"]
    session.execute(insert(DailyStaffCount).from_select(columns, _in_day(stmt, offset, day)))

    spent = minutes_between(TicketEvent.received_at, TicketEvent.finished_at)
    with_deadline = TicketEvent.required_by.is_not(None)
    late = and_(with_deadline, TicketEvent.finished_at > TicketEvent.required_by)
    keys = (
        created,
        local_date(TicketEvent.created_at, offset),
        Ticket.department_id,
        TicketEvent.from_status,
    )
    stmt = (
        select(
            *keys,
            func.count(),
            func.count(spent),
            func.coalesce(func.sum(spent), 0),
            _count_if(with_deadline),
            _count_if(late),
        )
        .select_from(TicketEvent)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(closes_node())
        .group_by(*keys)
    )
    columns = ["day", "at_day", "department_id", "node", "nodes", "timed", "minutes"]
    columns += ["with_deadline", "overdue"]
    session.execute(insert(DailyNodeTime).from_select(columns, _in_day(stmt, offset, day)))


def usable(q: ReportQuery) -> bool:
    """Whole departments in scope and no filter but the department."""
    return (
        q.scope_departments is not None
        and q.priority is None
        and q.staff_id is None
        and q.category_id is None
        and q.channel is None
    )


def _conditions(q: ReportQuery, model: Any, day: Any) -> list[Any]:
    conds = [day >= q.date_from, day <= q.date_to]
    if not q.scope_all:
        conds.append(model.department_id.in_(sorted(q.scope_departments or ())))
    if q.department_id is not None:
        conds.append(model.department_id == q.department_id)
    return conds


def done_per_period(session: Session, q: ReportQuery) -> list[tuple[str, int, int]]:
    """(bucket, resolved, closed) per period of the resolving / closing instant."""
    r = DailyDoneCount
    b = date_bucket(r.at_day, q.group_by, 0).label("b")
    stmt = (
        select(b, func.sum(r.resolved), func.sum(r.closed))
        .where(*_conditions(q, r, r.at_day))
        .group_by(b)
    )
    return [(key, int(res or 0), int(clo or 0)) for key, res, clo in session.execute(stmt)]


def staff_per_period(session: Session, q: ReportQuery) -> list[tuple[Any, ...]]:
    """(bucket, assignee_id, created, done, open) per period of creation."""
    r = DailyStaffCount
    b = date_bucket(r.day, q.group_by, 0).label("b")
    stmt = (
        select(b, r.assignee_id, func.sum(r.created), func.sum(r.done), func.sum(r.open))
        .where(*_conditions(q, r, r.day))
        .group_by(b, r.assignee_id)
        .order_by(b, r.assignee_id)
    )
    return [tuple(row) for row in session.execute(stmt)]


def nodes_per_period(session: Session, q: ReportQuery) -> list[tuple[Any, ...]]:
    """(bucket, node, nodes, mean minutes, with deadline, overdue) per period of the end."""
    r = DailyNodeTime
    b = date_bucket(r.at_day, q.group_by, 0).label("b")
    stmt = (
        select(
            b,
            r.node,
            func.sum(r.nodes),
            func.sum(r.timed),
            func.sum(r.minutes),
            func.sum(r.with_deadline),
            func.sum(r.overdue),
        )
        .where(*_conditions(q, r, r.at_day))
        .group_by(b, r.node)
        .order_by(b, r.node)
    )
    return [
        (key, node, n, minutes / timed if timed else None, due, late)
        for key, node, n, timed, minutes, due, late in session.execute(stmt)
    ]
