"""Saving automations: the screens and the REST API both come here, so both validate alike.

Errors are ValidationFailed with fields keyed by path ("conditions.conditions[0].value",
"actions[1].params.body"), which the screen lists and the API returns as JSON (422).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import delete as sql_delete
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugins.automation.automations.models import Automation, AutomationRun
from plugins.automation.automations.schema import validate
from plugins.tickets.services.errors import NotFound, ValidationFailed

FIELDS = ("name", "description", "active", "sort_order", "conditions", "actions")
NAME_MAX = 100


def as_dict(row: Automation) -> dict[str, Any]:
    def iso(value):
        return value.isoformat() if value else None

    return {
        "id": row.id, "name": row.name, "description": row.description, "active": row.active,
        "sort_order": row.sort_order, "conditions": row.conditions, "actions": row.actions,
        "last_run_at": iso(row.last_run_at), "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
    }  # fmt: skip


def ordered(session: Session) -> list[Automation]:
    stmt = select(Automation).order_by(Automation.sort_order, Automation.id)
    return list(session.scalars(stmt))


def get(session: Session, pk: Any) -> Automation:
    row = session.get(Automation, pk) if isinstance(pk, int) else None
    if row is None:
        raise NotFound(_("No such automation."))
    return row


def split_errors(errors: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for text in errors:
        path, _sep, message = text.partition(": ")
        out[path] = f"{out[path]} {message}" if path in out else message
    return out


def _name(session: Session, value: Any, row: Automation | None, errors: dict) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name or len(name) > NAME_MAX:
        errors["name"] = _("Enter a name of at most %(n)d characters.", n=NAME_MAX)
        return name
    clash = session.scalar(
        select(func.count()).select_from(Automation)
        .where(Automation.name == name, Automation.id != (row.id if row else -1))
    )  # fmt: skip
    if clash:
        errors["name"] = _("Another automation has this name.")
    return name


def _check(session: Session, values: Mapping[str, Any], row: Automation | None) -> dict:
    errors: dict[str, str] = {}
    for key in values:
        if key not in FIELDS:
            errors[str(key)] = _("This field cannot be set here.")
    merged = {k: values.get(k, getattr(row, k) if row else None) for k in FIELDS}
    merged["name"] = _name(session, merged["name"], row, errors)
    order = merged["sort_order"] if merged["sort_order"] is not None else 0
    if not isinstance(order, int) or isinstance(order, bool):
        errors["sort_order"] = _("Must be a whole number.")
    active = merged["active"] if merged["active"] is not None else True
    if not isinstance(active, bool):
        errors["active"] = _("Must be true or false.")
    if merged["description"] is not None and not isinstance(merged["description"], str):
        errors["description"] = _("Must be text.")
    merged.update(sort_order=order, active=active, conditions=merged["conditions"] or {})
    errors.update(split_errors(validate(session, merged["conditions"], merged["actions"])))
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), errors)
    return merged


def _arm() -> None:
    """Make sure the sweep chain runs (Redis may have restarted empty since `flask init`)."""
    if not has_app_context():
        return
    from plugins.automation.automations.jobs import ensure_sweeper
    from plugins.automation.outbox.queue import queue_for

    queue = queue_for(current_app.config.get("REDIS_URL"))
    if queue is not None:
        ensure_sweeper(queue, current_app)


def create(session: Session, values: Mapping[str, Any]) -> Automation:
    row = Automation(**_check(session, values, None))
    session.add(row)
    session.commit()
    _arm()
    return row


def update(session: Session, row: Automation, values: Mapping[str, Any]) -> Automation:
    for key, value in _check(session, values, row).items():
        setattr(row, key, value)
    session.commit()
    _arm()
    return row


def delete(session: Session, row: Automation) -> None:
    """The rule and its run log (explicitly: SQLite does not cascade, and reuses ids)."""
    session.execute(sql_delete(AutomationRun).where(AutomationRun.automation_id == row.id))
    session.delete(row)
    session.commit()
