"""Saving rules: the screens and the REST API both come here, so both validate alike.

Errors are ValidationFailed with fields keyed by path ("conditions.ticket.conditions[0].op",
"actions[2].params.department_id"), which the screen lists and the API returns as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugins.automation.triggers.models import Trigger
from plugins.automation.triggers.schema import validate
from plugins.tickets.services.errors import NotFound, ValidationFailed

FIELDS = ("name", "description", "active", "sort_order", "conditions", "actions")
NAME_MAX = 100


def as_dict(row: Trigger) -> dict[str, Any]:
    return {
        "id": row.id, "name": row.name, "description": row.description, "active": row.active,
        "sort_order": row.sort_order, "conditions": row.conditions, "actions": row.actions,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
    }  # fmt: skip


def ordered(session: Session) -> list[Trigger]:
    return list(session.scalars(select(Trigger).order_by(Trigger.sort_order, Trigger.id)))


def get(session: Session, pk: Any) -> Trigger:
    row = session.get(Trigger, pk) if isinstance(pk, int) else None
    if row is None:
        raise NotFound(_("No such trigger."))
    return row


def _split(errors: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for text in errors:
        path, _sep, message = text.partition(": ")
        out[path] = f"{out[path]} {message}" if path in out else message
    return out


def _check(session: Session, values: Mapping[str, Any], row: Trigger | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    for key in values:
        if key not in FIELDS:
            errors[str(key)] = _("This field cannot be set here.")
    merged = {k: values.get(k, getattr(row, k) if row else None) for k in FIELDS}
    name = merged["name"].strip() if isinstance(merged["name"], str) else ""
    if not name or len(name) > NAME_MAX:
        errors["name"] = _("Enter a name of at most %(n)d characters.", n=NAME_MAX)
    else:
        clash = session.scalar(
            select(func.count()).select_from(Trigger)
            .where(Trigger.name == name, Trigger.id != (row.id if row else -1))
        )  # fmt: skip
        if clash:
            errors["name"] = _("Another trigger has this name.")
    merged["name"] = name
    order = merged["sort_order"] if merged["sort_order"] is not None else 0
    if not isinstance(order, int) or isinstance(order, bool):
        errors["sort_order"] = _("Must be a whole number.")
    merged["sort_order"] = order
    active = merged["active"] if merged["active"] is not None else True
    if not isinstance(active, bool):
        errors["active"] = _("Must be true or false.")
    merged["active"] = active
    if merged["description"] is not None and not isinstance(merged["description"], str):
        errors["description"] = _("Must be text.")
    if merged["conditions"] is None:
        merged["conditions"] = {}
    errors.update(_split(validate(session, merged["conditions"], merged["actions"])))
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), errors)
    return merged


def create(session: Session, values: Mapping[str, Any]) -> Trigger:
    row = Trigger(**_check(session, values, None))
    session.add(row)
    session.commit()
    return row


def update(session: Session, row: Trigger, values: Mapping[str, Any]) -> Trigger:
    for key, value in _check(session, values, row).items():
        setattr(row, key, value)
    session.commit()
    return row


def delete(session: Session, row: Trigger) -> None:
    session.delete(row)
    session.commit()
