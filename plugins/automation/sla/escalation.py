"""Escalation steps: plan when the next level is due, fire due levels exactly once.

`next_escalation_at` on the clock row is the only thing the sweeper reads (a partial index),
so a million quiet tickets cost nothing. Firing claims the (clock, level) row first, then
asks the notification service — or, where none is installed, leaves the request as data in
the step row for it to pick up.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask_babel import gettext as _
from sqlalchemy import inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from plugins.automation.sla.escalation_models import EscalationChain, EscalationStep
from plugins.automation.sla.models import SlaClock
from plugins.tickets.models import Ticket

log = logging.getLogger(__name__)


def chain_for(session: Session, clock: SlaClock) -> EscalationChain | None:
    """The policy's chain for this metric, else the global one."""
    chains = session.scalars(
        select(EscalationChain).where(
            EscalationChain.active.is_(True), EscalationChain.metric == clock.metric
        )
    ).all()
    own = [c for c in chains if c.policy_id is not None and c.policy_id == clock.policy_id]
    shared = [c for c in chains if c.policy_id is None]
    return (own or shared or [None])[0]


def _fired(session: Session, clock_id: int) -> set[int]:
    return set(
        session.scalars(select(EscalationStep.level).where(EscalationStep.clock_id == clock_id))
    )


def _at(clock: SlaClock, delay: int) -> dt.datetime:
    assert clock.due_at is not None
    return clock.due_at + dt.timedelta(minutes=delay)


def plan(session: Session, ticket: Ticket, clocks: list[SlaClock]) -> None:
    """Set each clock's next_escalation_at (None when stopped, paused or all levels fired)."""
    for clock in clocks:
        nxt = None
        if clock.stopped_at is None and clock.due_at is not None:
            chain = chain_for(session, clock)
            if chain is not None:
                fired = _fired(session, clock.id)
                pending = [
                    _at(clock, lv.delay_minutes) for lv in chain.levels if lv.level not in fired
                ]
                nxt = min(pending, default=None)
        clock.next_escalation_at = nxt


def _recipients(specs: list, ticket: Ticket) -> list[dict]:
    """Level recipients in the notification service's terms (supervisor → the ticket's
    department supervisors at firing time)."""
    out = []
    for spec in specs or []:
        if isinstance(spec, dict) and spec.get("supervisor"):
            if ticket.department_id is not None:
                out.append({"department_supervisors": ticket.department_id})
        elif isinstance(spec, dict):
            out.append(dict(spec))
    return out


def _claim(session: Session, clock: SlaClock, level, now: dt.datetime, message: str, specs):
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(EscalationStep)
        .values(
            clock_id=clock.id,
            level=level.level,
            chain_id=level.chain_id,
            channel=level.channel,
            recipients=specs,
            message=message[:500],
            fired_at=now,
        )
        .on_conflict_do_nothing(index_elements=["clock_id", "level"])
        .returning(EscalationStep.id)
    )
    return session.execute(stmt).scalar()


def fire_due(session: Session, clock: SlaClock, ticket: Ticket, now: dt.datetime) -> list[int]:
    """Fire every level of the clock's chain that is due and not fired; returns the levels."""
    if clock.stopped_at is not None or clock.due_at is None:
        return []
    chain = chain_for(session, clock)
    if chain is None:
        return []
    done = []
    for level in chain.levels:
        if _at(clock, level.delay_minutes) > now:
            continue
        specs = _recipients(level.recipients, ticket)
        message = _(
            "Ticket %(number)s: %(metric)s deadline %(due)s, escalation level %(level)d",
            number=ticket.number,
            metric=clock.metric,
            due=clock.due_at,
            level=level.level,
        )
        step_id = _claim(session, clock, level, now, message, specs)
        if step_id is None:
            continue
        done.append(level.level)
        _notify(
            session,
            step_id,
            ticket,
            level.channel,
            specs,
            message,
            # The step row already makes this once per (clock, level); the deadline in the
            # key keeps a clock id that SQLite re-uses after a delete from colliding.
            f"sla-{clock.id}-L{level.level}-{clock.due_at:%Y%m%d%H%M}",
        )
    return done


DELIVERY_TABLE = "notify_delivery"
_TABLES: dict[str, bool] = {}


def _has_table(session: Session, name: str) -> bool:
    """Whether the notification tables are migrated yet (cached per process)."""
    if name not in _TABLES:
        _TABLES[name] = inspect(session.get_bind()).has_table(name)
    return _TABLES[name]


def _notify(session, step_id, ticket, channel, specs, message, key) -> None:
    """Through the notification service when it is installed; else the step row is the
    stored request."""
    # Check the table before importing: importing the models would add their tables to the
    # metadata of an app whose migrations do not create them yet.
    if not _has_table(session, DELIVERY_TABLE):
        return
    try:
        from plugins.automation.notify.service import request_notification
    except ImportError:
        return
    try:
        request_notification(
            session,
            ticket_id=ticket.id,
            subject=message,
            body=message,
            recipients=specs,
            channel=channel,
            idempotency_key=key,
        )
    except ValueError:
        log.warning("escalation %s: notification refused", key)
        return
    session.get(EscalationStep, step_id).notified = True
