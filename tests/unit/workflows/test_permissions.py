"""Which actions each duty may take in each state, for both shipped definitions.

The expected tables are written out by hand from the issue (not derived from the YAML), so a
change to a definition's permissions shows up here as a deliberate edit.
"""

from __future__ import annotations

import pytest

from workflows import DUTIES, available_actions, load_process

ALL_DUTIES = tuple(DUTIES)
URGE = {"agent", "dispatcher", "supervisor", "follow_up", "system"}
SUPERVISE = {"dispatcher", "supervisor", "system"}
DESK = {"dispatcher", "supervisor"}
UNIT = {"handler", "supervisor"}

CALL_CENTER = {
    "pending_dispatch": {
        "resolve": {"agent", "dispatcher"},  # 即办
        "dispatch": DESK | {"system"},
        "urge": URGE,
        "supervise": SUPERVISE,
        "merge": DESK,
        "void": DESK | {"agent"},
    },
    "pending_accept": {
        "accept": UNIT,
        "transfer": UNIT | {"dispatcher", "system"},
        "return": UNIT,
        "urge": URGE,
        "supervise": SUPERVISE,
        "merge": DESK,
        "void": DESK | {"agent"},
    },
    "in_progress": {
        "resolve": UNIT,
        "transfer": UNIT | {"dispatcher", "system"},
        "return": UNIT,
        "request_extension": {"handler"},
        "suspend": UNIT,
        "urge": URGE,
        "supervise": SUPERVISE,
        "merge": DESK,
    },
    "extension_review": {
        "approve_extension": DESK,
        "reject_extension": DESK,
        "urge": URGE,
        "supervise": SUPERVISE,
    },
    "suspended": {"resume": UNIT, "urge": URGE, "supervise": SUPERVISE},
    "pending_followup": {
        "follow_up": {"follow_up"},
        "book_callback": {"follow_up"},
        "urge": URGE,
        "supervise": SUPERVISE,
    },
    "resolved": {
        "close": DESK | {"follow_up", "system"},
        "reopen": DESK | {"agent"},
        "archive": DESK | {"system"},
    },
    "closed": {"reopen": DESK | {"agent"}, "archive": DESK | {"system"}},
    "merged": {},
    "void": {},
    "archived": {},
}

HOTLINE = {
    "pending_dispatch": CALL_CENTER["pending_dispatch"],
    "pending_accept": CALL_CENTER["pending_accept"],
    "return_review": {
        "approve_return": {"dispatcher"},
        "reject_return": {"dispatcher"},
        "urge": URGE,
        "supervise": SUPERVISE,
    },
    "in_progress": CALL_CENTER["in_progress"],
    "extension_review": CALL_CENTER["extension_review"],
    "suspended": CALL_CENTER["suspended"],
    "pending_review": {
        "review_pass": {"dispatcher"},
        "review_reject": {"dispatcher"},
        "urge": URGE,
        "supervise": SUPERVISE,
    },
    "pending_followup": CALL_CENTER["pending_followup"],
    "resolved": CALL_CENTER["resolved"],
    "closed": CALL_CENTER["closed"],
    "merged": {},
    "void": {},
    "archived": {},
}


def _cases(table):
    return [(state, duty) for state in table for duty in ALL_DUTIES]


def test_tables_cover_every_state(call_center, hotline):
    assert set(CALL_CENTER) == set(call_center.states)
    assert set(HOTLINE) == set(hotline.states)


@pytest.mark.parametrize("state, duty", _cases(CALL_CENTER))
def test_call_center_actions_per_state_and_duty(call_center, state, duty):
    expected = {name for name, duties in CALL_CENTER[state].items() if duty in duties}
    assert {a.name for a in available_actions(call_center, state, {duty})} == expected


@pytest.mark.parametrize("state, duty", _cases(HOTLINE))
def test_hotline_actions_per_state_and_duty(hotline, state, duty):
    expected = {name for name, duties in HOTLINE[state].items() if duty in duties}
    assert {a.name for a in available_actions(hotline, state, {duty})} == expected


@pytest.mark.parametrize(
    "process_name, table", [("call_center", CALL_CENTER), ("hotline", HOTLINE)]
)
def test_every_listed_action_is_exactly_the_states_actions(request, process_name, table):
    process = request.getfixturevalue(process_name)
    for state, actions in table.items():
        found = available_actions(process, state, ALL_DUTIES)
        assert {a.name for a in found} == set(actions), state


def test_actions_come_in_button_order(call_center):
    names = [a.name for a in available_actions(call_center, "in_progress", {"supervisor"})]
    assert names == ["resolve", "transfer", "return", "suspend", "urge", "supervise", "merge"]


def test_several_duties_unite(call_center):
    names = {a.name for a in available_actions(call_center, "pending_dispatch", {"agent"})}
    assert names == {"resolve", "urge", "void"}
    both = {a.name for a in available_actions(call_center, "pending_dispatch", {"agent", "system"})}
    assert both == {"resolve", "urge", "void", "supervise", "dispatch"}


def test_no_duties_no_actions(call_center):
    assert available_actions(call_center, "in_progress", set()) == []


def test_unknown_state_has_no_actions(call_center):
    assert available_actions(call_center, "doing", ALL_DUTIES) == []


def test_explicit_order_wins():
    text = """
key: tiny
version: 1
label: {zh: 小流程, en: Tiny}
states:
  open_: {label: {zh: 处理中, en: Open}}
  done: {label: {zh: 已办结, en: Done}, terminal: true}
initial: [{to: open_}]
actions:
  first: {label: {zh: 甲, en: A}, from: open_, duties: [agent], to: done}
  second: {label: {zh: 乙, en: B}, from: open_, duties: [agent], to: done, order: -1}
"""
    process = load_process(text)
    assert [a.name for a in available_actions(process, "open_", {"agent"})] == ["second", "first"]
