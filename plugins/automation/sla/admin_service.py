"""Saving SLA policies and calendar overrides for the REST API (/api/v1/sla_policy/,
/api/v1/calendar_day/): the same checks as the screens (targets by `validate_targets`), the
same effect (a changed calendar day recomputes every open clock), errors by field.

Services take (session, values) and raise ValidationFailed / NotFound; nothing is written
when a value is wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugins.automation.sla.models import CalendarOverride, SlaPolicy
from plugins.automation.sla.policies import validate_targets
from plugins.tickets.enums import PRIORITY_LABELS
from plugins.tickets.models import Category
from plugins.tickets.services.errors import NotFound, ValidationFailed

POLICY_FIELDS = ("name", "active", "sort_order", "category_id", "priority", "targets")
DAY_FIELDS = ("day", "kind", "note", "official")
#: The API's words for CalendarOverride.is_working_day.
DAY_KINDS = {"workday": True, "holiday": False}
NAME_MAX, NOTE_MAX = 100, 200


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _unknown(values: Mapping[str, Any], allowed: tuple[str, ...]) -> dict[str, str]:
    return {str(k): _("This field cannot be set here.") for k in values if k not in allowed}


def _fail(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), errors)


# -- policies ---------------------------------------------------------------------------


def policy_as_dict(row: SlaPolicy) -> dict[str, Any]:
    return {
        "id": row.id, "name": row.name, "active": row.active, "sort_order": row.sort_order,
        "category_id": row.category_id, "priority": row.priority, "targets": row.targets or {},
        "created_at": row.created_at.isoformat() if row.created_at else None,
    }  # fmt: skip


def get_policy(session: Session, pk: Any) -> SlaPolicy:
    row = session.get(SlaPolicy, pk) if _is_int(pk) else None
    if row is None:
        raise NotFound(_("No such SLA policy."))
    return row


def _check_policy(
    session: Session, values: Mapping[str, Any], row: SlaPolicy | None
) -> dict[str, Any]:
    errors = _unknown(values, POLICY_FIELDS)
    merged = {k: values[k] if k in values else (getattr(row, k) if row else None)
              for k in POLICY_FIELDS}  # fmt: skip
    name = merged["name"].strip() if isinstance(merged["name"], str) else ""
    if not name or len(name) > NAME_MAX:
        errors["name"] = _("Enter a name of at most %(n)d characters.", n=NAME_MAX)
    elif session.scalar(
        select(func.count()).select_from(SlaPolicy)
        .where(SlaPolicy.name == name, SlaPolicy.id != (row.id if row else -1))
    ):  # fmt: skip
        errors["name"] = _("Another SLA policy has this name.")
    merged["name"] = name
    merged["active"] = True if merged["active"] is None else merged["active"]
    if not isinstance(merged["active"], bool):
        errors["active"] = _("Must be true or false.")
    merged["sort_order"] = 0 if merged["sort_order"] is None else merged["sort_order"]
    if not _is_int(merged["sort_order"]):
        errors["sort_order"] = _("Must be a whole number.")
    category = merged["category_id"]
    if category is not None and (not _is_int(category) or session.get(Category, category) is None):
        errors["category_id"] = _("Choose an existing category (its id), or null for all.")
    merged["priority"] = merged["priority"] or None
    if merged["priority"] is not None and merged["priority"] not in PRIORITY_LABELS:
        errors["priority"] = _("One of: %(names)s.", names=", ".join(PRIORITY_LABELS))
    merged["targets"] = {} if merged["targets"] is None else merged["targets"]
    for metric, problem in validate_targets(merged["targets"]).items():
        errors["targets" if metric == "targets" else f"targets.{metric}"] = problem
    _fail(errors)
    return merged


def create_policy(session: Session, values: Mapping[str, Any]) -> SlaPolicy:
    row = SlaPolicy(**_check_policy(session, values, None))
    session.add(row)
    session.commit()
    _recompute()
    return row


def update_policy(session: Session, row: SlaPolicy, values: Mapping[str, Any]) -> SlaPolicy:
    for key, value in _check_policy(session, values, row).items():
        setattr(row, key, value)
    session.commit()
    _recompute()
    return row


def delete_policy(session: Session, row: SlaPolicy) -> None:
    """Open clocks are rebuilt without it (as the screen's delete does)."""
    session.delete(row)
    session.commit()
    _recompute()


# -- calendar days ----------------------------------------------------------------------


def day_as_dict(row: CalendarOverride) -> dict[str, Any]:
    return {
        "id": row.id, "day": row.day.isoformat(),
        "kind": "workday" if row.is_working_day else "holiday",
        "note": row.note, "official": row.official,
    }  # fmt: skip


def get_day(session: Session, pk: Any) -> CalendarOverride:
    row = session.get(CalendarOverride, pk) if _is_int(pk) else None
    if row is None:
        raise NotFound(_("No such calendar day."))
    return row


def _check_day(
    session: Session, values: Mapping[str, Any], row: CalendarOverride | None
) -> dict[str, Any]:
    errors = _unknown(values, DAY_FIELDS)
    out: dict[str, Any] = {}
    raw = values.get("day", row.day.isoformat() if row else None)
    try:
        out["day"] = dt.date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        out["day"] = None
    if out["day"] is None:
        errors["day"] = _("Enter a date like 2026-10-08.")
    elif session.scalar(
        select(func.count()).select_from(CalendarOverride)
        .where(CalendarOverride.day == out["day"], CalendarOverride.id != (row.id if row else -1))
    ):  # fmt: skip
        errors["day"] = _("This date already has an override.")
    default_kind = None if row is None else ("workday" if row.is_working_day else "holiday")
    kind = values.get("kind", default_kind)
    if kind not in DAY_KINDS:
        errors["kind"] = _("One of: %(names)s.", names=", ".join(DAY_KINDS))
    out["is_working_day"] = DAY_KINDS.get(kind)
    out["note"] = values.get("note", row.note if row else None) or None
    if out["note"] is not None and (
        not isinstance(out["note"], str) or len(out["note"]) > NOTE_MAX
    ):
        errors["note"] = _("Enter a text of at most %(max)s characters.", max=NOTE_MAX)
    out["official"] = values.get("official", row.official if row else False)
    if not isinstance(out["official"], bool):
        errors["official"] = _("Must be true or false.")
    _fail(errors)
    return out


def _recompute() -> int:
    """Exactly what the screens do after a policy or an override is saved or deleted."""
    from plugins.automation.sla.views import _recompute_open_clocks

    return _recompute_open_clocks()


def create_day(session: Session, values: Mapping[str, Any]) -> CalendarOverride:
    row = CalendarOverride(**_check_day(session, values, None))
    session.add(row)
    session.commit()
    _recompute()
    return row


def update_day(
    session: Session, row: CalendarOverride, values: Mapping[str, Any]
) -> CalendarOverride:
    for key, value in _check_day(session, values, row).items():
        setattr(row, key, value)
    session.commit()
    _recompute()
    return row


def delete_day(session: Session, row: CalendarOverride) -> None:
    session.delete(row)
    session.commit()
    _recompute()
