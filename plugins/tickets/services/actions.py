"""The one door: every process action on a ticket goes through apply_action().

It checks scope, the ticket's version, the process definition and the actor's duties,
validates parameters (the engine's shape checks, then what only the database knows),
applies the decision's effects, closes the trajectory node and writes the outbox row, all in
one transaction. Screens, REST, bulk actions and later triggers, timers, e-mail and the
portal call it; nothing else sets status, department or assignee.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

import workflows
from plugins.tickets.models import Department, Ticket
from plugins.tickets.models.base import utcnow
from plugins.tickets.scoping import read_scope
from plugins.tickets.services import custom_fields, effects, outbox, trajectory
from plugins.tickets.services.deadlines import node_due
from plugins.tickets.services.duties import duties_for
from plugins.tickets.services.errors import (
    Conflict,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from plugins.tickets.services.labels import action_label, status_label, text
from plugins.tickets.services.processes import process_of
from plugins.tickets.services.tickets import check_version, check_writable, stale_version

NOTE_PARAMS = ("reason", "result", "note")


def facts_of(ticket: Ticket) -> dict[str, Any]:
    """The facts a process definition may test (see Process.facts)."""
    return {
        "has_department": ticket.department_id is not None,
        "category_requires_followup": bool(ticket.category and ticket.category.followup_required),
    }


def allowed_actions(session: Session, actor: object, ticket: Ticket) -> list[workflows.Action]:
    """The actions this actor may take on this ticket now (buttons, GET .../actions)."""
    if not read_scope(session, actor).contains(ticket):
        return []
    try:
        check_writable(session, actor, ticket)
    except (NotFound, Forbidden, Conflict):
        return []
    process = process_of(session, ticket.process_id)
    return workflows.available_actions(process, ticket.status, duties_for(session, actor, ticket))


def param_labels(session: Session, ticket: Ticket, name: str) -> dict[str, str]:
    """{parameter name: label} of an action of the ticket's process, for messages."""
    action = process_of(session, ticket.process_id).actions.get(name)
    labels = {p.name: text(p.label) for p in action.params} if action else {}
    return {**labels, "version": _("Version")}


def _param_errors(err: workflows.InvalidParams, action: workflows.Action) -> dict[str, str]:
    out = {}
    for name, key in err.errors.items():
        label = workflows.PARAM_ERRORS.get(key)
        out[name] = text(label) if label else key
    return out


def _check_references(
    session: Session, actor: object, ticket: Ticket, params: dict[str, Any]
) -> Ticket | None:
    """Parameters that name rows: they must exist, be usable and be in the actor's reach."""
    errors: dict[str, object] = {}
    target = None
    if params.get("department_id") is not None:
        dept = session.get(Department, params["department_id"])
        if dept is None or not dept.active:
            errors["department_id"] = _("Choose an active department.")
        elif dept.id == ticket.department_id:
            errors["department_id"] = _("The ticket is already with this department.")
    if params.get("into_ticket_id") is not None:
        target = session.get(Ticket, params["into_ticket_id"])
        if target is None or not read_scope(session, actor).contains(target):
            errors["into_ticket_id"] = _("No such ticket.")
        elif target.id == ticket.id:
            errors["into_ticket_id"] = _("A ticket cannot be merged into itself.")
        elif target.status in ("merged", "void", "archived"):
            errors["into_ticket_id"] = _("That ticket is closed to merging.")
    callback_at = params.get("callback_at")
    if callback_at is not None:
        message = _callback_error(callback_at)
        if message:
            errors["callback_at"] = message
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), errors)
    return target


#: How far ahead a call-back may be booked.
CALLBACK_HORIZON = dt.timedelta(days=30)


def _callback_error(value: dt.datetime) -> str | None:
    at = value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    now = utcnow()
    if at <= now:
        return _("Choose a time in the future.")
    if at > now + CALLBACK_HORIZON:
        return _("A call-back can be booked at most 30 days ahead.")
    return None


#: Side trips from 处理中 that come back to it: the handling deadline is kept aside while the
#: ticket is there and restored on return (moved by the paused time when the clock paused).
SIDE_STATES = frozenset({"suspended", "extension_review"})


def _next_node(
    process: workflows.Process,
    ticket: Ticket,
    from_status: str,
    from_department: int | None,
    now: dt.datetime,
    action: str,
) -> None:
    """Open the node the ticket moved to: arrival time, start of work, required end."""
    came_back = from_status in SIDE_STATES and ticket.department_id == from_department
    if ticket.status in SIDE_STATES and from_status not in SIDE_STATES:
        ticket.resume_due_at = ticket.due_at
        ticket.parked_at = now
    ticket.node_entered_at = now
    ticket.node_started_at = now if ticket.status == "in_progress" else None
    if came_back and ticket.status not in SIDE_STATES:
        if action != "approve_extension":
            due = ticket.resume_due_at
            paused = process.states[from_status].clock == "pause"
            if due is not None and paused and ticket.parked_at is not None:
                due = due + (now - ticket.parked_at)
            ticket.due_at = due
        ticket.resume_due_at = ticket.parked_at = None
    elif ticket.status not in SIDE_STATES or process.states[ticket.status].deadline:
        ticket.due_at = node_due(process.states.get(ticket.status), now)


def apply_action(
    session: Session,
    actor: object,
    ticket: Ticket,
    name: str,
    params: Mapping[str, Any] | None,
    expected_version: Any,
    *,
    now: dt.datetime | None = None,
    commit: bool = True,
) -> Ticket:
    """Take process action `name` on `ticket` as `actor`; commit or change nothing.

    Raises NotFound (out of scope or no such action), Forbidden (role or duty), Conflict
    (the state does not allow it), StaleVersion (someone changed the ticket first),
    ValidationFailed (per-parameter messages).
    """
    now = now or utcnow()
    check_writable(session, actor, ticket)
    check_version(ticket, expected_version)
    process = process_of(session, ticket.process_id)
    try:
        decision = workflows.decide(
            process,
            ticket.status,
            name,
            duties_for(session, actor, ticket),
            dict(params or {}),
            facts_of(ticket),
        )
    except workflows.UnknownAction:
        raise NotFound(_("This process has no action %(name)s.", name=name)) from None
    except workflows.StateNotAllowed:
        raise Conflict(
            _(
                "%(action)s is not possible while the ticket is %(status)s.",
                action=action_label(process, name),
                status=status_label(process, ticket.status),
            )
        ) from None
    except workflows.DutyNotAllowed:
        raise Forbidden(
            _("You may not %(action)s this ticket.", action=action_label(process, name))
        ) from None
    except workflows.InvalidParams as err:
        raise ValidationFailed(
            _("Please correct the errors below."),
            _param_errors(err, process.actions[name]),
        ) from None
    merge_target = _check_references(session, actor, ticket, decision.params)
    if "set_resolved" in decision.effects:
        missing = custom_fields.missing_on_resolve(session, ticket)
        if missing:
            raise ValidationFailed(_("Fill in the fields required to resolve."), missing)

    from_status, from_department = ticket.status, ticket.department_id
    node = {
        "received_at": ticket.node_entered_at or ticket.created_at,
        "started_at": ticket.node_started_at,
        "required_by": ticket.due_at,
    }
    context = effects.Context(session, actor, ticket, decision.params, now, merge_target)
    for effect in decision.effects:
        effects.HANDLERS[effect](context)
    ticket.status = decision.to_state
    if decision.moves or ticket.department_id != from_department:
        _next_node(process, ticket, from_status, from_department, now, decision.action)
    ticket.updated_at = now
    note = next((str(decision.params[p]) for p in NOTE_PARAMS if decision.params.get(p)), None)
    try:
        event = trajectory.record(
            session,
            actor,
            ticket,
            name,
            now=now,
            from_status=from_status,
            from_department_id=from_department,
            note=note,
            changes=trajectory.jsonable(decision.params),
            received_at=node["received_at"],
            started_at=node["started_at"] or node["received_at"],
            required_by=node["required_by"],
        )
        outbox.add(session, ticket, event, "ticket.action", {"action": name, "from": from_status})
        if commit:
            session.commit()
        else:
            session.flush()
    except StaleDataError:
        session.rollback()
        raise stale_version() from None
    return ticket
