"""Per-day counters behind human-readable ticket numbers (GD20261123-0042)."""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column


class TicketSequence(Model):
    __tablename__ = "ticket_sequence"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
