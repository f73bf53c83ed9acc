"""Errors of the engine. One class per answer the integration has to give differently.

The integration maps them to HTTP codes: UnknownAction → 404, StateNotAllowed → 409,
DutyNotAllowed → 403, InvalidParams → 422; DefinitionError is shown in the process editor.
"""

from __future__ import annotations


class WorkflowError(Exception):
    """Base of every error the engine raises, so callers can catch the family at once."""


class DefinitionError(WorkflowError):
    """A process definition is invalid. `errors` lists every problem, each prefixed with its
    path (``actions.transfer.to: unknown state 'doing'``), so an editor can show them all."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("invalid process definition:\n" + "\n".join(self.errors))


class UnknownAction(WorkflowError):
    """The process has no action of that name."""

    def __init__(self, action: str) -> None:
        self.action = action
        super().__init__(f"unknown action {action!r}")


class StateNotAllowed(WorkflowError):
    """The action exists but cannot be taken from the ticket's current state."""

    def __init__(self, action: str, state: str) -> None:
        self.action = action
        self.state = state
        super().__init__(f"action {action!r} is not allowed in state {state!r}")


class DutyNotAllowed(WorkflowError):
    """None of the actor's duties may take this action from this state."""

    def __init__(self, action: str, state: str, allowed: frozenset[str]) -> None:
        self.action = action
        self.state = state
        self.allowed = allowed
        super().__init__(
            f"action {action!r} in state {state!r} needs one of: {', '.join(sorted(allowed))}"
        )


class InvalidParams(WorkflowError):
    """Parameters failed validation. `errors` maps a parameter name to a short message key
    (see vocabulary.PARAM_ERRORS) that the integration translates."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        detail = ", ".join(f"{name}: {key}" for name, key in sorted(self.errors.items()))
        super().__init__(f"invalid parameters: {detail}")


class NoOutcome(WorkflowError):
    """No outcome matched. The loader requires a final unconditional outcome, so this only
    happens with a Process built by hand."""

    def __init__(self, action: str, state: str) -> None:
        self.action = action
        self.state = state
        super().__init__(f"no outcome of {action!r} matches in state {state!r}")
