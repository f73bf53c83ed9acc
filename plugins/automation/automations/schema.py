"""Validating an automation: the screens and the REST API both come here.

Conditions: workflows.automation_conditions (time fields + the saved-view language, field
names and values from the same registry as saved views). Actions: the trigger validator,
unchanged, so both kinds of rule take exactly the same actions.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from plugins.automation.automations.vocabulary import TEXTS
from plugins.automation.triggers.schema import validate as validate_trigger
from plugins.tickets.services.view_errors import translate
from plugins.tickets.services.view_fields import ViewField, registry, view_fields
from workflows import automation_conditions as ac
from workflows import view_conditions as vc

Errors = list[str]


def _text(err: vc.ViewError, fields: dict[str, ViewField]) -> str:
    if isinstance(err, ac.TimeError):
        template = TEXTS.get(err.key)
        return str(template) % err.params if template is not None else err.text
    return translate(err, fields)


def condition_errors(session: Session, data: Any, fields: dict | None = None) -> Errors:
    fields = fields if fields is not None else view_fields(session)
    _rule, found = ac.rule_errors(data, registry(fields))
    return [f"conditions{'.' + e.path if e.path else ''}: {_text(e, fields)}" for e in found]


def parse(session: Session, data: Any, fields: dict | None = None) -> ac.Rule:
    """The parsed rule; ValueError when invalid (a stored rule goes stale when a custom field
    it names is deleted)."""
    fields = fields if fields is not None else view_fields(session)
    rule, found = ac.rule_errors(data, registry(fields))
    if rule is None:
        raise ValueError("; ".join(f"{e.path}: {_text(e, fields)}" for e in found))
    return rule


def validate(session: Session, conditions: Any, actions: Any) -> Errors:
    """Every problem as 'path: message'; [] when the rule may be saved."""
    return condition_errors(session, conditions) + validate_trigger(session, {}, actions)
