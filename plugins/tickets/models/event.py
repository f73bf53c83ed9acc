"""The trajectory (工单轨迹): one append-only row per change of a ticket."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugins.tickets.models.base import utcnow
from plugins.tickets.models.department import Department
from plugins.tickets.models.ticket import Ticket


class TicketEvent(Model):
    __tablename__ = "ticket_event"
    __table_args__ = (Index("ix_ticket_event_ticket_id", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str | None] = mapped_column(String(32))
    from_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    to_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    # Node times: when the ticket arrived at this node, when work started and ended, and
    # when it was required to end.
    received_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    required_by: Mapped[dt.datetime | None] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    ticket: Mapped[Ticket] = relationship(Ticket)
    actor: Mapped[User | None] = relationship(User)
    from_department: Mapped[Department | None] = relationship(
        Department, foreign_keys=[from_department_id]
    )
    to_department: Mapped[Department | None] = relationship(
        Department, foreign_keys=[to_department_id]
    )
