"""Trigger rules and their run log (the idempotency record of each rule and event)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugins.tickets.models.base import utcnow


class Trigger(Model):
    """A rule: `conditions` = {"event": view-language part, "ticket": view-language part},
    `actions` = [{"type": ..., "params": {...}}]; both validated by triggers.schema."""

    __tablename__ = "automation_trigger"
    __table_args__ = (Index("ix_trigger_active_order", "active", "sort_order", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    conditions: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    actions: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, nullable=False
    )

    def __repr__(self) -> str:
        return self.name


class TriggerRun(Model):
    """One row per (trigger, outbox event) that matched: inserted before any action runs, so
    a redelivered event never fires a rule twice; `result`/`detail` make the log."""

    __tablename__ = "automation_trigger_run"
    __table_args__ = (UniqueConstraint("trigger_id", "outbox_id", name="uq_trigger_run_event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trigger_id: Mapped[int] = mapped_column(
        ForeignKey("automation_trigger.id", ondelete="CASCADE"), nullable=False, index=True
    )
    outbox_id: Mapped[int] = mapped_column(
        ForeignKey("ticket_outbox.id", ondelete="CASCADE"), nullable=False
    )
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False, index=True
    )
    result: Mapped[str] = mapped_column(String(20), nullable=False, default="fired")
    detail: Mapped[list[Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    trigger = relationship(Trigger)
    ticket = relationship("Ticket")
