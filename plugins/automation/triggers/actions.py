"""Carrying out a trigger's actions, each through the one door as the system user.

Process actions go through apply_action, field changes through update_ticket, notes through
add_comment, assignment to a person through the assignment service; notifications and
webhook calls are requests to the notifications service (it owns delivery). Every
trajectory row an action writes is stamped with the rule's name, so the history says which
rule did it. Each service validates before it changes anything, so a refused action leaves
the transaction clean and is only logged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from plugins.automation.triggers.models import Trigger, TriggerRun
from plugins.tickets.models import Ticket, TicketEvent
from plugins.tickets.services import placeholders
from plugins.tickets.services.actions import apply_action
from plugins.tickets.services.assignment import assign_in_department
from plugins.tickets.services.comments import add_comment
from plugins.tickets.services.errors import ValidationFailed
from plugins.tickets.services.tickets import update_ticket
from workflows import view_conditions as vc

NOTE_MAX = 500


@dataclass
class RunContext:
    session: Any
    system: Any
    ticket: Ticket
    trigger: Trigger
    run: TriggerRun

    #: The trajectory `changes` entry naming the rule (automations reuse the executors).
    stamp_key = "trigger"

    @property
    def label(self) -> str:
        return _("Trigger: %(name)s", name=self.trigger.name)

    def notification_key(self, index: int) -> str:
        """Idempotency key of a notification: stable per event, rule and action."""
        return f"evt-{self.run.outbox_id}:trigger-{self.trigger.id}:{index}"


def _process(ctx: RunContext, params: dict[str, Any]) -> str:
    name = params["action"]
    apply_action(
        ctx.session, ctx.system, ctx.ticket, name, dict(params.get("params") or {}),
        ctx.ticket.version, commit=False,
    )  # fmt: skip
    return name


def _set_priority(ctx: RunContext, params: dict[str, Any]) -> str:
    update_ticket(
        ctx.session, ctx.system, ctx.ticket, {"priority": params["priority"]},
        ctx.ticket.version, commit=False,
    )  # fmt: skip
    return str(params["priority"])


def _set_field(ctx: RunContext, params: dict[str, Any]) -> str:
    code = str(params["field"])[len(vc.CUSTOM_PREFIX) :]
    update_ticket(
        ctx.session, ctx.system, ctx.ticket, {"custom_fields": {code: params["value"]}},
        ctx.ticket.version, commit=False,
    )  # fmt: skip
    return code


def _assign_department(ctx: RunContext, params: dict[str, Any]) -> str:
    """派单 from 待派单, else 转办 (the process decides whether either is allowed now)."""
    dept = params["department_id"]
    if ctx.ticket.status == "pending_dispatch":
        action, values = "dispatch", {"department_id": dept}
    else:
        reason = params.get("reason") or ctx.label
        action, values = "transfer", {"department_id": dept, "reason": reason}
    apply_action(ctx.session, ctx.system, ctx.ticket, action, values, ctx.ticket.version,
                 commit=False)  # fmt: skip
    return action


def _assign_person(ctx: RunContext, params: dict[str, Any]) -> str:
    user = assign_in_department(
        ctx.session, ctx.system, ctx.ticket, ctx.ticket.version,
        department_id=params.get("department_id"),
        strategy=params.get("strategy") or "round_robin", note=ctx.label,
    )  # fmt: skip
    return str(user.username)


def _render(ctx: RunContext, template: str) -> str:
    names = {placeholders.ALIASES.get(n, n) for n in placeholders.names_in(template)}
    if names <= _OWN_COLUMNS.keys():  # e.g. "{ticket.number}": no other row to read
        values = {name: getattr(ctx.ticket, column) or "" for name, column in _OWN_COLUMNS.items()}
    else:
        values = placeholders.values_for(ctx.session, ctx.system, ctx.ticket)
    return placeholders.render(template, values)


#: Placeholders that are the ticket's own columns (the same values as values_for's).
_OWN_COLUMNS = {"ticket.number": "number", "ticket.subject": "subject"}


def _add_note(ctx: RunContext, params: dict[str, Any]) -> str:
    body = _render(ctx, params["body"])
    add_comment(ctx.session, ctx.system, ctx.ticket, body, is_public=False, commit=False)
    return body[:80]


def _recipients(ctx: RunContext, params: dict[str, Any]) -> list[dict[str, Any]]:
    ticket, to = ctx.ticket, params["to"]
    if to == "robot":
        return [{"robot_id": params.get("robot_id")}]
    if to == "assignee":
        return [{"user_id": ticket.assignee_id}] if ticket.assignee_id else []
    if to == "creator":
        return [{"user_id": ticket.created_by_id}] if ticket.created_by_id else []
    if ticket.department_id is None:
        return []
    if to == "supervisors":
        return [{"department_supervisors": ticket.department_id}]
    return [{"department_id": ticket.department_id}]


def _send(ctx: RunContext, index: int, channel: str, recipients: list, params: dict) -> str:
    """A request through the notifications service (it owns delivery and retries); the key
    is stable per event, rule and action, so a rerun writes nothing twice."""
    from plugins.automation.notify.service import NotificationError, request_notification

    key = ctx.notification_key(index)
    try:
        rows = request_notification(
            ctx.session, ticket_id=ctx.ticket.id, subject=params.get("subject") or ctx.label,
            body=params.get("template") or "{ticket.number} {ticket.subject}",
            recipients=recipients, channel=channel, idempotency_key=key,
        )  # fmt: skip
    except (NotificationError, ValueError) as err:
        raise ValidationFailed(str(err)) from None
    return _("%(n)d notification(s)", n=len(rows))


def _notify(ctx: RunContext, params: dict[str, Any], index: int = 0) -> str:
    return _send(ctx, index, params["channel"], _recipients(ctx, params), params)


def _webhook(ctx: RunContext, params: dict[str, Any], index: int = 0) -> str:
    return _send(ctx, index, "webhook", [{"robot_id": params["endpoint_id"]}], params)


EXECUTORS: dict[str, Callable[..., str]] = {
    "process": _process,
    "set_priority": _set_priority,
    "set_field": _set_field,
    "assign_department": _assign_department,
    "assign_person": _assign_person,
    "add_note": _add_note,
    "notify": _notify,
    "webhook": _webhook,
}


def _last_event_id(ctx: RunContext) -> int:
    ctx.session.flush()
    found = ctx.session.scalar(
        select(TicketEvent.id).where(TicketEvent.ticket_id == ctx.ticket.id)
        .order_by(TicketEvent.id.desc()).limit(1)
    )  # fmt: skip
    return found or 0


def _stamp(ctx: RunContext, since: int) -> None:
    """Put the rule's name on the trajectory rows the action just wrote."""
    rows = ctx.session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ctx.ticket.id, TicketEvent.id > since)
    )
    for row in rows:
        note = f"[{ctx.label}] {row.note}" if row.note else ctx.label
        row.note = note[:NOTE_MAX] if len(note) > NOTE_MAX else note
        row.changes = {**(row.changes or {}), ctx.stamp_key: ctx.trigger.name}


def execute(ctx: RunContext, index: int, action: dict[str, Any]) -> str:
    """Run one action; raises the service's DomainError when it is refused."""
    kind, params = action["type"], dict(action.get("params") or {})
    since = _last_event_id(ctx)
    fn = EXECUTORS[kind]
    result = fn(ctx, params, index) if kind in ("notify", "webhook") else fn(ctx, params)
    _stamp(ctx, since)
    return result
