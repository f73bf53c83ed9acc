"""The in-app inbox: my notifications, their unread count (the bell), marking them read.

Every query is by the current user's id: a user reads and marks only their own rows (a
notification is a personal message, so no department scoping applies).
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from plugins.automation.notify.models import InAppNotification
from plugins.tickets.models.base import utcnow

PAGE = 50


def unread_count(session: Session, user_id: int) -> int:
    """Uses the (user_id, read_at) index."""
    stmt = select(func.count(InAppNotification.id)).where(
        InAppNotification.user_id == user_id, InAppNotification.read_at.is_(None)
    )
    return int(session.scalar(stmt) or 0)


def latest(session: Session, user_id: int, limit: int = PAGE) -> list[InAppNotification]:
    stmt = (
        select(InAppNotification)
        .where(InAppNotification.user_id == user_id)
        .order_by(InAppNotification.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def mark_read(session: Session, user_id: int, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, all) of the user's unread notifications; commits."""
    stmt = update(InAppNotification).where(
        InAppNotification.user_id == user_id, InAppNotification.read_at.is_(None)
    )
    if notification_id is not None:
        stmt = stmt.where(InAppNotification.id == notification_id)
    count = session.execute(stmt.values(read_at=utcnow())).rowcount or 0
    session.commit()
    return count
