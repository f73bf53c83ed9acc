"""Departments (承办单位) and staff membership with a duty."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugins.tickets.enums import DUTY_LABELS, label
from plugins.tickets.models.base import utcnow


class Department(Model):
    __tablename__ = "department"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    parent: Mapped[Department | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return self.name


class StaffMembership(Model):
    """A user belongs to a department with a duty; a user may belong to several."""

    __tablename__ = "staff_membership"
    __table_args__ = (UniqueConstraint("user_id", "department_id", name="uq_staff_user_dept"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    department_id: Mapped[int] = mapped_column(
        ForeignKey("department.id"), nullable=False, index=True
    )
    duty: Mapped[str] = mapped_column(String(20), default="handler", nullable=False)

    user: Mapped[User] = relationship(User)
    department: Mapped[Department] = relationship(Department)

    @property
    def duty_label(self) -> str:
        return label(DUTY_LABELS, self.duty)

    def __repr__(self) -> str:
        return f"{self.user} @ {self.department}"
