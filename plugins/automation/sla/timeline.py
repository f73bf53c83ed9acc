"""Clocks rebuilt from the trajectory: walk the ticket's status changes in order and
start, pause, resume, stop and extend each metric's clock with the pure workflows.sla moves.

Rebuilding from the facts (instead of nudging counters per event) makes the handler
idempotent and indifferent to event order, and a calendar change recomputes correctly
(Zammad rebuilds its breaks from state history for the same reason).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from workflows import sla
from workflows.calendar_base import WorkCalendar
from workflows.sla_target import SlaTarget

#: After 办结 the handling clock is done, though the state's own clock runs (review, 回访).
RESOLVED_STATES = frozenset({"pending_review", "pending_followup"})
ACCEPT_STATE = "pending_accept"
FOLLOW_UP_STATE = "pending_followup"
REPLY = "__first_reply"


@dataclass(frozen=True)
class Step:
    """One fact of the ticket's life: at `at` (aware UTC) it was in `status` after `action`."""

    at: dt.datetime
    status: str
    action: str
    changes: Mapping[str, Any] | None = None


def phase(metric: str, status: str, clocks: Mapping[str, str | None], replied: bool) -> str:
    """run | pause | off for one metric in one status. `clocks` maps a state to its
    process `clock:` setting (None for terminal states)."""
    if metric == "accept":
        return "run" if status == ACCEPT_STATE else "off"
    if metric == "follow_up":
        return "run" if status == FOLLOW_UP_STATE else "off"
    setting = clocks.get(status)
    if setting in (None, "stop") or (metric == "first_reply" and replied):
        return "off"
    if metric == "resolve" and status in RESOLVED_STATES:
        return "off"
    return "pause" if setting == "pause" else "run"


def _until(changes: Mapping[str, Any] | None) -> dt.datetime | None:
    raw = (changes or {}).get("until")
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(str(raw))
    except ValueError:
        return None
    # Naive extension instants are UTC, like effects._utc_naive stores them.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def rebuild(
    steps: Iterable[Step],
    targets: Mapping[str, SlaTarget],
    clocks: Mapping[str, str | None],
    calendar: WorkCalendar,
    reply_at: dt.datetime | None = None,
) -> dict[tuple[str, int], sla.SlaClock]:
    """{(metric, cycle): clock} for every clock the facts imply."""
    ordered = sorted(steps, key=lambda s: s.at)
    if reply_at is not None and ordered:
        status = next((s.status for s in reversed(ordered) if s.at <= reply_at), ordered[0].status)
        ordered.append(Step(reply_at, status, REPLY))
        ordered.sort(key=lambda s: (s.at, s.action == REPLY))
    out: dict[tuple[str, int], sla.SlaClock] = {}
    current: dict[str, tuple[int, sla.SlaClock]] = {}
    cycles: dict[str, int] = {}
    replied = False
    requested: dt.datetime | None = None
    for step in ordered:
        replied = replied or step.action == REPLY
        if step.action == "request_extension":
            requested = _until(step.changes)
        for metric, target in targets.items():
            want = phase(metric, step.status, clocks, replied)
            found = current.get(metric)
            if found is None:
                if want == "off" or (metric == "first_reply" and cycles.get(metric)):
                    continue
                cycle = cycles[metric] = cycles.get(metric, 0) + 1
                clock = sla.start_clock(target, calendar, step.at)
                if want == "pause":
                    clock = sla.pause(clock, calendar, step.at)
            else:
                cycle, clock = found
                if want == "off":
                    clock = sla.stop(clock, calendar, step.at)
                elif want == "pause" and clock.running:
                    clock = sla.pause(clock, calendar, step.at)
                elif want == "run" and clock.paused:
                    clock = sla.resume(clock, calendar, step.at)
                if metric == "resolve" and step.action == "approve_extension" and requested:
                    clock = _extended(clock, calendar, requested)
            out[(metric, cycle)] = clock
            if clock.stopped:
                current.pop(metric, None)
            else:
                current[metric] = (cycle, clock)
        if step.action == "approve_extension":
            requested = None
    return out


def _extended(clock: sla.SlaClock, calendar: WorkCalendar, until: dt.datetime) -> sla.SlaClock:
    """Move the clock to the approved deadline; an extension that would shorten is ignored."""
    if clock.stopped or clock.due_at is None or until <= clock.due_at:
        return clock
    try:
        return sla.extend(clock, calendar, new_due=until)
    except sla.ClockError:
        return clock
