"""The fields a saved view may use: the ticket's own and the custom fields.

The condition language (workflows.view_conditions) knows fields only by type; this module
says which fields exist, how they are labelled, which values they offer and, for custom
fields, which typed column of ticket_field_value holds them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.tickets.enums import CHANNEL_LABELS, PRIORITY_LABELS, STATUS_LABELS
from plugins.tickets.models import Category, Department, FieldDefinition
from plugins.tickets.services.labels import current_lang
from workflows import view_conditions as vc

STANDARD_LABELS: dict[str, object] = {
    "status": _l("Status"),
    "priority": _l("Priority"),
    "channel": _l("Channel"),
    "category_id": _l("Category"),
    "department_id": _l("Department"),
    "assignee_id": _l("Assignee"),
    "customer_id": _l("Customer"),
    "created_by_id": _l("Created by"),
    "created_at": _l("Created at"),
    "updated_at": _l("Updated at"),
    "due_at": _l("Due at"),
    "subject": _l("Subject"),
    "number": _l("Number"),
    "caller_number": _l("Caller number"),
    "supervise_level": _l("Supervision level"),
    "urge_count": _l("Reminders"),
}
STANDARD_CHOICES: dict[str, dict[str, object]] = {
    "status": STATUS_LABELS,
    "priority": PRIORITY_LABELS,
    "channel": CHANNEL_LABELS,
}
OPERATOR_LABELS: dict[str, object] = {
    "eq": _l("equals"),
    "ne": _l("does not equal"),
    "in": _l("is one of"),
    "not_in": _l("is none of"),
    "contains": _l("contains"),
    "gt": _l("greater than / after"),
    "lt": _l("less than / before"),
    "gte": _l("at least / from"),
    "lte": _l("at most / until"),
    "is_empty": _l("is empty"),
    "is_not_empty": _l("is not empty"),
    "within_last_hours": _l("within the last N hours"),
    "overdue": _l("is overdue"),
}
SPECIAL_LABELS: dict[str, object] = {
    "me": _l("me"),
    "my_departments": _l("my departments"),
}
#: Custom field type → (condition type, column of ticket_field_value holding the value).
CUSTOM_TYPES: dict[str, tuple[str, str]] = {
    "text": ("text", "value_text"),
    "textarea": ("text", "value_long"),
    "integer": ("number", "value_number"),
    "decimal": ("number", "value_number"),
    "date": ("date", "value_date"),
    "datetime": ("datetime", "value_datetime"),
    "select": ("choice", "value_text"),
    "multiselect": ("multi", "value_text"),
    "checkbox": ("bool", "value_bool"),
    "cascade": ("path", "value_text"),
    "phone": ("text", "value_text"),
    "email": ("text", "value_text"),
    "url": ("text", "value_text"),
    "regex": ("text", "value_text"),
}


@dataclass(frozen=True)
class ViewField:
    """One field a view may filter, sort or show by."""

    name: str
    label: object
    spec: vc.FieldSpec
    field_id: int | None = None  # custom fields only
    column: str | None = None  # custom fields only: the value_* column
    options: dict[str, str] = field(default_factory=dict, hash=False)  # value → label

    @property
    def custom(self) -> bool:
        return self.field_id is not None


def option_labels(options: Any, prefix: str = "", label_prefix: str = "") -> dict[str, str]:
    """Every option value (a cascade's as "a/b/c" paths) with its label, retired ones too:
    old tickets keep them, so a view may still look for them."""
    found: dict[str, str] = {}
    for item in options if isinstance(options, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            continue
        value = f"{prefix}{item['value']}"
        label = f"{label_prefix}{item.get('label') or item['value']}"
        found[value] = label
        found.update(option_labels(item.get("children"), f"{value}/", f"{label}/"))
    return found


def _custom(row: FieldDefinition) -> ViewField | None:
    kind, column = CUSTOM_TYPES.get(row.type, (None, None))
    if kind is None:
        return None
    options = option_labels(row.options) if kind in ("choice", "multi", "path") else {}
    choices = frozenset(options) if kind in ("choice", "multi", "path") else None
    english = current_lang().startswith("en") and row.label_en
    return ViewField(
        name=f"{vc.CUSTOM_PREFIX}{row.code}",
        label=row.label_en if english else row.label_zh,
        spec=vc.FieldSpec(kind, choices),
        field_id=row.id,
        column=column,
        options=options,
    )


def standard_fields() -> dict[str, ViewField]:
    out = {}
    for name, kind in vc.STANDARD_FIELDS.items():
        labels = STANDARD_CHOICES.get(name)
        out[name] = ViewField(
            name=name,
            label=STANDARD_LABELS[name],
            spec=vc.FieldSpec(kind, frozenset(labels) if labels else None),
            options={k: str(v) for k, v in labels.items()} if labels else {},
        )
    return out


def view_fields(session: Session) -> dict[str, ViewField]:
    """The standard fields, then every custom field (retired ones too: their values stay)."""
    fields = standard_fields()
    rows = session.scalars(
        select(FieldDefinition).order_by(FieldDefinition.sort_order, FieldDefinition.id)
    )
    for row in rows:
        found = _custom(row)
        if found is not None:
            fields[found.name] = found
    return fields


def registry(fields: dict[str, ViewField]) -> dict[str, vc.FieldSpec]:
    return {name: f.spec for name, f in fields.items()}


def label_of(fields: dict[str, ViewField], name: str) -> str:
    found = fields.get(name)
    return str(found.label) if found else name


def id_options(session: Session) -> dict[str, list[tuple[str, str]]]:
    """Choices for the id fields in the builder (departments, categories, staff), with the
    special values first. The language itself accepts any id; these only help typing."""
    departments = session.execute(select(Department.id, Department.name).order_by(Department.code))
    categories = session.scalars(select(Category).order_by(Category.tree_path))
    users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.username))
    staff = [
        (str(u.id), f"{u.first_name or ''} {u.last_name or ''}".strip() or u.username)
        for u in users
    ]
    me = [("me", str(SPECIAL_LABELS["me"]))]
    return {
        "department_id": [("my_departments", str(SPECIAL_LABELS["my_departments"]))]
        + [(str(i), name) for i, name in departments],
        "category_id": [(str(c.id), c.indented_name) for c in categories],
        "assignee_id": me + staff,
        "created_by_id": me + staff,
    }


def describe_builder(
    fields: Iterable[ViewField], extra: dict[str, list[tuple[str, str]]] | None = None
) -> list[dict[str, Any]]:
    """Fields as plain data for the condition builder on the edit screen."""
    extra = extra or {}
    return [
        {
            "name": f.name,
            "label": str(f.label),
            "type": f.spec.type,
            "ops": list(vc.TYPE_OPERATORS[f.spec.type]),
            "options": [
                {"value": k, "label": v} for k, v in (extra.get(f.name) or f.options.items())
            ],
        }
        for f in fields
    ]
