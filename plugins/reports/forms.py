"""Choices for the report filter form, limited to what the user may see."""

from __future__ import annotations

from typing import Any

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.tickets.enums import CHANNEL_LABELS, PRIORITY_LABELS
from plugins.tickets.models import Category, Department, StaffMembership
from plugins.tickets.scoping import read_scope


def group_by_labels() -> dict[str, Any]:
    from flask_babel import lazy_gettext as _l

    return {
        "day": _l("Day"),
        "week": _l("Week"),
        "month": _l("Month"),
        "year": _l("Year"),
        "person": _l("Person"),
        "department": _l("Department"),
    }


def filter_choices(session: Session, user: object) -> dict[str, list[tuple[Any, Any]]]:
    """(value, label) pairs per filter: departments and staff within the user's scope."""
    scope = read_scope(session, user)
    departments = select(Department.id, Department.name).order_by(Department.code)
    staff = (
        select(User.id, User.first_name, User.last_name)
        .join(StaffMembership, StaffMembership.user_id == User.id)
        .distinct()
        .order_by(User.id)
    )
    if not scope.all:
        ids = sorted(scope.department_ids)
        departments = departments.where(Department.id.in_(ids))
        staff = staff.where(StaffMembership.department_id.in_(ids))
    categories = select(Category).order_by(Category.tree_path)
    return {
        "group_by": list(group_by_labels().items()),
        "department": [(i, n) for i, n in session.execute(departments)],
        "category": [(c.id, c.indented_name) for c in session.scalars(categories)],
        "channel": list(CHANNEL_LABELS.items()),
        "priority": list(PRIORITY_LABELS.items()),
        "staff": [
            (i, f"{first or ''} {last or ''}".strip()) for i, first, last in session.execute(staff)
        ],
    }
