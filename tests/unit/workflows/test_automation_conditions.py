"""Automation conditions: the time vocabulary, its validation by path, and the ranges the
SQL compiler uses (calendar and business hours)."""

from __future__ import annotations

import datetime as dt

import pytest

from workflows import automation_conditions as ac
from workflows import view_conditions as vc
from workflows.business_calendar import BusinessCalendar

REGISTRY = {
    **vc.STANDARD_FIELDS,
    "status": vc.FieldSpec("choice", frozenset({"pending_accept", "in_progress"})),
}
NOW = dt.datetime(2026, 11, 23, 8, 0)  # naive UTC: Monday 16:00 in Shanghai


def rule(*conditions, match="all"):
    return ac.parse_rule({"match": match, "conditions": list(conditions)}, REGISTRY)


def paths(data):
    return [(e.path, e.key) for e in ac.rule_errors(data, REGISTRY)[1]]


def test_time_and_field_conditions_parse_in_order():
    parsed = rule(
        {"field": "hours_since_created", "op": "gte", "value": 24},
        {"field": "status", "op": "eq", "value": "pending_accept"},
        {"field": "business_hours_until_due", "op": "between", "value": [1, 4]},
    )
    first, second, third = parsed.conditions
    assert first == ac.TimeCondition("hours_since_created", "gte", 24.0)
    assert second == vc.Condition("status", "eq", "pending_accept")
    assert third == ac.TimeCondition("hours_until_due", "between", (1.0, 4.0), True)
    assert [c.column for c in parsed.time] == ["created_at", "due_at"]


def test_every_problem_has_its_path():
    found = paths(
        {
            "match": "some",
            "conditions": [
                {"field": "hours_since_created", "op": "eq", "value": 24},
                {"field": "hours_since_updated", "op": "gt", "value": -1},
                {"field": "hours_until_due", "op": "between", "value": [5, 2]},
                {"field": "business_hours_since_due", "op": "gt", "value": 1, "business": True},
                {"field": "status", "op": "gt", "value": "x"},
                {"field": "assignee_id", "op": "eq", "value": "me"},
                {"field": "hours_since_created", "op": "gt", "value": True, "extra": 1},
            ],
        }
    )
    assert found == [
        ("match", "bad_match"),
        ("conditions[0].op", "bad_time_op"),
        ("conditions[1].value", "not_hours"),
        ("conditions[2].value", "not_a_range"),
        ("conditions[3].business", "unknown_key"),
        ("conditions[4].op", "op_not_allowed"),
        ("conditions[5].value", "viewer_word"),
        ("conditions[6].extra", "unknown_key"),
        ("conditions[6].value", "not_hours"),
    ]


def test_a_rule_needs_a_time_condition_and_an_object():
    assert paths({"conditions": [{"field": "status", "op": "eq", "value": "in_progress"}]}) == [
        ("conditions", "need_time")
    ]
    assert paths([]) == [("", "not_an_object")]
    assert paths({"conditions": "x"}) == [("conditions", "not_a_list")]
    with pytest.raises(vc.ViewDefinitionError):
        ac.parse_rule({}, REGISTRY)
    err = ac.rule_errors({}, REGISTRY)[1][0]
    assert "time condition" in str(err)


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("gte", 24, ac.Bound("created_at", upper=NOW - dt.timedelta(hours=24))),
        (
            "gt",
            24,
            ac.Bound("created_at", upper=NOW - dt.timedelta(hours=24), upper_inclusive=False),
        ),
        ("lt", 2, ac.Bound("created_at", NOW - dt.timedelta(hours=2), False, NOW, True)),
        ("lte", 2, ac.Bound("created_at", NOW - dt.timedelta(hours=2), True, NOW, True)),
        (
            "between",
            [2, 5],
            ac.Bound("created_at", NOW - dt.timedelta(hours=5), True, NOW - dt.timedelta(hours=2)),
        ),
    ],
)
def test_since_becomes_a_range_of_instants(op, value, expected):
    (cond,) = rule({"field": "hours_since_created", "op": op, "value": value}).time
    assert ac.bound(cond, NOW) == expected


def test_until_due_only_counts_deadlines_ahead():
    (cond,) = rule({"field": "hours_until_due", "op": "lt", "value": 4}).time
    assert ac.bound(cond, NOW) == ac.Bound("due_at", NOW, False, NOW + dt.timedelta(hours=4), False)
    assert ac.holds(cond, NOW + dt.timedelta(hours=3), NOW)
    assert not ac.holds(cond, NOW - dt.timedelta(hours=1), NOW)  # already due
    assert not ac.holds(cond, NOW + dt.timedelta(hours=4), NOW)
    assert not ac.holds(cond, None, NOW)
    (late,) = rule({"field": "hours_since_due", "op": "lt", "value": 4}).time
    assert ac.holds(late, NOW - dt.timedelta(hours=1), NOW)
    assert not ac.holds(late, NOW + dt.timedelta(hours=1), NOW)  # not due yet


def test_boundaries_are_exact():
    (gte,) = rule({"field": "hours_since_updated", "op": "gte", "value": 24}).time
    (gt,) = rule({"field": "hours_since_updated", "op": "gt", "value": 24}).time
    edge = NOW - dt.timedelta(hours=24)
    assert ac.holds(gte, edge, NOW) and not ac.holds(gt, edge, NOW)
    assert ac.holds(gt, edge - dt.timedelta(seconds=1), NOW)


@pytest.fixture(scope="module")
def calendar():
    return BusinessCalendar()


def test_business_hours_skip_nights_and_weekends(calendar):
    # Monday 2026-11-23 16:00 Shanghai. 4 working hours back: 09:00-12:00 is 3 h, and
    # 13:30-16:00 is 2.5 h → 4 h back ends at 10:30 the same morning (02:30 UTC).
    (cond,) = rule({"field": "business_hours_since_created", "op": "gte", "value": 4}).time
    assert ac.bound(cond, NOW, calendar).upper == dt.datetime(2026, 11, 23, 2, 30)
    # 8 working hours back crosses the weekend: Monday gives 5.5 h, Friday's last 2.5 h
    # start at 15:30 Friday Shanghai (07:30 UTC).
    (far,) = rule({"field": "business_hours_since_created", "op": "gte", "value": 8}).time
    assert ac.bound(far, NOW, calendar).upper == dt.datetime(2026, 11, 20, 7, 30)
    # Forward: 4 working hours from 16:00 Monday → 2 h today, 2 h Tuesday → 11:00 (03:00 UTC).
    (due,) = rule({"field": "business_hours_until_due", "op": "lt", "value": 4}).time
    assert ac.bound(due, NOW, calendar).upper == dt.datetime(2026, 11, 24, 3, 0)


def test_working_time_before_agrees_with_the_calendar(calendar):
    end = dt.datetime(2026, 10, 9, 10, 0, tzinfo=dt.UTC)  # after the National Day holiday
    for hours in (0.5, 3, 7.5, 20, 60):
        start = ac.working_time_before(calendar, end, dt.timedelta(hours=hours))
        assert calendar.working_time_between(start, end) == dt.timedelta(hours=hours)
    assert ac.working_time_before(calendar, end, dt.timedelta(0)) == end
