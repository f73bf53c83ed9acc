"""The SLA panel of the ticket page: each clock with its 绿/黄/红 light, deadline, consumed
budget, paused state, and the "no official data for <year>" warning."""

from __future__ import annotations

import datetime as dt

from flask import render_template
from markupsafe import Markup
from sqlalchemy import select

from plugins.automation.sla import clock as sla_clock
from plugins.automation.sla.models import METRICS, SlaClock
from plugins.automation.sla.policies import METRIC_LABELS
from plugins.tickets.models import Ticket


def light(clock: SlaClock, now: dt.datetime) -> str:
    """green | yellow | red from the stored columns: a paused or stopped clock is judged
    when it stopped running, so a pause never turns it red."""
    at = clock.stopped_at or now
    if clock.paused and clock.segments:
        end = clock.segments[-1].get("end")
        at = dt.datetime.fromisoformat(end).replace(tzinfo=None) if end else at
    if clock.breached_at or (clock.due_at is not None and at >= clock.due_at):
        return "red"
    if clock.warned_at or (clock.warn_at is not None and at >= clock.warn_at):
        return "yellow"
    return "green"


def clocks_of(session, ticket_id: int) -> list[SlaClock]:
    rows = session.scalars(select(SlaClock).where(SlaClock.ticket_id == ticket_id)).all()
    return sorted(rows, key=lambda r: (METRICS.index(r.metric), r.cycle))


def describe(session, ticket_id: int, now: dt.datetime | None = None) -> list[dict]:
    """The clocks as plain data (the panel and the API)."""
    now = now or sla_clock.now()
    return [
        {
            "metric": row.metric,
            "label": str(METRIC_LABELS.get(row.metric, row.metric)),
            "cycle": row.cycle,
            "light": light(row, now),
            "due_at": row.due_at,
            "warn_at": row.warn_at,
            "budget_minutes": row.budget_minutes,
            "consumed_minutes": row.consumed_minutes,
            "paused": row.paused,
            "stopped_at": row.stopped_at,
            "breached_at": row.breached_at,
            "unofficial_years": list(row.unofficial_years or []),
        }
        for row in clocks_of(session, ticket_id)
    ]


def panel(ticket: Ticket) -> Markup | None:
    """The ticket-page provider (plugins.tickets.panels)."""
    from app.extensions import db

    clocks = describe(db.session, ticket.id)
    if not clocks:
        return None
    return Markup(render_template("sla/clock_panel.html", clocks=clocks))
