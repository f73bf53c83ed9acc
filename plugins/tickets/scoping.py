"""The one scoping rule: which tickets a user may see and change.

Every list, show page, form choice, API call, bulk action, export and report asks this
module; nothing else decides visibility.

- Admin, Dispatcher, Follow-up, QA and Manager see all tickets.
- Admin, Dispatcher and Follow-up may change all of them; QA and Manager only read.
- Handlers and Supervisors see and change the tickets of their departments.
- Agents see and change the tickets they created plus their departments' tickets.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import event, false, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from plugins.tickets.models import StaffMembership, Ticket

SEE_ALL_ROLES = frozenset({"Admin", "Dispatcher", "Follow-up", "QA", "Manager"})
CHANGE_ALL_ROLES = frozenset({"Admin", "Dispatcher", "Follow-up"})
DEPARTMENT_ROLES = frozenset({"Handler", "Supervisor", "Agent"})
OWN_TICKET_ROLES = frozenset({"Agent"})


@dataclass(frozen=True)
class Scope:
    """What one user may reach: everything, or some departments plus their own intake."""

    all: bool
    department_ids: frozenset[int]
    own_user_id: int | None

    def clause(self) -> ColumnElement[bool]:
        """SQL condition on Ticket for this scope."""
        if self.all:
            return true()
        parts: list[ColumnElement[bool]] = []
        if self.department_ids:
            parts.append(Ticket.department_id.in_(sorted(self.department_ids)))
        if self.own_user_id is not None:
            parts.append(Ticket.created_by_id == self.own_user_id)
        return or_(*parts) if parts else false()

    def contains(self, ticket: Ticket) -> bool:
        """The same rule for one loaded ticket."""
        if self.all:
            return True
        if ticket.department_id is not None and ticket.department_id in self.department_ids:
            return True
        return self.own_user_id is not None and ticket.created_by_id == self.own_user_id


NOTHING = Scope(all=False, department_ids=frozenset(), own_user_id=None)


def role_names(user: object) -> set[str]:
    return {r.name for r in getattr(user, "roles", None) or []}


_MEMO = "scoping.department_ids"


def department_ids(session: Session, user_id: int) -> frozenset[int]:
    """The user's departments, read once per session transaction (a ticket page asked 12
    times); forgotten when memberships are flushed and at every commit or rollback."""
    memo = session.info.setdefault(_MEMO, {})
    found = memo.get(user_id)
    if found is None:
        rows = session.scalars(
            select(StaffMembership.department_id).where(StaffMembership.user_id == user_id)
        )
        found = memo[user_id] = frozenset(rows)
    return found


@event.listens_for(Session, "after_flush")
def _forget_after_membership_flush(session: Session, _context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, StaffMembership) for obj in changed):
        session.info.pop(_MEMO, None)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_at_transaction_end(session: Session, *_args) -> None:
    session.info.pop(_MEMO, None)


def _scope(session: Session, user: object | None, all_roles: frozenset[str]) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    roles = role_names(user)
    if roles & all_roles:
        return Scope(all=True, department_ids=frozenset(), own_user_id=None)
    depts = department_ids(session, user.id) if roles & DEPARTMENT_ROLES else frozenset()
    own = user.id if roles & OWN_TICKET_ROLES else None
    return Scope(all=False, department_ids=depts, own_user_id=own)


def read_scope(session: Session, user: object | None) -> Scope:
    """Tickets the user may see."""
    return _scope(session, user, SEE_ALL_ROLES)


def write_scope(session: Session, user: object | None) -> Scope:
    """Tickets the user may change. Manager and QA read everything but change nothing."""
    roles = role_names(user) if user is not None else set()
    if roles and roles <= {"Manager", "QA"}:
        return NOTHING
    return _scope(session, user, CHANGE_ALL_ROLES)


def visible_tickets(session: Session, user: object | None):
    """A SELECT of the tickets the user may see."""
    return select(Ticket).where(read_scope(session, user).clause())
