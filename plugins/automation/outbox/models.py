"""Idempotency records of the automation addon."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plugins.tickets.models.base import utcnow


class HandledEvent(Model):
    """One row per (outbox event, handler): the claim that makes at-least-once delivery
    give exactly-once effects."""

    __tablename__ = "automation_handled_event"
    __table_args__ = (UniqueConstraint("event_id", "handler", name="uq_handled_event_handler"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("ticket_outbox.id", ondelete="CASCADE"), nullable=False
    )
    handler: Mapped[str] = mapped_column(String(100), nullable=False)
    handled_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
