"""Loading definitions: the shipped ones are valid, broken ones report every error by path."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from workflows import (
    DEFAULT_PROCESS,
    EFFECTS,
    DefinitionError,
    Label,
    builtin_definitions,
    load_file,
    load_process,
)

HEAD = """
key: demo
version: 1
label: {zh: 演示流程, en: Demo}
"""

VALID = (
    HEAD
    + """
states:
  new:
    label: {zh: 待处理, en: New}
    deadline: {hours: 8}
  done:
    label: {zh: 已办结, en: Done}
    terminal: true
initial:
  - to: new
actions:
  finish:
    label: {zh: 办结, en: Finish}
    from: new
    duties: [handler]
    to: done
"""
)


def _errors(text: str) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load_process(textwrap.dedent(text))
    return caught.value.errors


# --- the shipped definitions -----------------------------------------------------------------


def test_builtin_definitions_are_listed_by_key():
    assert set(builtin_definitions()) == {"call_center", "hotline_12345"}
    assert DEFAULT_PROCESS in builtin_definitions()


@pytest.mark.parametrize("key", ["call_center", "hotline_12345"])
def test_builtin_definitions_load(key):
    process = load_process(builtin_definitions()[key])
    assert (process.key, process.version) == (key, 1)


def test_load_file_and_dict_agree(tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_text(VALID, encoding="utf-8")
    assert load_file(path) == load_process(yaml.safe_load(VALID)) == load_process(VALID)


def test_call_center_states(call_center):
    states = call_center.states
    assert states["pending_accept"].deadline == {"working_hours": 4}
    assert states["in_progress"].deadline == {"working_days": 3}
    assert states["pending_followup"].deadline == {"working_days": 1}
    assert states["suspended"].clock == "pause"
    assert {n for n, s in states.items() if s.terminal} == {"merged", "void", "archived"}
    # 已办结 and 已关闭 are left by 关闭/重开/归档, but their clock stops: not open.
    assert not states["resolved"].terminal and not states["resolved"].open
    assert set(call_center.open_states) == {
        "pending_dispatch",
        "pending_accept",
        "in_progress",
        "extension_review",
        "suspended",
        "pending_followup",
    }
    assert call_center.initial_states == ("pending_accept", "pending_dispatch")


def test_hotline_states(hotline):
    states = hotline.states
    assert states["pending_accept"].deadline == {"working_days": 1}  # 签收时限
    assert states["suspended"].clock == "pause"
    assert states["pending_review"].label == Label("待审核", "Pending review")
    assert states["return_review"].label.zh == "退单审核"


@pytest.mark.parametrize("key", ["call_center", "hotline_12345"])
def test_every_label_has_both_languages(key):
    process = load_process(builtin_definitions()[key])
    labels = [process.label]
    labels += [s.label for s in process.states.values()]
    for action in process.actions.values():
        labels.append(action.label)
        for param in action.params:
            labels.append(param.label)
            labels += [label for _, label in param.choices]
    for label in labels:
        assert label.zh and label.en
        assert any("\u4e00" <= ch <= "\u9fff" for ch in label.zh), label


def test_call_center_action_labels_use_the_domain_words(call_center):
    zh = {name: a.label.zh for name, a in call_center.actions.items()}
    assert zh["dispatch"] == "派单" and zh["accept"] == "签收" and zh["transfer"] == "转办"
    assert zh["return"] == "退回" and zh["resolve"] == "办结" and zh["follow_up"] == "回访"
    assert zh["urge"] == "催办" and zh["supervise"] == "督办" and zh["void"] == "作废"
    choices = dict(call_center.actions["follow_up"].param("satisfaction").choices)
    assert [label.zh for label in choices.values()] == ["满意", "基本满意", "不满意"]


def test_as_dict_describes_a_form(call_center):
    described = call_center.actions["void"].as_dict()
    assert described["label"] == {"zh": "作废", "en": "Void"}
    assert described["confirm"]["zh"].endswith("？")
    (reason,) = described["params"]
    assert reason["name"] == "reason" and reason["type"] == "choice" and reason["required"]
    assert [c["value"] for c in reason["choices"]] == ["spam", "invalid"]


def test_every_effect_is_documented():
    assert all(effect.label.zh and effect.label.en for effect in EFFECTS.values())
    assert EFFECTS["set_department"].param == "department_id"


# --- broken definitions: every error, with its path ------------------------------------------


def test_the_examples_from_the_issue_are_reported_together():
    errors = _errors(
        HEAD
        + """
states:
  pending_accept:
    label: {zh: 待签收, en: Pending acceptance}
    clock: ticking
  in_progress:
    label: {zh: 处理中, en: In progress}
  done:
    label: {zh: 已办结, en: Done}
    terminal: true
initial: [{to: pending_accept}]
actions:
  transfer:
    label: {zh: 转办, en: Transfer}
    from: [pending_accept]
    duties: [handler]
    to: doing
  resolve:
    label: {zh: 办结, en: Resolve}
    from: [pending_accept, in_progress]
    duties: [handler]
    params:
      result: {type: txt, label: {zh: 办理结果, en: Result}}
    to: done
"""
    )
    assert errors == [
        "states.pending_accept.clock: must be one of run, pause, stop",
        "actions.transfer.to: unknown state 'doing'",
        "actions.resolve.params.result.type: unknown type 'txt'",
        "states.in_progress: unreachable from the initial states",
    ]


def test_many_structural_errors_at_once():
    errors = _errors(
        """
key: Demo Flow
version: 0
label: {zh: 演示}
colour: blue
states:
  new:
    label: {zh: 待处理, en: New}
    deadline: {weeks: 2}
  waiting:
    label: {zh: 等待, en: Waiting}
    clock: stop
    deadline: {hours: -1}
  done:
    label: {zh: 已办结, en: Done}
    terminal: true
    clock: run
initial:
  - when: {fact: vip}
    to: nowhere
  - to: new
    effects: [set_department]
actions:
  finish:
    label: {zh: 办结, en: ""}
    from: [new, done]
    duties: [handler, boss]
    duty: [agent]
    params:
      level:
        type: choice
        label: {zh: 级别, en: Level}
      note:
        type: text
        max_length: 0
        label: {zh: 说明, en: Note}
      dept:
        type: department
        max_length: 3
        label: {zh: 部门, en: Department}
    outcomes:
      - to: done
        effects: [explode, merge_into]
      - when: {fact: vip}
        to: waiting
  Bad-Name:
    label: {zh: 坏, en: Bad}
    from: new
    duties: [agent]
    stay: true
"""
    )
    assert errors == [
        "colour: unknown key",
        "key: name must be lower_snake_case (a-z, 0-9, _)",
        "version: must be a positive integer",
        "label.en: required",
        "states.new.deadline.weeks: unknown unit (one of hours, working_hours, working_days)",
        "states.waiting.deadline.hours: must be a positive integer",
        "states.waiting.deadline: a state whose clock stops has no deadline",
        "states.done.clock: a terminal state must stop the clock",
        "initial[0].to: unknown state 'nowhere'",
        "initial[1].effects[0]: effect 'set_department' needs param 'department_id' "
        "(initial rules have no parameters)",
        "actions.finish.duty: unknown key",
        "actions.finish.label.en: must be a non-empty string",
        "actions.finish.from[1]: state 'done' is terminal: no action may leave it",
        "actions.finish.duties[1]: unknown duty 'boss' "
        "(one of agent, dispatcher, handler, supervisor, follow_up, system)",
        "actions.finish.params.level.choices: a choice parameter needs a mapping of "
        "value: {zh, en}",
        "actions.finish.params.note.max_length: must be a positive integer",
        "actions.finish.params.dept.max_length: only a text parameter has max_length",
        "actions.finish.outcomes[0]: only the last outcome may omit 'when'",
        "actions.finish.outcomes[0].effects[0]: unknown effect 'explode'",
        "actions.finish.outcomes[0].effects[1]: effect 'merge_into' needs param "
        "'into_ticket_id' (the action lacks it)",
        "actions.finish.outcomes[1]: the last outcome must have no 'when' (the fallback)",
        "actions.Bad-Name: name must be lower_snake_case (a-z, 0-9, _)",
        "states.waiting: dead end (not terminal and no action leaves it)",
    ]


def test_unreachable_and_dead_end_states():
    errors = _errors(
        HEAD
        + """
states:
  new: {label: {zh: 待处理, en: New}}
  stuck: {label: {zh: 卡住, en: Stuck}}
  orphan: {label: {zh: 孤立, en: Orphan}}
  island: {label: {zh: 孤岛, en: Island}, terminal: true}
  done: {label: {zh: 已办结, en: Done}, terminal: true}
initial: [{to: new}]
actions:
  park: {label: {zh: 暂存, en: Park}, from: new, duties: [agent], to: stuck}
  finish: {label: {zh: 办结, en: Finish}, from: [new, orphan], duties: [agent], to: done}
  poke: {label: {zh: 催办, en: Poke}, from: [stuck], duties: [agent], stay: true}
"""
    )
    assert errors == [
        "states.orphan: unreachable from the initial states",
        "states.island: unreachable from the initial states",
        "states.stuck: dead end (not terminal and no action leaves it)",
    ]


def test_a_state_condition_can_make_a_state_unreachable():
    """The graph follows {state: ...} tests: a fallback never taken leads nowhere."""
    errors = _errors(
        HEAD
        + """
states:
  new: {label: {zh: 待处理, en: New}}
  review: {label: {zh: 待审核, en: Review}}
  done: {label: {zh: 已办结, en: Done}, terminal: true}
initial: [{to: new}]
actions:
  finish:
    label: {zh: 办结, en: Finish}
    from: [new, review]
    duties: [agent]
    outcomes:
      - {when: {state: new}, to: done}
      - {to: review}
"""
    )
    assert errors == [
        "states.review: unreachable from the initial states",
        "states.review: dead end (not terminal and no action leaves it)",  # it loops on itself
    ]


LABEL = {"zh": "甲", "en": "A"}
NUMBER = {"zh": "数量", "en": "N"}


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"to": None}, "actions.go: needs 'to: <state>' or 'stay: true'"),
        (
            {"outcomes": [{"to": "done"}]},
            "actions.go: use either 'outcomes' or 'to'/'stay'/'effects', not both",
        ),
        ({"to": None, "outcomes": []}, "actions.go.outcomes: must be a non-empty list"),
        ({"from": None}, "actions.go.from: required"),
        ({"duties": None}, "actions.go.duties: must be a name or a non-empty list of names"),
        ({"from": []}, "actions.go.from: must be a name or a non-empty list of names"),
        ({"stay": "maybe"}, "actions.go.stay: must be true or false"),
        ({"order": "first"}, "actions.go.order: must be an integer"),
        ({"effects": "route_by_category"}, "actions.go.effects: must be a list of effect names"),
        (
            {"duties_by_state": {"done": ["agent"]}},
            "actions.go.duties_by_state.done: 'done' is not a from-state of this action",
        ),
        ({"confirm": "sure?"}, "actions.go.confirm: must be a mapping with zh and en"),
        ({"label": "甲"}, "actions.go.label: must be a mapping with zh and en"),
        (
            {"params": {"n": {"type": "integer", "label": NUMBER, "required": "yes"}}},
            "actions.go.params.n.required: must be true or false",
        ),
        (
            {"params": {"n": {"type": "text", "label": NUMBER, "choices": {"a": LABEL}}}},
            "actions.go.params.n.choices: only a choice parameter has choices",
        ),
        ({"params": {"n": {"label": NUMBER}}}, "actions.go.params.n.type: required"),
        (
            {"params": {"N": {"type": "text", "label": NUMBER}}},
            "actions.go.params.N: name must be lower_snake_case (a-z, 0-9, _)",
        ),
        ({"params": ["n"]}, "actions.go.params: must be a mapping"),
    ],
)
def test_action_shape_errors(changes, error):
    action = {"label": LABEL, "from": "new", "duties": ["agent"], "to": "done", **changes}
    definition = yaml.safe_load(VALID)
    definition["actions"]["go"] = {key: value for key, value in action.items() if value is not None}
    with pytest.raises(DefinitionError) as caught:
        load_process(definition)
    assert error in caught.value.errors


def test_an_action_that_is_not_a_mapping():
    definition = yaml.safe_load(VALID)
    definition["actions"]["go"] = ["go"]
    with pytest.raises(DefinitionError) as caught:
        load_process(definition)
    assert caught.value.errors == ["actions.go: must be a mapping"]


@pytest.mark.parametrize(
    "text, error",
    [
        (
            "key: [unclosed",
            "(line 1, column 15): invalid YAML: expected ',' or ']', but got '<stream end>'",
        ),
        ("- just\n- a list", "(root): must be a mapping"),
        ("", "(root): must be a mapping"),
    ],
)
def test_not_a_definition_at_all(text, error):
    assert _errors(text) == [error]


def test_duplicate_keys_are_refused():
    text = VALID + "  finish:\n    label: {zh: 又办结, en: Again}\n"
    assert _errors(text) == ["(line 21, column 3): invalid YAML: duplicate key 'finish'"]


def test_missing_top_level_sections():
    assert _errors("key: demo") == [
        "version: required",
        "label: required",
        "states: required",
        "initial: required",
        "actions: required",
    ]


def test_initial_rules_need_a_fallback_and_no_terminal_start():
    errors = _errors(
        HEAD
        + """
states:
  new: {label: {zh: 待处理, en: New}}
  done: {label: {zh: 已办结, en: Done}, terminal: true}
initial:
  - {to: new}
  - {when: {fact: spam}, to: done}
actions:
  finish: {label: {zh: 办结, en: Finish}, from: new, duties: [agent], to: done}
"""
    )
    assert errors == [
        "initial[0]: only the last rule may omit 'when'",
        "initial[1]: the last rule must have no 'when' (the fallback)",
        "initial[1].to: a ticket cannot start in terminal state 'done'",
    ]


def test_definition_error_message_lists_everything():
    error = DefinitionError(["a: one", "b: two"])
    assert "a: one" in str(error) and "b: two" in str(error)


@pytest.mark.parametrize("junk", [[1], {"a": 1}, 3, True, "x y"])
def test_junk_anywhere_is_a_definition_error_not_a_crash(junk):
    """Every field of a valid definition replaced by junk: always DefinitionError."""
    base = yaml.safe_load(VALID)

    def paths(node, prefix=()):
        yield prefix
        if isinstance(node, dict):
            for key, value in node.items():
                yield from paths(value, (*prefix, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from paths(value, (*prefix, i))

    for path in list(paths(base))[1:]:
        definition = yaml.safe_load(VALID)
        node = definition
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = junk
        try:
            load_process(definition)
        except DefinitionError:
            pass
