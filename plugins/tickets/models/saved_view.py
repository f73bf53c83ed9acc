"""Saved views (工单视图): a named condition over tickets, its columns, sort and audience.

The condition is data in the language of workflows.view_conditions; it is validated when
saved and compiled to one SQL query (services/views_sql.py) ANDed with the user's scope, so
a view never widens what its user may see.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugins.tickets.models.base import utcnow
from plugins.tickets.models.department import Department

#: Who sees a view: its owner, one department's members, some roles, or every desk user.
VISIBILITIES = ("personal", "department", "roles", "everyone")


class SavedView(Model):
    __tablename__ = "saved_view"
    __table_args__ = (Index("ix_saved_view_visibility_order", "visibility", "sort_order"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    # {"match": "all"|"any", "conditions": [{"field", "op", "value"}, ...]}
    conditions: Mapped[Any] = mapped_column(JSON, nullable=False)
    # field names to show as columns, in order; [] means the default columns
    columns: Mapped[Any] = mapped_column(JSON, nullable=False)
    # {"field": name, "dir": "asc"|"desc"}; None means newest first
    sort: Mapped[Any] = mapped_column(JSON, nullable=True)
    visibility: Mapped[str] = mapped_column(String(16), default="personal", nullable=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    # role names, for visibility "roles"
    roles: Mapped[Any] = mapped_column(JSON, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    owner: Mapped[User | None] = relationship(User)
    department: Mapped[Department | None] = relationship(Department)

    def __repr__(self) -> str:
        return self.name
