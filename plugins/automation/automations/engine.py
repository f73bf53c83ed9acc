"""Sweeping automations: each active rule in order, one query each, acting once per ticket.

For every rule the compiled query returns up to BATCH tickets that match now and have no
run row for it. Each ticket is then claimed (INSERT … ON CONFLICT DO NOTHING RETURNING, like
the outbox and trigger claims), re-checked against the rule at that moment, and the actions
run through the one door as the system user; the claim, the changes and the run log commit
together, ticket by ticket, so a crash leaves the ticket unclaimed for the next sweep and
two overlapping sweeps never fire a ticket twice. Once per ticket means once for ever: a
ticket that matches again later does not fire that automation again.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from plugins.automation.automations import compiler
from plugins.automation.automations.models import Automation, AutomationRun
from plugins.automation.automations.schema import parse
from plugins.automation.automations.vocabulary import BATCH, DRY_RUN_ROWS
from plugins.automation.sla.system_user import system_user
from plugins.automation.triggers import actions as run_actions
from plugins.tickets.models import Ticket
from plugins.tickets.models.base import utcnow
from plugins.tickets.scoping import read_scope
from plugins.tickets.services.errors import DomainError
from plugins.tickets.services.outbox import CONTEXT_KEY
from plugins.tickets.services.view_fields import view_fields

log = logging.getLogger(__name__)


@dataclass
class AutomationContext(run_actions.RunContext):
    """The trigger executors' context with the automation as the rule (`trigger` field)."""

    stamp_key = "automation"

    @property
    def label(self) -> str:
        return _("Automation: %(name)s", name=self.trigger.name)

    def notification_key(self, index: int) -> str:
        return f"automation-{self.trigger.id}:ticket-{self.ticket.id}:{index}"


def active(session: Session) -> list[Automation]:
    stmt = select(Automation).where(Automation.active.is_(True))
    return list(session.scalars(stmt.order_by(Automation.sort_order, Automation.id)))


def _claim(session: Session, automation_id: int, ticket_id: int) -> AutomationRun | None:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(AutomationRun)
        .values(automation_id=automation_id, ticket_id=ticket_id, result="running",
                created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["automation_id", "ticket_id"])
        .returning(AutomationRun.id)
    )  # fmt: skip
    run_id = session.execute(stmt).scalar()
    return session.get(AutomationRun, run_id) if run_id is not None else None


def _fire(session: Session, system: Any, ticket: Ticket, rule: Automation, run) -> None:
    ctx = AutomationContext(session, system, ticket, rule, run)
    detail, failed = [], 0
    session.info[CONTEXT_KEY] = {"automation_id": rule.id}
    try:
        for i, action in enumerate(rule.actions or []):
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


def run_one(
    session: Session, rule: Automation, system: Any, now: dt.datetime, fields: dict,
    limit: int = BATCH,
) -> list[int]:  # fmt: skip
    """Fire `rule` on the tickets that match now (at most `limit`); commits each. Returns
    the ids of the tickets it fired on."""
    try:
        parsed = parse(session, rule.conditions, fields)
        clause = compiler.rule_clause(session, system, parsed, fields, now)
    except ValueError as err:  # a stale rule (its custom field was deleted), a bad calendar
        log.warning("automation %s skipped: %s", rule.id, err)
        return []
    rule_id, fired = rule.id, []
    for ticket_id in list(session.scalars(compiler.pending(rule_id, clause, limit))):
        run = _claim(session, rule_id, ticket_id)
        still = select(Ticket.id).where(Ticket.id == ticket_id, clause, compiler.sweepable())
        if run is None or session.scalar(still) is None:
            session.rollback()  # taken by another sweep, or changed since the query
            continue
        ticket = session.get(Ticket, ticket_id, populate_existing=True)
        try:
            _fire(session, system, ticket, session.get(Automation, rule_id), run)
            session.commit()
        except Exception:  # e.g. a concurrent edit: unclaimed, so the next sweep retries
            session.rollback()
            log.exception("automation %s on ticket %s failed", rule_id, ticket_id)
            continue
        fired.append(ticket_id)
    return fired


def sweep(session: Session, now: dt.datetime | None = None) -> dict[int, list[int]]:
    """Run every active automation in order; {automation id: ticket ids fired}."""
    now = now or utcnow()
    system = system_user(session)
    if system is None:
        return {}
    fields = view_fields(session)
    out: dict[int, list[int]] = {}
    for rule_id in [r.id for r in active(session)]:
        rule = session.get(Automation, rule_id)
        out[rule_id] = run_one(session, rule, system, now, fields)
        rule = session.get(Automation, rule_id)
        rule.last_run_at = now
        session.commit()
    return out


def dry_run(
    session: Session, viewer: Any, conditions: Any, automation_id: int | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Which tickets the viewer may see would match now: counts and the first rows.

    Reads only. `pending` leaves out the tickets the automation already fired on (what the
    next sweep would act on); ValueError for invalid conditions.
    """
    now = now or utcnow()
    fields = view_fields(session)
    parsed = parse(session, conditions, fields)
    clause = compiler.rule_clause(session, system_user(session), parsed, fields, now)
    scope = read_scope(session, viewer).clause()
    where = [scope, clause, compiler.sweepable()]
    if automation_id is not None:
        where.append(compiler.not_handled(automation_id))
    rows = session.scalars(
        select(Ticket).where(*where).order_by(Ticket.id).limit(DRY_RUN_ROWS)
    ).all()
    return {
        "matching": compiler.count(session, scope, clause, compiler.sweepable()),
        "pending": compiler.count(session, *where),
        "tickets": list(rows),
        "now": now,
    }
