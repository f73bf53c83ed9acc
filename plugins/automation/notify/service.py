"""The one way to notify people: `request_notification` writes delivery rows in the caller's
transaction; nothing is sent until it commits.

Triggers, SLA escalations and the built-in 催办 handler all call this. Each row has a unique
idempotency key derived from the caller's key, the channel and the recipient, so a caller
that runs twice (at-least-once RQ delivery) gets the rows of the first run back instead of
duplicates. In-app notifications are database rows, so they are written right here, in the
same transaction; email and robot rows are sent by `notify.jobs.send_delivery` after commit.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from plugins.automation.channels.masking import mask_text
from plugins.automation.notify.models import (
    CHANNELS,
    Delivery,
    InAppNotification,
    NotificationTemplate,
)
from plugins.automation.notify.recipients import ROBOT_CHANNELS, RecipientError, Target, resolve
from plugins.tickets.models import Ticket
from plugins.tickets.models.base import utcnow
from plugins.tickets.services import placeholders

#: session.info key: ids of delivery rows to enqueue after commit (see notify.relay).
PENDING_KEY = "notify_delivery_ids"
MAX_KEY = 255

__all__ = ["NotificationError", "RecipientError", "request_notification"]


class NotificationError(ValueError):
    """A request the service cannot honour (unknown channel, empty key)."""


def row_key(idempotency_key: str, channel: str, target: Target) -> str:
    """The row's unique key, also sent as X-Delivery-Id and in the Message-ID: long or
    non-ASCII keys are hashed, so the column bound never cuts two apart and headers stay ASCII."""
    key = f"{idempotency_key}|{channel}|{target.key}"
    if len(key) <= MAX_KEY and key.isascii() and key.isprintable():
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{channel}|{target.key}"[:120].encode("ascii", "replace").decode() + f"#{digest}"


def _render(
    session: Session, ticket_id: int | None, template: str | None, subject: str, body: str,
    context: dict[str, Any] | None,
) -> tuple[str, str]:  # fmt: skip
    """Subject and body with placeholders filled: the template's text when `template` names
    one, else the caller's. Values come from the ticket (as in canned replies) and `context`."""
    if template:
        row = session.scalar(
            select(NotificationTemplate).where(NotificationTemplate.code == template)
        )
        if row is not None:
            subject, body = row.subject or subject, row.body or body
    values: dict[str, str] = {}
    ticket = session.get(Ticket, ticket_id) if ticket_id else None
    if ticket is not None:
        values.update(placeholders.values_for(session, None, ticket))
    values.update({str(k): "" if v is None else str(v) for k, v in (context or {}).items()})
    return placeholders.render(subject, values), placeholders.render(body, values)


def request_notification(
    session: Session,
    *,
    ticket_id: int | None,
    template: str | None = None,
    subject: str,
    body: str,
    recipients: list[dict],
    channel: str,
    idempotency_key: str,
    context: dict | None = None,
) -> list[Delivery]:
    """Resolve `recipients` for `channel` and write one delivery row per recipient.

    Args:
        ticket_id: the ticket the message is about (placeholders, links, the log), or None.
        template: a NotificationTemplate code; its subject/body replace the given ones.
        subject, body: text with placeholders such as {ticket.number} or {部门}.
        recipients: [{"user_id": 3}, {"role": "Supervisor", "department_id": 2},
            {"department_supervisors": 2}, {"department_id": 2}, {"email": "x@y"},
            {"robot_id": 5}]; specs that cannot reach `channel` are skipped.
        channel: "in_app", "email", "wecom", "dingtalk", "feishu" or "webhook".
        idempotency_key: stable for this logical notification (e.g. f"evt-{id}:rule-{id}").
        context: extra placeholder values ({"level": "2"} → {level}).

    Returns the delivery rows (new or already existing for this key), in recipient order.
    Raises NotificationError / RecipientError for a malformed request. Does not commit.
    """
    if channel not in CHANNELS:
        raise NotificationError(f"unknown channel: {channel}")
    if not idempotency_key:
        raise NotificationError("idempotency_key is required")
    targets = resolve(session, channel, recipients)
    if not targets:
        return []
    subject, body = _render(session, ticket_id, template, subject, body, context)
    if channel in ROBOT_CHANNELS:
        # A robot message is a disclosure to a third-party platform: mask before storing,
        # so neither the wire nor the delivery log holds phone or ID numbers.
        subject, body = mask_text(subject), mask_text(body)
    now = utcnow()
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    keys, created = [], []
    for target in targets:
        key = row_key(idempotency_key, channel, target)
        keys.append(key)
        in_app = channel == "in_app"
        stmt = (
            insert(Delivery)
            .values(
                idempotency_key=key, channel=channel,
                recipient=target.address or target.key, user_id=target.user_id,
                robot_id=target.robot_id, subject=subject[:255], body=body,
                status="sent" if in_app else "pending", attempts=1 if in_app else 0,
                next_attempt_at=None if in_app else now, sent_at=now if in_app else None,
                ticket_id=ticket_id, created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(Delivery.id)
        )  # fmt: skip
        new_id = session.execute(stmt).scalar()
        if new_id is None:
            continue  # this key ran before: nothing new to write or send
        if in_app:
            session.add(
                InAppNotification(
                    user_id=target.user_id, ticket_id=ticket_id, title=subject[:255], body=body,
                    created_at=now,
                )
            )  # fmt: skip
        else:
            created.append(new_id)
    if created:
        session.info.setdefault(PENDING_KEY, []).extend(created)
    rows = {
        r.idempotency_key: r
        for r in session.scalars(select(Delivery).where(Delivery.idempotency_key.in_(keys)))
    }
    return [rows[k] for k in keys if k in rows]
