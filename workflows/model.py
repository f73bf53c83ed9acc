"""The parsed process: plain frozen dataclasses, built only by the loader after validation.

Everything here is read-only data so one Process can be cached and shared between requests
and jobs; the engine functions (engine.py) take it as their first argument.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workflows.conditions import Condition, decided, referenced_facts
from workflows.vocabulary import Label


@dataclass(frozen=True)
class State:
    """A node of the process.

    `terminal` means no action ever leaves it (已合并, 已作废, 已归档). 已办结 and 已关闭 are not
    terminal (关闭, 重开 and 归档 leave them) but their clock stops, which is why `open` is
    derived from both: a ticket is open while it is not terminal and its clock is not stopped.
    `deadline` is only shape-checked here ({hours | working_hours | working_days: N}); the
    SLA engine interprets it.
    """

    name: str
    label: Label
    terminal: bool = False
    clock: str = "run"
    deadline: dict[str, int] | None = field(default=None, hash=False)
    queue: str | None = None

    @property
    def open(self) -> bool:
        return not self.terminal and self.clock != "stop"


@dataclass(frozen=True)
class Param:
    """An input of an action. `choices` is ((value, label), ...) for type choice;
    `max_length` bounds type text."""

    name: str
    type: str
    label: Label
    required: bool = False
    choices: tuple[tuple[str, Label], ...] = ()
    max_length: int | None = None

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(value for value, _ in self.choices)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for GET .../actions and for building a form."""
        return {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "label": self.label.as_dict(),
            "choices": [{"value": v, "label": label.as_dict()} for v, label in self.choices],
            "max_length": self.max_length,
        }


@dataclass(frozen=True)
class Outcome:
    """Where an action leads when `when` matches (None: always). `to` None means the ticket
    stays where it is (催办, 督办); `effects` are names from vocabulary.EFFECTS."""

    to: str | None
    effects: tuple[str, ...] = ()
    when: Condition | None = None

    def target(self, from_state: str) -> str:
        return from_state if self.to is None else self.to


@dataclass(frozen=True)
class Action:
    """Something an actor may do to a ticket: one button, one API endpoint.

    `duties_by_state` overrides `duties` for single from-states; that is how 即办 works: 办结
    from 待派单 is for the agent on the call, from 处理中 for the handling department.
    """

    name: str
    label: Label
    from_states: tuple[str, ...]
    duties: frozenset[str]
    outcomes: tuple[Outcome, ...]
    params: tuple[Param, ...] = ()
    duties_by_state: dict[str, frozenset[str]] = field(default_factory=dict, hash=False)
    confirm: Label | None = None
    order: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready description of the button and its form (not of the duties)."""
        return {
            "name": self.name,
            "label": self.label.as_dict(),
            "confirm": self.confirm.as_dict() if self.confirm else None,
            "params": [param.as_dict() for param in self.params],
        }

    def allowed_duties(self, state: str) -> frozenset[str]:
        return self.duties_by_state.get(state, self.duties)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def targets(self, from_state: str) -> tuple[str, ...]:
        """Every state this action can lead to from `from_state`, in outcome order. Outcomes
        ruled out by a `{state: ...}` test are skipped, and so is everything after one that
        always matches."""
        seen: dict[str, None] = {}
        for outcome in self.outcomes:
            known = decided(outcome.when, from_state)
            if known is not False:
                seen[outcome.target(from_state)] = None
            if known is True:
                break
        return tuple(seen)


@dataclass(frozen=True)
class InitialRule:
    """Where a new ticket starts: the first rule whose `when` matches the facts wins."""

    to: str
    effects: tuple[str, ...] = ()
    when: Condition | None = None


@dataclass(frozen=True)
class Process:
    """A validated process definition. Build it with `load_process`, never by hand."""

    key: str
    version: int
    label: Label
    states: dict[str, State] = field(hash=False)
    actions: dict[str, Action] = field(hash=False)
    initial: tuple[InitialRule, ...] = ()

    @property
    def open_states(self) -> tuple[str, ...]:
        return tuple(name for name, state in self.states.items() if state.open)

    @property
    def initial_states(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(rule.to for rule in self.initial))

    @property
    def facts(self) -> frozenset[str]:
        """Fact names the definition reads: what the caller must pass to decide()."""
        found: set[str] = set()
        for rule in self.initial:
            found |= referenced_facts(rule.when)
        for action in self.actions.values():
            for outcome in action.outcomes:
                found |= referenced_facts(outcome.when)
        return frozenset(found)
