"""The outbox: one row per ticket event, written in the same transaction as the change.

After commit the rows are handed to RQ; a sweeper re-sends any row still undelivered, so
an event survives a dead worker or a restarted Redis.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_appbuilder import Model
from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from plugins.tickets.models.base import utcnow


class OutboxEvent(Model):
    __tablename__ = "ticket_outbox"
    __table_args__ = (
        Index("ix_outbox_undelivered", "delivered_at", "id"),
        # "Which of these tickets have an event not yet delivered?" (the SLA sweep's stale
        # check): only undelivered rows, a handful, instead of every ticket's whole history.
        Index(
            "ix_outbox_undelivered_ticket",
            "ticket_id",
            postgresql_where=text("delivered_at IS NULL"),
            sqlite_where=text("delivered_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False, index=True
    )
    event_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_event.id"))
    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
