"""The columns of a view's ticket list: labels, display cells, and JSON values for the API.

Custom field values are loaded for the shown page only, in one query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.formatting import fmt_dt, yes_no
from plugins.tickets.models import FieldValue, Ticket
from plugins.tickets.services.view_fields import ViewField

DEFAULT_COLUMNS = (
    "number",
    "subject",
    "status",
    "priority",
    "department_id",
    "assignee_id",
    "created_at",
    "due_at",
)
#: Standard id columns are shown by the related row's name.
RELATED = {
    "category_id": "category",
    "department_id": "department",
    "assignee_id": "assignee",
    "customer_id": "customer",
    "created_by_id": "created_by",
}


def columns_of(names: Sequence[str] | None, fields: dict[str, ViewField]) -> list[ViewField]:
    """The view's columns that still exist (a deleted custom field just drops out)."""
    return [fields[n] for n in (names or DEFAULT_COLUMNS) if n in fields]


def custom_values(
    session: Session, tickets: Sequence[Ticket], columns: Sequence[ViewField]
) -> dict[tuple[int, str], list[Any]]:
    """(ticket id, field name) → stored values, for one page of tickets."""
    custom = {c.field_id: c for c in columns if c.custom}
    if not custom or not tickets:
        return {}
    rows = session.scalars(
        select(FieldValue)
        .where(
            FieldValue.ticket_id.in_([t.id for t in tickets]),
            FieldValue.field_id.in_(sorted(custom)),
        )
        .order_by(FieldValue.id)
    )
    found: dict[tuple[int, str], list[Any]] = {}
    for row in rows:
        field = custom[row.field_id]
        value = getattr(row, field.column or "value_text")
        if value is not None:
            found.setdefault((row.ticket_id, field.name), []).append(value)
    return found


def _user(user: Any) -> str:
    if user is None:
        return ""
    return f"{user.first_name or ''} {user.last_name or ''}".strip() or user.username


def _standard_cell(ticket: Ticket, field: ViewField) -> str:
    if field.name in RELATED:
        related = getattr(ticket, RELATED[field.name])
        if field.name in ("assignee_id", "created_by_id"):
            return _user(related)
        return "" if related is None else str(getattr(related, "name", related))
    if field.name in ("status", "priority", "channel"):
        return getattr(ticket, f"{field.name}_label")
    value = getattr(ticket, field.name)
    if isinstance(value, dt.datetime):
        return fmt_dt(value)
    return "" if value is None else str(value)


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _custom_cell(field: ViewField, values: list[Any]) -> str:
    shown = []
    for value in values:
        if isinstance(value, bool):
            shown.append(yes_no(value))
        elif isinstance(value, Decimal):
            shown.append(_number(value))
        elif isinstance(value, dt.datetime):
            shown.append(fmt_dt(value))
        elif isinstance(value, dt.date):
            shown.append(value.isoformat())
        else:
            shown.append(field.options.get(value, str(value)))
    return "、".join(shown)


def cells(
    session: Session, tickets: Sequence[Ticket], columns: Sequence[ViewField]
) -> list[list[str]]:
    """Display text per ticket and column, in the user's language and timezone."""
    values = custom_values(session, tickets, columns)
    return [
        [
            _custom_cell(c, values.get((t.id, c.name), [])) if c.custom else _standard_cell(t, c)
            for c in columns
        ]
        for t in tickets
    ]


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def json_rows(
    session: Session, tickets: Sequence[Ticket], columns: Sequence[ViewField]
) -> list[dict[str, Any]]:
    """API rows: the ticket's main fields plus `custom_fields` {code: value} of the view's
    custom columns (a multi-select as a list)."""
    values = custom_values(session, tickets, columns)
    out = []
    for t in tickets:
        custom: dict[str, Any] = {}
        for c in columns:
            if c.custom:
                found = [_json(v) for v in values.get((t.id, c.name), [])]
                code = c.name.removeprefix("custom.")
                custom[code] = found if c.spec.type == "multi" else (found[0] if found else None)
        out.append(
            {
                "id": t.id,
                "number": t.number,
                "subject": t.subject,
                "status": t.status,
                "priority": t.priority,
                "channel": t.channel,
                "category_id": t.category_id,
                "department_id": t.department_id,
                "assignee_id": t.assignee_id,
                "customer_id": t.customer_id,
                "created_by_id": t.created_by_id,
                "caller_number": t.caller_number,
                "created_at": _json(t.created_at),
                "updated_at": _json(t.updated_at),
                "due_at": _json(t.due_at),
                "supervise_level": t.supervise_level,
                "urge_count": t.urge_count,
                "version": t.version,
                "custom_fields": custom,
            }
        )
    return out
