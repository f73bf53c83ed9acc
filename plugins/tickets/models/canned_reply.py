"""Canned replies (预设回复): a text with placeholders that may also change the ticket.

`changes` is data, checked by services/reply_changes.py when the reply is saved and applied
through the ticket services (the one door) when it is used:

    {"priority": "urgent",
     "custom_fields": {"fault_type": "optical"},
     "action": {"name": "accept", "params": {}},
     "public": true}

`public` says whether the body is posted as a public reply or as an internal note.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugins.tickets.enums import label
from plugins.tickets.models.base import utcnow
from plugins.tickets.models.department import Department

SCOPE_LABELS = {
    "personal": _l("Personal"),
    "department": _l("Department"),
    "everyone": _l("Everyone"),
}


class CannedReply(Model):
    __tablename__ = "canned_reply"
    __table_args__ = (
        # The ticket page lists the replies of a scope (own, a department's, everyone's).
        Index("ix_canned_reply_scope_owner", "scope", "owner_id"),
        Index("ix_canned_reply_scope_department", "scope", "department_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100), nullable=False)
    body: Mapped[str] = mapped_column(Text, default="", nullable=False)
    # personal | department | everyone
    scope: Mapped[str] = mapped_column(String(16), default="personal", nullable=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    usage_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    changes: Mapped[Any] = mapped_column(JSON, default=dict, nullable=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    owner: Mapped[User | None] = relationship(User)
    department: Mapped[Department | None] = relationship(Department)

    @property
    def scope_label(self) -> str:
        return label(SCOPE_LABELS, self.scope)

    def __repr__(self) -> str:
        return self.title
