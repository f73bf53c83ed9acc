"""Escalation chains: levels that fire at a delay from a clock's deadline, each once.

A chain belongs to a policy (or to none: global) and watches one metric. A level fires at
due_at + delay_minutes (negative: before the deadline, a warning step). The fired row with
UNIQUE (clock_id, level) is claimed before the notification is requested, so a sweeper and
a scheduled job racing on the same instant produce one step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_appbuilder import Model
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugins.automation.sla.models import SlaPolicy
from plugins.tickets.models.base import utcnow


class EscalationChain(Model):
    __tablename__ = "sla_escalation_chain"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policy.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(20), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)

    policy: Mapped[SlaPolicy | None] = relationship(SlaPolicy)
    levels: Mapped[list[EscalationLevel]] = relationship(
        back_populates="chain", order_by="EscalationLevel.level", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return self.name


class EscalationLevel(Model):
    """`recipients`: [{"supervisor": true} (the ticket department's supervisors),
    {"role": "Manager"}, {"user_id": 3}, {"robot_id": 2}]; `channel`: in_app, email, wecom…"""

    __tablename__ = "sla_escalation_level"
    __table_args__ = (UniqueConstraint("chain_id", "level", name="uq_sla_escalation_level"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain_id: Mapped[int] = mapped_column(
        ForeignKey("sla_escalation_chain.id", ondelete="CASCADE"), nullable=False
    )
    level: Mapped[int] = mapped_column(Integer, nullable=False)
    delay_minutes: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    channel: Mapped[str] = mapped_column(String(20), default="in_app", nullable=False)
    recipients: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)

    chain: Mapped[EscalationChain] = relationship(back_populates="levels")


class EscalationStep(Model):
    """A fired level: the claim and the record of who was asked to be told (kept even when
    no notification service is installed, so the request is never lost)."""

    __tablename__ = "sla_escalation_step"
    __table_args__ = (UniqueConstraint("clock_id", "level", name="uq_sla_escalation_step"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clock_id: Mapped[int] = mapped_column(
        ForeignKey("sla_clock.id", ondelete="CASCADE"), nullable=False
    )
    level: Mapped[int] = mapped_column(Integer, nullable=False)
    chain_id: Mapped[int | None] = mapped_column(
        ForeignKey("sla_escalation_chain.id", ondelete="SET NULL")
    )
    channel: Mapped[str] = mapped_column(String(20), nullable=False)
    recipients: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)
    message: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    notified: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    fired_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
