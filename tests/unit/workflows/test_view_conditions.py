"""The view condition language: every error with its path, values normalized for SQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from workflows.view_conditions import (
    MESSAGES,
    OPERATORS,
    STANDARD_FIELDS,
    TYPE_OPERATORS,
    Condition,
    FieldSpec,
    ViewDefinitionError,
    layout_errors,
    parse_view,
    validate_view,
    view_errors,
)

REGISTRY = {
    **STANDARD_FIELDS,
    "status": FieldSpec("choice", frozenset({"pending_accept", "in_progress"})),
    "priority": FieldSpec("choice", frozenset({"normal", "urgent"})),
    "custom.area": FieldSpec("path", frozenset({"gd", "gd/sz", "gd/sz/ns"})),
    "custom.tags": FieldSpec("multi", frozenset({"vip", "repeat"})),
    "custom.amount": "number",
    "custom.visit_day": "date",
    "custom.paid": "bool",
}


def _view(*conditions, match="all"):
    return {"match": match, "conditions": list(conditions)}


def _c(field, op, value=None, **extra):
    item = {"field": field, "op": op, **extra}
    if value is not None:
        item["value"] = value
    return item


def test_the_tech_urgent_view_is_valid_and_normalized():
    view = parse_view(
        _view(
            _c("department_id", "eq", 2),
            _c("priority", "eq", "urgent"),
            _c("status", "in", ["pending_accept"]),
            _c("assignee_id", "eq", "me"),
            _c("department_id", "in", ["my_departments", 3]),
            _c("due_at", "overdue"),
            _c("created_at", "within_last_hours", 24),
            _c("custom.amount", "gte", 99.5),
            _c("custom.visit_day", "lt", "2026-11-23"),
            _c("updated_at", "gt", "2026-11-23T08:00:00"),
            _c("custom.paid", "eq", False),
            _c("subject", "contains", "宽带"),
            _c("custom.area", "contains", "sz"),
        ),
        REGISTRY,
    )
    assert view.match == "all"
    assert view.conditions[2] == Condition("status", "in", ("pending_accept",))
    assert view.conditions[4].value == ("my_departments", 3)
    assert view.conditions[5] == Condition("due_at", "overdue", None)
    assert view.conditions[7].value == Decimal("99.5")
    assert view.conditions[8].value == dt.date(2026, 11, 23)
    # local (Asia/Shanghai) time without a zone becomes naive UTC
    assert view.conditions[9].value == dt.datetime(2026, 11, 23, 0, 0)


def test_an_empty_view_matches_everything_in_scope():
    assert parse_view({"conditions": []}, REGISTRY).conditions == ()
    assert parse_view({}, REGISTRY).match == "all"


def test_explicit_zone_is_respected():
    view = parse_view(_view(_c("created_at", "gt", "2026-11-23T08:00:00+00:00")), REGISTRY)
    assert view.conditions[0].value == dt.datetime(2026, 11, 23, 8, 0)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([], "must be an object"),
        ({"match": "some"}, "match: must be 'all' or 'any'"),
        ({"extra": 1}, "extra: unknown key 'extra'"),
        ({"conditions": {}}, "conditions: must be a list"),
        ({"conditions": [{}] * 51}, "conditions: at most 50 entries"),
        (_view("status"), "conditions[0]: must be an object"),
        (_view({"op": "eq", "value": 1}), "conditions[0].field: is required"),
        (_view(_c("custom.nope", "eq", "x")), "conditions[0].field: unknown field 'custom.nope'"),
        (_view(_c("status", "eq", "x", extra=1)), "conditions[0].extra: unknown key 'extra'"),
        (_view({"field": "status", "value": "x"}), "conditions[0].op: is required"),
        (_view(_c("status", "like", "x")), "conditions[0].op: unknown operator 'like'"),
        (
            _view(_c("priority", "eq", "urgent"), _c("status", "gt", "x")),
            "conditions[1].op: 'gt' is not allowed for field 'status'",
        ),
        (
            _view(_c("created_at", "overdue")),
            "conditions[0].op: 'overdue' is not allowed for field 'created_at'",
        ),
        (
            _view(_c("created_at", "eq", "2026-11-23T08:00")),
            "conditions[0].op: 'eq' is not allowed for field 'created_at'",
        ),
        (_view(_c("due_at", "overdue", True)), "conditions[0].value: 'overdue' takes no value"),
        (_view(_c("status", "is_empty", "x")), "conditions[0].value: 'is_empty' takes no value"),
        (_view(_c("status", "eq")), "conditions[0].value: is required"),
        (_view(_c("status", "in", [])), "conditions[0].value: must be a non-empty list"),
        (_view(_c("status", "in", "x")), "conditions[0].value: must be a non-empty list"),
        (
            _view(_c("status", "in", ["x"] * 201)),
            "conditions[0].value: at most 200 entries",
        ),
        (
            _view(_c("status", "in", ["in_progress", "done"])),
            "conditions[0].value[1]: 'done' is not a choice of 'status'",
        ),
        (
            _view(_c("custom.tags", "eq", "gold")),
            "conditions[0].value: 'gold' is not a choice of 'custom.tags'",
        ),
        (
            _view(_c("custom.area", "eq", "gd/gz")),
            "conditions[0].value: 'gd/gz' is not a choice of 'custom.area'",
        ),
        (
            _view(_c("subject", "eq", "")),
            "conditions[0].value: must be a non-empty text of at most 255 characters",
        ),
        (
            _view(_c("subject", "contains", "x" * 256)),
            "conditions[0].value: must be a non-empty text of at most 255 characters",
        ),
        (_view(_c("urge_count", "gt", "3")), "conditions[0].value: must be a number"),
        (_view(_c("urge_count", "gt", True)), "conditions[0].value: must be a number"),
        (_view(_c("custom.paid", "eq", "yes")), "conditions[0].value: must be true or false"),
        (
            _view(_c("custom.visit_day", "eq", "23/11/2026")),
            "conditions[0].value: must be a date like 2026-11-23",
        ),
        (
            _view(_c("due_at", "lt", "tomorrow")),
            "conditions[0].value: must be a date and time like 2026-11-23T08:00",
        ),
        (
            _view(_c("created_at", "within_last_hours", 0)),
            "conditions[0].value: must be a whole number of hours from 1 to 8784",
        ),
        (
            _view(_c("created_at", "within_last_hours", 1.5)),
            "conditions[0].value: must be a whole number of hours from 1 to 8784",
        ),
        (
            _view(_c("category_id", "eq", "me")),
            "conditions[0].value: must be a positive whole number",
        ),
        (_view(_c("category_id", "eq", 0)), "conditions[0].value: must be a positive whole number"),
        (
            _view(_c("assignee_id", "eq", "my_departments")),
            "conditions[0].value: must be a positive whole number or 'me'",
        ),
        (
            _view(_c("department_id", "in", [2, "me"])),
            "conditions[0].value[1]: must be a positive whole number or 'my_departments'",
        ),
    ],
)
def test_every_error_has_its_path(data, expected):
    errors = validate_view(data, REGISTRY)
    assert expected in errors, errors
    with pytest.raises(ViewDefinitionError) as raised:
        parse_view(data, REGISTRY)
    assert expected in [str(e) for e in raised.value.errors]


def test_all_errors_are_reported_at_once():
    errors = validate_view(
        {
            "match": "every",
            "conditions": [_c("status", "gt", "x"), _c("custom.nope", "eq", 1), _c("x", "y")],
        },
        REGISTRY,
    )
    assert errors == [
        "match: must be 'all' or 'any'",
        "conditions[0].op: 'gt' is not allowed for field 'status'",
        "conditions[1].field: unknown field 'custom.nope'",
        "conditions[2].field: unknown field 'x'",
        "conditions[2].op: unknown operator 'y'",
    ]


def test_errors_carry_keys_for_translation():
    (error,) = view_errors(_view(_c("status", "gt", "x")), REGISTRY)
    assert (error.path, error.key, error.params) == (
        "conditions[0].op",
        "op_not_allowed",
        {"op": "gt", "field": "status"},
    )


def test_layout_errors():
    assert layout_errors(["number", "custom.tags"], {"field": "created_at"}, REGISTRY) == []
    errors = [
        str(e)
        for e in layout_errors(["number", "nope", "number"], {"field": "x", "dir": "up"}, REGISTRY)
    ]
    assert errors == [
        "columns[1]: unknown field 'nope'",
        "columns[2]: 'number' is listed twice",
        "sort.field: unknown field 'x'",
        "sort.dir: must be 'asc' or 'desc'",
    ]
    assert [str(e) for e in layout_errors("number", [], REGISTRY)] == [
        "columns: must be a list",
        "sort: must be an object",
    ]
    assert [str(e) for e in layout_errors(None, {"dir": "asc", "x": 1}, REGISTRY)] == [
        "sort.x: unknown key 'x'",
        "sort.field: is required",
    ]


def test_vocabulary_is_consistent():
    for ops in TYPE_OPERATORS.values():
        assert set(ops) <= set(OPERATORS)
    assert set(STANDARD_FIELDS.values()) <= set(TYPE_OPERATORS)
    assert all("{" not in key for key in MESSAGES)
