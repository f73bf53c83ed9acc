"""Notification tables: the delivery log, in-app notifications, robot endpoints, templates.

`Delivery` is the outbox of outbound messages: one row per (request, channel, recipient),
unique by idempotency key, written in the caller's transaction and sent by an RQ job after
commit. The row is the truth; Redis only says "there is work".
"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugins.tickets.models import Department
from plugins.tickets.models.base import utcnow

STATUSES = ("pending", "sending", "sent", "retrying", "failed")
CHANNELS = ("in_app", "email", "wecom", "dingtalk", "feishu", "webhook")
ROBOT_KINDS = ("wecom", "dingtalk", "feishu", "webhook")


class Delivery(Model):
    """One message to one recipient over one channel, and what happened to it."""

    __tablename__ = "notify_delivery"
    __table_args__ = (Index("ix_notify_delivery_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    #: "user:<id>", an email address, or "robot:<id>".
    recipient: Mapped[str] = mapped_column(String(255), nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    robot_id: Mapped[int | None] = mapped_column(ForeignKey("notify_robot.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(255), default="", nullable=False)
    body: Mapped[str] = mapped_column(Text, default="", nullable=False)
    status: Mapped[str] = mapped_column(String(16), default="pending", nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: When the next attempt may run (for "sending": when the claim's lease runs out).
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)


class InAppNotification(Model):
    """A line under the bell in the navbar."""

    __tablename__ = "notify_in_app"
    __table_args__ = (Index("ix_notify_in_app_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False
    )
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(255), nullable=False)
    body: Mapped[str] = mapped_column(Text, default="", nullable=False)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)


class RobotEndpoint(Model):
    """A WeCom / DingTalk / Feishu group robot or a plain webhook. The URL and the secret are
    credentials: screens and the API never show the secret back."""

    __tablename__ = "notify_robot"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    url: Mapped[str] = mapped_column(String(500), nullable=False)
    secret: Mapped[str | None] = mapped_column(String(255))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)

    department: Mapped[Department | None] = relationship(Department)

    def __repr__(self) -> str:
        return self.name


class NotificationTemplate(Model):
    """Subject and body with the canned replies' placeholders ({ticket.number}, {部门}, ...)."""

    __tablename__ = "notify_template"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    channel: Mapped[str | None] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(255), default="", nullable=False)
    body: Mapped[str] = mapped_column(Text, default="", nullable=False)

    def __repr__(self) -> str:
        return self.code
