"""Timeliness (时效统计): accept and resolution times per bucket from the ticket's own
instants, handling time per node from the trajectory, and transfers / returns per
department from the trajectory.

A trajectory row closes a node when the status or the department changes; its received_at →
finished_at is the time spent at that node, and finished_at > required_by makes it late.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from plugins.reports.params import ReportQuery
from plugins.reports.services import rollup, rollup_more
from plugins.reports.services.common import (
    avg,
    bucket,
    in_range,
    names,
    rate,
    scoped_by_ticket,
    ticket_conditions,
)
from plugins.reports.services.rollup_more import closes_node
from plugins.reports.services.sqlfuncs import minutes_between
from plugins.tickets.enums import OPEN_STATUSES, STATUS_LABELS, label
from plugins.tickets.models import Ticket, TicketEvent
from plugins.tickets.models.base import utcnow

TRANSFER_ACTIONS = ("transfer",)
RETURN_ACTIONS = ("return",)


def _count_if(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def timeliness(session: Session, q: ReportQuery) -> list[dict[str, Any]]:
    """Per bucket of creation: accepted and their mean accept time, resolved and their mean
    resolution time, and how many are open past their due time now."""
    b = bucket(Ticket.created_at, q).label("b")
    overdue = and_(Ticket.status.in_(OPEN_STATUSES), Ticket.due_at < utcnow())
    # Open tickets only (the status index): "overdue now" cannot be rolled up.
    late_stmt = (
        select(b, func.count())
        .where(*ticket_conditions(q), *in_range(Ticket.created_at, q), overdue)
        .group_by(b)
    )
    late = dict(session.execute(late_stmt).all())
    if rollup.usable(q):
        columns = ("created", "accepted", "accept_minutes", "resolved", "resolve_minutes")
        rows = [
            (r["bucket"], r["created"], r["accepted"],
             r["accept_minutes"] / r["accepted"] if r["accepted"] else None,
             r["resolved"], r["resolve_minutes"] / r["resolved"] if r["resolved"] else None)
            for r in rollup.per_period(session, q, columns)
        ]  # fmt: skip
    else:
        stmt = (
            select(
                b,
                func.count(),
                func.count(Ticket.accepted_at),
                func.avg(minutes_between(Ticket.created_at, Ticket.accepted_at)),
                func.count(Ticket.resolved_at),
                func.avg(minutes_between(Ticket.created_at, Ticket.resolved_at)),
            )
            .where(*ticket_conditions(q), *in_range(Ticket.created_at, q))
            .group_by(b)
            .order_by(b)
        )
        rows = session.execute(stmt).all()
    return [
        {
            "bucket": key,
            "created": n,
            "accepted": accepted,
            "avg_accept_minutes": avg(accept_avg),
            "resolved": resolved,
            "avg_resolve_minutes": avg(resolve_avg),
            "overdue_open": int(late.get(key, 0)),
        }
        for key, n, accepted, accept_avg, resolved, resolve_avg in rows
    ]


def node_times(session: Session, q: ReportQuery) -> list[dict[str, Any]]:
    """Per bucket (of the node's end) and node (status): how many nodes ended, mean minutes
    spent there, how many had a deadline, how many ended late, the on-time rate."""
    b = bucket(TicketEvent.created_at, q).label("b")
    spent = minutes_between(TicketEvent.received_at, TicketEvent.finished_at)
    with_deadline = TicketEvent.required_by.is_not(None)
    late = and_(with_deadline, TicketEvent.finished_at > TicketEvent.required_by)
    stmt = (
        select(
            b,
            TicketEvent.from_status,
            func.count(),
            func.avg(spent),
            _count_if(with_deadline),
            _count_if(late),
        )
        .where(*in_range(TicketEvent.created_at, q), closes_node())
        .group_by(b, TicketEvent.from_status)
        .order_by(b, TicketEvent.from_status)
    )
    stmt = scoped_by_ticket(stmt, TicketEvent.ticket_id, q)
    if rollup_more.usable(q):
        rollup.refresh(session, q.offset_minutes)
        rows = rollup_more.nodes_per_period(session, q)
    else:
        rows = session.execute(stmt).all()
    out = []
    for key, status, n, mean, due, overdue in rows:
        due, overdue = int(due or 0), int(overdue or 0)
        out.append(
            {
                "bucket": key,
                "node": status,
                "name": label(STATUS_LABELS, status),
                "nodes": n,
                "avg_minutes": avg(mean),
                "with_deadline": due,
                "overdue": overdue,
                "on_time_rate": rate(due - overdue, due),
            }
        )
    return out


def transfers(session: Session, q: ReportQuery) -> list[dict[str, Any]]:
    """Per bucket and department: transfers out (转出), transfers in (转入) and returns (退回)."""
    moves = TicketEvent.action.in_(TRANSFER_ACTIONS + RETURN_ACTIONS)
    base = scoped_by_ticket(
        select().select_from(TicketEvent).where(*in_range(TicketEvent.created_at, q)),
        TicketEvent.ticket_id,
        q,
    )
    b = bucket(TicketEvent.created_at, q).label("b")
    out_stmt = (
        base.add_columns(
            b,
            TicketEvent.from_department_id,
            _count_if(TicketEvent.action.in_(TRANSFER_ACTIONS)),
            _count_if(TicketEvent.action.in_(RETURN_ACTIONS)),
        )
        .where(moves, TicketEvent.from_department_id.is_not(None))
        .group_by(b, TicketEvent.from_department_id)
    )
    in_stmt = (
        base.add_columns(b, TicketEvent.to_department_id, func.count())
        .where(TicketEvent.action.in_(TRANSFER_ACTIONS), TicketEvent.to_department_id.is_not(None))
        .group_by(b, TicketEvent.to_department_id)
    )
    rows: dict[tuple[str, int], dict[str, Any]] = {}

    def row(key: str, dept: int) -> dict[str, Any]:
        return rows.setdefault(
            (key, dept),
            {"bucket": key, "key": dept, "transfers_out": 0, "transfers_in": 0, "returns": 0},
        )

    for key, dept, moved, returned in session.execute(out_stmt):
        row(key, dept).update(transfers_out=int(moved or 0), returns=int(returned or 0))
    for key, dept, n in session.execute(in_stmt):
        row(key, dept)["transfers_in"] = n
    labels = names(session, "department", (d for _, d in rows))
    return [{**rows[k], "name": labels.get(k[1], "")} for k in sorted(rows)]
