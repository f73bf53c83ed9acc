"""The process engine as a pure library: definitions as data in, decisions out.

No Flask, SQLAlchemy, RQ or Redis here (the integration in plugins/tickets applies the
decisions); see README.md in this folder for the definition format and the API.
"""

from __future__ import annotations

from workflows.engine import Decision, available_actions, decide, initial_state
from workflows.errors import (
    DefinitionError,
    DutyNotAllowed,
    InvalidParams,
    NoOutcome,
    StateNotAllowed,
    UnknownAction,
    WorkflowError,
)
from workflows.loader import DEFAULT_PROCESS, builtin_definitions, load_file, load_process
from workflows.model import Action, InitialRule, Outcome, Param, Process, State
from workflows.svg import render_svg
from workflows.vocabulary import (
    CLOCKS,
    DEADLINE_UNITS,
    DUTIES,
    EFFECTS,
    PARAM_ERRORS,
    PARAM_TYPES,
    Effect,
    Label,
)

__all__ = [
    "CLOCKS",
    "DEADLINE_UNITS",
    "DEFAULT_PROCESS",
    "DUTIES",
    "EFFECTS",
    "PARAM_ERRORS",
    "PARAM_TYPES",
    "Action",
    "Decision",
    "DefinitionError",
    "DutyNotAllowed",
    "Effect",
    "InitialRule",
    "InvalidParams",
    "Label",
    "NoOutcome",
    "Outcome",
    "Param",
    "Process",
    "State",
    "StateNotAllowed",
    "UnknownAction",
    "WorkflowError",
    "available_actions",
    "builtin_definitions",
    "decide",
    "initial_state",
    "load_file",
    "load_process",
    "render_svg",
]
