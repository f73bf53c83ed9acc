"""Creating and editing tickets: validation, routing, numbering, scoping, trajectory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

import workflows
from plugins.tickets.enums import CHANNEL_LABELS, PRIORITY_LABELS
from plugins.tickets.models import Category, Customer, Ticket
from plugins.tickets.models.base import utcnow
from plugins.tickets.scoping import read_scope, write_scope
from plugins.tickets.services import custom_fields, effects, outbox, processes, trajectory
from plugins.tickets.services.customers import find_by_phone
from plugins.tickets.services.deadlines import node_due
from plugins.tickets.services.errors import (
    Conflict,
    Forbidden,
    NotFound,
    StaleVersion,
    ValidationFailed,
)
from plugins.tickets.services.numbering import next_number
from plugins.tickets.services.phones import to_e164

#: Fields a user may set on create and edit. Status, department and assignee change only
#: through process actions; number, times and version belong to the system.
EDITABLE_FIELDS = (
    "subject",
    "description",
    "priority",
    "channel",
    "category_id",
    "customer_id",
    "caller_number",
    "custom_fields",
)
SUBJECT_MAX = 200
ARCHIVED = "archived"


def _text(value: Any) -> str | None:
    """Stripped text, or None when the value is not text at all."""
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else None


def _validate(
    session: Session, values: Mapping[str, Any], *, current: Ticket | None = None
) -> dict[str, Any]:
    """Check and normalise user-supplied fields; raise with every bad field at once.

    On create (no `current`) subject and category are required and priority and channel
    default; on edit only the given fields are checked, and an unchanged category passes
    even if it has been retired since.
    """
    creating = current is None
    errors: dict[str, object] = {}
    clean: dict[str, Any] = {}
    for name in sorted(set(values) - set(EDITABLE_FIELDS)):
        errors[name] = _("This field cannot be set here.")

    if "subject" in values or creating:
        subject = _text(values.get("subject"))
        if not subject:
            errors["subject"] = _("Subject is required.")
        elif len(subject) > SUBJECT_MAX:
            errors["subject"] = _("Subject is longer than %(n)d characters.", n=SUBJECT_MAX)
        else:
            clean["subject"] = subject
    if "description" in values:
        description = _text(values.get("description"))
        if description is None:
            errors["description"] = _("Description must be text.")
        else:
            clean["description"] = description
    for field, labels, default in (
        ("priority", PRIORITY_LABELS, "normal"),
        ("channel", CHANNEL_LABELS, "phone"),
    ):
        if field in values or creating:
            value = values.get(field) or default
            if not isinstance(value, str) or value not in labels:
                errors[field] = _("Not a valid choice.")
            else:
                clean[field] = value
    if "category_id" in values or creating:
        category = _get(session, Category, values.get("category_id"))
        unchanged = (
            current is not None and category is not None and (category.id == current.category_id)
        )
        if category is None or not (category.active or unchanged):
            errors["category_id"] = _("Choose an active category.")
        else:
            clean["category_id"] = category.id
    if "customer_id" in values:
        if values["customer_id"] in (None, ""):
            clean["customer_id"] = None
        elif (customer := _get(session, Customer, values["customer_id"])) is None:
            errors["customer_id"] = _("No such customer.")
        else:
            clean["customer_id"] = customer.id
    if "caller_number" in values:
        raw = _text(values.get("caller_number"))
        e164 = to_e164(raw) if raw else None
        if raw is None or (raw and e164 is None):
            errors["caller_number"] = _("Not a valid phone number.")
        else:
            clean["caller_number"] = raw or None
            clean["caller_e164"] = e164
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), errors)
    return clean


def _validate_with_fields(
    session: Session, values: Mapping[str, Any], current: Ticket | None
) -> tuple[dict[str, Any], dict]:
    """Standard and custom fields checked together, so every mistake is reported at once."""
    errors: dict[str, object] = {}
    clean: dict[str, Any] = {}
    try:
        clean = _validate(session, values, current=current)
    except ValidationFailed as err:
        errors.update(err.fields)
    custom: dict = {}
    category_id = clean.get("category_id") or (current.category_id if current else None)
    if "category_id" not in errors and (current is None or "custom_fields" in values):
        existing = custom_fields.values_of(session, current) if current is not None else {}
        custom, custom_errors = custom_fields.clean_values(
            session,
            category_id,
            values.get("custom_fields"),
            current=existing,
            creating=current is None,
        )
        errors.update(custom_errors)
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), errors)
    return clean, custom


def validate_values(session: Session, values: Mapping[str, Any]) -> None:
    """Check new-ticket values without saving anything (for forms that failed elsewhere)."""
    _validate_with_fields(session, values, None)


def _get(session: Session, model: type, pk: Any) -> Any:
    if isinstance(pk, bool):
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return session.get(model, pk)


def create_ticket(
    session: Session, actor: object, values: Mapping[str, Any], *, now: dt.datetime | None = None
) -> Ticket:
    """Register a ticket (受理) and route it by its category.

    A category with a default department sends the ticket to that department's
    待签收 queue; otherwise it waits in 待派单 for the dispatcher. The actor must be
    allowed to change the ticket that results (an agent always may: it is their intake).
    """
    now = now or utcnow()
    # Held for the whole call: the session's identity map keeps only objects something
    # references, and validation, custom fields and routing each look the category up.
    held = _get(session, Category, values.get("category_id"))
    clean, custom = _validate_with_fields(session, values, None)
    if not clean.get("customer_id") and clean.get("caller_e164"):
        matches = find_by_phone(session, clean["caller_e164"], limit=2)
        if len(matches) == 1:
            clean["customer_id"] = matches[0].id
    category = held if held is not None else session.get(Category, clean["category_id"])
    definition = processes.for_category(session, category)
    process = processes.process_of(session, definition.id)
    ticket = Ticket(**clean)
    ticket.category = category
    ticket.process_id = definition.id
    facts = {
        "has_department": category.default_department_id is not None,
        "category_requires_followup": category.followup_required,
    }
    ticket.status, initial_effects = workflows.initial_state(process, facts)
    context = effects.Context(session, actor, ticket, {}, now)
    for effect in initial_effects:
        effects.HANDLERS[effect](context)
    ticket.created_by_id = actor.id
    ticket.created_at = ticket.updated_at = ticket.node_entered_at = now
    ticket.due_at = node_due(process.states.get(ticket.status), now)
    if not write_scope(session, actor).contains(ticket):
        raise Forbidden(_("You may not register tickets for that department."))
    ticket.number = next_number(session, now)
    session.add(ticket)
    session.flush()
    custom_fields.write(session, ticket, custom, {})
    event = trajectory.record(session, actor, ticket, "create", now=now)
    outbox.add(session, ticket, event, "ticket.created", {"action": "create"})
    session.commit()
    return ticket


def get_visible(session: Session, actor: object, ticket_id: Any) -> Ticket:
    """The ticket if the actor may see it; NotFound otherwise (no existence leak)."""
    ticket = _get(session, Ticket, ticket_id)
    if ticket is None or not read_scope(session, actor).contains(ticket):
        raise NotFound(_("Ticket not found."))
    return ticket


def check_writable(session: Session, actor: object, ticket: Ticket) -> None:
    """Raise unless the actor may change this ticket."""
    if not read_scope(session, actor).contains(ticket):
        raise NotFound(_("Ticket not found."))
    if not write_scope(session, actor).contains(ticket):
        raise Forbidden(_("You may not change this ticket."))
    if ticket.status == ARCHIVED:
        raise Conflict(_("Archived tickets are read-only."))


def stale_version() -> StaleVersion:
    return StaleVersion(
        _("Someone else changed this ticket. Reload it and apply your change again.")
    )


def check_version(ticket: Ticket, expected_version: Any) -> None:
    """Optimistic locking, first line: the caller must send the version it read."""
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        raise ValidationFailed(
            _("Please correct the errors below."), {"version": _("Version is required.")}
        ) from None
    if expected != ticket.version:
        raise stale_version()


def update_ticket(
    session: Session,
    actor: object,
    ticket: Ticket,
    values: Mapping[str, Any],
    expected_version: Any,
    *,
    now: dt.datetime | None = None,
    commit: bool = True,
) -> Ticket:
    """Edit a ticket's own fields with optimistic locking; write the changes to the trajectory."""
    now = now or utcnow()
    check_writable(session, actor, ticket)
    check_version(ticket, expected_version)
    clean, custom = _validate_with_fields(session, values, ticket)
    changes: dict[str, list[Any]] = {}
    # No autoflush while comparing: a lazy load would flush the first changed column on
    # its own and the edit would cost two UPDATEs (and two versions).
    with session.no_autoflush:
        for field, new in clean.items():
            old = getattr(ticket, field)
            if old != new:
                if field != "caller_e164":
                    changes[field] = [old, new]
                setattr(ticket, field, new)
        changes.update(
            custom_fields.write(session, ticket, custom, custom_fields.values_of(session, ticket))
            if custom
            else {}
        )
        if not changes:
            return ticket
        ticket.updated_at = now
    event = trajectory.record(
        session,
        actor,
        ticket,
        "edit",
        now=now,
        from_status=ticket.status,
        from_department_id=ticket.department_id,
        changes=changes,
    )
    # Triggers react to edits ("priority changed to urgent"): names and [old, new] values.
    outbox.add(
        session, ticket, event, "ticket.updated",
        {"action": "edit", "fields": sorted(changes), "changes": outbox.jsonable_changes(changes)},
    )  # fmt: skip
    try:
        if commit:
            session.commit()
        else:
            session.flush()
    except StaleDataError:
        session.rollback()
        raise stale_version() from None
    return ticket
