"""Saved views (工单视图): who sees and manages them; create, update, delete, reorder.

Seeing a view never widens what a user sees of tickets: the view's SQL is ANDed with the
user's scope (views_sql.py). These rules only decide which *lists* a user is offered:

- personal: its owner; department: that department's members; roles: users holding one of
  the roles; everyone: every desk user. Admins also see every non-personal view.
- Anyone may keep personal views. A department's supervisors (membership duty
  "supervisor") manage its department views. Admins manage every view and alone may make
  views for roles or everyone, reorder them and switch them off.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask_appbuilder.security.sqla.models import Role
from flask_babel import gettext as _
from sqlalchemy import String, cast, false, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from plugins.tickets.models import Department, SavedView, StaffMembership
from plugins.tickets.models.saved_view import VISIBILITIES
from plugins.tickets.scoping import department_ids, role_names
from plugins.tickets.services.errors import Forbidden, NotFound, ValidationFailed
from plugins.tickets.services.view_errors import translate
from plugins.tickets.services.view_fields import registry, view_fields
from workflows import view_conditions as vc

FIELDS = (
    "name",
    "conditions",
    "columns",
    "sort",
    "visibility",
    "department_id",
    "roles",
    "active",
    "sort_order",
)
ADMIN_ONLY = ("active", "sort_order")
MAX_NAME = 100
#: How many views the menu lists (the 工单视图 page lists all).
MENU_LIMIT = 10


def is_admin(user: Any) -> bool:
    return "Admin" in role_names(user)


def supervised_departments(session: Session, user: Any) -> frozenset[int]:
    rows = session.scalars(
        select(StaffMembership.department_id).where(
            StaffMembership.user_id == user.id, StaffMembership.duty == "supervisor"
        )
    )
    return frozenset(rows)


def _roles_clause(user: Any) -> ColumnElement[bool]:
    # roles is a short JSON list of names; matching the serialized name works on SQLite and
    # PostgreSQL alike, and the table holds tens of rows, not millions.
    names = sorted(role_names(user))
    if not names:
        return false()
    text = cast(SavedView.roles, String)
    return or_(*(text.contains(json.dumps(n), autoescape=True) for n in names))


def visible_clause(session: Session, user: Any) -> ColumnElement[bool]:
    """Active views offered to this user."""
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    depts = department_ids(session, user.id)
    audience = or_(
        SavedView.visibility == "everyone",
        (SavedView.visibility == "personal") & (SavedView.owner_id == user.id),
        (SavedView.visibility == "department") & SavedView.department_id.in_(sorted(depts)),
        (SavedView.visibility == "roles") & _roles_clause(user),
    )
    if is_admin(user):
        audience = or_(audience, SavedView.visibility != "personal")
    return SavedView.active.is_(True) & audience


def manageable_clause(session: Session, user: Any) -> ColumnElement[bool]:
    """Views this user may edit, switch off or delete (inactive ones included)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    if is_admin(user):
        return true()
    own = (SavedView.visibility == "personal") & (SavedView.owner_id == user.id)
    supervised = supervised_departments(session, user)
    if not supervised:
        return own
    dept = (SavedView.visibility == "department") & SavedView.department_id.in_(sorted(supervised))
    return or_(own, dept)


def reachable_clause(session: Session, user: Any) -> ColumnElement[bool]:
    """What the API lists and shows: the views one sees or manages."""
    return or_(visible_clause(session, user), manageable_clause(session, user))


def _ordered(stmt):
    return stmt.order_by(SavedView.sort_order, SavedView.name, SavedView.id)


def visible_views(session: Session, user: Any) -> list[SavedView]:
    return list(session.scalars(_ordered(select(SavedView).where(visible_clause(session, user)))))


def manageable_views(session: Session, user: Any) -> list[SavedView]:
    stmt = select(SavedView).where(manageable_clause(session, user))
    return list(session.scalars(_ordered(stmt)))


def get_visible(session: Session, user: Any, pk: int) -> SavedView:
    """A view the user may open (seen or managed); NotFound otherwise, never Forbidden,
    so ids of other people's views reveal nothing."""
    row = session.scalar(
        select(SavedView).where(SavedView.id == pk, reachable_clause(session, user))
    )
    if row is None:
        raise NotFound(_("Not found."))
    return row


def get_manageable(session: Session, user: Any, pk: int) -> SavedView:
    row = get_visible(session, user, pk)
    mine = select(SavedView.id).where(SavedView.id == pk, manageable_clause(session, user))
    if session.scalar(mine) is None:
        raise Forbidden(_("You may not change this view."))
    return row


def allowed_visibilities(session: Session, user: Any) -> tuple[str, ...]:
    if is_admin(user):
        return VISIBILITIES
    if supervised_departments(session, user):
        return ("personal", "department")
    return ("personal",)


def allowed_departments(session: Session, user: Any) -> list[Department]:
    stmt = select(Department).where(Department.active.is_(True)).order_by(Department.code)
    if not is_admin(user):
        stmt = stmt.where(Department.id.in_(sorted(supervised_departments(session, user))))
    return list(session.scalars(stmt))


def role_choices(session: Session) -> list[str]:
    return list(session.scalars(select(Role.name).order_by(Role.name)))


# -- validation ------------------------------------------------------------------------


def _check(
    session: Session, actor: Any, data: dict[str, Any], current: SavedView | None
) -> dict[str, str]:
    """Every problem of the merged values, keyed by path in the request body."""
    errors: dict[str, str] = {}
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        errors["name"] = _("This field is required.")
    elif len(name.strip()) > MAX_NAME:
        errors["name"] = _("At most %(max)d characters.", max=MAX_NAME)
    visibility = data.get("visibility")
    if visibility not in VISIBILITIES:
        errors["visibility"] = _("Not a valid choice.")
    elif visibility not in allowed_visibilities(session, actor):
        errors["visibility"] = _("You may not share a view this way.")
    elif visibility == "department":
        _check_department(session, actor, data.get("department_id"), current, errors)
    elif visibility == "roles":
        _check_roles(session, data.get("roles"), errors)
    fields = view_fields(session)
    specs = registry(fields)
    for error in vc.view_errors(data.get("conditions"), specs):
        path = f"conditions.{error.path}" if error.path else "conditions"
        errors.setdefault(path, translate(error, fields))
    for error in vc.layout_errors(data.get("columns"), data.get("sort"), specs):
        errors.setdefault(error.path, translate(error, fields))
    if not isinstance(data.get("sort_order"), int) or isinstance(data.get("sort_order"), bool):
        errors["sort_order"] = _("Enter a whole number.")
    if not isinstance(data.get("active"), bool):
        errors["active"] = _("Must be true or false.")
    if not is_admin(actor):
        before = (
            {"active": True, "sort_order": 0}
            if current is None
            else {
                "active": current.active,
                "sort_order": current.sort_order,
            }
        )
        for key in ADMIN_ONLY:
            if key not in errors and data.get(key) != before[key]:
                errors[key] = _("Only an administrator may reorder or switch off views.")
    return errors


def _check_department(
    session: Session, actor: Any, value: Any, current: SavedView | None, errors: dict[str, str]
) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        errors["department_id"] = _("Choose a department.")
    elif session.get(Department, value) is None:
        errors["department_id"] = _("Not a valid choice.")
    elif not is_admin(actor) and value not in supervised_departments(session, actor):
        errors["department_id"] = _("You may only share views with departments you supervise.")


def _check_roles(session: Session, value: Any, errors: dict[str, str]) -> None:
    if not isinstance(value, list) or not value:
        errors["roles"] = _("Choose at least one role.")
        return
    known = set(role_choices(session))
    for i, name in enumerate(value):
        if name not in known:
            errors[f"roles[{i}]"] = _("Unknown role '%(name)s'.", name=name)


def _merged(values: Mapping[str, Any], current: SavedView | None) -> tuple[dict, dict]:
    errors: dict[str, str] = {}
    for key in values:
        if key not in FIELDS:
            errors[str(key)] = _("Unknown field.")
    if current is None:
        data: dict[str, Any] = {
            "conditions": {"match": "all", "conditions": []},
            "columns": [],
            "sort": None,
            "visibility": "personal",
            "department_id": None,
            "roles": None,
            "active": True,
            "sort_order": 0,
        }
    else:
        data = {key: getattr(current, key) for key in FIELDS}
    data.update({k: v for k, v in values.items() if k in FIELDS})
    return data, errors


def _save(session: Session, actor: Any, values: Mapping[str, Any], row: SavedView | None):
    data, errors = _merged(values, row)
    errors.update(_check(session, actor, data, row))
    if errors:
        raise ValidationFailed(_("The view has errors."), errors)
    if row is None:
        row = SavedView(owner_id=actor.id)
        session.add(row)
    row.name = data["name"].strip()
    row.conditions = {"match": data["conditions"].get("match", "all"), **data["conditions"]}
    row.columns = list(data["columns"] or [])
    row.sort = dict(data["sort"]) if data["sort"] else None
    row.visibility = data["visibility"]
    row.department_id = data["department_id"] if row.visibility == "department" else None
    row.roles = list(data["roles"]) if row.visibility == "roles" else None
    row.active = data["active"]
    row.sort_order = data["sort_order"]
    if row.visibility == "personal" and row.owner_id is None:
        row.owner_id = actor.id
    session.commit()
    return row


def create(session: Session, actor: Any, values: Mapping[str, Any]) -> SavedView:
    """Validate and store a new view; the creator owns it. ValidationFailed lists every
    problem by its path in the body (``conditions.conditions[1].op``)."""
    return _save(session, actor, values, None)


def update(session: Session, actor: Any, row: SavedView, values: Mapping[str, Any]) -> SavedView:
    """Change the given keys of a view the actor manages (others are kept)."""
    get_manageable(session, actor, row.id)
    return _save(session, actor, values, row)


def delete(session: Session, actor: Any, row: SavedView) -> None:
    get_manageable(session, actor, row.id)
    session.delete(row)
    session.commit()


def reorder(session: Session, actor: Any, entries: Mapping[int, tuple[int, bool]]) -> None:
    """Set sort order and active flag of many views at once (admins only)."""
    if not is_admin(actor):
        raise Forbidden(_("Only an administrator may reorder or switch off views."))
    rows = session.scalars(select(SavedView).where(SavedView.id.in_(sorted(entries))))
    for row in rows:
        row.sort_order, row.active = entries[row.id]
    session.commit()
