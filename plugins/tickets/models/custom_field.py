"""Custom fields (自定义字段): definitions managed by admins, values stored for querying.

Values live in ticket_field_value, one row per value (a multi-select has one row per chosen
option), in a typed column with an index on (field, value): a list, view or report filters
and sorts by a custom field with an index, whatever the number of tickets.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugins.tickets.models.base import utcnow
from plugins.tickets.models.category import Category

field_category = Table(
    "custom_field_category",
    Model.metadata,
    Column("field_id", ForeignKey("custom_field.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("category.id", ondelete="CASCADE"), primary_key=True),
)


class FieldDefinition(Model):
    __tablename__ = "custom_field"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    label_zh: Mapped[str] = mapped_column(String(100), nullable=False)
    label_en: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    help_text: Mapped[str | None] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(20), nullable=False)
    # never | always | on_resolve (required only when the ticket is resolved)
    required: Mapped[str] = mapped_column(String(16), default="never", nullable=False)
    default: Mapped[Any] = mapped_column(JSON, nullable=True)
    # select types: [{"value", "label", "active", "children": [...]}], in display order
    options: Mapped[Any] = mapped_column(JSON, nullable=True)
    pattern: Mapped[str | None] = mapped_column(String(300))
    pattern_message: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    customer_visible: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    categories: Mapped[list[Category]] = relationship(Category, secondary=field_category)

    def __repr__(self) -> str:
        return self.label_zh


class FieldValue(Model):
    __tablename__ = "ticket_field_value"
    __table_args__ = (
        Index("ix_field_value_ticket", "ticket_id", "field_id"),
        # A view's "custom.<code> = value" test per ticket, from the index alone (0014).
        Index("ix_field_value_ticket_text", "ticket_id", "field_id", "value_text"),
        Index("ix_field_value_text", "field_id", "value_text"),
        Index("ix_field_value_number", "field_id", "value_number"),
        Index("ix_field_value_date", "field_id", "value_date"),
        Index("ix_field_value_datetime", "field_id", "value_datetime"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False
    )
    field_id: Mapped[int] = mapped_column(
        ForeignKey("custom_field.id", ondelete="CASCADE"), nullable=False
    )
    value_text: Mapped[str | None] = mapped_column(String(255))
    value_long: Mapped[str | None] = mapped_column(Text)
    value_number: Mapped[Decimal | None] = mapped_column(Numeric(20, 6))
    value_date: Mapped[dt.date | None] = mapped_column(Date)
    value_datetime: Mapped[dt.datetime | None] = mapped_column(DateTime)
    value_bool: Mapped[bool | None] = mapped_column(Boolean)
