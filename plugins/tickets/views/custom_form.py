"""The custom fields part of the ticket forms: what to render, what the user sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import request
from flask_appbuilder.widgets import FormWidget

from plugins.tickets.context import session
from plugins.tickets.services import custom_fields
from plugins.tickets.services.custom_fields import PREFIX
from workflows import fields as ftypes


class TicketFormWidget(FormWidget):
    template = "tickets/widgets/ticket_form.html"


def _leaves(options, prefix=(), labels=()) -> list[tuple[str, str]]:
    out = []
    for opt in options:
        path, names = (*prefix, opt.value), (*labels, opt.label)
        if opt.children:
            out += _leaves(opt.children, path, names)
        elif opt.active:
            out.append(("/".join(path), " / ".join(names)))
    return out


def _as_form_value(spec: ftypes.FieldSpec, stored: Any) -> Any:
    if stored is None:
        return [] if spec.field_type.multiple else ""
    if isinstance(stored, dt.datetime):
        local = stored.replace(tzinfo=dt.UTC).astimezone(ftypes.LOCAL_TZ)
        return local.strftime("%Y-%m-%dT%H:%M")
    if spec.type == "decimal":
        return ftypes.option_label(spec, stored)
    return stored


def form_fields(category_id: int | None, values: dict[str, Any], from_request: bool) -> list[dict]:
    """Render data for the category's fields, filled from the request or the stored values."""
    out = []
    for row in custom_fields.fields_for_category(session(), category_id):
        spec = custom_fields.spec_of(row)
        multiple = spec.field_type.multiple
        if from_request:
            name = f"cf_{row.code}"
            value = request.form.getlist(name) if multiple else request.form.get(name, "")
        else:
            value = _as_form_value(spec, values.get(row.code))
        choices = None
        if spec.type == "cascade":
            choices = _leaves(spec.options)
        elif spec.field_type.has_options:
            current = values.get(row.code) or []
            current = current if isinstance(current, list) else [current]
            choices = [(o.value, o.label) for o in spec.options if o.active or o.value in current]
        out.append(
            {
                "code": row.code,
                "label": custom_fields.label_of(row),
                "help": row.help_text,
                "type": row.type,
                "required": row.required == "always",
                "multiple": multiple,
                "choices": choices,
                "value": value,
            }
        )
    return out


def submitted(category_id: int | None) -> dict[str, Any]:
    """The custom field values the user sent, as the service takes them."""
    out: dict[str, Any] = {}
    for row in custom_fields.fields_for_category(session(), category_id):
        name = f"cf_{row.code}"
        if row.type == "multiselect":
            out[row.code] = request.form.getlist(name)
        elif row.type == "checkbox":
            out[row.code] = request.form.get(name) == "y"
        else:
            out[row.code] = request.form.get(name, "")
    return out


def errors_by_code(fields: dict[str, object]) -> dict[str, str]:
    return {k[len(PREFIX) :]: str(v) for k, v in fields.items() if k.startswith(PREFIX)}
