"""Validating and coercing action parameters.

Input comes from HTML forms (all strings) and JSON (typed), so each type accepts both
spellings and comes out in one canonical Python type: text → stripped str, choice → str,
department/ticket → int id, integer → int, datetime → timezone-aware UTC datetime. Errors are
short keys (vocabulary.PARAM_ERRORS), not sentences, so the integration translates them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from workflows.errors import InvalidParams
from workflows.model import Param

INTEGER = re.compile(r"^[+-]?[0-9]+$")
#: Naive date-times are wall-clock times typed in China.
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


class _Invalid(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def coerce_params(params: tuple[Param, ...], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Every declared parameter (absent optional ones as None), coerced.

    Raises:
        InvalidParams: errors by parameter name, including 'unknown' for undeclared names.
    """
    declared = {param.name: param for param in params}
    errors = {name: "unknown" for name in raw if name not in declared}
    values: dict[str, Any] = {}
    for name, param in declared.items():
        value = raw.get(name)
        if isinstance(value, str) and not value.strip():
            value = None  # an empty form field is "not given", not an empty text
        if value is None:
            if param.required:
                errors[name] = "required"
            values[name] = None
            continue
        try:
            values[name] = _COERCE[param.type](param, value)
        except _Invalid as exc:
            errors[name] = exc.key
    if errors:
        raise InvalidParams(errors)
    return values


def _text(param: Param, value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid("not_text")
    value = value.strip()
    if param.max_length is not None and len(value) > param.max_length:
        raise _Invalid("too_long")
    return value


def _choice(param: Param, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _Invalid("not_a_choice")
    value = str(value).strip()
    if value not in param.choice_values:
        raise _Invalid("not_a_choice")
    return value


def _int(value: Any, key: str) -> int:
    if isinstance(value, bool):
        raise _Invalid(key)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if INTEGER.match(text):
            return int(text)
    raise _Invalid(key)


def _integer(param: Param, value: Any) -> int:
    return _int(value, "not_an_integer")


def _id(param: Param, value: Any) -> int:
    number = _int(value, "not_an_id")
    if number <= 0:
        raise _Invalid("not_an_id")
    return number


def _datetime(param: Param, value: Any) -> datetime:
    """ISO-8601 with or without offset ('Z' too); naive means Asia/Shanghai."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise _Invalid("not_a_datetime") from None
    if not isinstance(value, datetime):
        raise _Invalid("not_a_datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(UTC)


_COERCE: dict[str, Callable[[Param, Any], Any]] = {
    "text": _text,
    "choice": _choice,
    "department": _id,
    "ticket": _id,
    "integer": _integer,
    "datetime": _datetime,
}
