"""The condition row builder's vocabulary for automations: one block ({match, conditions})
whose fields are the time fields (calendar and working hours) and then the saved-view
fields, with the trigger screen's labels (triggers/builder.py)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from plugins.automation.automations.vocabulary import TIME_LABELS
from plugins.automation.triggers.builder import common_labels, ticket_fields
from workflows import automation_conditions as ac

#: The builder's rows offer these; `between` stays in the JSON (the rows show one value).
ROW_OPS = ["gt", "gte", "lt", "lte"]


def time_fields() -> list[dict[str, Any]]:
    out = []
    for name, label in TIME_LABELS.items():
        for field, text in (
            (name, str(label)),
            (ac.BUSINESS_PREFIX + name, _("%(field)s (working hours)", field=label)),
        ):
            out.append({"name": field, "label": text, "type": "number", "ops": ROW_OPS,
                        "options": [], "open": False})  # fmt: skip
    return out


def vocabulary(session: Session) -> dict[str, Any]:
    """Everything the automation form's builder needs, translated for this request."""
    fields = time_fields() + ticket_fields(session)
    return {
        "blocks": [{"key": None, "label": _("Tickets that match"), "fields": fields}],
        **common_labels(),
    }
