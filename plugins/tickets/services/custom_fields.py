"""Custom field values of tickets: which fields a category asks for, validation, storage.

Values are validated by workflows.fields and stored one row per value in the typed,
indexed column of the field's type (see models/custom_field.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, selectinload

from plugins.tickets.models import Category, FieldDefinition, FieldValue, Ticket
from plugins.tickets.models.custom_field import field_category
from plugins.tickets.services.labels import current_lang, text
from workflows import fields as ftypes

PREFIX = "custom_fields."


def spec_of(row: FieldDefinition) -> ftypes.FieldSpec:
    options, _errors = ftypes.parse_options(row.options)
    return ftypes.FieldSpec(
        code=row.code,
        type=row.type,
        required=row.required,
        options=options,
        pattern=row.pattern,
        default=row.default,
    )


def label_of(row: FieldDefinition) -> str:
    return row.label_en if current_lang().startswith("en") and row.label_en else row.label_zh


def _ancestors(session: Session, category_id: int | None) -> list[int]:
    ids: list[int] = []
    node = session.get(Category, category_id) if category_id else None
    while node is not None and node.id not in ids:
        ids.append(node.id)
        node = node.parent
    return ids


def fields_for_category(session: Session, category_id: int | None) -> list[FieldDefinition]:
    """Active fields of a category: its own, its ancestors', and fields for every category
    (a field linked to no category applies everywhere)."""
    ids = _ancestors(session, category_id)
    linked = select(field_category.c.field_id).where(field_category.c.category_id.in_(ids))
    unlinked = ~FieldDefinition.id.in_(select(field_category.c.field_id))
    return list(
        session.scalars(
            select(FieldDefinition)
            .where(FieldDefinition.active.is_(True), or_(FieldDefinition.id.in_(linked), unlinked))
            .order_by(FieldDefinition.sort_order, FieldDefinition.id)
        )
    )


def values_of(session: Session, ticket: Ticket) -> dict[str, Any]:
    """{code: stored value} (a list for multi-selects) of every field the ticket has."""
    rows = session.execute(
        select(FieldDefinition, FieldValue)
        .join(FieldValue, FieldValue.field_id == FieldDefinition.id)
        .where(FieldValue.ticket_id == ticket.id)
        .order_by(FieldValue.id)
    ).all()
    out: dict[str, Any] = {}
    for definition, value in rows:
        stored = getattr(value, ftypes.FIELD_TYPES[definition.type].column)
        if ftypes.FIELD_TYPES[definition.type].multiple:
            out.setdefault(definition.code, []).append(stored)
        else:
            out[definition.code] = stored
    return out


def jsonable(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def display(session: Session, ticket: Ticket) -> list[tuple[str, str]]:
    """(label, text) of the ticket's fields for its category, in order, for the page."""
    values = values_of(session, ticket)
    out = []
    for row in fields_for_category(session, ticket.category_id):
        out.append(
            (label_of(row), ftypes.option_label(spec_of(row), values.get(row.code), current_lang()))
        )
    return out


def _message(key: str, row: FieldDefinition) -> str:
    if key == "pattern" and row.pattern_message:
        return row.pattern_message
    label = ftypes.VALUE_ERRORS.get(key)
    return text(label) if label else key


def clean_values(
    session: Session,
    category_id: int | None,
    raw: Any,
    *,
    current: Mapping[str, Any] | None = None,
    creating: bool,
    resolving: bool = False,
) -> tuple[dict[int, tuple[FieldDefinition, Any]], dict[str, str]]:
    """Validate raw values for a category's fields.

    Returns ({field_id: (definition, stored value)} for the fields given, {error key:
    message}); error keys are "custom_fields.<code>". Unknown codes are errors; required
    fields must have a value after the change (on_resolve ones only when resolving).
    """
    current = current or {}
    errors: dict[str, str] = {}
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        return {}, {"custom_fields": _("Must be an object of field codes and values.")}
    definitions = {row.code: row for row in fields_for_category(session, category_id)}
    for code in raw:
        if code not in definitions:
            errors[PREFIX + str(code)] = _("This field does not belong to the category.")
    clean: dict[int, tuple[FieldDefinition, Any]] = {}
    for code, row in definitions.items():
        spec = spec_of(row)
        had = current.get(code)
        had_values = had if isinstance(had, list) else ([] if had is None else [had])
        if code in raw:
            try:
                value = ftypes.coerce(spec, raw[code], [str(v) for v in had_values])
            except ftypes.FieldValueError as err:
                errors[PREFIX + code] = _message(err.key, row)
                continue
            clean[row.id] = (row, value)
        elif creating and row.default not in (None, ""):
            try:
                clean[row.id] = (row, ftypes.coerce(spec, row.default))
            except ftypes.FieldValueError:
                # A default that an option retirement made invalid is simply not applied;
                # the required check below still asks the user for a value.
                pass
        after = clean[row.id][1] if row.id in clean else had
        needed = row.required == "always" or (row.required == "on_resolve" and resolving)
        if needed and after in (None, [], "") and PREFIX + code not in errors:
            errors[PREFIX + code] = _message("required", row)
    return clean, errors


def write(
    session: Session,
    ticket: Ticket,
    clean: dict[int, tuple[FieldDefinition, Any]],
    current: Mapping[str, Any],
) -> dict[str, list[Any]]:
    """Store the cleaned values (replacing the field's rows); return trajectory changes."""
    changes: dict[str, list[Any]] = {}
    for field_id, (row, value) in clean.items():
        old = current.get(row.code)
        if old == value or (old in (None, []) and value in (None, [])):
            continue
        spec = spec_of(row)
        column = spec.field_type.column
        session.execute(
            delete(FieldValue).where(
                FieldValue.ticket_id == ticket.id, FieldValue.field_id == field_id
            )
        )
        for item in value if isinstance(value, list) else ([] if value is None else [value]):
            session.add(FieldValue(ticket_id=ticket.id, field_id=field_id, **{column: item}))
        lang = current_lang()
        changes[f"custom.{row.code}"] = [
            ftypes.option_label(spec, old, lang),
            ftypes.option_label(spec, value, lang),
        ]
    return changes


def missing_on_resolve(session: Session, ticket: Ticket) -> dict[str, str]:
    """Errors for fields required when resolving that the ticket has no value for."""
    _clean, errors = clean_values(
        session,
        ticket.category_id,
        {},
        current=values_of(session, ticket),
        creating=False,
        resolving=True,
    )
    return errors


def definitions_with_categories(session: Session) -> list[FieldDefinition]:
    return list(
        session.scalars(
            select(FieldDefinition)
            .options(selectinload(FieldDefinition.categories))
            .order_by(FieldDefinition.sort_order, FieldDefinition.id)
        )
    )
