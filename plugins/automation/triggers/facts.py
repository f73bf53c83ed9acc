"""The facts of one event that a trigger's event conditions test, and testing them.

An event is one outbox row. Its facts: the kind, the action and its parameters (from the
trajectory row), the fields an edit changed with their old and new values, the status
before and after, the ticket's channel, the actor's roles and whether it happened within
business hours (China's calendar: holidays and 调休 included).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from plugins.automation.triggers import vocabulary as voc
from plugins.tickets.models import OutboxEvent, Ticket, TicketEvent
from plugins.tickets.scoping import role_names
from workflows import view_conditions as vc
from workflows.business_calendar import BusinessCalendar


@lru_cache(maxsize=1)
def _calendar() -> BusinessCalendar:
    """One calendar per process: building the holiday table is not free."""
    return BusinessCalendar()


def in_business_hours(moment: dt.datetime) -> bool:
    """True when `moment` (naive UTC) falls inside a working window."""
    aware = moment.replace(tzinfo=dt.UTC)
    return _calendar().next_working_instant(aware) == aware


def event_facts(
    session: Session,
    row: OutboxEvent,
    ticket: Ticket | None,
    wanted: Collection[str] | None = None,
) -> dict[str, Any]:
    """The facts of an outbox event by condition field name.

    With `wanted` (the fields some condition tests), the facts that cost a query (the
    actor's roles, the action's parameters, the ticket's channel: the caller may pass no
    ticket when the channel is not wanted) are read only when wanted; the others are
    always there (they are free).
    """
    payload = row.payload or {}
    kind = voc.EVENT_KINDS.get(row.kind, row.kind)
    every = wanted is None
    need_roles = every or "actor_role" in wanted
    need_params = kind == "action" and (
        every or any(name.startswith(voc.PARAM_PREFIX) for name in wanted)
    )
    trail = None
    if row.event_id and (need_roles or need_params):
        trail = session.get(TicketEvent, row.event_id)
    actor = None
    if need_roles and trail is not None and trail.actor_id is not None:
        from flask_appbuilder.security.sqla.models import User

        actor = session.get(User, trail.actor_id)
    facts: dict[str, Any] = {
        "kind": kind,
        "action": payload.get("action"),
        "changed": list(payload.get("fields") or []),
        "from_status": payload.get("from") if kind == "action" else payload.get("status"),
        "to_status": payload.get("status"),
        "channel": ticket.channel if ticket is not None else None,
        "actor_role": sorted(role_names(actor)) if actor is not None else [],
        "business_hours": in_business_hours(row.created_at),
        "public": bool(payload.get("public")),
    }
    if need_params and trail is not None:
        for name, value in (trail.changes or {}).items():
            facts[voc.PARAM_PREFIX + name] = value
    for name, pair in (payload.get("changes") or {}).items():
        if isinstance(pair, list) and len(pair) == 2:
            facts[voc.OLD_PREFIX + name], facts[voc.NEW_PREFIX + name] = pair
    return facts


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    return [str(v) for v in items if v not in (None, "")]


def check(cond: vc.Condition, facts: dict[str, Any]) -> bool:
    """One event condition against the facts (plain Python: there is one event)."""
    value = facts.get(cond.field)
    if cond.op in ("eq", "ne") and isinstance(cond.value, bool):
        hit = bool(value) is cond.value
        return hit if cond.op == "eq" else not hit
    have = _as_list(value)
    if cond.op == "is_empty":
        return not have
    if cond.op == "is_not_empty":
        return bool(have)
    if cond.op == "contains":
        return any(str(cond.value).lower() in v.lower() for v in have)
    wanted = {str(v) for v in (cond.value if isinstance(cond.value, tuple) else (cond.value,))}
    hit = any(v in wanted for v in have)
    if cond.op in ("eq", "in"):
        return hit
    if cond.op in ("ne", "not_in"):
        return not hit
    return False  # ordering operators are not offered for event fields


def explain_event(view: vc.View, facts: dict[str, Any]) -> tuple[bool, list[dict[str, Any]]]:
    """(matched, [{"field", "op", "value", "actual", "ok"}]) for the dry run and the log."""
    rows = []
    for cond in view.conditions:
        rows.append(
            {
                "field": cond.field,
                "op": cond.op,
                "value": _plain(cond.value),
                "actual": facts.get(cond.field),
                "ok": check(cond, facts),
            }
        )
    oks = [r["ok"] for r in rows]
    matched = all(oks) if view.match == "all" else (any(oks) or not oks)
    return matched, rows


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)
