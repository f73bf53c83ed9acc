"""The `changes` a canned reply carries: checked when it is saved, described for the preview.

The checks here are about the reply itself (does the action exist, are its parameters well
formed, do the fields exist and does each value fit its type). Whether a change may be made
to one ticket — its state, the actor's duties, the ticket's category — is decided when the
reply is applied, by the ticket services (the one door).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

import workflows
from plugins.tickets.enums import PRIORITY_LABELS, label
from plugins.tickets.models import Department, FieldDefinition, ProcessDefinition
from plugins.tickets.services import custom_fields
from plugins.tickets.services.labels import current_lang, text
from plugins.tickets.services.processes import current_for_key, process_of
from workflows import fields as ftypes
from workflows.params import coerce_params

KEYS = ("priority", "custom_fields", "action", "public")
PREFIX = "changes."


def known_actions(session: Session) -> dict[str, workflows.Action]:
    """Actions by name over the current version of every active process, the default
    process first (a reply may be meant for tickets of any process)."""
    keys = session.scalars(
        select(ProcessDefinition.key).where(ProcessDefinition.active.is_(True)).distinct()
    ).all()
    ordered = [workflows.DEFAULT_PROCESS, *sorted(set(keys) - {workflows.DEFAULT_PROCESS})]
    found: dict[str, workflows.Action] = {}
    for key in ordered:
        try:
            row = current_for_key(session, key)
        except LookupError:
            continue
        for name, action in process_of(session, row.id).actions.items():
            found.setdefault(name, action)
    return found


def _field_message(key: str, row: FieldDefinition) -> str:
    if key == "pattern" and row.pattern_message:
        return row.pattern_message
    found = ftypes.VALUE_ERRORS.get(key)
    return text(found) if found else key


def _clean_fields(session: Session, raw: Any, errors: dict[str, str]) -> dict[str, Any] | None:
    if raw in (None, {}):
        return None
    if not isinstance(raw, Mapping):
        errors[PREFIX + "custom_fields"] = _("Must be an object of field codes and values.")
        return None
    rows = {
        row.code: row
        for row in session.scalars(
            select(FieldDefinition).where(
                FieldDefinition.code.in_([str(c) for c in raw]),
                FieldDefinition.active.is_(True),
            )
        )
    }
    clean: dict[str, Any] = {}
    for code, value in raw.items():
        key = f"{PREFIX}custom_fields.{code}"
        row = rows.get(str(code))
        if row is None:
            errors[key] = _("No such custom field.")
            continue
        try:
            ftypes.coerce(custom_fields.spec_of(row), value)
        except ftypes.FieldValueError as err:
            errors[key] = _field_message(err.key, row)
            continue
        clean[str(code)] = value
    return clean or None


def _clean_action(session: Session, raw: Any, errors: dict[str, str]) -> dict[str, Any] | None:
    if raw in (None, {}, ""):
        return None
    if not isinstance(raw, Mapping) or set(raw) - {"name", "params"}:
        errors[PREFIX + "action"] = _('Must be an object: {"name": ..., "params": {...}}.')
        return None
    name, params = raw.get("name"), raw.get("params")
    params = {} if params is None else params
    if not name:
        return None
    action = known_actions(session).get(name) if isinstance(name, str) else None
    if action is None:
        errors[PREFIX + "action"] = _("No process has this action.")
        return None
    if not isinstance(params, Mapping):
        errors[PREFIX + "action.params"] = _("Must be an object of parameter names and values.")
        return None
    params = {k: v for k, v in params.items() if v not in (None, "")}
    try:
        coerced = coerce_params(action.params, params)
    except workflows.InvalidParams as err:
        for param, key in err.errors.items():
            found = workflows.PARAM_ERRORS.get(key)
            errors[f"{PREFIX}action.params.{param}"] = text(found) if found else key
        return None
    for param in action.params:
        value = coerced.get(param.name)
        if param.type == "department" and value is not None:
            dept = session.get(Department, value)
            if dept is None or not dept.active:
                errors[f"{PREFIX}action.params.{param.name}"] = _("Choose an active department.")
    return {"name": name, "params": dict(params)}


def clean_changes(session: Session, raw: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Normalised changes (empty parts dropped) and errors keyed "changes.<part>[.<name>]"."""
    errors: dict[str, str] = {}
    if raw in (None, ""):
        return {}, errors
    if not isinstance(raw, Mapping):
        return {}, {"changes": _("Must be an object.")}
    unknown = sorted(str(k) for k in set(raw) - set(KEYS))
    if unknown:
        errors["changes"] = _("Unknown changes: %(names)s.", names=", ".join(unknown))
    clean: dict[str, Any] = {}
    priority = raw.get("priority")
    if priority not in (None, ""):
        if not isinstance(priority, str) or priority not in PRIORITY_LABELS:
            errors[PREFIX + "priority"] = _("Not a valid choice.")
        else:
            clean["priority"] = priority
    fields = _clean_fields(session, raw.get("custom_fields"), errors)
    if fields:
        clean["custom_fields"] = fields
    action = _clean_action(session, raw.get("action"), errors)
    if action:
        clean["action"] = action
    public = raw.get("public", False)
    if not isinstance(public, bool):
        errors[PREFIX + "public"] = _("Must be true or false.")
    else:
        clean["public"] = public
    return clean, errors


def has_effect(changes: Mapping[str, Any]) -> bool:
    """Does applying these changes do anything to the ticket besides posting the body?"""
    return any(changes.get(k) for k in ("priority", "custom_fields", "action"))


def describe(session: Session, changes: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(what, how) lines in the user's language, for the preview and the reply's page."""
    changes = changes or {}
    lines: list[tuple[str, str]] = []
    if changes.get("priority"):
        lines.append((_("Priority"), label(PRIORITY_LABELS, changes["priority"])))
    fields = changes.get("custom_fields") or {}
    if fields:
        rows = {
            r.code: r
            for r in session.scalars(
                select(FieldDefinition).where(FieldDefinition.code.in_(list(fields)))
            )
        }
        for code, value in fields.items():
            row = rows.get(code)
            if row is None:
                lines.append((code, str(value)))
                continue
            spec = custom_fields.spec_of(row)
            try:
                shown = ftypes.option_label(spec, ftypes.coerce(spec, value), current_lang())
            except ftypes.FieldValueError:
                shown = str(value)
            lines.append((custom_fields.label_of(row), shown))
    action = changes.get("action")
    if action:
        found = known_actions(session).get(action["name"])
        how = text(found.label) if found else action["name"]
        params = action.get("params") or {}
        if params:
            shown = []
            for name, value in params.items():
                param = found.param(name) if found else None
                shown.append(f"{text(param.label) if param else name}：{value}")
            how += "（" + "；".join(shown) + "）"
        lines.append((_("Process action"), how))
    return lines
