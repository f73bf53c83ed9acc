"""The vocabulary of view conditions: field types, operators, error keys, plain data classes.

Kept apart from the parser (view_conditions.py) so screens and the SQL compiler can list
what the language offers without importing the parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

#: Admins type local times; stored times are naive UTC.
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
MAX_CONDITIONS = 50
MAX_LIST = 200
MAX_TEXT = 255
MAX_HOURS = 24 * 366
MAX_COLUMNS = 20

_EMPTY = ("is_empty", "is_not_empty")
_SETS = ("eq", "ne", "in", "not_in")
_ORDER = ("gt", "lt", "gte", "lte")

#: Field types and the operators each allows.
TYPE_OPERATORS: dict[str, tuple[str, ...]] = {
    "text": (*_SETS, "contains", *_EMPTY),
    "number": (*_SETS, *_ORDER, *_EMPTY),
    "date": ("eq", "ne", *_ORDER, *_EMPTY),
    "datetime": (*_ORDER, "within_last_hours", *_EMPTY),
    "deadline": (*_ORDER, "within_last_hours", "overdue", *_EMPTY),  # a datetime with "overdue"
    "choice": (*_SETS, *_EMPTY),
    "multi": (*_SETS, *_EMPTY),  # several values per ticket: eq/in match any chosen one
    "path": (*_SETS, "contains", *_EMPTY),  # cascade "gd/sz/ns": eq "gd" also matches below
    "bool": ("eq", "ne"),
    "id": (*_SETS, *_EMPTY),
    "user": (*_SETS, *_EMPTY),  # an id, or "me"
    "department": (*_SETS, *_EMPTY),  # an id, or "my_departments"
}
OPERATORS = (*_SETS, "contains", *_ORDER, *_EMPTY, "within_last_hours", "overdue")
NO_VALUE = frozenset({*_EMPTY, "overdue"})
LIST_OPS = frozenset({"in", "not_in"})
#: Words that stand for something the integration knows only at query time.
SPECIAL_VALUES = {"user": "me", "department": "my_departments"}

#: The ticket's own fields and their types; custom fields are added as "custom.<code>".
STANDARD_FIELDS: dict[str, str] = {
    "status": "choice",
    "priority": "choice",
    "channel": "choice",
    "category_id": "id",
    "department_id": "department",
    "assignee_id": "user",
    "customer_id": "id",
    "created_by_id": "user",
    "created_at": "datetime",
    "updated_at": "datetime",
    "due_at": "deadline",
    "subject": "text",
    "number": "text",
    "caller_number": "text",
    "supervise_level": "number",
    "urge_count": "number",
}
CUSTOM_PREFIX = "custom."

#: English texts of the error keys; the integration translates the same keys.
MESSAGES: dict[str, str] = {
    "not_an_object": "must be an object",
    "unknown_key": "unknown key '{key}'",
    "bad_match": "must be 'all' or 'any'",
    "not_a_list": "must be a list",
    "too_many": "at most {max} entries",
    "required": "is required",
    "unknown_field": "unknown field '{field}'",
    "unknown_op": "unknown operator '{op}'",
    "op_not_allowed": "'{op}' is not allowed for field '{field}'",
    "no_value": "'{op}' takes no value",
    "empty_list": "must be a non-empty list",
    "not_text": "must be a non-empty text of at most {max} characters",
    "not_a_number": "must be a number",
    "not_a_date": "must be a date like 2026-11-23",
    "not_a_datetime": "must be a date and time like 2026-11-23T08:00",
    "not_hours": "must be a whole number of hours from 1 to {max}",
    "not_a_choice": "'{value}' is not a choice of '{field}'",
    "not_a_bool": "must be true or false",
    "not_an_id": "must be a positive whole number",
    "not_an_id_or": "must be a positive whole number or '{special}'",
    "duplicate": "'{value}' is listed twice",
    "bad_dir": "must be 'asc' or 'desc'",
}


@dataclass(frozen=True)
class FieldSpec:
    """What the language needs to know of a field: its type and, for choices, the values."""

    type: str
    choices: frozenset[str] | None = None


@dataclass(frozen=True)
class ViewError:
    path: str
    key: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def text(self) -> str:
        return MESSAGES[self.key].format(**self.params)

    def __str__(self) -> str:
        return f"{self.path}: {self.text}" if self.path else self.text


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any = None  # normalized: Decimal, date, naive-UTC datetime, tuple for lists


@dataclass(frozen=True)
class View:
    match: str
    conditions: tuple[Condition, ...]
