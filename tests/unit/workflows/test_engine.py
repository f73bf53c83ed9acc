"""decide() and initial_state(): every error path and every conditional outcome."""

from __future__ import annotations

import pytest

from workflows import (
    Decision,
    DutyNotAllowed,
    InvalidParams,
    StateNotAllowed,
    UnknownAction,
    WorkflowError,
    decide,
    initial_state,
)

FOLLOW_UP = {"follow_up"}


# --- error paths, in the order the integration maps them -----------------------------------


def test_unknown_action(call_center):
    with pytest.raises(UnknownAction) as caught:
        decide(call_center, "in_progress", "teleport", {"handler"}, {}, {})
    assert caught.value.action == "teleport"


def test_state_not_allowed(call_center):
    with pytest.raises(StateNotAllowed) as caught:
        decide(call_center, "pending_dispatch", "accept", {"handler"}, {}, {})
    assert (caught.value.action, caught.value.state) == ("accept", "pending_dispatch")


def test_state_checked_before_duty(call_center):
    with pytest.raises(StateNotAllowed):
        decide(call_center, "archived", "reopen", set(), {}, {})


def test_duty_not_allowed(call_center):
    with pytest.raises(DutyNotAllowed) as caught:
        decide(call_center, "pending_accept", "accept", {"agent"}, {}, {})
    assert caught.value.allowed == frozenset({"handler", "supervisor"})


def test_duty_checked_before_params(call_center):
    with pytest.raises(DutyNotAllowed):
        decide(call_center, "pending_dispatch", "dispatch", {"handler"}, {"x": 1}, {})


def test_duties_by_state_override(call_center):
    """即办: an agent may resolve from 待派单 but not from 处理中; a handler the other way."""
    params = {"result": "已当场答复"}
    quick = decide(call_center, "pending_dispatch", "resolve", {"agent"}, params, {})
    assert quick.to_state == "resolved"
    with pytest.raises(DutyNotAllowed):
        decide(call_center, "in_progress", "resolve", {"agent"}, params, {})
    with pytest.raises(DutyNotAllowed):
        decide(call_center, "pending_dispatch", "resolve", {"handler"}, params, {})


def test_invalid_params(call_center):
    with pytest.raises(InvalidParams) as caught:
        decide(
            call_center,
            "in_progress",
            "transfer",
            {"handler"},
            {"department_id": "abc", "colour": "red"},
            {},
        )
    assert caught.value.errors == {
        "department_id": "not_an_id",
        "reason": "required",
        "colour": "unknown",
    }


def test_errors_share_a_base_class():
    for cls in (UnknownAction, StateNotAllowed, DutyNotAllowed, InvalidParams):
        assert issubclass(cls, WorkflowError)


# --- outcomes --------------------------------------------------------------------------------


def test_decision_carries_coerced_params(call_center):
    decision = decide(
        call_center,
        "pending_dispatch",
        "dispatch",
        ["dispatcher"],
        {"department_id": "3"},
        {},
    )
    assert decision == Decision(
        "dispatch", "pending_dispatch", "pending_accept", ("set_department",), {"department_id": 3}
    )
    assert decision.moves


@pytest.mark.parametrize(
    "satisfaction, has_department, to_state, effects",
    [
        ("satisfied", True, "resolved", ("record_satisfaction",)),
        ("basically_satisfied", True, "resolved", ("record_satisfaction",)),
        ("dissatisfied", True, "in_progress", ("record_satisfaction", "mark_redo")),
        ("dissatisfied", False, "pending_dispatch", ("record_satisfaction", "mark_redo")),
        ("satisfied", False, "resolved", ("record_satisfaction",)),
    ],
)
def test_follow_up_outcomes(call_center, satisfaction, has_department, to_state, effects):
    decision = decide(
        call_center,
        "pending_followup",
        "follow_up",
        FOLLOW_UP,
        {"satisfaction": satisfaction, "note": "电话回访"},
        {"has_department": has_department},
    )
    assert (decision.to_state, decision.effects) == (to_state, effects)
    assert decision.params == {"satisfaction": satisfaction, "note": "电话回访"}


@pytest.mark.parametrize(
    "facts, to_state",
    [
        ({"category_requires_followup": True}, "pending_followup"),
        ({"category_requires_followup": False}, "resolved"),
        ({}, "resolved"),
    ],
)
def test_resolve_needs_follow_up_if_the_category_asks(call_center, facts, to_state):
    decision = decide(
        call_center, "in_progress", "resolve", {"handler"}, {"result": "已修复"}, facts
    )
    assert decision.to_state == to_state
    assert decision.effects == ("set_resolved",)


@pytest.mark.parametrize(
    "facts, to_state",
    [({"has_department": True}, "pending_accept"), ({"has_department": False}, "pending_dispatch")],
)
def test_reopen_goes_back_to_the_department_or_to_dispatch(call_center, facts, to_state):
    decision = decide(call_center, "closed", "reopen", {"agent"}, {"reason": "再次来电"}, facts)
    assert decision.to_state == to_state
    assert decision.effects == ("reopen", "clear_assignee")


@pytest.mark.parametrize("reason, effects", [("spam", ("mark_spam",)), ("invalid", ())])
def test_void_marks_spam_only_for_spam(call_center, reason, effects):
    decision = decide(call_center, "pending_dispatch", "void", {"agent"}, {"reason": reason}, {})
    assert (decision.to_state, decision.effects) == ("void", effects)


@pytest.mark.parametrize("state", ["pending_dispatch", "in_progress", "suspended"])
def test_urge_stays(call_center, state):
    decision = decide(call_center, state, "urge", {"system"}, {}, {})
    assert decision.to_state == state
    assert not decision.moves
    assert decision.effects == ("count_urge", "notify_holder")
    assert decision.params == {"note": None}


def test_supervise_level_is_a_choice(call_center):
    decision = decide(call_center, "in_progress", "supervise", {"dispatcher"}, {"level": 2}, {})
    assert decision.params == {"level": "2", "note": None}
    assert decision.effects == ("set_supervise_level",)
    with pytest.raises(InvalidParams) as caught:
        decide(call_center, "in_progress", "supervise", {"dispatcher"}, {"level": 4}, {})
    assert caught.value.errors == {"level": "not_a_choice"}


@pytest.mark.parametrize(
    "facts, to_state",
    [
        ({"category_requires_followup": True}, "pending_followup"),
        ({"category_requires_followup": False}, "resolved"),
    ],
)
def test_hotline_quick_resolve_skips_review(hotline, facts, to_state):
    """即办 in 12345: the centre answered itself, so no 审核; from 办理中 it always is."""
    params = {"result": "已当场答复"}
    assert decide(hotline, "pending_dispatch", "resolve", {"agent"}, params, facts).to_state == (
        to_state
    )
    assert decide(hotline, "in_progress", "resolve", {"handler"}, params, facts).to_state == (
        "pending_review"
    )


# --- initial routing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "facts, expected",
    [
        ({"has_department": True}, ("pending_accept", ("route_by_category",))),
        ({"has_department": False}, ("pending_dispatch", ())),
        ({}, ("pending_dispatch", ())),
        (None, ("pending_dispatch", ())),
    ],
)
def test_initial_routing(call_center, hotline, facts, expected):
    assert initial_state(call_center, facts) == expected
    assert initial_state(hotline, facts) == expected


def test_process_lists_the_facts_it_reads(call_center, hotline):
    assert call_center.facts == {"has_department", "category_requires_followup"}
    assert hotline.facts == {"has_department", "category_requires_followup"}
