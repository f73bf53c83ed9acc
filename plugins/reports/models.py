"""Daily roll-ups for the statistics: tickets created per local day, department,
category and channel, with how many of them are done and still open.

A roll-up day is recomputed from the tickets (one GROUP BY over that day's index range)
whenever one of its tickets changed (ticket.updated_at past the watermark), so a report over
a year reads a few thousand roll-up rows instead of a million tickets.
"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column


class DailyTicketCount(Model):
    __tablename__ = "report_daily_ticket"
    __table_args__ = (Index("ix_report_daily_ticket_day", "day", "department_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, nullable=False)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE")
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("category.id", ondelete="CASCADE"), nullable=False
    )
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    created: Mapped[int] = mapped_column(Integer, nullable=False)
    done: Mapped[int] = mapped_column(Integer, nullable=False)
    open: Mapped[int] = mapped_column(Integer, nullable=False)
    # The 三率 and timeliness of the same tickets (see services/rollup.MEASURES).
    responded: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rated: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    content: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reopened: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    redone: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    accepted: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    accept_minutes: Mapped[float] = mapped_column(Float, nullable=False, default=0)
    resolved: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    resolve_minutes: Mapped[float] = mapped_column(Float, nullable=False, default=0)


class RollupState(Model):
    """One row: tickets changed at or after `watermark` may not be in the roll-ups yet."""

    __tablename__ = "report_rollup_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    watermark: Mapped[dt.datetime | None] = mapped_column(DateTime)


class DailyDoneCount(Model):
    """Tickets resolved / closed per local day of that instant, per local day of creation
    (the day the roll-up is recomputed by) and department: the volume's resolved and
    closed columns."""

    __tablename__ = "report_daily_done"
    __table_args__ = (Index("ix_report_daily_done_at_day", "at_day", "department_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, nullable=False, index=True)
    at_day: Mapped[dt.date] = mapped_column(Date, nullable=False)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE")
    )
    resolved: Mapped[int] = mapped_column(Integer, nullable=False)
    closed: Mapped[int] = mapped_column(Integer, nullable=False)


class DailyStaffCount(Model):
    """Tickets created per local day, department and assignee, with how many are done and
    still open: the volume split by staff."""

    __tablename__ = "report_daily_staff"
    __table_args__ = (Index("ix_report_daily_staff_day", "day", "department_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, nullable=False)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE")
    )
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"))
    created: Mapped[int] = mapped_column(Integer, nullable=False)
    done: Mapped[int] = mapped_column(Integer, nullable=False)
    open: Mapped[int] = mapped_column(Integer, nullable=False)


class DailyNodeTime(Model):
    """Nodes ended (trajectory rows closing a status or department) per local day of
    their end, node (status left), the ticket's department and the ticket's local day of
    creation (the day the roll-up is recomputed by): the node times report."""

    __tablename__ = "report_daily_node"
    __table_args__ = (Index("ix_report_daily_node_at_day", "at_day", "department_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, nullable=False, index=True)
    at_day: Mapped[dt.date] = mapped_column(Date, nullable=False)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE")
    )
    node: Mapped[str | None] = mapped_column(String(32))
    nodes: Mapped[int] = mapped_column(Integer, nullable=False)
    #: Nodes with both instants (the mean's divisor) and the sum of their minutes.
    timed: Mapped[int] = mapped_column(Integer, nullable=False)
    minutes: Mapped[float] = mapped_column(Float, nullable=False)
    with_deadline: Mapped[int] = mapped_column(Integer, nullable=False)
    overdue: Mapped[int] = mapped_column(Integer, nullable=False)
