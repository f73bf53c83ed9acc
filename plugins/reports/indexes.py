"""Indexes the reports need on the tables they read (migration 0013 creates them).

Declared here, against the owning addons' tables, so the schema stays in step with the
metadata (the migration drift test) while the tickets addon knows nothing of reports.
Each report bounds one of these columns by its date range:
- resolved / closed per period (volume),
- trajectory rows per period (node times, follow-up) and per action (transfers, returns,
  the reopen lookup of the 三率),
- SLA clocks per period of their start.
The roll-ups' "tickets changed since the watermark" uses ix_ticket_updated (automations).
"""

from __future__ import annotations

from sqlalchemy import Index

from plugins.automation.sla.models import SlaClock
from plugins.tickets.models import Ticket, TicketEvent

INDEXES = (
    Index("ix_ticket_resolved_at", Ticket.resolved_at),
    Index("ix_ticket_closed_at", Ticket.closed_at),
    Index("ix_ticket_event_created", TicketEvent.created_at),
    Index("ix_ticket_event_action_created", TicketEvent.action, TicketEvent.created_at),
    Index("ix_sla_clock_started", SlaClock.started_at),
)
