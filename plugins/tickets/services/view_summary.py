"""A view's condition in words (状态 等于 待签收；优先级 属于 高、紧急), for screens.

Ids are shown by name (department, category, user, customer), options by their labels.
An invalid stored condition is described as far as it goes, never raises.
"""

from __future__ import annotations

from typing import Any

from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.formatting import yes_no
from plugins.tickets.models import Category, Customer, Department
from plugins.tickets.services.view_fields import (
    OPERATOR_LABELS,
    SPECIAL_LABELS,
    ViewField,
    label_of,
)

ID_MODELS = {
    "category_id": Category,
    "department_id": Department,
    "customer_id": Customer,
    "assignee_id": User,
    "created_by_id": User,
}


def _name(session: Session, field: str, value: Any) -> str:
    model = ID_MODELS.get(field)
    if model is None or not isinstance(value, int):
        return str(value)
    row = session.get(model, value)
    if row is None:
        return f"#{value}"
    if model is User:
        return f"{row.first_name or ''} {row.last_name or ''}".strip() or row.username
    return str(row.name)


def _value(session: Session, fields: dict[str, ViewField], name: str, value: Any) -> str:
    if isinstance(value, list):
        return "、".join(_value(session, fields, name, v) for v in value)
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, str) and value in SPECIAL_LABELS:
        return str(SPECIAL_LABELS[value])
    field = fields.get(name)
    if field is not None and isinstance(value, str) and value in field.options:
        return field.options[value]
    return _name(session, name, value)


def describe_condition(session: Session, fields: dict[str, ViewField], item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    name, op = str(item.get("field", "")), str(item.get("op", ""))
    words = [label_of(fields, name), str(OPERATOR_LABELS.get(op, op))]
    if op == "within_last_hours":
        return _(
            "%(field)s within the last %(hours)s hours", field=words[0], hours=item.get("value")
        )
    if item.get("value") is not None:
        words.append(_value(session, fields, name, item["value"]))
    return " ".join(words)


def describe(session: Session, fields: dict[str, ViewField], conditions: Any) -> str:
    """The whole condition in one line."""
    if not isinstance(conditions, dict):
        return ""
    items = conditions.get("conditions") or []
    if not isinstance(items, list) or not items:
        return _("All tickets you may see")
    parts = [describe_condition(session, fields, item) for item in items]
    if conditions.get("match") == "any":
        return _("Any of: %(conditions)s", conditions="；".join(parts))
    return _("All of: %(conditions)s", conditions="；".join(parts))
