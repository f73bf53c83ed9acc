"""Parsing and checking the `actions:` section of a definition.

An action has either one target (`to:` / `stay: true`, with `effects:`) or an ordered list of
`outcomes:`, each with an optional `when:`. The last outcome must be unconditional so that
decide() always finds one: a definition never leaves a ticket with "no way forward".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflows.conditions import Scope, parse_condition
from workflows.model import Action, Outcome, Param, State
from workflows.schema import Problems
from workflows.vocabulary import DUTIES, EFFECTS, PARAM_TYPES, Label

ACTION_KEYS = ("label", "from", "duties", "duties_by_state", "params", "confirm", "order")
TARGET_KEYS = ("to", "stay", "effects")
PARAM_KEYS = ("type", "label", "required", "choices", "max_length")


def parse_action(
    name: str, raw: Any, path: str, states: Mapping[str, State], index: int, problems: Problems
) -> Action | None:
    """One action, or None when anything about it is wrong (the problems say what)."""
    raw = problems.mapping(raw, path)
    if raw is None:
        return None
    before = len(problems)
    problems.keys(raw, path, ACTION_KEYS + TARGET_KEYS + ("outcomes",), ("label", "from"))
    label = problems.label(raw.get("label"), f"{path}.label") if "label" in raw else None
    from_states = _from_states(raw.get("from"), f"{path}.from", states, problems)
    duties = _duties(raw.get("duties"), f"{path}.duties", problems, required=True)
    by_state: dict[str, frozenset[str]] = {}
    overrides = raw.get("duties_by_state") or {}
    if problems.mapping(overrides, f"{path}.duties_by_state") is not None:
        for state, listed in overrides.items():
            where = f"{path}.duties_by_state.{state}"
            if state not in from_states:
                problems.add(where, f"'{state}' is not a from-state of this action")
            by_state[state] = _duties(listed, where, problems, required=True)
    params = parse_params(raw.get("params") or {}, f"{path}.params", problems)
    # Names as declared, even where a parameter's details are wrong: no follow-on errors.
    declared = raw.get("params") if isinstance(raw.get("params"), Mapping) else {}
    scope = Scope(
        params=frozenset(declared),
        choices={p.name: frozenset(p.choice_values) for p in params if p.type == "choice"},
        from_states=frozenset(from_states),
    )
    outcomes = _outcomes(raw, path, states, scope, problems)
    confirm = problems.label(raw["confirm"], f"{path}.confirm") if "confirm" in raw else None
    order = raw.get("order", index * 10)
    if isinstance(order, bool) or not isinstance(order, int):
        problems.add(f"{path}.order", "must be an integer")
    if len(problems) > before or label is None:
        return None
    return Action(
        name=name,
        label=label,
        from_states=tuple(from_states),
        duties=duties,
        outcomes=outcomes,
        params=params,
        duties_by_state=by_state,
        confirm=confirm,
        order=order,
    )


def _from_states(raw: Any, path: str, states: Mapping[str, State], problems: Problems) -> list[str]:
    found: list[str] = []
    for where, name in problems.names(raw, path) or []:
        if not isinstance(name, str) or name not in states:
            problems.add(where, f"unknown state '{name}'")
        elif states[name].terminal:
            problems.add(where, f"state '{name}' is terminal: no action may leave it")
        else:
            found.append(name)
    return found


def _duties(raw: Any, path: str, problems: Problems, required: bool) -> frozenset[str]:
    if raw is None and not required:
        return frozenset()
    found = set()
    for where, duty in problems.names(raw, path) or []:
        if isinstance(duty, str) and duty in DUTIES:
            found.add(duty)
        else:
            problems.add(where, f"unknown duty '{duty}' (one of {', '.join(DUTIES)})")
    return frozenset(found)


def parse_params(raw: Any, path: str, problems: Problems) -> tuple[Param, ...]:
    raw = problems.mapping(raw, path)
    params = []
    for name, spec in (raw or {}).items():
        param = _param(name, spec, f"{path}.{name}", problems)
        if param is not None:
            params.append(param)
    return tuple(params)


def _param(name: Any, raw: Any, path: str, problems: Problems) -> Param | None:
    before = len(problems)
    problems.name(name, path)
    raw = problems.mapping(raw, path)
    if raw is None:
        return None
    problems.keys(raw, path, PARAM_KEYS, ("type", "label"))
    kind = raw.get("type")
    if kind is not None and (not isinstance(kind, str) or kind not in PARAM_TYPES):
        problems.add(f"{path}.type", f"unknown type '{kind}'")
    label = problems.label(raw["label"], f"{path}.label") if "label" in raw else None
    required = raw.get("required", False)
    if not isinstance(required, bool):
        problems.add(f"{path}.required", "must be true or false")
    choices: tuple[tuple[str, Label], ...] = ()
    if kind == "choice":
        choices = _choices(raw.get("choices"), f"{path}.choices", problems)
    elif "choices" in raw:
        problems.add(f"{path}.choices", "only a choice parameter has choices")
    max_length = None
    if "max_length" in raw:
        if kind == "text":
            max_length = problems.positive_int(raw["max_length"], f"{path}.max_length")
        else:
            problems.add(f"{path}.max_length", "only a text parameter has max_length")
    if len(problems) > before or label is None:
        return None
    return Param(name, kind, label, required, choices, max_length)


def _choices(raw: Any, path: str, problems: Problems) -> tuple[tuple[str, Label], ...]:
    """`{value: {zh, en}, ...}` in display order; values compare as strings (1 → "1")."""
    if not isinstance(raw, Mapping) or not raw:
        problems.add(path, "a choice parameter needs a mapping of value: {zh, en}")
        return ()
    found = []
    for value, label in raw.items():
        parsed = problems.label(label, f"{path}.{value}")
        if parsed is not None:
            found.append((str(value), parsed))
    return tuple(found)


def _outcomes(
    raw: Mapping[str, Any],
    path: str,
    states: Mapping[str, State],
    scope: Scope,
    problems: Problems,
) -> tuple[Outcome, ...]:
    if "outcomes" in raw:
        if any(key in raw for key in TARGET_KEYS):
            problems.add(path, "use either 'outcomes' or 'to'/'stay'/'effects', not both")
        items = raw["outcomes"]
        if not isinstance(items, list) or not items:
            problems.add(f"{path}.outcomes", "must be a non-empty list")
            return ()
        found = []
        for i, item in enumerate(items):
            where = f"{path}.outcomes[{i}]"
            item = problems.mapping(item, where)
            if item is None:
                continue
            problems.keys(item, where, TARGET_KEYS + ("when",))
            when = None
            if "when" in item:
                when = parse_condition(item["when"], f"{where}.when", scope, problems.items)
            elif i < len(items) - 1:
                problems.add(where, "only the last outcome may omit 'when'")
            if i == len(items) - 1 and "when" in item:
                problems.add(where, "the last outcome must have no 'when' (the fallback)")
            found.append(_target(item, where, states, scope.params, when, problems))
        return tuple(found)
    return (_target(raw, path, states, scope.params, None, problems),)


def _target(
    raw: Mapping[str, Any],
    path: str,
    states: Mapping[str, State],
    params: frozenset[str] | None,
    when: Any,
    problems: Problems,
) -> Outcome:
    to = raw.get("to")
    stay = raw.get("stay", False)
    if stay not in (True, False):
        problems.add(f"{path}.stay", "must be true or false")
    if to is None and stay is not True:
        problems.add(path, "needs 'to: <state>' or 'stay: true'")
    elif to is not None and stay is True:
        problems.add(path, "'to' and 'stay: true' exclude each other")
    elif to is not None and (not isinstance(to, str) or to not in states):
        problems.add(f"{path}.to", f"unknown state '{to}'")
    effects = parse_effects(raw.get("effects"), f"{path}.effects", params, problems)
    return Outcome(to=None if stay is True else to, effects=effects, when=when)


def parse_effects(
    raw: Any, path: str, params: frozenset[str] | None, problems: Problems
) -> tuple[str, ...]:
    """Effect names from the fixed registry; an effect that reads a parameter needs it."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.add(path, "must be a list of effect names")
        return ()
    names = params or frozenset()
    found = []
    for i, name in enumerate(raw):
        effect = EFFECTS.get(name) if isinstance(name, str) else None
        if effect is None:
            problems.add(f"{path}[{i}]", f"unknown effect '{name}'")
            continue
        if effect.param and effect.param not in names:
            owner = "initial rules have no parameters" if params is None else "the action lacks it"
            problems.add(f"{path}[{i}]", f"effect '{name}' needs param '{effect.param}' ({owner})")
        found.append(name)
    return tuple(found)
