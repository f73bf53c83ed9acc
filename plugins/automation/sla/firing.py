"""Warnings, breaches and escalation steps that are due: claimed atomically, acted on once.

Both the scheduled job of one clock and the sweeper call `process_due`, for up to BATCH
tickets at a time, in a fixed number of statements whatever the batch:

1. Re-sync the tickets whose clocks may be stale (a pause or 签收 since the last sync
   moves or stops a clock). Clocks follow the trajectory through the outbox handler
   "sla", which runs in the same transaction that marks its event delivered, so a ticket
   with no undelivered outbox row has clocks as fresh as its last change; one query finds
   the others (see `stale_ticket_ids`), and only those are rebuilt.
2. Claim with `UPDATE … SET breached_at = now WHERE due_at <= now AND breached_at IS NULL …
   RETURNING`: whoever updates the row fires, the other finds nothing.
3. Write the notes of everything claimed in bulk (bulk_notes: one INSERT per table) and
   register their outbox rows for the after-commit enqueue.

The claim and the notes commit together, so a crash in between leaves it unclaimed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Integer, Row, any_, bindparam, func, or_, select, union, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from plugins.automation.outbox.relay import PENDING_KEY
from plugins.automation.sla import engine, escalation
from plugins.automation.sla.models import SlaClock, SlaPolicy
from plugins.automation.sla.policies import METRIC_LABELS
from plugins.automation.sla.system_user import system_user
from plugins.tickets.models import OutboxEvent, Ticket, TicketEvent
from plugins.tickets.services.bulk_notes import add_notes

log = logging.getLogger(__name__)
BATCH = 500
#: The one trajectory row written without an outbox row of its own ticket that can move a
#: clock: a merge moves the child's comments (maybe a first public reply) to the master,
#: and only the child's event reaches the "sla" handler.
MERGED_IN = "merged_in"
NOTE = "note"


def _among(session: Session, column, ids: Iterable[int]):
    """`column IN ids`; on PostgreSQL `= ANY(array)`: one parameter instead of 500, so the
    driver does not parse a long statement on every call."""
    ids = list(ids)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, ids, type_=ARRAY(Integer)))
    return column.in_(ids)


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


def stale_ticket_ids(session: Session, ticket_ids: Iterable[int]) -> set[int]:
    """Among `ticket_ids`, those whose clocks may lag their trajectory (one query).

    A change reaches the clocks through its outbox row's "sla" handler, which commits with
    the row's delivered_at (and rebuilds from the whole trajectory); so only a ticket with
    an undelivered row, other than an internal note's, may have a change its clocks do not
    show yet. Two changes reach no handler and count too: a merge (see MERGED_IN) and a
    policy switched off or deleted.
    """
    ids = list(ticket_ids)
    # The trajectory row's action per undelivered row, looked up by primary key (a join
    # lets PostgreSQL merge-join the whole ticket_event table).
    action = (
        select(TicketEvent.action).where(TicketEvent.id == OutboxEvent.event_id).scalar_subquery()
    )
    undelivered = select(OutboxEvent.ticket_id).where(
        OutboxEvent.delivered_at.is_(None),
        _among(session, OutboxEvent.ticket_id, ids),
        # An internal note keeps the status and is no reply: it moves no clock (the sweep's
        # own notes would otherwise mark every ticket it fired stale until delivered).
        func.coalesce(action, "") != NOTE,
    )
    merged = select(TicketEvent.ticket_id).where(
        TicketEvent.action == MERGED_IN, _among(session, TicketEvent.ticket_id, ids)
    )
    # A policy switched off or deleted since the sync: the rebuild stops its clocks (or
    # moves them to the policy that matches now). Edited targets are rebuilt when saved
    # (recompute.py).
    orphaned = (
        select(SlaClock.ticket_id)
        .outerjoin(SlaPolicy, SlaPolicy.id == SlaClock.policy_id)
        .where(
            _among(session, SlaClock.ticket_id, ids),
            SlaClock.stopped_at.is_(None),
            or_(SlaPolicy.id.is_(None), SlaPolicy.active.is_(False)),
        )
    )
    return set(session.scalars(union(undelivered, merged, orphaned)))


def _claim(session: Session, column, flag, now: dt.datetime, ticket_ids) -> list[Row[Any]]:
    """Set the flag where it is due and unset; the rows this call set (id, ticket, metric,
    deadline), in id order."""
    stmt = (
        update(SlaClock)
        .where(
            column <= now,
            column.is_not(None),
            flag.is_(None),
            SlaClock.stopped_at.is_(None),
            _among(session, SlaClock.ticket_id, ticket_ids),
        )
        .values({flag.key: now})
        .returning(SlaClock.id, SlaClock.ticket_id, SlaClock.metric, SlaClock.due_at)
    )
    return sorted(session.execute(stmt).all(), key=lambda row: row.id)


def _bodies(claimed: list[tuple[Row[Any], bool]]) -> list[str]:
    """The note of each claim. Each text is translated once per batch, not once per note
    (gettext without variables gives the translated template, filled in here)."""
    templates = {
        True: _("SLA breached (red light): %(metric)s was due at %(due)s."),
        False: _("SLA warning (yellow light): %(metric)s is due at %(due)s."),
    }
    labels: dict[str, str] = {}
    out = []
    for clock, breached in claimed:
        if clock.metric not in labels:
            labels[clock.metric] = str(METRIC_LABELS.get(clock.metric, clock.metric))
        due = clock.due_at.strftime("%Y-%m-%d %H:%M") + " UTC" if clock.due_at else "-"
        out.append(templates[breached] % {"metric": labels[clock.metric], "due": due})
    return out


def _notes(session: Session, claimed: list[tuple[Row[Any], bool]]) -> None:
    """The trajectory-visible record of each claim: an internal note by the system user,
    all in one go. Archived or read-only tickets get none; the flag on the clock remains."""
    if not claimed:
        return
    ids = {clock.ticket_id for clock, _breached in claimed}
    tickets = {
        t.id: t for t in session.scalars(select(Ticket).where(_among(session, Ticket.id, ids)))
    }
    written = add_notes(
        session,
        system_user(session),
        [
            (tickets[clock.ticket_id], body)
            for (clock, _breached), body in zip(claimed, _bodies(claimed), strict=True)
        ],
    )
    for ticket_id, reason in written.skipped.items():
        log.warning("no SLA note on ticket %s: %s", ticket_id, reason)
    # Bulk rows bypass the unit of work the outbox relay watches: hand it their ids.
    session.info.setdefault(PENDING_KEY, []).extend(written.outbox_ids)


def process_due(session: Session, now: dt.datetime, clock_ids=None) -> dict[str, list]:
    """Fire what is due (optionally only among `clock_ids`); commits. Returns fired ids."""
    fired: dict[str, list] = {"warn": [], "breach": [], "escalation": []}
    ticket_ids = due_ticket_ids(session, now, clock_ids)
    if not ticket_ids:
        return fired
    stale = stale_ticket_ids(session, ticket_ids)
    if stale:
        for ticket in session.scalars(select(Ticket).where(_among(session, Ticket.id, stale))):
            engine.sync_ticket(session, ticket)  # re-read the ticket before acting
        session.flush()
    warned = _claim(session, SlaClock.warn_at, SlaClock.warned_at, now, ticket_ids)
    breached = _claim(session, SlaClock.due_at, SlaClock.breached_at, now, ticket_ids)
    fired["warn"] = [clock.id for clock in warned]
    fired["breach"] = [clock.id for clock in breached]
    _notes(session, [(c, False) for c in warned] + [(c, True) for c in breached])
    escalating = session.scalars(
        select(SlaClock).where(
            SlaClock.next_escalation_at <= now,
            SlaClock.next_escalation_at.is_not(None),
            _among(session, SlaClock.ticket_id, ticket_ids),
        )
    ).all()
    for clock in escalating:  # rare: one by one
        ticket = session.get(Ticket, clock.ticket_id)
        levels = escalation.fire_due(session, clock, ticket, now)
        fired["escalation"].extend((clock.id, level) for level in levels)
        escalation.plan(session, ticket, [clock])
    session.commit()
    return fired
