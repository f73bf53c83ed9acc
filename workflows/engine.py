"""The state machine: plain data in, a Decision out.

The engine decides, the caller applies: decide() never changes anything and never looks
anything up, so the integration can call it inside its transaction (with the duties and facts
it computed for this actor and ticket), then apply `effects` and write the trajectory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workflows.errors import DutyNotAllowed, NoOutcome, StateNotAllowed, UnknownAction
from workflows.model import Action, Process
from workflows.params import coerce_params


@dataclass(frozen=True)
class Decision:
    """What taking `action` from `from_state` means: where the ticket goes, which effects the
    caller must apply (in order) and the coerced parameters (every declared one; absent
    optional ones are None)."""

    action: str
    from_state: str
    to_state: str
    effects: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def moves(self) -> bool:
        """False for actions that keep the state (催办, 督办): no new trajectory node."""
        return self.to_state != self.from_state


def decide(
    process: Process,
    state: str,
    action: str,
    duties: Iterable[str],
    params: Mapping[str, Any] | None = None,
    facts: Mapping[str, Any] | None = None,
) -> Decision:
    """Check that the actor may take `action` now and work out its outcome.

    Checks run in the order the integration answers them: the action exists (UnknownAction),
    the state allows it (StateNotAllowed, 409), one of the actor's duties may take it from this
    state (DutyNotAllowed, 403), the parameters are valid (InvalidParams, 422).
    The first outcome whose `when` matches the coerced params and the facts wins.
    """
    found = process.actions.get(action)
    if found is None:
        raise UnknownAction(action)
    if state not in found.from_states:
        raise StateNotAllowed(action, state)
    allowed = found.allowed_duties(state)
    if not allowed & set(duties):
        raise DutyNotAllowed(action, state, allowed)
    values = coerce_params(found.params, params or {})
    facts = facts or {}
    for outcome in found.outcomes:
        if outcome.when is None or outcome.when.matches(values, facts, state):
            return Decision(action, state, outcome.target(state), outcome.effects, values)
    raise NoOutcome(action, state)


def initial_state(
    process: Process, facts: Mapping[str, Any] | None = None
) -> tuple[str, tuple[str, ...]]:
    """Where a new ticket starts and the effects to apply (e.g. route_by_category)."""
    facts = facts or {}
    for rule in process.initial:
        if rule.when is None or rule.when.matches({}, facts, ""):
            return rule.to, rule.effects
    raise NoOutcome("(initial)", "")


def available_actions(process: Process, state: str, duties: Iterable[str]) -> list[Action]:
    """The actions these duties may take from `state`, in button order. Parameters are not
    checked here: this is what the screen offers and what GET .../actions lists."""
    duties = set(duties)
    found = [
        action
        for action in process.actions.values()
        if state in action.from_states and action.allowed_duties(state) & duties
    ]
    return sorted(found, key=lambda action: action.order)
