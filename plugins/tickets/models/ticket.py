"""The ticket (工单)."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugins.tickets.enums import (
    CHANNEL_LABELS,
    OPEN_STATUSES,
    PRIORITY_LABELS,
    STATUS_LABELS,
    label,
)
from plugins.tickets.models.base import utcnow
from plugins.tickets.models.category import Category
from plugins.tickets.models.customer import Customer
from plugins.tickets.models.department import Department


class Ticket(Model):
    __tablename__ = "ticket"
    __table_args__ = (
        # The queues: a department's tickets by status, newest first; a person's own work;
        # an agent's own intake; a customer's history.
        Index("ix_ticket_dept_status_created", "department_id", "status", "created_at"),
        Index("ix_ticket_assignee_status", "assignee_id", "status"),
        Index("ix_ticket_creator_created", "created_by_id", "created_at"),
        Index("ix_ticket_customer_created", "customer_id", "created_at"),
        Index("ix_ticket_status_created", "status", "created_at"),
        Index("ix_ticket_due", "due_at"),
        # A department's tickets newest first whatever their status (views, queries).
        Index("ix_ticket_dept_created", "department_id", "created_at"),
        # Everything newest first, for roles that see all tickets.
        Index("ix_ticket_created", "created_at"),
        # Overdue (running states past due_at), counted in the menu on every page: answered
        # from the index alone, per department and for roles that see all (0014).
        Index("ix_ticket_dept_status_due", "department_id", "status", "due_at"),
        Index("ix_ticket_status_due", "status", "due_at"),
        # 待回访 by booked call-back time; the reminder sweep reads the due, unreminded ones.
        Index("ix_ticket_status_callback", "status", "callback_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    subject: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    channel: Mapped[str] = mapped_column(String(16), default="phone", nullable=False)
    priority: Mapped[str] = mapped_column(String(16), default="normal", nullable=False)
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), nullable=False)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    caller_number: Mapped[str | None] = mapped_column(String(40))
    caller_e164: Mapped[str | None] = mapped_column(String(20), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, nullable=False
    )
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    # The process version the ticket started with, and where it stands in it.
    process_id: Mapped[int | None] = mapped_column(ForeignKey("process_definition.id"))
    node_entered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    node_started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # While on a side trip (挂起, 延期审核): the handling deadline kept aside, and since when.
    resume_due_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    parked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Flags and counters set by process actions (督办, 催办, 重办, 延期, 回访, 办结).
    supervise_level: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    urge_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    redo_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    extension_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[str | None] = mapped_column(String(32))
    resolution: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"))
    is_spam: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # 预约回访: when the booked call-back is due (already moved into working hours), who
    # booked it (the reminder goes to them), when the reminder went out; failed attempts.
    callback_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    callback_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    callback_reminded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    followup_attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    category: Mapped[Category] = relationship(Category)
    department: Mapped[Department | None] = relationship(Department)
    assignee: Mapped[User | None] = relationship(User, foreign_keys=[assignee_id])
    customer: Mapped[Customer | None] = relationship(Customer)
    created_by: Mapped[User | None] = relationship(User, foreign_keys=[created_by_id])
    callback_by: Mapped[User | None] = relationship(User, foreign_keys=[callback_by_id])
    merged_into: Mapped[Ticket | None] = relationship(remote_side=[id])

    # Optimistic locking: every UPDATE carries "WHERE version = <loaded>", so two writers
    # racing past the explicit version check still cannot both win.
    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        """The status as the ticket's own process names it (falls back to the catalog)."""
        from sqlalchemy.orm import object_session

        from plugins.tickets.services.labels import status_label
        from plugins.tickets.services.processes import process_of

        session = object_session(self)
        if session is None:
            return label(STATUS_LABELS, self.status)
        return status_label(process_of(session, self.process_id), self.status)

    @property
    def channel_label(self) -> str:
        return label(CHANNEL_LABELS, self.channel)

    @property
    def priority_label(self) -> str:
        return label(PRIORITY_LABELS, self.priority)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def __repr__(self) -> str:
        return f"{self.number} {self.subject}"
