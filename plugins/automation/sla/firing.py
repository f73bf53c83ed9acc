"""Warnings, breaches and escalation steps that are due: claimed atomically, acted on once.

Both the scheduled job of one clock and the sweeper call `process_due`. It first re-reads
and re-syncs the tickets concerned (a pause or 签收 since scheduling moves or stops the
clock), then claims with `UPDATE … SET breached_at = now WHERE due_at <= now AND
breached_at IS NULL … RETURNING id`: whoever updates the row fires, the other finds nothing.
The claim and the note it causes commit together, so a crash in between leaves it unclaimed.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from plugins.automation.sla import engine, escalation
from plugins.automation.sla.models import SlaClock
from plugins.automation.sla.policies import METRIC_LABELS
from plugins.automation.sla.system_user import system_user
from plugins.tickets.models import Ticket
from plugins.tickets.services.errors import DomainError

log = logging.getLogger(__name__)
BATCH = 500


def due_ticket_ids(
    session: Session, now: dt.datetime, clock_ids=None, limit: int = BATCH
) -> set[int]:
    """Tickets with a warn, breach or escalation due; each query reads one partial index."""
    c = SlaClock
    wheres = [
        (c.warn_at <= now, c.warned_at.is_(None), c.stopped_at.is_(None), c.warn_at.is_not(None)),
        (c.due_at <= now, c.breached_at.is_(None), c.stopped_at.is_(None), c.due_at.is_not(None)),
        (c.next_escalation_at <= now, c.next_escalation_at.is_not(None)),
    ]
    found: set[int] = set()
    for where in wheres:
        stmt = select(c.ticket_id).where(*where).limit(limit)
        if clock_ids is not None:
            stmt = stmt.where(c.id.in_(clock_ids))
        found.update(session.scalars(stmt))
    return found


def _claim(session: Session, column, flag, now: dt.datetime, ticket_ids) -> list[int]:
    stmt = (
        update(SlaClock)
        .where(
            column <= now,
            column.is_not(None),
            flag.is_(None),
            SlaClock.stopped_at.is_(None),
            SlaClock.ticket_id.in_(ticket_ids),
        )
        .values({flag.key: now})
        .returning(SlaClock.id)
    )
    return list(session.scalars(stmt))


def _note(session: Session, actor, ticket: Ticket, clock: SlaClock, breached: bool) -> None:
    """The trajectory-visible record: an internal note by the system user."""
    from plugins.tickets.services.comments import add_comment

    metric = str(METRIC_LABELS.get(clock.metric, clock.metric))
    due = clock.due_at.strftime("%Y-%m-%d %H:%M") + " UTC" if clock.due_at else "-"
    body = (
        _("SLA breached (red light): %(metric)s was due at %(due)s.", metric=metric, due=due)
        if breached
        else _("SLA warning (yellow light): %(metric)s is due at %(due)s.", metric=metric, due=due)
    )
    try:
        add_comment(session, actor, ticket, body, is_public=False, commit=False)
    except DomainError as err:  # archived or read-only: the flag on the clock remains
        log.warning("no SLA note on ticket %s: %s", ticket.id, err.message)


def process_due(session: Session, now: dt.datetime, clock_ids=None) -> dict[str, list[int]]:
    """Fire what is due (optionally only among `clock_ids`); commits. Returns fired ids."""
    fired: dict[str, list[int]] = {"warn": [], "breach": [], "escalation": []}
    ticket_ids = due_ticket_ids(session, now, clock_ids)
    if not ticket_ids:
        return fired
    actor = system_user(session)
    for ticket in session.scalars(select(Ticket).where(Ticket.id.in_(ticket_ids))):
        engine.sync_ticket(session, ticket)  # re-read the ticket before acting
    session.flush()
    fired["warn"] = _claim(session, SlaClock.warn_at, SlaClock.warned_at, now, ticket_ids)
    fired["breach"] = _claim(session, SlaClock.due_at, SlaClock.breached_at, now, ticket_ids)
    for kind in ("warn", "breach"):
        for clock_id in fired[kind]:
            clock = session.get(SlaClock, clock_id)
            _note(session, actor, session.get(Ticket, clock.ticket_id), clock, kind == "breach")
    escalating = session.scalars(
        select(SlaClock).where(
            SlaClock.next_escalation_at <= now,
            SlaClock.next_escalation_at.is_not(None),
            SlaClock.ticket_id.in_(ticket_ids),
        )
    ).all()
    for clock in escalating:
        ticket = session.get(Ticket, clock.ticket_id)
        levels = escalation.fire_due(session, clock, ticket, now)
        fired["escalation"].extend((clock.id, level) for level in levels)
        escalation.plan(session, ticket, [clock])
    session.commit()
    return fired
