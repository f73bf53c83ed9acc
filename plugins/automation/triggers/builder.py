"""The condition row builder's vocabulary: fields, operators and labels as plain JSON.

The builder (static/condition_builder.js, macro automation/condition_builder.html) knows no
field by itself: the server says which blocks a rule has ("event", "ticket"), which fields
each offers with their type, operators and value choices, all labels already translated.
It writes the same JSON the server validates (triggers.schema), so the screen stays thin
and another screen (time-based automations) can pass its own vocabulary.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, Flask
from flask_appbuilder.security.sqla.models import Role
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.automation.triggers import vocabulary as voc
from plugins.automation.triggers.schema import process_actions
from plugins.tickets.enums import CHANNEL_LABELS, STATUS_LABELS
from plugins.tickets.services.labels import text
from plugins.tickets.services.view_fields import (
    OPERATOR_LABELS,
    describe_builder,
    id_options,
    view_fields,
)
from workflows import view_conditions as vc
from workflows.view_vocabulary import LIST_OPS, NO_VALUE, SPECIAL_VALUES

STATIC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "static")
#: Event fields and where their choices come from (None: free text or yes/no).
_EVENT_CHOICES: dict[str, Any] = {
    "kind": voc.KIND_LABELS,
    "from_status": STATUS_LABELS,
    "to_status": STATUS_LABELS,
    "channel": CHANNEL_LABELS,
}
#: The open families of event fields: a name typed after the prefix (param.satisfaction).
FAMILIES = {
    voc.PARAM_PREFIX: "param.<name>",
    voc.OLD_PREFIX: "old.<field>",
    voc.NEW_PREFIX: "new.<field>",
}


def register_static(app: Flask) -> None:
    """/automation/static/condition_builder.js (a plain Blueprint: addons have no static)."""
    if "automation_static" not in app.blueprints:
        app.register_blueprint(
            Blueprint(
                "automation_static", __name__, static_folder=STATIC,
                static_url_path="/automation/static",
            )
        )  # fmt: skip


def _options(pairs: Any) -> list[dict[str, str]]:
    return [{"value": str(k), "label": str(v)} for k, v in pairs]


def _field(name: str, label: object, kind: str, options=(), open_: bool = False) -> dict:
    return {
        "name": name, "label": str(label), "type": kind,
        "ops": list(vc.TYPE_OPERATORS[kind]), "options": _options(options), "open": open_,
    }  # fmt: skip


def event_fields(session: Session, ticket_fields: list[dict]) -> list[dict[str, Any]]:
    """The event block: fixed fields with their choices, then the open families."""
    actions = sorted((name, f"{text(a.label)} ({name})")
                     for name, a in process_actions(session).items())  # fmt: skip
    changed = [(f["name"], f["label"]) for f in ticket_fields]
    roles = [(r, r) for r in session.scalars(select(Role.name).order_by(Role.name))]
    suggestions = {"action": actions, "changed": changed, "actor_role": roles}
    out = []
    for name, spec in voc.EVENT_FIELDS.items():
        label = voc.EVENT_LABELS[name]
        if name in _EVENT_CHOICES:
            out.append(_field(name, label, spec.type, _EVENT_CHOICES[name].items()))
        else:
            out.append(_field(name, label, spec.type, suggestions.get(name, ()), open_=True))
    for prefix, key in FAMILIES.items():
        family = _field(prefix, voc.EVENT_LABELS[key], "text", open_=True)
        family["family"] = True
        out.append(family)
    return out


def ticket_fields(session: Session) -> list[dict[str, Any]]:
    """The saved-view fields with their choices, less "me" / "my_departments": a rule runs
    as the system user, for whom they mean nothing."""
    fields = describe_builder(view_fields(session).values(), id_options(session))
    specials = set(SPECIAL_VALUES.values())
    for field in fields:
        field["options"] = [o for o in field["options"] if o["value"] not in specials]
        field["open"] = False
    return fields


def vocabulary(session: Session) -> dict[str, Any]:
    """Everything the trigger screen's builder needs, translated for this request."""
    tickets = ticket_fields(session)
    return {
        "blocks": [
            {
                "key": "event",
                "label": _("When the event matches"),
                "fields": event_fields(session, tickets),
            },
            {"key": "ticket", "label": _("and the ticket matches"), "fields": tickets},
        ],  # fmt: skip
        **common_labels(),
    }


def common_labels() -> dict[str, Any]:
    """Operators and the builder's own words (shared by every screen that uses it)."""
    return {
        "operators": {k: str(v) for k, v in OPERATOR_LABELS.items()},
        "no_value": sorted(NO_VALUE),
        "list_ops": sorted(LIST_OPS),
        "labels": {
            "all": _("all of these conditions"),
            "any": _("any of these conditions"),
            "add": _("Add condition"),
            "remove": _("Remove"),
            "yes": _("yes"),
            "no": _("no"),
            "name": _("name"),
            "none": _("No conditions: always true."),
            "list_hint": _("Several values: separate with commas."),
            "unshowable": _(
                "The builder cannot show these conditions; edit them as JSON under Advanced."
            ),
            "bad_json": _("The JSON is not valid; the builder shows it again once it is."),
        },
    }
