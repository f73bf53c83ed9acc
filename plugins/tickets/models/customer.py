"""Customers (诉求人) and their phone numbers, normalised for caller lookup."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugins.tickets.models.base import utcnow


class Customer(Model):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    phones: Mapped[list[CustomerPhone]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="CustomerPhone.id"
    )

    @property
    def phone_list(self) -> str:
        return ", ".join(p.raw for p in self.phones)

    def __repr__(self) -> str:
        return self.name


class CustomerPhone(Model):
    __tablename__ = "customer_phone"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), nullable=False, index=True
    )
    raw: Mapped[str] = mapped_column(String(40), nullable=False)
    e164: Mapped[str] = mapped_column(String(20), nullable=False, index=True)

    customer: Mapped[Customer] = relationship(back_populates="phones")

    def __repr__(self) -> str:
        return self.raw
