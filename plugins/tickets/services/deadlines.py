"""Required end time of a node from its state's `deadline` in the process definition.

Calendar arithmetic only for now: working hours and working days are counted as clock hours
and days. The SLA engine (business calendar with 调休) replaces this function.
"""

from __future__ import annotations

import datetime as dt

import workflows


def node_due(state: workflows.State | None, entered: dt.datetime) -> dt.datetime | None:
    if state is None or not state.deadline:
        return None
    unit, amount = next(iter(state.deadline.items()))
    if unit in ("hours", "working_hours"):
        return entered + dt.timedelta(hours=amount)
    if unit == "working_days":
        return entered + dt.timedelta(days=amount)
    return None
