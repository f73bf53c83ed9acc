"""What an automation may test about time, in the user's language (screens, docs, errors).

The actions are the trigger registry's (triggers/vocabulary.py): same names, same params.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from plugins.tickets.services.view_fields import OPERATOR_LABELS
from workflows import automation_conditions as ac

TIME_LABELS: dict[str, object] = {
    "hours_since_created": _l("Hours since created"),
    "hours_since_updated": _l("Hours since last update"),
    "hours_since_status_change": _l("Hours since entering the current status"),
    "hours_until_due": _l("Hours until due (not yet due)"),
    "hours_since_due": _l("Hours since due (overdue)"),
}
TIME_OP_LABELS: dict[str, object] = {
    **{op: OPERATOR_LABELS[op] for op in ("gt", "gte", "lt", "lte")},
    "between": _l("between (both ends included)"),
}
#: Error keys of workflows.automation_conditions.
TEXTS: dict[str, object] = {
    "bad_time_op": _l(
        "'%(op)s' is not an operator of time conditions (gt, gte, lt, lte, between)."
    ),
    "not_hours": _l("Enter a number of hours from 0 to %(max)s."),
    "not_a_range": _l("Enter two numbers of hours [from, to], from ≤ to ≤ %(max)s."),
    "not_a_bool": _l("Must be true or false."),
    "need_time": _l("Add at least one time condition (hours since … / until …)."),
    "viewer_word": _l("'%(value)s' needs a viewer; automations run as the system user."),
}
#: Tickets in these states are never swept (like Zendesk's closed tickets).
FINAL_STATUSES = ("closed", "merged", "void")
#: Tickets one automation may fire on in one sweep; the rest wait for the next.
BATCH = 500
DRY_RUN_ROWS = 20
MAX_HOURS = ac.MAX_HOURS

EXAMPLE = {
    "conditions": {
        "match": "all",
        "conditions": [
            {"field": "status", "op": "eq", "value": "pending_accept"},
            {"field": "hours_since_created", "op": "gte", "value": 24},
        ],
    },
    "actions": [
        {"type": "add_note", "params": {"body": "工单 {ticket.number} 超过 24 小时未签收"}},
        {
            "type": "notify",
            "params": {
                "channel": "in_app",
                "to": "supervisors",
                "template": "{ticket.number} 超时未签收",
            },
        },
    ],
}
