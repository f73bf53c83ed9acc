"""Parameter validation and coercion: every type, every error key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from workflows import PARAM_ERRORS, InvalidParams, Label, Param
from workflows.params import coerce_params

L = Label("参数", "Param")
TEXT = Param("reason", "text", L, required=True, max_length=5)
NOTE = Param("note", "text", L)
CHOICE = Param("level", "choice", L, True, (("1", L), ("2", L), ("3", L)))
DEPT = Param("department_id", "department", L, required=True)
TICKET = Param("into_ticket_id", "ticket", L)
WHEN = Param("until", "datetime", L)
COUNT = Param("count", "integer", L)


def _one(param: Param, value):
    return coerce_params((param,), {param.name: value})[param.name]


def _error(param: Param, value) -> str:
    with pytest.raises(InvalidParams) as caught:
        coerce_params((param,), {param.name: value})
    return caught.value.errors[param.name]


@pytest.mark.parametrize(
    "param, value, expected",
    [
        (TEXT, "  ok  ", "ok"),
        (TEXT, "12345", "12345"),
        (NOTE, "没有长度限制" * 100, "没有长度限制" * 100),
        (CHOICE, "2", "2"),
        (CHOICE, 2, "2"),
        (CHOICE, " 3 ", "3"),
        (DEPT, 7, 7),
        (DEPT, "7", 7),
        (DEPT, " 12 ", 12),
        (DEPT, 7.0, 7),
        (TICKET, "900001", 900001),
        (COUNT, "-3", -3),
        (COUNT, "+4", 4),
        (COUNT, 0, 0),
    ],
)
def test_valid_values_are_coerced(param, value, expected):
    assert _one(param, value) == expected
    assert type(_one(param, value)) is type(expected)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2025-03-01T18:00:00", datetime(2025, 3, 1, 10, 0, tzinfo=UTC)),  # naive = Shanghai
        ("2025-03-01 18:00", datetime(2025, 3, 1, 10, 0, tzinfo=UTC)),
        ("2025-03-01T18:00:00+08:00", datetime(2025, 3, 1, 10, 0, tzinfo=UTC)),
        ("2025-03-01T10:00:00Z", datetime(2025, 3, 1, 10, 0, tzinfo=UTC)),
        ("2025-03-01T12:00:00+02:00", datetime(2025, 3, 1, 10, 0, tzinfo=UTC)),
        ("2025-03-02", datetime(2025, 3, 1, 16, 0, tzinfo=UTC)),  # midnight in Shanghai
        (datetime(2025, 3, 1, 18, 0), datetime(2025, 3, 1, 10, 0, tzinfo=UTC)),
        (
            datetime(2025, 3, 1, 5, 0, tzinfo=timezone(timedelta(hours=-5))),
            datetime(2025, 3, 1, 10, 0, tzinfo=UTC),
        ),
    ],
)
def test_datetimes_come_out_aware_in_utc(value, expected):
    result = _one(WHEN, value)
    assert result == expected
    assert result.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "param, value, key",
    [
        (TEXT, "123456", "too_long"),
        (TEXT, 42, "not_text"),
        (TEXT, ["a"], "not_text"),
        (CHOICE, "4", "not_a_choice"),
        (CHOICE, True, "not_a_choice"),
        (CHOICE, 2.5, "not_a_choice"),
        (CHOICE, {"v": 1}, "not_a_choice"),
        (DEPT, "abc", "not_an_id"),
        (DEPT, 0, "not_an_id"),
        (DEPT, -3, "not_an_id"),
        (DEPT, True, "not_an_id"),
        (DEPT, 1.5, "not_an_id"),
        (TICKET, "7a", "not_an_id"),
        (TICKET, "١٢", "not_an_id"),  # non-ASCII digits
        (WHEN, "tomorrow", "not_a_datetime"),
        (WHEN, "2025-13-01T00:00", "not_a_datetime"),
        (WHEN, 1700000000, "not_a_datetime"),
        (COUNT, "1.5", "not_an_integer"),
        (COUNT, 1.5, "not_an_integer"),
        (COUNT, "+-5", "not_an_integer"),
        (COUNT, False, "not_an_integer"),
    ],
)
def test_invalid_values_give_their_key(param, value, key):
    assert _error(param, value) == key


@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_required_is_required(value):
    assert _error(DEPT, value) == "required"
    assert _error(TEXT, value) == "required"


@pytest.mark.parametrize("value", [None, "", "  "])
def test_missing_optional_is_none(value):
    assert _one(NOTE, value) is None
    assert coerce_params((NOTE, COUNT), {}) == {"note": None, "count": None}


def test_unknown_params_are_errors():
    with pytest.raises(InvalidParams) as caught:
        coerce_params((NOTE,), {"note": "x", "colour": "red"})
    assert caught.value.errors == {"colour": "unknown"}


def test_all_errors_reported_at_once():
    with pytest.raises(InvalidParams) as caught:
        coerce_params((TEXT, DEPT, CHOICE), {"reason": "too long!", "level": "9", "x": 1})
    assert caught.value.errors == {
        "reason": "too_long",
        "department_id": "required",
        "level": "not_a_choice",
        "x": "unknown",
    }


def test_every_error_key_has_a_label():
    used = {
        "required",
        "unknown",
        "not_text",
        "too_long",
        "not_a_choice",
        "not_an_id",
        "not_a_datetime",
        "not_an_integer",
    }
    assert set(PARAM_ERRORS) == used
    assert all(label.zh and label.en for label in PARAM_ERRORS.values())
