"""The condition language of automations (自动化): rules evaluated on time, not on events.

An automation's conditions are the saved-view language with five more fields, all in hours::

    {"match": "all",                       # or "any"
     "conditions": [
        {"field": "hours_since_created", "op": "gte", "value": 24},
        {"field": "business_hours_until_due", "op": "lt", "value": 4},
        {"field": "hours_since_status_change", "op": "between", "value": [2, 8]},
        {"field": "status", "op": "eq", "value": "pending_accept"}]}

A time condition never becomes a loop over tickets: `bound` turns it into a range on one
ticket column, with instants computed here ("created at or before now − 24 h"), so the
integration compiles it to `col <= :instant` and an index serves it. Each field has a
`business_` twin (business_hours_since_created, …) counting working hours of a business
calendar instead (nights, weekends, holidays skipped), as Zendesk offers both.

Meaning of the fields (the column each one reads is in TIME_FIELDS):
- hours_since_created / _updated / _status_change: time elapsed since that instant;
- hours_until_due: time left before the deadline — only tickets not yet due;
- hours_since_due: time elapsed since the deadline — only tickets already due.
`between` includes both ends. Every problem is reported with its path, as an error key with
parameters (like view_conditions), so the integration can show it in the user's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from workflows import view_conditions as vc
from workflows.calendar_base import CalendarError
from workflows.view_vocabulary import MAX_CONDITIONS, SPECIAL_VALUES

#: Field → (ticket column, direction): "since" measures back from now, "until" forward.
TIME_FIELDS: dict[str, tuple[str, str]] = {
    "hours_since_created": ("created_at", "since"),
    "hours_since_updated": ("updated_at", "since"),
    "hours_since_status_change": ("node_entered_at", "since"),
    "hours_until_due": ("due_at", "until"),
    "hours_since_due": ("due_at", "since"),
}
#: "business_hours_since_created": the same field counted in working hours.
BUSINESS_PREFIX = "business_"
TIME_OPS = ("gt", "gte", "lt", "lte", "between")
MAX_HOURS = 24 * 366
MAX_IDLE_DAYS = 366
#: Words the saved views resolve against the viewer; an automation has no viewer.
VIEWER_WORDS = frozenset(SPECIAL_VALUES.values())

MESSAGES: dict[str, str] = {
    "bad_time_op": "'{op}' is not an operator of time conditions (gt, gte, lt, lte, between)",
    "not_hours": "must be a number of hours from 0 to {max}",
    "not_a_range": "must be a list of two numbers of hours [from, to], from ≤ to ≤ {max}",
    "need_time": "add at least one time condition (hours since … / until …)",
    "viewer_word": "'{value}' needs a viewer; automations run as the system",
}


@dataclass(frozen=True)
class TimeError(vc.ViewError):
    """A problem of an automation condition; its key is one of MESSAGES here."""

    @property
    def text(self) -> str:
        return MESSAGES[self.key].format(**self.params)


@dataclass(frozen=True)
class TimeCondition:
    field: str
    op: str
    value: float | tuple[float, float]
    business: bool = False

    @property
    def column(self) -> str:
        return TIME_FIELDS[self.field][0]


@dataclass(frozen=True)
class Bound:
    """`lower (<|<=) column (<|<=) upper` on one ticket column (naive UTC instants)."""

    column: str
    lower: datetime | None = None
    lower_inclusive: bool = True
    upper: datetime | None = None
    upper_inclusive: bool = True


@dataclass(frozen=True)
class Rule:
    """Parsed conditions: each entry a TimeCondition or a view Condition, in order."""

    match: str
    conditions: tuple[TimeCondition | vc.Condition, ...]

    @property
    def time(self) -> list[TimeCondition]:
        return [c for c in self.conditions if isinstance(c, TimeCondition)]


class Calendar(Protocol):
    zone: Any

    def working_windows(self, day: Any) -> list[tuple[datetime, datetime]]: ...

    def add_working_time(self, start: datetime, delta: timedelta) -> datetime: ...


def is_time_field(name: Any) -> bool:
    """A time field, or its business-hours twin."""
    if not isinstance(name, str):
        return False
    return name.removeprefix(BUSINESS_PREFIX) in TIME_FIELDS


def _hours(value: Any) -> bool:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return ok and 0 <= value <= MAX_HOURS


def _time(raw: Mapping, path: str, errors: list[vc.ViewError]) -> TimeCondition | None:
    before = len(errors)
    for key in raw:
        if key not in ("field", "op", "value"):
            errors.append(vc.ViewError(f"{path}.{key}", "unknown_key", {"key": key}))
    op, value = raw.get("op"), raw.get("value")
    if op in (None, ""):
        errors.append(vc.ViewError(f"{path}.op", "required"))
    elif op not in TIME_OPS:
        errors.append(TimeError(f"{path}.op", "bad_time_op", {"op": op}))
    if op == "between":
        ok = isinstance(value, list) and len(value) == 2 and all(_hours(v) for v in value)
        if not ok or value[0] > value[1]:
            errors.append(TimeError(f"{path}.value", "not_a_range", {"max": MAX_HOURS}))
        else:
            value = (float(value[0]), float(value[1]))
    elif op in TIME_OPS:
        if not _hours(value):
            errors.append(TimeError(f"{path}.value", "not_hours", {"max": MAX_HOURS}))
        else:
            value = float(value)
    if len(errors) > before:
        return None
    name = raw["field"]
    business = name.startswith(BUSINESS_PREFIX)
    return TimeCondition(name[len(BUSINESS_PREFIX) :] if business else name, op, value, business)


def _field(raw: Any, path: str, registry: vc.Registry, errors: list[vc.ViewError]):
    """A standard or custom field condition: the saved-view parser on a one-entry view."""
    found = vc.view_errors({"conditions": [raw]}, registry)
    for err in found:
        errors.append(vc.ViewError(path + err.path[len("conditions[0]") :], err.key, err.params))
    if found:
        return None
    cond = vc.parse_view({"conditions": [raw]}, registry).conditions[0]
    values = cond.value if isinstance(cond.value, tuple) else (cond.value,)
    for value in values:
        if isinstance(value, str) and value in VIEWER_WORDS:
            errors.append(TimeError(f"{path}.value", "viewer_word", {"value": value}))
            return None
    return cond


def rule_errors(data: Any, registry: vc.Registry) -> tuple[Rule | None, list[vc.ViewError]]:
    """(the parsed rule or None, every problem with its path)."""
    errors: list[vc.ViewError] = []
    if data in (None, ""):
        data = {}
    if not isinstance(data, Mapping):
        return None, [vc.ViewError("", "not_an_object")]
    for key in data:
        if key not in ("match", "conditions"):
            errors.append(vc.ViewError(str(key), "unknown_key", {"key": key}))
    match = data.get("match", "all")
    if match not in ("all", "any"):
        errors.append(vc.ViewError("match", "bad_match"))
    raw = data.get("conditions", [])
    if not isinstance(raw, list):
        return None, [*errors, vc.ViewError("conditions", "not_a_list")]
    if len(raw) > MAX_CONDITIONS:
        return None, [*errors, vc.ViewError("conditions", "too_many", {"max": MAX_CONDITIONS})]
    parsed: list[TimeCondition | vc.Condition | None] = []
    for i, item in enumerate(raw):
        path = f"conditions[{i}]"
        if isinstance(item, Mapping) and is_time_field(item.get("field")):
            parsed.append(_time(item, path, errors))
        else:
            parsed.append(_field(item, path, registry, errors))
    if not errors and not any(isinstance(c, TimeCondition) for c in parsed):
        errors.append(TimeError("conditions", "need_time"))
    if errors:
        return None, errors
    return Rule(match, tuple(c for c in parsed if c is not None)), []


def parse_rule(data: Any, registry: vc.Registry) -> Rule:
    """The rule, or ViewDefinitionError with every problem (stored rules can go stale)."""
    rule, errors = rule_errors(data, registry)
    if rule is None:
        raise vc.ViewDefinitionError(errors)
    return rule


def working_time_before(calendar: Calendar, end: datetime, delta: timedelta) -> datetime:
    """The latest instant T with `delta` of working time between T and `end` (aware)."""
    if delta <= timedelta(0):
        return end
    left, day, idle = delta, end.astimezone(calendar.zone).date(), 0
    while True:
        windows = [w for w in calendar.working_windows(day) if w[0] < end]
        idle = 0 if windows else idle + 1
        if idle > MAX_IDLE_DAYS:
            raise CalendarError(f"no working day in the {MAX_IDLE_DAYS} days before {day}")
        for begins, ends in reversed(windows):
            ends = min(ends, end)
            if left <= ends - begins:
                return ends - left
            left -= ends - begins
        day -= timedelta(days=1)


def _instant(cond: TimeCondition, hours: float, now: datetime, calendar: Calendar | None):
    """The column value at which the measured time equals `hours` (naive UTC)."""
    delta = timedelta(hours=hours)
    since = TIME_FIELDS[cond.field][1] == "since"
    if not cond.business or calendar is None:
        return now - delta if since else now + delta
    aware = now.replace(tzinfo=UTC)
    found = (
        working_time_before(calendar, aware, delta)
        if since
        else calendar.add_working_time(aware, delta)
    )
    return found.astimezone(UTC).replace(tzinfo=None)


def bound(cond: TimeCondition, now: datetime, calendar: Calendar | None = None) -> Bound:
    """The condition as a range on its column at `now` (naive UTC).

    Elapsed time shrinks as the column grows, so "since ≥ h" is `col <= now − h`; time left
    grows with it, so "until ≥ h" is `col >= now + h`. "since" also demands `col <= now`
    and "until" `col > now`, so a deadline is either ahead or behind, never both.
    """
    lows = (cond.value[0], cond.value[1]) if cond.op == "between" else (cond.value, cond.value)
    low, high = _instant(cond, lows[0], now, calendar), _instant(cond, lows[1], now, calendar)
    col, op = cond.column, cond.op
    if TIME_FIELDS[cond.field][1] == "since":
        # elapsed ≥ h ⇔ col ≤ at(h); elapsed ≤ h ⇔ col ≥ at(h); never after now.
        if op in ("gt", "gte"):
            return Bound(col, upper=low, upper_inclusive=op == "gte")
        if op in ("lt", "lte"):
            return Bound(col, low, op == "lte", now, True)
        return Bound(col, high, True, low, True)
    if op in ("gt", "gte"):
        return Bound(col, low, op == "gte")
    if op in ("lt", "lte"):
        return Bound(col, now, False, low, op == "lte")
    return Bound(col, low, True, high, True)


def holds(cond: TimeCondition, instant: datetime | None, now: datetime, calendar=None) -> bool:
    """The same test on one value in Python (for explanations and tests); None never holds."""
    if instant is None:
        return False
    b = bound(cond, now, calendar)
    above = b.lower is None or instant > b.lower or (b.lower_inclusive and instant == b.lower)
    below = b.upper is None or instant < b.upper or (b.upper_inclusive and instant == b.upper)
    return above and below
