"""Keep a ticket's clock rows in step with its trajectory (the outbox handler "sla").

`sync_ticket` rebuilds the clocks from the ticket's events, writes the derived columns
(warn_at / due_at feed the partial indexes the sweeper reads), keeps warned/breached flags,
copies the handling deadline to ticket.due_at for the queues, and schedules the warn and
breach jobs. It never raises for a ticket without a policy: it simply has no clocks.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from plugins.automation.sla import clock as sla_clock
from plugins.automation.sla import escalation, timeline
from plugins.automation.sla.calendar import calendar_for
from plugins.automation.sla.models import SlaClock
from plugins.automation.sla.policies import match_policy, targets_of
from plugins.tickets.models import Comment, OutboxEvent, Ticket, TicketEvent
from plugins.tickets.services.processes import process_of
from workflows import sla

log = logging.getLogger(__name__)
HANDLER_NAME = "sla"


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """Columns hold naive UTC; the clock math wants aware instants."""
    return None if value is None else value.replace(tzinfo=dt.UTC)


def naive(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value.astimezone(dt.UTC).replace(tzinfo=None)


def _steps(session: Session, ticket: Ticket) -> list[timeline.Step]:
    events = session.execute(
        select(
            TicketEvent.created_at, TicketEvent.to_status, TicketEvent.action, TicketEvent.changes
        )
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.to_status.is_not(None))
        .order_by(TicketEvent.created_at, TicketEvent.id)
    ).all()
    return [
        timeline.Step(aware(at), status, action, changes) for at, status, action, changes in events
    ]


def _first_reply(session: Session, ticket: Ticket) -> dt.datetime | None:
    at = session.scalar(
        select(Comment.created_at)
        .where(Comment.ticket_id == ticket.id, Comment.is_public.is_(True))
        .order_by(Comment.created_at)
        .limit(1)
    )
    return aware(at)


def sync_ticket(session: Session, ticket: Ticket) -> list[SlaClock]:
    """Rebuild and store the ticket's clocks; returns its rows (in the caller's transaction)."""
    rows = {
        (row.metric, row.cycle): row
        for row in session.scalars(select(SlaClock).where(SlaClock.ticket_id == ticket.id))
    }
    policy = match_policy(session, ticket)
    computed: dict[tuple[str, int], sla.SlaClock] = {}
    calendar = calendar_for(session)
    if policy is not None:
        process = process_of(session, ticket.process_id)
        clocks = {name: (None if s.terminal else s.clock) for name, s in process.states.items()}
        computed = timeline.rebuild(
            _steps(session, ticket),
            targets_of(policy),
            clocks,
            calendar,
            _first_reply(session, ticket),
        )
    for key, clock in computed.items():
        row = rows.get(key)
        if row is None:
            row = rows[key] = SlaClock(
                ticket_id=ticket.id, metric=key[0], cycle=key[1], next_escalation_at=None
            )  # known None: planning no escalation then writes nothing more
            session.add(row)
        _store(row, clock, policy.id if policy else None, calendar)
    for key, row in rows.items():  # a metric the policy no longer has: stop, never fire
        if key not in computed and row.stopped_at is None:
            row.stopped_at, row.next_escalation_at = sla_clock.now(), None
    session.flush()
    escalation.plan(session, ticket, list(rows.values()))
    _copy_due(session, ticket, list(rows.values()))
    return list(rows.values())


def _store(row: SlaClock, clock: sla.SlaClock, policy_id: int | None, calendar) -> None:
    row.policy_id = policy_id
    row.kind = clock.target.kind
    row.warn_percent = clock.target.warn_percent
    row.budget_minutes = round(clock.budget_minutes, 3)
    row.consumed_minutes = round(clock.consumed_minutes, 3)
    row.segments = [s.as_dict() for s in clock.segments]
    row.extensions = list(clock.extensions)
    row.paused = clock.paused
    row.started_at = naive(clock.started_at)
    row.warn_at, row.due_at = naive(clock.warn_at), naive(clock.due_at)
    row.stopped_at = naive(clock.stopped_at)
    row.unofficial_years = list(sla.years_without_official_data(clock, calendar))


def _copy_due(session: Session, ticket: Ticket, rows: list[SlaClock]) -> None:
    """ticket.due_at follows the open handling clock (else 回访), so queues and "overdue"
    keep working. A Core UPDATE: derived data must not bump the version a user holds, nor
    updated_at ("hours since updated" automations, reports)."""
    open_rows = {r.metric: r for r in rows if r.stopped_at is None}
    source = open_rows.get("resolve") or open_rows.get("follow_up")
    if source is None or source.due_at is None or source.due_at == ticket.due_at:
        return
    table = Ticket.__table__
    session.execute(
        update(table)
        .where(table.c.id == ticket.id)
        .values(due_at=source.due_at, updated_at=table.c.updated_at)
    )
    session.expire(ticket, ["due_at"])


def handle(session: Session, row: OutboxEvent) -> None:
    """Outbox handler: re-read the ticket, rebuild its clocks, schedule their jobs. An
    internal note keeps the status and is no reply, so it moves no clock: skipped (half the
    events of a busy floor are notes, the SLA's and the triggers' own included)."""
    if row.kind == "ticket.comment" and (row.payload or {}).get("action") == "note":
        return
    ticket = session.get(Ticket, row.ticket_id)
    if ticket is None:
        return
    clocks = sync_ticket(session, ticket)
    from plugins.automation.sla import jobs

    jobs.schedule(clocks)
