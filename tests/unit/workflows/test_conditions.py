"""The `when:` language: evaluation and validation with paths."""

from __future__ import annotations

import pytest

from workflows import DefinitionError, decide, initial_state, load_process

CHOICES = {
    "good": {"zh": "好", "en": "Good"},
    "bad": {"zh": "差", "en": "Bad"},
}


def _process(when, initial_when=None):
    """A two-state process whose `act` goes to `special` when `when` matches."""
    initial = [{"to": "start"}]
    if initial_when is not None:
        initial.insert(0, {"when": initial_when, "to": "special"})
    return {
        "key": "cond",
        "version": 1,
        "label": {"zh": "条件", "en": "Conditions"},
        "states": {
            "start": {"label": {"zh": "开始", "en": "Start"}},
            "special": {"label": {"zh": "特别", "en": "Special"}, "terminal": True},
            "plain": {"label": {"zh": "普通", "en": "Plain"}, "terminal": True},
        },
        "initial": initial,
        "actions": {
            "act": {
                "label": {"zh": "办理", "en": "Act"},
                "from": ["start"],
                "duties": ["agent"],
                "params": {
                    "mood": {
                        "type": "choice",
                        "label": {"zh": "心情", "en": "Mood"},
                        "choices": CHOICES,
                    },
                    "n": {"type": "integer", "label": {"zh": "数量", "en": "N"}},
                },
                "outcomes": [{"when": when, "to": "special"}, {"to": "plain"}],
            }
        },
    }


def _goes(when, params=None, facts=None) -> str:
    process = load_process(_process(when))
    return decide(process, "start", "act", {"agent"}, params or {}, facts or {}).to_state


@pytest.mark.parametrize(
    "when, params, facts, special",
    [
        ({"param": "mood", "eq": "bad"}, {"mood": "bad"}, {}, True),
        ({"param": "mood", "eq": "bad"}, {"mood": "good"}, {}, False),
        ({"param": "mood", "eq": "bad"}, {}, {}, False),
        ({"param": "mood", "ne": "bad"}, {}, {}, True),
        ({"param": "mood", "in": ["bad", "good"]}, {"mood": "good"}, {}, True),
        ({"param": "mood"}, {"mood": "good"}, {}, True),
        ({"param": "n", "eq": 3}, {"n": "3"}, {}, True),
        ({"fact": "vip"}, {}, {"vip": True}, True),
        ({"fact": "vip"}, {}, {"vip": 0}, False),
        ({"fact": "vip"}, {}, {}, False),
        ({"fact": "vip", "eq": False}, {}, {"vip": False}, True),
        ({"fact": "vip", "eq": False}, {}, {}, False),  # missing is None, not False
        ({"fact": "level", "in": [2, 3]}, {}, {"level": 3}, True),
        ({"not": {"fact": "vip"}}, {}, {}, True),
        ({"all": [{"fact": "a"}, {"fact": "b"}]}, {}, {"a": 1, "b": 1}, True),
        ({"all": [{"fact": "a"}, {"fact": "b"}]}, {}, {"a": 1}, False),
        ({"any": [{"fact": "a"}, {"param": "mood", "eq": "bad"}]}, {"mood": "bad"}, {}, True),
        ({"any": [{"fact": "a"}, {"fact": "b"}]}, {}, {}, False),
    ],
)
def test_evaluation(when, params, facts, special):
    assert (_goes(when, params, facts) == "special") is special


def test_state_condition_reads_the_from_state():
    process = load_process(
        """
key: two
version: 1
label: {zh: 两步, en: Two steps}
states:
  first: {label: {zh: 第一步, en: First}}
  second: {label: {zh: 第二步, en: Second}}
  early: {label: {zh: 提前办结, en: Early}, terminal: true}
  late: {label: {zh: 按时办结, en: Late}, terminal: true}
initial: [{to: first}]
actions:
  hop: {label: {zh: 下一步, en: Next}, from: first, duties: [agent], to: second}
  finish:
    label: {zh: 办结, en: Finish}
    from: [first, second]
    duties: [agent]
    outcomes:
      - {when: {state: [first]}, to: early}
      - {to: late}
"""
    )
    assert decide(process, "first", "finish", {"agent"}, {}, {}).to_state == "early"
    assert decide(process, "second", "finish", {"agent"}, {}, {}).to_state == "late"
    assert process.actions["finish"].targets("first") == ("early",)
    assert process.actions["finish"].targets("second") == ("late",)


def test_initial_rules_use_facts():
    process = load_process(
        """
key: intake
version: 1
label: {zh: 受理, en: Intake}
states:
  dispatch: {label: {zh: 待派单, en: Pending dispatch}}
  accept: {label: {zh: 待签收, en: Pending acceptance}}
  done: {label: {zh: 已办结, en: Done}, terminal: true}
initial:
  - when: {all: [{fact: has_department}, {not: {fact: vip}}]}
    to: accept
    effects: [route_by_category]
  - {when: {any: [{fact: vip}, {fact: channel, eq: web}]}, to: dispatch, effects: [notify_holder]}
  - {to: dispatch}
actions:
  finish: {label: {zh: 办结, en: Finish}, from: [dispatch, accept], duties: [agent], to: done}
"""
    )
    assert initial_state(process, {"has_department": True}) == ("accept", ("route_by_category",))
    assert initial_state(process, {"has_department": True, "vip": 1}) == (
        "dispatch",
        ("notify_holder",),
    )
    assert initial_state(process, {"channel": "web"}) == ("dispatch", ("notify_holder",))
    assert initial_state(process, {}) == ("dispatch", ())


def _errors(when, initial_when=None) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load_process(_process(when, initial_when))
    return caught.value.errors


W = "actions.act.outcomes[0].when"


@pytest.mark.parametrize(
    "when, error",
    [
        ({"param": "colour", "eq": 1}, f"{W}.param: unknown param 'colour'"),
        ({"param": "mood", "in": ["ugly"]}, f"{W}.in[0]: 'ugly' is not a choice of mood"),
        ({"param": "mood", "eq": "ugly"}, f"{W}.eq: 'ugly' is not a choice of mood"),
        (
            {"param": "mood", "gt": 1},
            f"{W}.gt: unknown key (expected param, fact, state, all, any, not)",
        ),
        ({"param": "mood", "in": "bad"}, f"{W}.in: must be a non-empty list"),
        ({"param": "mood", "eq": "bad", "ne": "good"}, f"{W}: use only one of eq, ne, in"),
        ({"fact": "a", "param": "mood"}, f"{W}: needs exactly one of param, fact, state"),
        ({"eq": 1}, f"{W}: needs exactly one of param, fact, state"),
        ({"fact": ""}, f"{W}.fact: must be a name"),
        ({}, f"{W}: must be a mapping such as {{fact: name}} or {{all: [...]}}"),
        ("vip", f"{W}: must be a mapping such as {{fact: name}} or {{all: [...]}}"),
        ({"all": []}, f"{W}.all: must be a non-empty list"),
        ({"any": [{"fact": "a"}, {"param": "x"}]}, f"{W}.any[1].param: unknown param 'x'"),
        (
            {"not": {"all": [{"fact": "a"}, {"colour": 1}]}},
            f"{W}.not.all[1]: needs exactly one of param, fact, state",
        ),
        ({"all": [{"fact": "a"}], "fact": "b"}, f"{W}: 'all' cannot be combined with other keys"),
        ({"state": "elsewhere"}, f"{W}.state: 'elsewhere' is not a from-state of this action"),
        (
            {"state": "start", "eq": 1},
            f"{W}: 'state' takes a state or a list of states, no operator",
        ),
    ],
)
def test_validation_paths(when, error):
    assert error in _errors(when)


@pytest.mark.parametrize(
    "when, error",
    [
        ({"param": "mood"}, "initial[0].when.param: initial rules have no parameters; use a fact"),
        ({"state": "start"}, "initial[0].when.state: initial rules have no from-state"),
    ],
)
def test_initial_rules_cannot_read_params_or_state(when, error):
    assert error in _errors({"fact": "x"}, initial_when=when)
