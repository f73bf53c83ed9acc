"""Service categories: a tree whose nodes route tickets to a default department."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugins.tickets.models.base import utcnow
from plugins.tickets.models.department import Department


class Category(Model):
    __tablename__ = "category"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    default_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    # The process tickets of this category follow (its newest active version at intake);
    # empty means the default process.
    process_key: Mapped[str | None] = mapped_column(String(64))
    followup_required: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # Maintained by the category service: depth in the tree and a sortable path of
    # zero-padded (order, id) pairs, so the tree lists in one ordered query.
    depth: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    tree_path: Mapped[str] = mapped_column(String(255), default="", nullable=False, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    parent: Mapped[Category | None] = relationship(remote_side=[id])
    default_department: Mapped[Department | None] = relationship(Department)

    @property
    def indented_name(self) -> str:
        return "\u3000" * (self.depth or 0) + ("└ " if self.depth else "") + self.name

    def __repr__(self) -> str:
        return self.name
