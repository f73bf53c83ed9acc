"""Automation rules and their run log (the once-per-ticket guard)."""

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

from plugins.tickets.models import Ticket
from plugins.tickets.models.base import utcnow


class Automation(Model):
    """A rule: `conditions` = {"match", "conditions": [...]} with time fields
    (workflows.automation_conditions), `actions` = [{"type", "params"}] as in triggers."""

    __tablename__ = "automation_rule"
    __table_args__ = (Index("ix_automation_active_order", "active", "sort_order", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    conditions: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    actions: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)
    last_run_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, nullable=False
    )

    def __repr__(self) -> str:
        return self.name


class AutomationRun(Model):
    """One row per (automation, ticket): inserted (ON CONFLICT DO NOTHING) before any action,
    so a ticket fires an automation at most once, whatever sweeps overlap. The unique index
    also serves the sweep's NOT EXISTS; `result`/`detail` make the run log."""

    __tablename__ = "automation_run"
    __table_args__ = (
        UniqueConstraint("automation_id", "ticket_id", name="uq_automation_run_ticket"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    automation_id: Mapped[int] = mapped_column(
        ForeignKey("automation_rule.id", ondelete="CASCADE"), nullable=False
    )
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False, index=True
    )
    result: Mapped[str] = mapped_column(String(20), nullable=False, default="fired")
    detail: Mapped[list[Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    automation = relationship(Automation)
    ticket = relationship("Ticket")


# Time conditions read these ticket columns as ranges (`updated_at <= :instant`); created_at
# and due_at have indexes already. Declared here, with the feature that needs them.
Index("ix_ticket_updated", Ticket.updated_at)
Index("ix_ticket_node_entered", Ticket.node_entered_at)
