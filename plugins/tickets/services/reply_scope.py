"""Who sees and who manages canned replies: the scoping rule of replies, as SQL and for one row.

Seeing (to apply on a ticket): everyone's, your own personal ones, and those of the
departments you belong to (an admin: every department's). Managing: an admin manages all;
a supervisor the department replies of the departments they supervise; everyone their own
personal replies. Lists, forms, REST hooks and the ticket page all ask this module.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from plugins.tickets.models import CannedReply, StaffMembership, Ticket
from plugins.tickets.scoping import department_ids, role_names
from plugins.tickets.services.errors import NotFound


def _user_ok(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_admin(user: Any) -> bool:
    return "Admin" in role_names(user)


def supervised_department_ids(session: Session, user: Any) -> frozenset[int]:
    """Departments whose replies the user manages: where their duty is supervisor (a user
    with the Supervisor role supervises every department they belong to)."""
    rows = session.execute(
        select(StaffMembership.department_id, StaffMembership.duty).where(
            StaffMembership.user_id == user.id
        )
    ).all()
    supervisor_role = "Supervisor" in role_names(user)
    return frozenset(dept for dept, duty in rows if supervisor_role or duty == "supervisor")


def visible_clause(session: Session, user: Any) -> ColumnElement[bool]:
    """Replies the user may use (active or not): SQL condition on CannedReply."""
    if not _user_ok(user):
        return false()
    own = and_(CannedReply.scope == "personal", CannedReply.owner_id == user.id)
    if is_admin(user):
        return or_(CannedReply.scope != "personal", own)
    parts = [CannedReply.scope == "everyone", own]
    depts = department_ids(session, user.id)
    if depts:
        parts.append(
            and_(CannedReply.scope == "department", CannedReply.department_id.in_(sorted(depts)))
        )
    return or_(*parts)


def manageable_clause(session: Session, user: Any) -> ColumnElement[bool]:
    """Replies the user may edit and delete."""
    if not _user_ok(user):
        return false()
    if is_admin(user):
        return true()
    parts = [and_(CannedReply.scope == "personal", CannedReply.owner_id == user.id)]
    supervised = supervised_department_ids(session, user)
    if supervised:
        parts.append(
            and_(
                CannedReply.scope == "department",
                CannedReply.department_id.in_(sorted(supervised)),
            )
        )
    return or_(*parts)


def readable_clause(session: Session, user: Any) -> ColumnElement[bool]:
    """Replies the user may list and read: those they may use or manage."""
    if _user_ok(user) and is_admin(user):
        return true()
    return or_(visible_clause(session, user), manageable_clause(session, user))


def can_manage(session: Session, user: Any, reply: CannedReply) -> bool:
    if not _user_ok(user):
        return False
    if is_admin(user):
        return True
    if reply.scope == "personal":
        return reply.owner_id == user.id
    if reply.scope == "department":
        return reply.department_id in supervised_department_ids(session, user)
    return False


def visible_replies(session: Session, user: Any, ticket: Ticket | None = None) -> list[CannedReply]:
    """Active replies the user may apply, in display order.

    With a ticket, department replies are those of the user's departments, which include the
    ticket's department whenever the user is a member of it; membership, not the ticket,
    decides (a dispatcher who sees a TECH ticket does not get TECH's replies).
    """
    return list(
        session.scalars(
            select(CannedReply)
            .where(CannedReply.active.is_(True), visible_clause(session, user))
            .order_by(CannedReply.sort_order, CannedReply.title, CannedReply.id)
        )
    )


def get_readable(session: Session, user: Any, reply_id: Any) -> CannedReply:
    reply = _get(session, reply_id)
    if reply is None or not _matches(session, reply, readable_clause(session, user)):
        raise NotFound(_("Canned reply not found."))
    return reply


def get_applicable(session: Session, user: Any, reply_id: Any) -> CannedReply:
    """An active reply the user may apply; NotFound otherwise (no existence leak)."""
    reply = _get(session, reply_id)
    if (
        reply is None
        or not reply.active
        or not _matches(session, reply, visible_clause(session, user))
    ):
        raise NotFound(_("Canned reply not found."))
    return reply


def _get(session: Session, reply_id: Any) -> CannedReply | None:
    if isinstance(reply_id, bool):
        return None
    try:
        return session.get(CannedReply, int(reply_id))
    except (TypeError, ValueError):
        return None


def _matches(session: Session, reply: CannedReply, clause: ColumnElement[bool]) -> bool:
    return (
        session.scalar(select(CannedReply.id).where(CannedReply.id == reply.id, clause)) is not None
    )
