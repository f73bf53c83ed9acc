"""Describing the actions a user may take: for buttons, forms and GET .../actions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import workflows
from plugins.tickets.models import Department
from plugins.tickets.services.labels import text


def describe(session: Session, actions: list[workflows.Action]) -> list[dict[str, Any]]:
    """Actions with their parameters, labels in the user's language, choices filled in."""
    departments = None
    out = []
    for action in actions:
        params = []
        for p in action.params:
            choices = [{"value": v, "label": text(lbl)} for v, lbl in p.choices]
            if p.type == "department":
                if departments is None:
                    departments = session.scalars(
                        select(Department)
                        .where(Department.active.is_(True))
                        .order_by(Department.code)
                    ).all()
                choices = [{"value": d.id, "label": d.name} for d in departments]
            params.append(
                {
                    "name": p.name,
                    "type": p.type,
                    "label": text(p.label),
                    "required": p.required,
                    "choices": choices,
                    "max_length": p.max_length,
                }
            )
        out.append(
            {
                "name": action.name,
                "label": text(action.label),
                "confirm": text(action.confirm) if action.confirm else None,
                "params": params,
            }
        )
    return out
