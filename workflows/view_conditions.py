"""The condition language of saved views (工单视图), later also of triggers and automations.

A view condition is plain data an admin edits as JSON::

    {"match": "all",                       # or "any"
     "conditions": [
        {"field": "department_id", "op": "eq", "value": "my_departments"},
        {"field": "priority", "op": "in", "value": ["high", "urgent"]},
        {"field": "created_at", "op": "within_last_hours", "value": 24},
        {"field": "due_at", "op": "overdue"},
        {"field": "custom.fault_area", "op": "eq", "value": "gd/sz"}]}

This module only knows fields by their *type* (a registry maps each field name to a
FieldSpec); the integration says which fields exist and compiles a parsed view to SQL, so
one definition of the language serves the views, the triggers and the automations.

Every problem is reported at once with its path (``conditions[1].op: 'gt' is not allowed
for field 'status'``). Errors are ViewError values with a message key and parameters, so the
integration can show them in the user's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from workflows.view_vocabulary import (
    CUSTOM_PREFIX,
    LIST_OPS,
    LOCAL_TZ,
    MAX_COLUMNS,
    MAX_CONDITIONS,
    MAX_HOURS,
    MAX_LIST,
    MAX_TEXT,
    MESSAGES,
    NO_VALUE,
    OPERATORS,
    SPECIAL_VALUES,
    STANDARD_FIELDS,
    TYPE_OPERATORS,
    Condition,
    FieldSpec,
    View,
    ViewError,
)

__all__ = [
    "CUSTOM_PREFIX",
    "MESSAGES",
    "OPERATORS",
    "STANDARD_FIELDS",
    "TYPE_OPERATORS",
    "Condition",
    "FieldSpec",
    "View",
    "ViewDefinitionError",
    "ViewError",
    "layout_errors",
    "parse_view",
    "validate_view",
    "view_errors",
]


class ViewDefinitionError(ValueError):
    """A view definition is invalid; `errors` lists every problem with its path."""

    def __init__(self, errors: list[ViewError]) -> None:
        self.errors = list(errors)
        super().__init__("invalid view:\n" + "\n".join(str(e) for e in self.errors))


Registry = Mapping[str, "FieldSpec | str"]


def _spec(registry: Registry, name: str) -> FieldSpec | None:
    spec = registry.get(name) if isinstance(name, str) else None
    return FieldSpec(spec) if isinstance(spec, str) else spec


def view_errors(data: Any, registry: Registry) -> list[ViewError]:
    """Every problem of a view definition, each with its path; [] when it is valid."""
    errors: list[ViewError] = []
    _parse(data, registry, errors)
    return errors


def validate_view(data: Any, registry: Registry) -> list[str]:
    """Every problem as ``path: message`` text; [] when the view is valid."""
    return [str(e) for e in view_errors(data, registry)]


def parse_view(data: Any, registry: Registry) -> View:
    """The view with normalized values, or ViewDefinitionError with every problem."""
    errors: list[ViewError] = []
    view = _parse(data, registry, errors)
    if errors or view is None:
        raise ViewDefinitionError(errors)
    return view


def _parse(data: Any, registry: Registry, errors: list[ViewError]) -> View | None:
    if not isinstance(data, Mapping):
        errors.append(ViewError("", "not_an_object"))
        return None
    for key in data:
        if key not in ("match", "conditions"):
            errors.append(ViewError(str(key), "unknown_key", {"key": key}))
    match = data.get("match", "all")
    if match not in ("all", "any"):
        errors.append(ViewError("match", "bad_match"))
    raw = data.get("conditions", [])
    if not isinstance(raw, list):
        errors.append(ViewError("conditions", "not_a_list"))
        return None
    if len(raw) > MAX_CONDITIONS:
        errors.append(ViewError("conditions", "too_many", {"max": MAX_CONDITIONS}))
        return None
    parsed = [_condition(item, f"conditions[{i}]", registry, errors) for i, item in enumerate(raw)]
    if errors:
        return None
    return View(match, tuple(c for c in parsed if c is not None))


def _condition(
    raw: Any, path: str, registry: Registry, errors: list[ViewError]
) -> Condition | None:
    if not isinstance(raw, Mapping):
        errors.append(ViewError(path, "not_an_object"))
        return None
    before = len(errors)
    for key in raw:
        if key not in ("field", "op", "value"):
            errors.append(ViewError(f"{path}.{key}", "unknown_key", {"key": key}))
    name, op = raw.get("field"), raw.get("op")
    spec = _spec(registry, name)
    if name in (None, ""):
        errors.append(ViewError(f"{path}.field", "required"))
    elif spec is None:
        errors.append(ViewError(f"{path}.field", "unknown_field", {"field": name}))
    if op in (None, ""):
        errors.append(ViewError(f"{path}.op", "required"))
    elif op not in OPERATORS:
        errors.append(ViewError(f"{path}.op", "unknown_op", {"op": op}))
    elif spec is not None and op not in TYPE_OPERATORS[spec.type]:
        errors.append(ViewError(f"{path}.op", "op_not_allowed", {"op": op, "field": name}))
    if len(errors) > before or spec is None:
        return None
    where = f"{path}.value"
    if op in NO_VALUE:
        if raw.get("value") is not None:
            errors.append(ViewError(where, "no_value", {"op": op}))
        return Condition(name, op)
    if "value" not in raw or raw["value"] is None:
        errors.append(ViewError(where, "required"))
        return None
    value = raw["value"]
    if op == "within_last_hours":
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_HOURS
        if not ok:
            errors.append(ViewError(where, "not_hours", {"max": MAX_HOURS}))
        return Condition(name, op, value) if ok else None
    if op in LIST_OPS:
        if not isinstance(value, list) or not value:
            errors.append(ViewError(where, "empty_list"))
            return None
        if len(value) > MAX_LIST:
            errors.append(ViewError(where, "too_many", {"max": MAX_LIST}))
            return None
        items = [_value(v, f"{where}[{i}]", name, spec, errors) for i, v in enumerate(value)]
        return None if len(errors) > before else Condition(name, op, tuple(items))
    if op == "contains":  # a part of a value: the choices do not apply
        spec = FieldSpec(spec.type)
    item = _value(value, where, name, spec, errors)
    return None if len(errors) > before else Condition(name, op, item)


def _value(value: Any, where: str, name: str, spec: FieldSpec, errors: list[ViewError]) -> Any:
    """One value checked against the field's type, normalized for the compiler."""
    kind = spec.type
    if kind in ("user", "department") and value == SPECIAL_VALUES[kind]:
        return value
    if kind in ("id", "user", "department"):
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        key, params = ("not_an_id", {}) if kind == "id" else ("not_an_id_or", {})
        if kind != "id":
            params = {"special": SPECIAL_VALUES[kind]}
        errors.append(ViewError(where, key, params))
    elif kind == "number":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return Decimal(str(value))
        errors.append(ViewError(where, "not_a_number"))
    elif kind == "bool":
        if isinstance(value, bool):
            return value
        errors.append(ViewError(where, "not_a_bool"))
    elif kind == "date":
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            errors.append(ViewError(where, "not_a_date"))
    elif kind in ("datetime", "deadline"):
        return _datetime(value, where, errors)
    elif not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        errors.append(ViewError(where, "not_text", {"max": MAX_TEXT}))
    elif spec.choices is not None and value not in spec.choices:
        errors.append(ViewError(where, "not_a_choice", {"value": value, "field": name}))
    else:
        return value
    return None


def _datetime(value: Any, where: str, errors: list[ViewError]) -> dt.datetime | None:
    """ISO text; a time without zone is local (Asia/Shanghai). Returned as naive UTC."""
    try:
        parsed = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        errors.append(ViewError(where, "not_a_datetime"))
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=LOCAL_TZ)
    return parsed.astimezone(dt.UTC).replace(tzinfo=None)


def layout_errors(columns: Any, sort: Any, registry: Registry) -> list[ViewError]:
    """Problems of a view's columns (field names) and sort ({"field", "dir"})."""
    errors: list[ViewError] = []
    if columns is not None:
        if not isinstance(columns, list):
            errors.append(ViewError("columns", "not_a_list"))
        elif len(columns) > MAX_COLUMNS:
            errors.append(ViewError("columns", "too_many", {"max": MAX_COLUMNS}))
        else:
            seen: set[str] = set()
            for i, name in enumerate(columns):
                if _spec(registry, name) is None:
                    errors.append(ViewError(f"columns[{i}]", "unknown_field", {"field": name}))
                elif name in seen:
                    errors.append(ViewError(f"columns[{i}]", "duplicate", {"value": name}))
                else:
                    seen.add(name)
    if sort is not None:
        if not isinstance(sort, Mapping):
            errors.append(ViewError("sort", "not_an_object"))
            return errors
        for key in sort:
            if key not in ("field", "dir"):
                errors.append(ViewError(f"sort.{key}", "unknown_key", {"key": key}))
        name = sort.get("field")
        if name in (None, ""):
            errors.append(ViewError("sort.field", "required"))
        elif _spec(registry, name) is None:
            errors.append(ViewError("sort.field", "unknown_field", {"field": name}))
        if sort.get("dir", "asc") not in ("asc", "desc"):
            errors.append(ViewError("sort.dir", "bad_dir"))
    return errors
