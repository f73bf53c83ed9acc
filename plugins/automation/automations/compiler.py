"""An automation's conditions compiled to ONE SQL query over tickets.

Time conditions become ranges on a ticket column with the instants computed in Python
(`created_at <= :now-24h`), so the column's index serves them; field conditions go through
the saved-view compiler (views_sql.condition_clause), so they mean what they mean in views.
Tickets in a final state, spam, and tickets the automation already fired on (NOT EXISTS on
the automation_run unique index) are left out, so a sweep's cost follows the matches.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from plugins.automation.automations.models import AutomationRun
from plugins.automation.automations.vocabulary import FINAL_STATUSES
from plugins.tickets.models import Ticket
from plugins.tickets.services.views_sql import condition_clause
from workflows import automation_conditions as ac
from workflows import view_conditions as vc


def _range(b: ac.Bound) -> ColumnElement[bool]:
    col = getattr(Ticket, b.column)
    parts = [col.is_not(None)]
    if b.lower is not None:
        parts.append(col >= b.lower if b.lower_inclusive else col > b.lower)
    if b.upper is not None:
        parts.append(col <= b.upper if b.upper_inclusive else col < b.upper)
    return and_(*parts)


def rule_clause(
    session: Session, system: Any, rule: ac.Rule, fields: dict, now: dt.datetime
) -> ColumnElement[bool]:
    """The rule's own condition at `now` (business hours on the admins' calendar)."""
    calendar = None
    if any(c.business for c in rule.time):
        from plugins.automation.sla.calendar import calendar_for

        calendar = calendar_for(session)
    parts = []
    for cond in rule.conditions:
        if isinstance(cond, ac.TimeCondition):
            parts.append(_range(ac.bound(cond, now, calendar)))
        else:
            parts.append(condition_clause(session, system, vc.View("all", (cond,)), fields))
    if not parts:
        return true()
    return and_(*parts) if rule.match == "all" else or_(*parts)


def sweepable() -> ColumnElement[bool]:
    return and_(Ticket.status.not_in(FINAL_STATUSES), Ticket.is_spam.is_(False))


def not_handled(automation_id: int) -> ColumnElement[bool]:
    done = select(AutomationRun.id).where(
        AutomationRun.automation_id == automation_id, AutomationRun.ticket_id == Ticket.id
    )
    return ~done.exists()


def pending(automation_id: int, clause: ColumnElement[bool], limit: int) -> Select:
    """Ids of the tickets that would fire now, oldest first, at most `limit`."""
    return (
        select(Ticket.id)
        .where(clause, sweepable(), not_handled(automation_id))
        .order_by(Ticket.id)
        .limit(limit)
    )


def count(session: Session, *where: ColumnElement[bool]) -> int:
    return session.scalar(select(func.count()).select_from(Ticket).where(*where)) or 0
