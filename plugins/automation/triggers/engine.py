"""Running triggers for one event (the outbox handler "triggers") and the dry run.

Active rules run in their order against the event; the ticket part is evaluated in SQL at
that moment, so one rule's actions can make a later rule match (Zendesk's semantics). A rule
fires at most once per event: its TriggerRun row is claimed (unique per rule and event)
before any action. Events a rule causes carry the chain depth and the rule ids in their
payload: at depth MAX_DEPTH nothing runs, and a rule already in the chain is a loop.
"""

from __future__ import annotations

import logging
from typing import Any

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from plugins.automation.triggers import actions as run_actions
from plugins.automation.triggers import vocabulary as voc
from plugins.automation.triggers.facts import event_facts, explain_event
from plugins.automation.triggers.models import Trigger, TriggerRun
from plugins.automation.triggers.schema import parse_conditions, parse_event_conditions
from plugins.tickets.models import OutboxEvent, Ticket
from plugins.tickets.models.base import utcnow
from plugins.tickets.services.duties import SYSTEM_USERNAME
from plugins.tickets.services.errors import DomainError
from plugins.tickets.services.outbox import CONTEXT_KEY
from plugins.tickets.services.view_fields import view_fields
from plugins.tickets.services.views_sql import condition_clause
from workflows import view_conditions as vc

log = logging.getLogger(__name__)
HANDLER_NAME = "triggers"


def system_user(session: Session) -> User | None:
    return session.scalar(select(User).where(User.username == SYSTEM_USERNAME))


def active_triggers(session: Session) -> list[Trigger]:
    stmt = select(Trigger).where(Trigger.active.is_(True)).order_by(Trigger.sort_order, Trigger.id)
    return list(session.scalars(stmt))


def ticket_matches(session: Session, user: Any, view: vc.View, fields: dict, ticket_id: int):
    """The saved-view compiler on one row: the same meaning as in the views."""
    clause = condition_clause(session, user, view, fields)
    stmt = select(Ticket.id).where(Ticket.id == ticket_id, clause)
    return session.scalar(stmt) is not None


def _claim(session: Session, trigger: Trigger, row: OutboxEvent) -> TriggerRun | None:
    """Insert the run row (ON CONFLICT DO NOTHING, like the outbox claim); None if taken.
    RETURNING the whole row gives the ORM object without reading it back."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(TriggerRun)
        .values(trigger_id=trigger.id, outbox_id=row.id, ticket_id=row.ticket_id,
                result="running", created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["trigger_id", "outbox_id"])
        .returning(TriggerRun)
    )  # fmt: skip
    return session.scalars(stmt).first()


def _fire(session: Session, system: User, ticket: Ticket, trigger: Trigger, run, chain, depth):
    ctx = run_actions.RunContext(session, system, ticket, trigger, run)
    detail, failed = [], 0
    session.info[CONTEXT_KEY] = {
        "trigger_depth": depth + 1, "trigger_chain": [*chain, trigger.id],
        "trigger_id": trigger.id,
    }  # fmt: skip
    try:
        for i, action in enumerate(trigger.actions or []):
            try:
                result = run_actions.execute(ctx, i, action)
                detail.append({"index": i, "type": action.get("type"), "ok": True,
                               "result": result})  # fmt: skip
            except DomainError as err:  # refused by the process or a service: logged
                failed += 1
                message = str(err)
                if err.fields:
                    message += " " + "; ".join(f"{k}: {v}" for k, v in err.fields.items())
                detail.append({"index": i, "type": action.get("type"), "ok": False,
                               "error": message})  # fmt: skip
    finally:
        session.info.pop(CONTEXT_KEY, None)
    run.detail = detail
    run.result = "fired" if not failed else ("failed" if failed == len(detail) else "partial")
    run.error = "; ".join(d["error"] for d in detail if not d["ok"]) or None


def handle(session: Session, row: OutboxEvent) -> None:
    """The outbox handler: every matching active rule fires once for this event."""
    payload = row.payload or {}
    depth = int(payload.get("trigger_depth") or 0)
    if depth >= voc.MAX_DEPTH:
        log.warning("trigger chain stopped at depth %s (event %s)", depth, row.id)
        return
    triggers = active_triggers(session)
    if not triggers:
        return
    # The event part first: most events (a note a rule added) match no rule's event, and
    # then need no ticket, custom fields, system user, trail row, actor or roles read.
    rules = []
    for trigger in triggers:
        try:
            rules.append((trigger, parse_event_conditions(trigger.conditions)))
        except ValueError as err:  # cannot happen for a saved rule, but never crash
            log.warning("trigger %s skipped: %s", trigger.id, err)
    wanted = {cond.field for _, event_view in rules for cond in event_view.conditions}
    ticket = session.get(Ticket, row.ticket_id) if "channel" in wanted else None
    facts = event_facts(session, row, ticket, wanted)
    matched = [trigger for trigger, event_view in rules if explain_event(event_view, facts)[0]]
    if not matched:
        return
    if ticket is None:
        ticket = session.get(Ticket, row.ticket_id)
    system = system_user(session)
    if ticket is None or system is None:
        return
    chain = list(payload.get("trigger_chain") or [])
    fields = view_fields(session)
    for trigger in matched:
        try:
            _, ticket_view = parse_conditions(session, trigger.conditions, fields)
        except ValueError as err:  # a stale rule (e.g. its custom field was deleted)
            log.warning("trigger %s skipped: %s", trigger.id, err)
            continue
        # No ticket condition: every ticket matches (condition_clause is TRUE), no query.
        if ticket_view.conditions and not ticket_matches(
            session, system, ticket_view, fields, ticket.id
        ):
            continue
        run = _claim(session, trigger, row)
        if run is None:
            continue
        if trigger.id in chain:
            run.result, run.error = "loop", "loop: the rule caused this event"
            continue
        _fire(session, system, ticket, trigger, run, chain, depth)


def dry_run(session: Session, ticket: Ticket, row: OutboxEvent | None = None) -> dict[str, Any]:
    """Which active rules would fire on this ticket's latest event (or `row`), and why.

    Reads only: nothing is claimed, changed or written.
    """
    if row is None:
        row = session.scalar(
            select(OutboxEvent).where(OutboxEvent.ticket_id == ticket.id)
            .order_by(OutboxEvent.id.desc()).limit(1)
        )  # fmt: skip
    system = system_user(session)
    fields = view_fields(session)
    facts = event_facts(session, row, ticket) if row is not None else {}
    rules = []
    for trigger in active_triggers(session):
        entry: dict[str, Any] = {"id": trigger.id, "name": trigger.name, "fires": False}
        try:
            event_view, ticket_view = parse_conditions(session, trigger.conditions, fields)
        except ValueError as err:
            entry["error"] = str(err)
            rules.append(entry)
            continue
        event_ok, event_rows = explain_event(event_view, facts) if row else (False, [])
        ticket_rows = []
        for cond in ticket_view.conditions:
            one = vc.View("all", (cond,))
            ok = ticket_matches(session, system, one, fields, ticket.id)
            ticket_rows.append({"field": cond.field, "op": cond.op,
                                "value": _plain(cond.value), "ok": ok})  # fmt: skip
        ticket_ok = ticket_matches(session, system, ticket_view, fields, ticket.id)
        entry.update(
            fires=bool(event_ok and ticket_ok), event_ok=event_ok, ticket_ok=ticket_ok,
            event=event_rows, ticket=ticket_rows, actions=trigger.actions,
        )  # fmt: skip
        rules.append(entry)
    event = None
    if row is not None:
        event = {"id": row.id, "kind": facts.get("kind"), "action": facts.get("action")}
    return {"ticket_id": ticket.id, "event": event, "facts": _plain(facts), "rules": rules}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)
