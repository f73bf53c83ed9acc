"""Labels carried by process definitions (zh/en), shown in the user's language."""

from __future__ import annotations

from flask import has_request_context
from flask_babel import get_locale

import workflows


def current_lang() -> str:
    if not has_request_context():
        return "zh"
    locale = get_locale()
    return str(locale) if locale else "zh"


def text(label: workflows.Label | None) -> str:
    return label.get(current_lang()) if label else ""


def status_label(process: workflows.Process, status: str | None) -> str:
    state = process.states.get(status or "")
    return text(state.label) if state else (status or "")


def action_label(process: workflows.Process, action: str) -> str:
    found = process.actions.get(action)
    return text(found.label) if found else action
