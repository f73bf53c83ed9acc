"""Comments (public replies and internal notes) and attachments."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugins.tickets.models.base import utcnow
from plugins.tickets.models.ticket import Ticket


class Comment(Model):
    __tablename__ = "ticket_comment"
    __table_args__ = (Index("ix_comment_ticket_created", "ticket_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    body: Mapped[str] = mapped_column(Text, nullable=False)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    ticket: Mapped[Ticket] = relationship(Ticket)
    author: Mapped[User | None] = relationship(User)

    def __repr__(self) -> str:
        return self.body[:40]


class Attachment(Model):
    __tablename__ = "ticket_attachment"
    __table_args__ = (Index("ix_attachment_ticket", "ticket_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False
    )
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_comment.id"))
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    ticket: Mapped[Ticket] = relationship(Ticket)
    uploaded_by: Mapped[User | None] = relationship(User)

    def __repr__(self) -> str:
        return self.filename
