"""What a trigger may test about the event and which actions it may take (the registry).

Kept apart from the validator and the engine so screens and the OpenAPI docs can list the
vocabulary without importing either.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from flask_babel import lazy_gettext as _l

from plugins.tickets.enums import CHANNEL_LABELS, PRIORITY_LABELS, STATUS_LABELS
from workflows import view_conditions as vc

#: Outbox kinds → the event kind a condition names.
EVENT_KINDS: dict[str, str] = {
    "ticket.created": "created",
    "ticket.action": "action",
    "ticket.comment": "comment",
    "ticket.updated": "updated",
}
KIND_LABELS: dict[str, object] = {
    "created": _l("Ticket created"),
    "action": _l("Process action taken"),
    "comment": _l("Comment added"),
    "updated": _l("Fields changed"),
}
#: Chains of rules stop here: an event caused by a trigger at this depth runs no trigger.
MAX_DEPTH = 3
MAX_ACTIONS = 20
PARAM_PREFIX, OLD_PREFIX, NEW_PREFIX = "param.", "old.", "new."

EVENT_FIELDS: dict[str, vc.FieldSpec] = {
    "kind": vc.FieldSpec("choice", frozenset(KIND_LABELS)),
    "action": vc.FieldSpec("text"),  # the process action's name (follow_up, dispatch, ...)
    "changed": vc.FieldSpec("multi"),  # names of the fields an edit changed
    "from_status": vc.FieldSpec("choice", frozenset(STATUS_LABELS)),
    "to_status": vc.FieldSpec("choice", frozenset(STATUS_LABELS)),
    "channel": vc.FieldSpec("choice", frozenset(CHANNEL_LABELS)),
    "actor_role": vc.FieldSpec("multi"),
    "business_hours": vc.FieldSpec("bool"),
    "public": vc.FieldSpec("bool"),  # a comment is a public reply
}
EVENT_LABELS: dict[str, object] = {
    "kind": _l("Event"),
    "action": _l("Action taken"),
    "changed": _l("Field changed"),
    "from_status": _l("Status before"),
    "to_status": _l("Status after"),
    "channel": _l("Channel"),
    "actor_role": _l("Actor's role"),
    "business_hours": _l("Within business hours"),
    "public": _l("Public reply"),
    "param.<name>": _l("Action parameter, e.g. param.satisfaction"),
    "old.<field>": _l("Changed from (edits), e.g. old.priority"),
    "new.<field>": _l("Changed to (edits), e.g. new.priority"),
}


class EventRegistry(Mapping[str, vc.FieldSpec]):
    """The event fields, plus open families: param.<name>, old.<field>, new.<field> (text)."""

    def __getitem__(self, name: str) -> vc.FieldSpec:
        if name in EVENT_FIELDS:
            return EVENT_FIELDS[name]
        for prefix in (PARAM_PREFIX, OLD_PREFIX, NEW_PREFIX):
            if name.startswith(prefix) and len(name) > len(prefix):
                return vc.FieldSpec("text")
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(EVENT_FIELDS)

    def __len__(self) -> int:
        return len(EVENT_FIELDS)


#: Action types and what each takes.
ACTION_LABELS: dict[str, object] = {
    "process": _l("Take a process action"),
    "set_priority": _l("Set priority"),
    "set_field": _l("Set a custom field"),
    "assign_department": _l("Assign to a department"),
    "assign_person": _l("Assign to a person"),
    "add_note": _l("Add an internal note"),
    "notify": _l("Notify"),
    "webhook": _l("Call a webhook"),
}
ACTION_PARAMS: dict[str, dict[str, str]] = {
    "process": {"action": "required", "params": "optional"},
    "set_priority": {"priority": "required"},
    "set_field": {"field": "required", "value": "required"},
    "assign_department": {"department_id": "required", "reason": "optional"},
    "assign_person": {"department_id": "optional", "strategy": "optional"},
    "add_note": {"body": "required"},
    "notify": {
        "channel": "required",
        "to": "required",
        "robot_id": "optional",
        "subject": "optional",
        "template": "required",
    },
    "webhook": {"endpoint_id": "required", "template": "optional"},
}
STRATEGIES = ("round_robin", "least_loaded")
CHANNELS = ("email", "in_app", "wecom", "dingtalk", "feishu")
ROBOTS = ("wecom", "dingtalk", "feishu")
RECIPIENTS = ("assignee", "department", "supervisors", "creator", "robot")
PRIORITIES = tuple(PRIORITY_LABELS)

EXAMPLE = {
    "conditions": {
        "event": {
            "match": "all",
            "conditions": [{"field": "kind", "op": "eq", "value": "created"}],
        },
        "ticket": {
            "match": "all",
            "conditions": [{"field": "priority", "op": "eq", "value": "urgent"}],
        },
    },
    "actions": [
        {"type": "process", "params": {"action": "dispatch", "params": {"department_id": 2}}},
        {"type": "add_note", "params": {"body": "紧急工单 {ticket.number} 已自动派单"}},
    ],
}
