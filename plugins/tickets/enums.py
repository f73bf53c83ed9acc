"""Closed vocabularies of the ticket: status, channel, priority, duty.

Values are stored as short English codes; labels are translated for display.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "pending_dispatch": _l("Pending dispatch"),
    "pending_accept": _l("Pending acceptance"),
    "in_progress": _l("In progress"),
    "extension_review": _l("Extension review"),
    "return_review": _l("Return review"),
    "pending_review": _l("Pending review"),
    "suspended": _l("Suspended"),
    "pending_followup": _l("Pending follow-up"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
    "merged": _l("Merged"),
    "void": _l("Void"),
    "archived": _l("Archived"),
}
#: States whose clock runs or pauses in the shipped processes: the work queues and "overdue".
OPEN_STATUSES = (
    "pending_dispatch",
    "pending_accept",
    "return_review",
    "in_progress",
    "extension_review",
    "suspended",
    "pending_review",
    "pending_followup",
)

CHANNEL_LABELS = {
    "phone": _l("Phone"),
    "web": _l("Web"),
    "email": _l("Email"),
    "portal": _l("Portal"),
    "wechat": _l("WeChat"),
    "api": _l("API"),
}

PRIORITY_LABELS = {
    "low": _l("Low"),
    "normal": _l("Normal"),
    "high": _l("High"),
    "urgent": _l("Urgent"),
}

DUTY_LABELS = {
    "handler": _l("Handler"),
    "supervisor": _l("Supervisor"),
}


def choices(labels: dict) -> list[tuple[str, object]]:
    """Return (value, label) pairs for a select field."""
    return list(labels.items())


def label(labels: dict, value: str | None) -> str:
    """Translated label of a stored code, the code itself when unknown."""
    if value is None:
        return ""
    return str(labels.get(value, value))


#: Labels of the ticket's own fields: screens, and the trajectory's record of edits.
TICKET_FIELD_LABELS = {
    "number": _l("Number"),
    "subject": _l("Subject"),
    "description": _l("Description"),
    "channel": _l("Channel"),
    "channel_label": _l("Channel"),
    "priority": _l("Priority"),
    "priority_label": _l("Priority"),
    "status": _l("Status"),
    "status_label": _l("Status"),
    "category": _l("Category"),
    "category_id": _l("Category"),
    "department": _l("Department"),
    "assignee": _l("Assignee"),
    "customer": _l("Customer"),
    "customer_id": _l("Customer"),
    "caller_number": _l("Caller number"),
    "created_by": _l("Registered by"),
    "created_at": _l("Created at"),
    "updated_at": _l("Updated at"),
    "accepted_at": _l("Accepted at"),
    "resolved_at": _l("Resolved at"),
    "closed_at": _l("Closed at"),
    "due_at": _l("Due at"),
    "callback_at": _l("Call back at"),
    "callback_by": _l("Call-back booked by"),
    "followup_attempts": _l("Unreached follow-up calls"),
    "version": _l("Version"),
    "merged_into": _l("Merged into"),
    "is_spam": _l("Spam"),
}
