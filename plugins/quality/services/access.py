"""Who may do what in QA, and which reviews a user may see.

- Admin and QA review tickets: any ticket the one scoping rule lets them read
  (plugins/tickets/scoping.py gives QA centre-wide read, so nothing is added there).
- Reviews are seen by Admin, QA and Manager (all), Supervisors (their departments' people)
  and by the reviewed person (their own). QA figures follow the same rule.
- Only the reviewed person appeals; only an Admin or a Supervisor of the review's department
  decides, and never on their own review.
"""

from __future__ import annotations

from sqlalchemy import false, or_, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from plugins.quality.models import QaReview
from plugins.tickets.scoping import department_ids, role_names

REVIEWER_ROLES = frozenset({"Admin", "QA"})
SEE_ALL_REVIEWS = frozenset({"Admin", "QA", "Manager"})
DECIDER_ROLES = frozenset({"Supervisor"})


def _active(user: object | None) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_reviewer(user: object | None) -> bool:
    return _active(user) and bool(role_names(user) & REVIEWER_ROLES)


def supervised_departments(session: Session, user: object | None) -> frozenset[int]:
    if not _active(user) or not role_names(user) & DECIDER_ROLES:
        return frozenset()
    return department_ids(session, user.id)


def review_clause(session: Session, user: object | None) -> ColumnElement[bool]:
    """SQL condition on QaReview: the reviews this user may see."""
    if not _active(user):
        return false()
    if role_names(user) & SEE_ALL_REVIEWS:
        return true()
    parts: list[ColumnElement[bool]] = [QaReview.reviewed_user_id == user.id]
    depts = supervised_departments(session, user)
    if depts:
        parts.append(QaReview.department_id.in_(sorted(depts)))
    return or_(*parts)


def can_see(session: Session, user: object | None, review: QaReview) -> bool:
    if not _active(user):
        return False
    if role_names(user) & SEE_ALL_REVIEWS or review.reviewed_user_id == user.id:
        return True
    return review.department_id in supervised_departments(session, user)


def can_decide(session: Session, user: object | None, review: QaReview) -> bool:
    if not _active(user) or review.reviewed_user_id == user.id:
        return False
    if "Admin" in role_names(user):
        return True
    return review.department_id in supervised_departments(session, user)
