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
