"""Saving custom field definitions: one validation for the screen and the API."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugins.tickets.models import Category, FieldDefinition
from plugins.tickets.services.errors import ValidationFailed
from workflows import fields as ftypes

SETTABLE = (
    "code", "label_zh", "label_en", "help_text", "type", "required", "default", "options",
    "pattern", "pattern_message", "active", "sort_order", "customer_visible", "category_ids",
)  # fmt: skip


def parse_json_text(text: Any) -> Any:
    """Options typed in a textarea as JSON; empty means none."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if not isinstance(text, str):
        return text
    return json.loads(text)


def save_definition(
    session: Session,
    actor: object,
    row: FieldDefinition | None,
    values: Mapping[str, Any],
    *,
    dry_run: bool = False,
) -> FieldDefinition | None:
    """Create (row None) or update a definition; every mistake reported at once, by field.

    The type of a field in use cannot change (its stored values would no longer fit).
    """
    errors: dict[str, str] = {}
    for key in values:
        if key not in SETTABLE:
            errors[key] = _("This field cannot be set here.")
    merged = {k: getattr(row, k) for k in SETTABLE if row is not None and hasattr(row, k)}
    merged.update({k: v for k, v in values.items() if k in SETTABLE})
    if isinstance(merged.get("options"), str):
        try:
            merged["options"] = parse_json_text(merged["options"])
        except ValueError as exc:
            errors["options"] = _("Not valid JSON: %(error)s", error=str(exc))
    if not (merged.get("label_zh") or "").strip():
        errors["label_zh"] = _("A Chinese label is required.")
    if row is not None and merged.get("type") != row.type:
        errors["type"] = _("The type of an existing field cannot change.")
    for problem in ftypes.validate_definition(
        merged.get("code"),
        merged.get("type"),
        merged.get("options"),
        merged.get("pattern"),
        merged.get("required", "never"),
    ):
        key, _sep, message = problem.partition(": ")
        errors.setdefault(key.split(".")[0].split("[")[0], problem)
    code = merged.get("code")
    clash = session.scalar(
        select(func.count())
        .select_from(FieldDefinition)
        .where(FieldDefinition.code == code, FieldDefinition.id != (row.id if row else -1))
    )
    if clash:
        errors["code"] = _("Another field already uses this code.")
    categories: list[Category] = []
    ids = merged.get("category_ids")
    if ids is not None:
        if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
            errors["category_ids"] = _("Must be a list of category ids.")
        else:
            categories = list(session.scalars(select(Category).where(Category.id.in_(ids))))
            if len(categories) != len(set(ids)):
                errors["category_ids"] = _("No such category.")
    if not errors and merged.get("default") not in (None, ""):
        options, _unused = ftypes.parse_options(merged.get("options"))
        spec = ftypes.FieldSpec(
            code=code, type=merged["type"], options=options, pattern=merged.get("pattern")
        )
        try:
            ftypes.coerce(spec, merged["default"])
        except ftypes.FieldValueError:
            errors["default"] = _("The default is not a valid value for this field.")
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), errors)
    if dry_run:
        return None
    target = row or FieldDefinition()
    for key in SETTABLE:
        if key in merged and key != "category_ids":
            setattr(target, key, merged[key])
    if ids is not None:
        target.categories = categories
    target.label_en = target.label_en or ""
    if row is None:
        session.add(target)
    session.commit()
    return target
