"""The small condition language of `when:` in outcomes and initial rules.

Conditions are data so an admin can edit them in YAML and the loader can check every name
before a ticket ever meets them. Forms::

    {param: satisfaction, in: [dissatisfied]}   # a (coerced) parameter of the action
    {param: reason, eq: spam}                    # also: ne
    {fact: category_requires_followup}           # truthy
    {fact: has_department, eq: false}
    {state: pending_dispatch}                    # the state the action is taken from
    {all: [...]}  {any: [...]}  {not: {...}}

Facts are plain values the caller computes and passes in; the engine never looks anything
up. A missing fact or optional parameter is None.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

OPERATORS = ("eq", "ne", "in")


@dataclass(frozen=True)
class Compare:
    """One test of a parameter, a fact or the from-state. `op` is truthy, eq, ne or in."""

    source: str
    name: str
    op: str = "truthy"
    value: Any = None

    def matches(self, params: Mapping[str, Any], facts: Mapping[str, Any], state: str) -> bool:
        if self.source == "param":
            actual = params.get(self.name)
        elif self.source == "fact":
            actual = facts.get(self.name)
        else:
            actual = state
        if self.op == "truthy":
            return bool(actual)
        if self.op == "eq":
            return actual == self.value
        if self.op == "ne":
            return actual != self.value
        return actual in self.value


@dataclass(frozen=True)
class AllOf:
    items: tuple[Condition, ...]

    def matches(self, params: Mapping[str, Any], facts: Mapping[str, Any], state: str) -> bool:
        return all(item.matches(params, facts, state) for item in self.items)


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]

    def matches(self, params: Mapping[str, Any], facts: Mapping[str, Any], state: str) -> bool:
        return any(item.matches(params, facts, state) for item in self.items)


@dataclass(frozen=True)
class Not:
    item: Condition

    def matches(self, params: Mapping[str, Any], facts: Mapping[str, Any], state: str) -> bool:
        return not self.item.matches(params, facts, state)


Condition = Compare | AllOf | AnyOf | Not


@dataclass(frozen=True)
class Scope:
    """What a condition may refer to where it stands.

    Initial rules have no parameters and no from-state, so `params` and `from_states` are None
    there. `choices` maps a choice parameter to its values so a typo such as
    ``in: [unhappy]`` is caught at load time instead of silently never matching.
    """

    params: frozenset[str] | None
    choices: Mapping[str, frozenset[str]]
    from_states: frozenset[str] | None


def parse_condition(raw: Any, path: str, scope: Scope, errors: list[str]) -> Condition | None:
    """Build a Condition from YAML data, appending ``path: message`` for every problem."""
    if not isinstance(raw, Mapping) or not raw:
        errors.append(f"{path}: must be a mapping such as {{fact: name}} or {{all: [...]}}")
        return None
    for group, cls in (("all", AllOf), ("any", AnyOf)):
        if group in raw:
            if len(raw) > 1:
                errors.append(f"{path}: '{group}' cannot be combined with other keys")
            items = raw[group]
            if not isinstance(items, list) or not items:
                errors.append(f"{path}.{group}: must be a non-empty list")
                return None
            parsed = [
                parse_condition(item, f"{path}.{group}[{i}]", scope, errors)
                for i, item in enumerate(items)
            ]
            return None if None in parsed else cls(tuple(parsed))  # type: ignore[arg-type]
    if "not" in raw:
        if len(raw) > 1:
            errors.append(f"{path}: 'not' cannot be combined with other keys")
        inner = parse_condition(raw["not"], f"{path}.not", scope, errors)
        return None if inner is None else Not(inner)
    return _parse_compare(raw, path, scope, errors)


def _parse_compare(
    raw: Mapping[str, Any], path: str, scope: Scope, errors: list[str]
) -> Compare | None:
    sources = [key for key in ("param", "fact", "state") if key in raw]
    before = len(errors)
    for key in raw:
        if key not in ("param", "fact", "state", *OPERATORS):
            errors.append(f"{path}.{key}: unknown key (expected param, fact, state, all, any, not)")
    if len(sources) != 1:
        errors.append(f"{path}: needs exactly one of param, fact, state")
        return None
    source = sources[0]
    if source == "state":
        return _parse_state(raw, path, scope, errors, before)
    name = raw[source]
    if not isinstance(name, str) or not name:
        errors.append(f"{path}.{source}: must be a name")
        return None
    if source == "param":
        if scope.params is None:
            errors.append(f"{path}.param: initial rules have no parameters; use a fact")
        elif name not in scope.params:
            errors.append(f"{path}.param: unknown param '{name}'")
    ops = [key for key in OPERATORS if key in raw]
    if len(ops) > 1:
        errors.append(f"{path}: use only one of {', '.join(OPERATORS)}")
        return None
    op = ops[0] if ops else "truthy"
    value = raw.get(op)
    if op == "in":
        if not isinstance(value, list) or not value:
            errors.append(f"{path}.in: must be a non-empty list")
            return None
        value = tuple(value)
    if source == "param" and name in scope.choices and op != "truthy":
        value = _check_choices(value, op, f"{path}.{op}", scope.choices[name], name, errors)
    if len(errors) > before:
        return None
    return Compare(source, name, op, value)


def _check_choices(
    value: Any, op: str, path: str, allowed: frozenset[str], name: str, errors: list[str]
) -> Any:
    """Compare choice parameters as strings (how decide() coerces them) and catch typos."""
    values = value if op == "in" else (value,)
    normal = tuple(str(v) for v in values)
    for i, item in enumerate(normal):
        if item not in allowed:
            where = f"{path}[{i}]" if op == "in" else path
            errors.append(f"{where}: '{item}' is not a choice of {name}")
    return normal if op == "in" else normal[0]


def _parse_state(
    raw: Mapping[str, Any], path: str, scope: Scope, errors: list[str], before: int
) -> Compare | None:
    if any(op in raw for op in OPERATORS):
        errors.append(f"{path}: 'state' takes a state or a list of states, no operator")
    if scope.from_states is None:
        errors.append(f"{path}.state: initial rules have no from-state")
        return None
    value = raw["state"]
    names = value if isinstance(value, list) else [value]
    if not names:
        errors.append(f"{path}.state: must name a state")
    for name in names:
        if not isinstance(name, str) or name not in scope.from_states:
            errors.append(f"{path}.state: '{name}' is not a from-state of this action")
    if len(errors) > before:
        return None
    return Compare("state", "", "in", tuple(names))


def decided(condition: Condition | None, state: str) -> bool | None:
    """What a condition is known to be for a from-state before any param or fact is seen:
    True, False, or None (depends on them). Lets the graph skip outcomes that a
    ``{state: ...}`` test rules out, so the diagram and the checks show only real moves."""
    if condition is None:
        return True
    if isinstance(condition, Compare):
        return state in condition.value if condition.source == "state" else None
    if isinstance(condition, Not):
        inner = decided(condition.item, state)
        return None if inner is None else not inner
    results = [decided(item, state) for item in condition.items]
    if isinstance(condition, AllOf):
        return False if False in results else (True if all(results) else None)
    return True if True in results else (False if all(r is False for r in results) else None)


def referenced_facts(condition: Condition | None) -> set[str]:
    """The fact names a condition reads, so the integration knows what to compute."""
    if condition is None:
        return set()
    if isinstance(condition, Compare):
        return {condition.name} if condition.source == "fact" else set()
    if isinstance(condition, Not):
        return referenced_facts(condition.item)
    found: set[str] = set()
    for item in condition.items:
        found |= referenced_facts(item)
    return found
