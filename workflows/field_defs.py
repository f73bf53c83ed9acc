"""Custom field definitions as data: options (also as a tree), the spec the engine reads,
and the checks an admin's definition must pass before it is saved."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    active: bool = True
    children: tuple[Option, ...] = ()


@dataclass(frozen=True)
class FieldSpec:
    """What the integration reads from a definition row."""

    code: str
    type: str
    required: str = "never"  # never | always | on_resolve
    options: tuple[Option, ...] = ()
    pattern: str | None = None
    default: Any = None
    extra: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def field_type(self):
        from workflows.fields import FIELD_TYPES

        return FIELD_TYPES[self.type]


class FieldValueError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def parse_options(raw: Any, path: str = "options") -> tuple[tuple[Option, ...], list[str]]:
    """Options from JSON-like data: [{"value", "label", "active"?, "children"?}, ...]."""
    errors: list[str] = []
    if raw in (None, ""):
        return (), errors
    if not isinstance(raw, list):
        return (), [f"{path}: must be a list"]
    seen: set[str] = set()
    out = []
    for i, item in enumerate(raw):
        where = f"{path}[{i}]"
        if not isinstance(item, Mapping):
            errors.append(f"{where}: must be an object with value and label")
            continue
        value, label = item.get("value"), item.get("label")
        if not isinstance(value, str) or not value or "/" in value:
            errors.append(f"{where}.value: must be non-empty text without '/'")
            continue
        if value in seen:
            errors.append(f"{where}.value: duplicate value '{value}'")
        seen.add(value)
        if not isinstance(label, str) or not label:
            errors.append(f"{where}.label: must be non-empty text")
        children, child_errors = parse_options(item.get("children"), f"{where}.children")
        errors.extend(child_errors)
        out.append(Option(value, label or value, bool(item.get("active", True)), children))
    return tuple(out), errors


def validate_definition(
    code: Any, type_name: Any, options: Any, pattern: Any, required: Any
) -> list[str]:
    """Every problem of a definition, each with its path."""
    errors: list[str] = []
    if not isinstance(code, str) or not CODE.match(code):
        errors.append("code: use lower-case letters, digits and _ (start with a letter)")
    from workflows.fields import FIELD_TYPES

    if type_name not in FIELD_TYPES:
        errors.append(f"type: unknown type '{type_name}'")
        return errors
    ftype = FIELD_TYPES[type_name]
    parsed, option_errors = parse_options(options)
    errors.extend(option_errors)
    if ftype.has_options and not parsed and not option_errors:
        errors.append("options: this type needs at least one option")
    if type_name == "cascade":
        for i, opt in enumerate(parsed):
            if not opt.children:
                errors.append(f"options[{i}].children: a cascading option needs children")
    elif any(opt.children for opt in parsed):
        errors.append("options: only cascading selects have children")
    if type_name == "regex":
        if not pattern:
            errors.append("pattern: required for a pattern-checked field")
        else:
            try:
                re.compile(pattern)
            except re.error as exc:
                errors.append(f"pattern: not a valid regular expression ({exc})")
    if required not in ("never", "always", "on_resolve"):
        errors.append("required: must be never, always or on_resolve")
    return errors
