"""Follow-up (回访) and the 三率: response, resolution and satisfaction rates, with the
reopen (重开) and redo (重办) rates of the same tickets.

Follow-up counts come from the trajectory: a row entering 待回访 is a follow-up owed, a
follow_up row is a follow-up made, its satisfaction parameter the customer's answer.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from plugins.reports.params import ReportQuery
from plugins.reports.services import rollup
from plugins.reports.services.common import (
    CONTENT,
    bucket,
    in_range,
    rate,
    scoped_by_ticket,
    ticket_conditions,
)
from plugins.tickets.models import Ticket, TicketEvent

FOLLOWUP_STATE = "pending_followup"
FOLLOWUP_ACTION = "follow_up"
SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")


def _count_if(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def followup(session: Session, q: ReportQuery) -> list[dict[str, Any]]:
    """Per bucket (of the trajectory row): follow-ups owed, made, each answer, reach rate
    (made / owed) and satisfaction rate ((满意 + 基本满意) / made)."""
    b = bucket(TicketEvent.created_at, q).label("b")
    answer = TicketEvent.changes["satisfaction"].as_string()
    made = TicketEvent.action == FOLLOWUP_ACTION
    owed = and_(
        TicketEvent.to_status == FOLLOWUP_STATE,
        or_(TicketEvent.from_status.is_(None), TicketEvent.from_status != FOLLOWUP_STATE),
    )
    stmt = (
        select(
            b,
            _count_if(owed),
            _count_if(made),
            *(_count_if(and_(made, answer == value)) for value in SATISFACTION),
        )
        .where(
            *in_range(TicketEvent.created_at, q),
            or_(made, TicketEvent.to_status == FOLLOWUP_STATE),
        )
        .group_by(b)
        .order_by(b)
    )
    stmt = scoped_by_ticket(stmt, TicketEvent.ticket_id, q)
    out = []
    for key, n_owed, n_made, sat, basic, dis in session.execute(stmt):
        n_owed, n_made = int(n_owed or 0), int(n_made or 0)
        sat, basic, dis = int(sat or 0), int(basic or 0), int(dis or 0)
        out.append(
            {
                "bucket": key,
                "owed": n_owed,
                "made": n_made,
                "satisfied": sat,
                "basically_satisfied": basic,
                "dissatisfied": dis,
                "reach_rate": rate(n_made, n_owed),
                "satisfaction_rate": rate(sat + basic, n_made),
            }
        )
    return out


def rates(session: Session, q: ReportQuery) -> list[dict[str, Any]]:
    """Per bucket of creation (a cohort): response rate (accepted or answered on the spot),
    resolution rate (resolved or closed), satisfaction rate over the rated, reopen rate
    (a 重开 in the trajectory) and redo rate (重办 at least once)."""
    if rollup.usable(q):
        rows = rollup.per_period(session, q, ROLLUP_RATES)
        return [_rates_row(r["bucket"], *(r[c] for c in ROLLUP_RATES)) for r in rows]
    b = bucket(Ticket.created_at, q).label("b")
    done = or_(Ticket.resolved_at.is_not(None), Ticket.closed_at.is_not(None))
    responded = or_(Ticket.accepted_at.is_not(None), done)
    reopened = Ticket.id.in_(select(TicketEvent.ticket_id).where(TicketEvent.action == "reopen"))
    stmt = (
        select(
            b,
            func.count(),
            _count_if(responded),
            _count_if(done),
            func.count(Ticket.satisfaction),
            _count_if(Ticket.satisfaction.in_(CONTENT)),
            _count_if(reopened),
            _count_if(Ticket.redo_count > 0),
        )
        .where(*ticket_conditions(q), *in_range(Ticket.created_at, q))
        .group_by(b)
        .order_by(b)
    )
    return [_rates_row(*row) for row in session.execute(stmt)]


ROLLUP_RATES = ("created", "responded", "done", "rated", "content", "reopened", "redone")


def _rates_row(key, n, resp, res, rated, content, reopen, redo) -> dict[str, Any]:
    resp, res, content = int(resp or 0), int(res or 0), int(content or 0)
    reopen, redo, rated = int(reopen or 0), int(redo or 0), int(rated or 0)
    return {
        "bucket": key,
        "created": n,
        "responded": resp,
        "response_rate": rate(resp, n),
        "resolved": res,
        "resolution_rate": rate(res, n),
        "rated": rated,
        "satisfaction_rate": rate(content, rated),
        "reopened": reopen,
        "reopen_rate": rate(reopen, n),
        "redone": redo,
        "redo_rate": rate(redo, n),
    }
