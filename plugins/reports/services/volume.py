"""Volume reports: created / resolved / closed / backlog over time, the same split by a
dimension (department, category, staff, channel), and the weekday × hour heat map.

One GROUP BY per measure; the date range always bounds an indexed column.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from plugins.reports.params import ReportQuery
from plugins.reports.services import rollup, rollup_more
from plugins.reports.services.common import bucket, in_range, names, ticket_conditions
from plugins.reports.services.sqlfuncs import weekday_hour
from plugins.tickets.enums import OPEN_STATUSES
from plugins.tickets.models import Ticket

DIMENSIONS = {
    "department": Ticket.department_id,
    "category": Ticket.category_id,
    "staff": Ticket.assignee_id,
    "channel": Ticket.channel,
    "priority": Ticket.priority,
}


def _is_open() -> Any:
    return case((Ticket.status.in_(OPEN_STATUSES), 1), else_=0)


def _done() -> Any:
    """Resolved or closed (办结): the ticket left the work queues with a result."""
    return case(((Ticket.resolved_at.is_not(None)) | (Ticket.closed_at.is_not(None)), 1), else_=0)


def volume(session: Session, q: ReportQuery) -> list[dict[str, Any]]:
    """Per bucket: created (by created_at), resolved (by resolved_at), closed (by closed_at),
    backlog (created in the bucket and still open)."""
    conds = ticket_conditions(q)
    rows: dict[str, dict[str, Any]] = {}

    def blank(key: str) -> dict[str, Any]:
        return rows.setdefault(
            key, {"bucket": key, "created": 0, "resolved": 0, "closed": 0, "backlog": 0}
        )

    if rollup.usable(q):
        created_rows = [
            (r["bucket"], r["created"], r["open"])
            for r in rollup.per_period(session, q, ("created", "open"))
        ]
    else:
        b = bucket(Ticket.created_at, q).label("b")
        stmt = (
            select(b, func.count(), func.sum(_is_open()))
            .where(*conds, *in_range(Ticket.created_at, q))
            .group_by(b)
        )
        created_rows = session.execute(stmt).all()
    for key, created, backlog in created_rows:
        blank(key).update(created=created, backlog=int(backlog or 0))
    if rollup_more.usable(q):
        rollup.refresh(session, q.offset_minutes)
        for key, resolved, closed in rollup_more.done_per_period(session, q):
            if resolved:
                blank(key)["resolved"] = resolved
            if closed:
                blank(key)["closed"] = closed
        return [rows[k] for k in sorted(rows)]
    for name, col in (("resolved", Ticket.resolved_at), ("closed", Ticket.closed_at)):
        b = bucket(col, q).label("b")
        stmt = select(b, func.count()).where(*conds, *in_range(col, q)).group_by(b)
        for key, n in session.execute(stmt):
            blank(key)[name] = n
    return [rows[k] for k in sorted(rows)]


def by_dimension(dimension: str) -> Callable[[Session, ReportQuery], list[dict[str, Any]]]:
    """Builder of "tickets created per bucket and <dimension>", with how many are done and
    how many still open."""
    col = DIMENSIONS[dimension]

    def build(session: Session, q: ReportQuery) -> list[dict[str, Any]]:
        b = bucket(Ticket.created_at, q).label("b")
        stmt = (
            select(b, col, func.count(), func.sum(_done()), func.sum(_is_open()))
            .where(*ticket_conditions(q), *in_range(Ticket.created_at, q))
            .group_by(b, col)
            .order_by(b, col)
        )
        if dimension in ("department", "category", "channel") and rollup.usable(q):
            result = rollup.created_by(session, q, dimension)
        elif dimension == "staff" and rollup_more.usable(q):
            rollup.refresh(session, q.offset_minutes)
            result = rollup_more.staff_per_period(session, q)
        else:
            result = session.execute(stmt).all()
        labels = names(session, dimension, (r[1] for r in result))
        return [
            {
                "bucket": key,
                "key": value,
                "name": labels.get(value, "") if value is not None else "",
                "created": n,
                "done": int(done or 0),
                "open": int(still_open or 0),
            }
            for key, value, n, done, still_open in result
        ]

    build.__name__ = f"by_{dimension}"
    return build


def heatmap(session: Session, q: ReportQuery) -> list[dict[str, Any]]:
    """Tickets created per local weekday (1 = Monday) and hour (0..23)."""
    wd = weekday_hour(Ticket.created_at, "weekday", q.offset_minutes).label("wd")
    hr = weekday_hour(Ticket.created_at, "hour", q.offset_minutes).label("hr")
    stmt = (
        select(wd, hr, func.count())
        .where(*ticket_conditions(q), *in_range(Ticket.created_at, q))
        .group_by(wd, hr)
        .order_by(wd, hr)
    )
    return [{"weekday": w, "hour": h, "created": n} for w, h, n in session.execute(stmt)]
