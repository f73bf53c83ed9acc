"""Canned replies (预设回复): saving them, preview and apply.

Who sees and manages them is reply_scope.py (re-exported here). Applying goes through the
ticket services in one transaction, so the process, the actor's duties, scoping and the
trajectory hold, and a refusal of any step leaves the ticket, the comments and the usage
count exactly as they were.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from plugins.tickets.models import CannedReply, Comment, Department, Ticket
from plugins.tickets.models.base import utcnow
from plugins.tickets.services import placeholders, reply_changes
from plugins.tickets.services.actions import allowed_actions, apply_action
from plugins.tickets.services.comments import COMMENT_MAX, add_comment
from plugins.tickets.services.errors import (
    Conflict,
    DomainError,
    Forbidden,
    ValidationFailed,
)
from plugins.tickets.services.labels import action_label
from plugins.tickets.services.processes import process_of
from plugins.tickets.services.reply_scope import (
    can_manage,
    get_applicable,
    get_readable,
    is_admin,
    manageable_clause,
    readable_clause,
    supervised_department_ids,
    visible_clause,
    visible_replies,
)
from plugins.tickets.services.tickets import (
    check_version,
    check_writable,
    get_visible,
    stale_version,
    update_ticket,
)

SCOPES = ("personal", "department", "everyone")
FIELDS = ("title", "body", "scope", "department_id", "active", "sort_order", "changes")
TITLE_MAX = 100

__all__ = [
    "Applied",
    "Preview",
    "apply",
    "apply_by_id",
    "can_manage",
    "check",
    "create_reply",
    "delete_reply",
    "get_applicable",
    "get_readable",
    "manageable_clause",
    "preview",
    "preview_for",
    "readable_clause",
    "update_reply",
    "visible_clause",
    "visible_replies",
]


# -- saving -----------------------------------------------------------------------------


def _validate(
    session: Session, actor: Any, values: Mapping[str, Any], current: CannedReply | None
) -> dict[str, Any]:
    """Check what is given (everything when creating); raise with every bad field at once.

    An edit re-checks only what it changes, so renaming a reply whose action has since
    left the process still works; the scope is checked whenever it or the department
    changes, against the actor's rights.
    """
    errors: dict[str, str] = {}
    for name in sorted(str(k) for k in set(values) - set(FIELDS)):
        errors[name] = _("This field cannot be set here.")

    def touched(*names: str) -> bool:
        return current is None or any(name in values for name in names)

    def given(name: str, default: Any) -> Any:
        if name in values:
            return values[name]
        return getattr(current, name) if current is not None else default

    clean: dict[str, Any] = {}
    if touched("title"):
        _check_title(given("title", ""), clean, errors)
    if touched("body"):
        _check_body(session, given("body", ""), clean, errors)
    if touched("changes"):
        changes, change_errors = reply_changes.clean_changes(session, given("changes", None))
        errors.update(change_errors)
        clean["changes"] = changes
    if touched("body", "changes") and not any(k.startswith(("body", "changes")) for k in errors):
        body = clean.get("body", current.body if current is not None else "")
        changes = clean.get("changes", current.changes if current is not None else {})
        if not body and not reply_changes.has_effect(changes or {}):
            errors["body"] = _("Write a text or choose a change to make.")
    if touched("active"):
        if not isinstance(given("active", True), bool):
            errors["active"] = _("Must be true or false.")
        else:
            clean["active"] = given("active", True)
    if touched("sort_order"):
        if not _is_int(given("sort_order", 0)):
            errors["sort_order"] = _("Whole number.")
        else:
            clean["sort_order"] = given("sort_order", 0)
    if touched("scope", "department_id"):
        _validate_scope(session, actor, given, clean, errors)
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), errors)
    return clean


def _check_title(title: Any, clean: dict[str, Any], errors: dict[str, str]) -> None:
    if not isinstance(title, str) or not title.strip():
        errors["title"] = _("Title is required.")
    elif len(title.strip()) > TITLE_MAX:
        errors["title"] = _("Title is longer than %(n)d characters.", n=TITLE_MAX)
    else:
        clean["title"] = title.strip()


def _check_body(session: Session, body: Any, clean: dict[str, Any], errors: dict[str, str]) -> None:
    body = "" if body is None else body
    if not isinstance(body, str):
        errors["body"] = _("Must be text.")
    elif len(body) > COMMENT_MAX:
        errors["body"] = _("Text is longer than %(n)d characters.", n=COMMENT_MAX)
    elif unknown := placeholders.unknown_names(body, placeholders.field_codes(session)):
        errors["body"] = _(
            "Unknown placeholders: %(names)s.",
            names="、".join("{" + name + "}" for name in unknown),
        )
    else:
        clean["body"] = body.strip()


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validate_scope(session, actor, given, clean: dict, errors: dict) -> None:
    """Scope and department, and whether the actor may share a reply that way."""
    scope = given("scope", "personal")
    if scope not in SCOPES:
        errors["scope"] = _("Not a valid choice.")
        return
    clean["scope"] = scope
    clean["department_id"] = None
    if scope == "everyone" and not is_admin(actor):
        errors["scope"] = _("Only administrators share replies with everyone.")
    if scope != "department":
        return
    dept_id = given("department_id", None)
    dept = session.get(Department, dept_id) if _is_int(dept_id) else None
    if dept is None or not dept.active:
        errors["department_id"] = _("Choose an active department.")
    elif not is_admin(actor) and dept.id not in supervised_department_ids(session, actor):
        errors["department_id"] = _("You may share replies only with departments you supervise.")
    else:
        clean["department_id"] = dept.id


def check(
    session: Session, actor: Any, values: Mapping[str, Any], current: CannedReply | None
) -> None:
    """Validate without saving (a form that failed elsewhere still hears every mistake)."""
    if current is not None and not can_manage(session, actor, current):
        raise Forbidden(_("You may not change this canned reply."))
    _validate(session, actor, values, current)


def create_reply(session: Session, actor: Any, values: Mapping[str, Any]) -> CannedReply:
    """Save a new reply owned by the actor."""
    clean = _validate(session, actor, values, None)
    reply = CannedReply(owner_id=actor.id, usage_count=0, created_at=utcnow(), **clean)
    session.add(reply)
    session.commit()
    return reply


def update_reply(
    session: Session, actor: Any, reply: CannedReply, values: Mapping[str, Any]
) -> CannedReply:
    """Change a reply the actor manages; the result must still be theirs to manage."""
    if not can_manage(session, actor, reply):
        raise Forbidden(_("You may not change this canned reply."))
    clean = _validate(session, actor, values, reply)
    for name, value in clean.items():
        setattr(reply, name, value)
    session.commit()
    return reply


def delete_reply(session: Session, actor: Any, reply: CannedReply) -> None:
    if not can_manage(session, actor, reply):
        raise Forbidden(_("You may not delete this canned reply."))
    session.delete(reply)
    session.commit()


# -- preview and apply ------------------------------------------------------------------


@dataclass
class Preview:
    """What applying a reply to a ticket would do, for the page and the API."""

    reply: CannedReply
    ticket: Ticket
    body: str
    public: bool
    changes: list[tuple[str, str]]
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "reply_id": self.reply.id,
            "title": self.reply.title,
            "ticket_id": self.ticket.id,
            "version": self.ticket.version,
            "body": self.body,
            "public": self.public,
            "changes": [{"what": what, "how": how} for what, how in self.changes],
            "problems": self.problems,
        }


def render_body(session: Session, actor: Any, ticket: Ticket, template: str) -> str:
    return placeholders.render(template, placeholders.values_for(session, actor, ticket))


def preview(session: Session, actor: Any, ticket: Ticket, reply: CannedReply) -> Preview:
    """The rendered body and the changes, plus what would refuse it now (without trying)."""
    changes = reply.changes or {}
    problems: list[str] = []
    action = changes.get("action")
    if action:
        process = process_of(session, ticket.process_id)
        if action["name"] not in process.actions:
            problems.append(_("This ticket's process has no action %(name)s.", name=action["name"]))
        elif action["name"] not in {a.name for a in allowed_actions(session, actor, ticket)}:
            problems.append(
                _(
                    "%(action)s is not possible for you on this ticket now.",
                    action=action_label(process, action["name"]),
                )
            )
    # The body is rendered after the reply's own field changes when applied: show that.
    values = placeholders.values_for(session, actor, ticket)
    values.update(placeholders.planned_field_texts(session, changes.get("custom_fields") or {}))
    return Preview(
        reply=reply,
        ticket=ticket,
        body=placeholders.render(reply.body, values),
        public=bool(changes.get("public")),
        changes=reply_changes.describe(session, changes),
        problems=problems,
    )


def preview_for(session: Session, actor: Any, ticket_id: Any, reply_id: Any) -> Preview:
    """Preview by ids: NotFound for a ticket or reply outside the actor's scope."""
    ticket = get_visible(session, actor, ticket_id)
    return preview(session, actor, ticket, get_applicable(session, actor, reply_id))


@dataclass
class Applied:
    ticket: Ticket
    comment: Comment | None


def apply(
    session: Session,
    actor: Any,
    ticket: Ticket,
    reply: CannedReply,
    expected_version: Any,
    *,
    body: str | None = None,
    now: dt.datetime | None = None,
) -> Applied:
    """Apply a reply: set priority and custom fields, post the body, take the action.

    One transaction through the ticket services: the caller's version is checked once, each
    step then runs against the ticket's current version (a flush bumps it), and one commit
    ends it. Any refusal rolls everything back, usage count included. `body` replaces the
    reply's text, as typed (the agent edited the filled-in text in the preview).
    """
    now = now or utcnow()
    try:
        check_writable(session, actor, ticket)
        reply = get_applicable(session, actor, reply.id)
        check_version(ticket, expected_version)
        changes = reply.changes or {}
        action = changes.get("action")
        if action and action["name"] not in process_of(session, ticket.process_id).actions:
            raise Conflict(_("This ticket's process has no action %(name)s.", name=action["name"]))
        edits = {k: changes[k] for k in ("priority", "custom_fields") if changes.get(k)}
        if edits:
            update_ticket(session, actor, ticket, edits, ticket.version, now=now, commit=False)
        # An edited text comes from the preview, already filled in: it is posted as it is.
        text = render_body(session, actor, ticket, reply.body) if body is None else body
        comment = None
        if text.strip():
            comment = add_comment(
                session,
                actor,
                ticket,
                text,
                is_public=bool(changes.get("public")),
                now=now,
                commit=False,
            )
        elif not reply_changes.has_effect(changes):
            raise ValidationFailed(
                _("Please correct the errors below."), {"body": _("Write something.")}
            )
        if action:
            apply_action(
                session,
                actor,
                ticket,
                action["name"],
                action.get("params") or {},
                ticket.version,
                now=now,
                commit=False,
            )
        reply.usage_count = CannedReply.usage_count + 1
        session.commit()
    except DomainError:
        session.rollback()
        raise
    except StaleDataError:
        session.rollback()
        raise stale_version() from None
    return Applied(ticket=ticket, comment=comment)


def apply_by_id(
    session: Session,
    actor: Any,
    ticket_id: Any,
    reply_id: Any,
    expected_version: Any,
    *,
    body: str | None = None,
) -> Applied:
    """Apply by ids: NotFound for a ticket or reply outside the actor's scope."""
    ticket = get_visible(session, actor, ticket_id)
    reply = get_applicable(session, actor, reply_id)
    return apply(session, actor, ticket, reply, expected_version, body=body)
