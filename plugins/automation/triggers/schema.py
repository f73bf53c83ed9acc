"""Validating a trigger's conditions and actions, every problem with its path.

The ticket part is the saved-view condition language over the same field registry (custom
fields as custom.<code>), so a rule and a view mean the same thing by "priority is urgent".
The event part uses the same language over the event's facts (triggers.vocabulary).
Actions are checked against the registry; what only the ticket can tell (the state, the
category's custom fields) is checked when the rule runs, and a refusal is logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

import workflows
from plugins.automation.triggers import vocabulary as voc
from plugins.tickets.models import Department, FieldDefinition, ProcessDefinition
from plugins.tickets.services import placeholders
from plugins.tickets.services.labels import text
from plugins.tickets.services.processes import process_of
from plugins.tickets.services.view_errors import translate
from plugins.tickets.services.view_fields import registry, view_fields
from workflows import view_conditions as vc
from workflows.params import coerce_params

Errors = list[str]


def parse_conditions(
    session: Session, data: Any, fields: dict | None = None
) -> tuple[vc.View, vc.View]:
    """(event view, ticket view); ValueError with the errors when invalid (stored rules
    can go stale when a custom field is deleted)."""
    errors: Errors = []
    parsed = _conditions(session, data, errors, fields)
    if errors or parsed is None:
        raise ValueError("; ".join(errors))
    return parsed


def parse_event_conditions(data: Any) -> vc.View:
    """The event part alone (it needs no custom fields): the engine tests it first and
    parses the ticket part only for the rules whose event matched. ValueError if invalid."""
    raw = (data.get("event") if isinstance(data, Mapping) else None) or {
        "match": "all", "conditions": []
    }  # fmt: skip
    registry = voc.EventRegistry()
    found = vc.view_errors(raw, registry)
    if found:
        raise ValueError("; ".join(f"conditions.event: {translate(err, {})}" for err in found))
    return vc.parse_view(raw, registry)


def _conditions(
    session: Session, data: Any, errors: Errors, fields: dict | None = None
) -> tuple[vc.View, vc.View] | None:
    if data in (None, ""):
        data = {}
    if not isinstance(data, Mapping):
        errors.append(f"conditions: {_('Must be an object.')}")
        return None
    for key in data:
        if key not in ("event", "ticket"):
            errors.append(f"conditions.{key}: {_('Unknown key %(key)s.', key=key)}")
    fields = fields if fields is not None else view_fields(session)
    out = []
    for part, reg, labels in (
        ("event", voc.EventRegistry(), {}),
        ("ticket", registry(fields), fields),
    ):
        raw = data.get(part) or {"match": "all", "conditions": []}
        found = vc.view_errors(raw, reg)
        for err in found:
            where = f"conditions.{part}" + (f".{err.path}" if err.path else "")
            errors.append(f"{where}: {translate(err, labels)}")
        out.append(None if found else vc.parse_view(raw, reg))
    if out[0] is None or out[1] is None:
        return None
    return out[0], out[1]


def validate(session: Session, conditions: Any, actions: Any) -> Errors:
    """Every problem of a rule as 'path: message'; [] when it may be saved."""
    errors: Errors = []
    _conditions(session, conditions, errors)
    if not isinstance(actions, list) or not actions:
        errors.append(f"actions: {_('Add at least one action (a list).')}")
        return errors
    if len(actions) > voc.MAX_ACTIONS:
        errors.append(f"actions: {_('At most %(max)s entries.', max=voc.MAX_ACTIONS)}")
        return errors
    for i, action in enumerate(actions):
        _action(session, action, f"actions[{i}]", errors)
    return errors


def _action(session: Session, raw: Any, path: str, errors: Errors) -> None:
    if not isinstance(raw, Mapping):
        errors.append(f"{path}: {_('Must be an object.')}")
        return
    for key in raw:
        if key not in ("type", "params"):
            errors.append(f"{path}.{key}: {_('Unknown key %(key)s.', key=key)}")
    kind = raw.get("type")
    if kind not in voc.ACTION_PARAMS:
        errors.append(
            f"{path}.type: "
            + _("Unknown action; one of: %(names)s.", names=", ".join(voc.ACTION_PARAMS))
        )
        return
    params = raw.get("params") or {}
    if not isinstance(params, Mapping):
        errors.append(f"{path}.params: {_('Must be an object.')}")
        return
    where = f"{path}.params"
    spec = voc.ACTION_PARAMS[kind]
    for key in params:
        if key not in spec:
            errors.append(f"{where}.{key}: {_('Unknown key %(key)s.', key=key)}")
    for key, need in spec.items():
        if need == "required" and params.get(key) in (None, ""):
            errors.append(f"{where}.{key}: {_('This field is required.')}")
    if any(e.startswith(f"{where}.") for e in errors):
        return
    CHECKS[kind](session, params, where, errors)


def _choice(value: Any, choices: tuple[str, ...], where: str, errors: Errors) -> None:
    if value not in choices:
        errors.append(f"{where}: " + _("One of: %(names)s.", names=", ".join(choices)))


def _department(session: Session, value: Any, where: str, errors: Errors) -> None:
    ok = isinstance(value, int) and not isinstance(value, bool)
    dept = session.get(Department, value) if ok else None
    if dept is None or not dept.active:
        errors.append(f"{where}: {_('Choose an active department (its id).')}")


def _template(value: Any, where: str, errors: Errors, session: Session) -> None:
    if not isinstance(value, str) or not value.strip() or len(value) > 5000:
        errors.append(f"{where}: {_('Enter a text of at most %(max)s characters.', max=5000)}")
        return
    unknown = placeholders.unknown_names(value, placeholders.field_codes(session))
    if unknown:
        names = ", ".join("{" + n + "}" for n in unknown)
        errors.append(f"{where}: {_('Unknown placeholders: %(names)s.', names=names)}")


def process_actions(session: Session) -> dict[str, workflows.Action]:
    """Every action of the active process definitions by name (the first one wins)."""
    out: dict[str, workflows.Action] = {}
    ids = session.scalars(select(ProcessDefinition.id).where(ProcessDefinition.active.is_(True)))
    for pid in ids:
        for name, action in process_of(session, pid).actions.items():
            out.setdefault(name, action)
    return out


def _check_process(session: Session, params: Mapping, where: str, errors: Errors) -> None:
    known = process_actions(session)
    action = known.get(params["action"])
    if action is None:
        errors.append(f"{where}.action: " + _("No process has this action."))
        return
    raw = params.get("params") or {}
    if not isinstance(raw, Mapping):
        errors.append(f"{where}.params: {_('Must be an object.')}")
        return
    try:
        clean = coerce_params(action.params, raw)
    except workflows.InvalidParams as err:
        for name, key in err.errors.items():
            label = workflows.PARAM_ERRORS.get(key)
            errors.append(f"{where}.params.{name}: {text(label) if label else key}")
        return
    if clean.get("department_id") is not None:
        _department(session, clean["department_id"], f"{where}.params.department_id", errors)


def _check_priority(session: Session, params: Mapping, where: str, errors: Errors) -> None:
    _choice(params["priority"], voc.PRIORITIES, f"{where}.priority", errors)


def _check_field(session: Session, params: Mapping, where: str, errors: Errors) -> None:
    name = params["field"]
    code = name[len(vc.CUSTOM_PREFIX) :] if isinstance(name, str) else ""
    found = session.scalar(select(FieldDefinition.id).where(FieldDefinition.code == code))
    if not name.startswith(vc.CUSTOM_PREFIX) or found is None:
        errors.append(f"{where}.field: {_('Name a custom field as custom.<code>.')}")


def _check_assign_department(session: Session, params: Mapping, where: str, errors: Errors):
    _department(session, params["department_id"], f"{where}.department_id", errors)
    if params.get("reason") is not None and not isinstance(params["reason"], str):
        errors.append(f"{where}.reason: {_('Must be text.')}")


def _check_assign_person(session: Session, params: Mapping, where: str, errors: Errors):
    if params.get("department_id") is not None:
        _department(session, params["department_id"], f"{where}.department_id", errors)
    _choice(params.get("strategy", "round_robin"), voc.STRATEGIES, f"{where}.strategy", errors)


def _check_note(session: Session, params: Mapping, where: str, errors: Errors) -> None:
    _template(params["body"], f"{where}.body", errors, session)


def _endpoint(session: Session, value: Any, kind: str, where: str, errors: Errors) -> None:
    from plugins.automation.notify.models import RobotEndpoint

    ok = isinstance(value, int) and not isinstance(value, bool)
    row = session.get(RobotEndpoint, value) if ok else None
    if row is None or not row.active or row.kind != kind:
        errors.append(f"{where}: " + _("Choose an active %(kind)s endpoint (its id).", kind=kind))


def _check_notify(session: Session, params: Mapping, where: str, errors: Errors) -> None:
    channel, to = params["channel"], params["to"]
    _choice(channel, voc.CHANNELS, f"{where}.channel", errors)
    _choice(to, voc.RECIPIENTS, f"{where}.to", errors)
    if channel in voc.ROBOTS or to == "robot":
        if channel not in voc.ROBOTS or to != "robot":
            errors.append(f"{where}.to: {_('A robot channel sends to a robot (to: robot).')}")
        else:
            _endpoint(session, params.get("robot_id"), channel, f"{where}.robot_id", errors)
    if params.get("subject") is not None:
        _template(params["subject"], f"{where}.subject", errors, session)
    _template(params["template"], f"{where}.template", errors, session)


def _check_webhook(session: Session, params: Mapping, where: str, errors: Errors) -> None:
    _endpoint(session, params["endpoint_id"], "webhook", f"{where}.endpoint_id", errors)
    if params.get("template") is not None:
        _template(params["template"], f"{where}.template", errors, session)


CHECKS = {
    "process": _check_process,
    "set_priority": _check_priority,
    "set_field": _check_field,
    "assign_department": _check_assign_department,
    "assign_person": _check_assign_person,
    "add_note": _check_note,
    "notify": _check_notify,
    "webhook": _check_webhook,
}
