"""Loading a process definition from YAML text, a dict or a file, with full validation.

The loader is the only way to get a Process: everything the engine later relies on (every
name resolves, every action has a fallback outcome, no state is unreachable or a dead end)
is checked here once, so decide() can stay simple and never meet a broken definition.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from workflows.conditions import Scope, parse_condition
from workflows.errors import DefinitionError
from workflows.graph import dead_ends, unreachable
from workflows.model import Action, InitialRule, Process, State
from workflows.parse_actions import parse_action, parse_effects
from workflows.schema import Problems
from workflows.vocabulary import CLOCKS, DEADLINE_UNITS, Label

TOP_KEYS = ("key", "version", "label", "states", "initial", "actions")
STATE_KEYS = ("label", "terminal", "clock", "deadline", "queue")
DEFAULT_PROCESS = "call_center"
DEFINITIONS = Path(__file__).resolve().parent / "definitions"
_MISSING = Label("?", "?")


def load_process(source: str | Mapping[str, Any]) -> Process:
    """Parse YAML text (or an already parsed dict) and validate it.

    Raises:
        DefinitionError: with every problem found, each prefixed with its path.
    """
    if isinstance(source, str):
        try:
            source = yaml.load(source, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "yaml"
            problem = getattr(exc, "problem", None) or str(exc)
            raise DefinitionError([f"({where}): invalid YAML: {problem}"]) from None
    problems = Problems()
    raw = problems.mapping(source, "(root)")
    if raw is None:
        raise DefinitionError(problems.items)
    process = _process(raw, problems)
    if problems.items or process is None:
        raise DefinitionError(problems.items)
    return process


class _UniqueKeyLoader(yaml.SafeLoader):
    """A SafeLoader that refuses duplicate keys: plain YAML keeps the last one silently, so
    an admin who pastes a second `close:` action would lose the first without a word."""

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'", key_node.start_mark
                )
            if isinstance(key, str | int | float | bool) or key is None:
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_file(path: str | Path) -> Process:
    """Load a definition from a YAML file (UTF-8)."""
    return load_process(Path(path).read_text(encoding="utf-8"))


def builtin_definitions() -> dict[str, str]:
    """The YAML text of every definition shipped in workflows/definitions/, by file stem
    (which is also the process key), so the integration can seed them into the database."""
    found = {}
    for entry in sorted(DEFINITIONS.iterdir()):
        if entry.suffix in (".yaml", ".yml"):
            found[entry.stem] = entry.read_text(encoding="utf-8")
    return found


def _process(raw: Mapping[str, Any], problems: Problems) -> Process | None:
    problems.keys(raw, "", TOP_KEYS, TOP_KEYS)
    key = raw.get("key")
    if key is not None:
        problems.name(key, "key")
    version = problems.positive_int(raw["version"], "version") if "version" in raw else None
    label = problems.label(raw["label"], "label") if "label" in raw else None
    states = _states(raw.get("states"), problems)
    initial = _initial(raw.get("initial"), states, problems)
    actions: dict[str, Action] = {}
    raw_actions = raw.get("actions")
    if raw_actions is not None and problems.mapping(raw_actions, "actions") is not None:
        if not raw_actions:
            problems.add("actions", "must define at least one action")
        for index, (name, spec) in enumerate(raw_actions.items()):
            if problems.name(name, f"actions.{name}"):
                action = parse_action(name, spec, f"actions.{name}", states, index, problems)
                if action is not None:
                    actions[name] = action
    _check_graph(states, initial, actions, raw_actions, problems)
    if problems.items or label is None or version is None:
        return None
    return Process(key, version, label, states, actions, tuple(initial))


def _states(raw: Any, problems: Problems) -> dict[str, State]:
    states: dict[str, State] = {}
    if raw is None or problems.mapping(raw, "states") is None:
        return states
    if not raw:
        problems.add("states", "must define at least one state")
    for name, spec in raw.items():
        path = f"states.{name}"
        if not problems.name(name, path) or problems.mapping(spec, path) is None:
            continue
        states[name] = _state(name, spec, path, problems)
    return states


def _state(name: str, raw: Mapping[str, Any], path: str, problems: Problems) -> State:
    problems.keys(raw, path, STATE_KEYS, ("label",))
    label = problems.label(raw["label"], f"{path}.label") if "label" in raw else None
    terminal = raw.get("terminal", False)
    if not isinstance(terminal, bool):
        problems.add(f"{path}.terminal", "must be true or false")
    clock = raw.get("clock", "stop" if terminal is True else "run")
    if not isinstance(clock, str) or clock not in CLOCKS:
        problems.add(f"{path}.clock", f"must be one of {', '.join(CLOCKS)}")
    elif terminal is True and clock != "stop":
        problems.add(f"{path}.clock", "a terminal state must stop the clock")
    deadline = None
    if "deadline" in raw:
        deadline = _deadline(raw["deadline"], f"{path}.deadline", problems)
        if clock == "stop":
            problems.add(f"{path}.deadline", "a state whose clock stops has no deadline")
    queue = raw.get("queue")
    if queue is not None:
        problems.name(queue, f"{path}.queue")
    # Register the state even when its details are wrong, so references to it do not also
    # fail; the Process itself is never built while any problem remains.
    return State(name, label or _MISSING, terminal is True, str(clock), deadline, queue)


def _deadline(raw: Any, path: str, problems: Problems) -> dict[str, int] | None:
    units = ", ".join(DEADLINE_UNITS)
    if not isinstance(raw, Mapping) or len(raw) != 1:
        problems.add(path, f"must be one of {{{units}: N}}")
        return None
    ((unit, amount),) = raw.items()
    if unit not in DEADLINE_UNITS:
        problems.add(f"{path}.{unit}", f"unknown unit (one of {units})")
        return None
    amount = problems.positive_int(amount, f"{path}.{unit}")
    return None if amount is None else {unit: amount}


def _initial(raw: Any, states: Mapping[str, State], problems: Problems) -> list[InitialRule]:
    """Where new tickets start, e.g. routed by the category's department or to dispatch."""
    if raw is None:
        return []
    if not isinstance(raw, list) or not raw:
        problems.add("initial", "must be a non-empty list of {when, to, effects}")
        return []
    scope = Scope(params=None, choices={}, from_states=None)
    rules = []
    for i, item in enumerate(raw):
        path = f"initial[{i}]"
        if problems.mapping(item, path) is None:
            continue
        problems.keys(item, path, ("when", "effects"), ("to",))
        when = None
        if "when" in item:
            when = parse_condition(item["when"], f"{path}.when", scope, problems.items)
            if i == len(raw) - 1:
                problems.add(path, "the last rule must have no 'when' (the fallback)")
        elif i < len(raw) - 1:
            problems.add(path, "only the last rule may omit 'when'")
        to = item.get("to")
        if to is not None and (not isinstance(to, str) or to not in states):
            problems.add(f"{path}.to", f"unknown state '{to}'")
        elif to is not None and states[to].terminal:
            problems.add(f"{path}.to", f"a ticket cannot start in terminal state '{to}'")
        effects = parse_effects(item.get("effects"), f"{path}.effects", None, problems)
        if isinstance(to, str):
            rules.append(InitialRule(to, effects, when))
    return rules


def _check_graph(
    states: Mapping[str, State],
    initial: list[InitialRule],
    actions: Mapping[str, Action],
    raw_actions: Any,
    problems: Problems,
) -> None:
    """Unreachable states and dead ends. A broken action still counts with whatever of its
    `from`/`to` is readable, so that one typo does not also invent graph problems."""
    if not states or not initial:
        return
    transitions = [
        (source, target)
        for action in actions.values()
        for source in action.from_states
        for target in action.targets(source)
    ]
    transitions += _raw_transitions(raw_actions, states, skip=actions)
    for name in unreachable(states, [rule.to for rule in initial], transitions):
        problems.add(f"states.{name}", "unreachable from the initial states")
    for name in dead_ends(states, transitions):
        problems.add(f"states.{name}", "dead end (not terminal and no action leaves it)")


def _raw_transitions(
    raw_actions: Any, states: Mapping[str, State], skip: Mapping[str, Action]
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if not isinstance(raw_actions, Mapping):
        return found
    for name, spec in raw_actions.items():
        if name in skip or not isinstance(spec, Mapping):
            continue
        sources = spec.get("from")
        sources = [sources] if isinstance(sources, str) else sources
        if not isinstance(sources, list):
            continue
        targets = spec.get("outcomes") if isinstance(spec.get("outcomes"), list) else [spec]
        for source in sources:
            if not isinstance(source, str) or source not in states:
                continue
            for target in targets:
                to = target.get("to") if isinstance(target, Mapping) else None
                found.append((source, to if isinstance(to, str) and to in states else source))
    return found
