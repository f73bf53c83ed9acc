"""SLA tables: policies, calendar overrides and the per-ticket clocks.

Timers live in the database: a clock row holds the facts (segments, extensions) and the
derived instants (warn_at, due_at). Two partial indexes cover only open, unfired clocks, so
the sweeper's "what is due now" query touches due rows, never the closed history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugins.tickets.models import Category
from plugins.tickets.models.base import utcnow

#: The four promises a policy may make, in the order screens list them.
METRICS: tuple[str, ...] = ("accept", "first_reply", "resolve", "follow_up")

_OPEN_WARN = "warned_at IS NULL AND stopped_at IS NULL AND warn_at IS NOT NULL"
_OPEN_DUE = "breached_at IS NULL AND stopped_at IS NULL AND due_at IS NOT NULL"
_ESCALATING = "next_escalation_at IS NOT NULL"


class SlaPolicy(Model):
    """Targets per metric for the tickets it matches (first active match by order wins).

    `targets` = {metric: {"kind": working_hours|calendar_hours|working_days|working_minutes|
    calendar_minutes, "amount": n, "warn_percent": 75}}; a metric left out has no clock.
    """

    __tablename__ = "sla_policy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    priority: Mapped[str | None] = mapped_column(String(16))
    targets: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    category: Mapped[Category | None] = relationship(Category)

    def __repr__(self) -> str:
        return self.name


class CalendarOverride(Model):
    """An admin's word on one day: working (调休上班) or off. `official` marks rows copied
    from the State Council notice, so that year stops showing "no official data"."""

    __tablename__ = "sla_calendar_override"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, unique=True, nullable=False)
    is_working_day: Mapped[bool] = mapped_column(Boolean, nullable=False)
    official: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    note: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, nullable=False
    )

    def __repr__(self) -> str:
        return str(self.day)


class SlaClock(Model):
    """One clock of one ticket: metric + cycle (a transfer back to 待签收 or a 重办 opens a new
    cycle). Instants are naive UTC like every other column."""

    __tablename__ = "sla_clock"
    __table_args__ = (
        UniqueConstraint("ticket_id", "metric", "cycle", name="uq_sla_clock_cycle"),
        Index(
            "ix_sla_clock_warn",
            "warn_at",
            postgresql_where=text(_OPEN_WARN),
            sqlite_where=text(_OPEN_WARN),
        ),
        Index(
            "ix_sla_clock_due",
            "due_at",
            postgresql_where=text(_OPEN_DUE),
            sqlite_where=text(_OPEN_DUE),
        ),
        Index(
            "ix_sla_clock_escalate",
            "next_escalation_at",
            postgresql_where=text(_ESCALATING),
            sqlite_where=text(_ESCALATING),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False
    )
    metric: Mapped[str] = mapped_column(String(20), nullable=False)
    cycle: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policy.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    budget_minutes: Mapped[float] = mapped_column(Float, nullable=False)
    consumed_minutes: Mapped[float] = mapped_column(Float, default=0, nullable=False)
    warn_percent: Mapped[float] = mapped_column(Float, default=75, nullable=False)
    segments: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)
    extensions: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)
    paused: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # Years between start and due whose holidays are the package's guesses (screens warn).
    unofficial_years: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    warn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    stopped_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    warned_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    breached_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    next_escalation_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, nullable=False
    )

    policy: Mapped[SlaPolicy | None] = relationship(SlaPolicy)
