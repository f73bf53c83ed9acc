"""SLA on-time rate and overdue count per target (签收 / 首次回复 / 办结 / 回访).

This reads the automation addon's clock table: a cross-plugin import, kept to this one
module and registered only when the automation addon is installed (see definitions.py).
A clock is late when it breached, stopped after its due time, or is still running past it;
on time when it stopped with none of that.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from plugins.automation.sla.models import METRICS, SlaClock
from plugins.automation.sla.policies import METRIC_LABELS
from plugins.reports.params import ReportQuery
from plugins.reports.services.common import bucket, in_range, rate, scoped_by_ticket
from plugins.tickets.models.base import utcnow


def _count_if(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def sla(session: Session, q: ReportQuery) -> list[dict[str, Any]]:
    """Per bucket (of the clock's start) and metric: clocks, met, overdue, running, rate."""
    b = bucket(SlaClock.started_at, q).label("b")
    now = utcnow()
    late = or_(
        SlaClock.breached_at.is_not(None),
        and_(SlaClock.stopped_at.is_not(None), SlaClock.stopped_at > SlaClock.due_at),
        and_(SlaClock.stopped_at.is_(None), SlaClock.due_at < now),
    )
    met = and_(SlaClock.stopped_at.is_not(None), ~late)
    stmt = (
        select(b, SlaClock.metric, func.count(), _count_if(met), _count_if(late))
        .where(*in_range(SlaClock.started_at, q))
        .group_by(b, SlaClock.metric)
    )
    stmt = scoped_by_ticket(stmt, SlaClock.ticket_id, q)
    order = {m: i for i, m in enumerate(METRICS)}
    rows = sorted(session.execute(stmt), key=lambda r: (r[0], order.get(r[1], 99)))
    out = []
    for key, metric, n, n_met, n_late in rows:
        n_met, n_late = int(n_met or 0), int(n_late or 0)
        out.append(
            {
                "bucket": key,
                "key": metric,
                "name": str(METRIC_LABELS.get(metric, metric)),
                "clocks": n,
                "met": n_met,
                "overdue": n_late,
                "running": n - n_met - n_late,
                "on_time_rate": rate(n_met, n_met + n_late),
            }
        )
    return out
