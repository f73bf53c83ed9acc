"""The effects a process definition may name (workflows.EFFECTS), applied to a ticket.

Each takes the action context and changes the ticket in the caller's transaction. The
registry must cover every effect the engine knows; a test checks that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from plugins.tickets.models import Attachment, Category, Comment, Ticket


@dataclass
class Context:
    session: Session
    actor: object
    ticket: Ticket
    params: dict[str, Any]
    now: dt.datetime
    merge_target: Ticket | None = None


def _utc_naive(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def route_by_category(ctx: Context) -> None:
    category = ctx.session.get(Category, ctx.ticket.category_id)
    ctx.ticket.department_id = category.default_department_id if category else None


def set_department(ctx: Context) -> None:
    ctx.ticket.department_id = ctx.params["department_id"]


def clear_department(ctx: Context) -> None:
    ctx.ticket.department_id = None


def assign_actor(ctx: Context) -> None:
    ctx.ticket.assignee_id = ctx.actor.id
    if ctx.ticket.accepted_at is None:
        ctx.ticket.accepted_at = ctx.now


def clear_assignee(ctx: Context) -> None:
    ctx.ticket.assignee_id = None


def set_resolved(ctx: Context) -> None:
    ctx.ticket.resolved_at = ctx.now
    if ctx.params.get("result"):
        ctx.ticket.resolution = ctx.params["result"]


def set_closed(ctx: Context) -> None:
    ctx.ticket.closed_at = ctx.now


def count_urge(ctx: Context) -> None:
    ctx.ticket.urge_count = (ctx.ticket.urge_count or 0) + 1


def notify_holder(ctx: Context) -> None:
    """The outbox row of this action carries the notification; the automation addon
    delivers it to the holder (assignee, else the department)."""


def set_supervise_level(ctx: Context) -> None:
    level = ctx.params.get("level")
    ctx.ticket.supervise_level = max(ctx.ticket.supervise_level or 0, int(level or 1))


def request_extension(ctx: Context) -> None:
    ctx.ticket.extension_until = _utc_naive(ctx.params.get("until"))
    ctx.ticket.extension_reason = ctx.params.get("reason")


def apply_extension(ctx: Context) -> None:
    if ctx.ticket.extension_until is not None:
        ctx.ticket.due_at = ctx.ticket.extension_until
    ctx.ticket.extension_until = None


def clear_extension(ctx: Context) -> None:
    ctx.ticket.extension_until = None


def merge_into(ctx: Context) -> None:
    """The child points to the master; its comments and attachments move to the master,
    whose trajectory records the merge."""
    from plugins.tickets.services import trajectory

    master_id = ctx.params["into_ticket_id"]
    ctx.ticket.merged_into_id = master_id
    for model in (Comment, Attachment):
        ctx.session.execute(
            update(model).where(model.ticket_id == ctx.ticket.id).values(ticket_id=master_id)
        )
    master = ctx.merge_target or ctx.session.get(Ticket, master_id)
    master.updated_at = ctx.now
    trajectory.record(
        ctx.session, ctx.actor, master, "merged_in", now=ctx.now,
        from_status=master.status, from_department_id=master.department_id,
        note=ctx.ticket.number,
    )  # fmt: skip


def mark_spam(ctx: Context) -> None:
    ctx.ticket.is_spam = ctx.params.get("reason") == "spam"


def reopen(ctx: Context) -> None:
    ctx.ticket.resolved_at = None
    ctx.ticket.closed_at = None
    ctx.ticket.satisfaction = None


def mark_redo(ctx: Context) -> None:
    ctx.ticket.redo_count = (ctx.ticket.redo_count or 0) + 1
    ctx.ticket.resolved_at = None


def record_satisfaction(ctx: Context) -> None:
    """The follow-up is done: any booked call-back is spent."""
    ctx.ticket.satisfaction = ctx.params.get("satisfaction")
    ctx.ticket.callback_at = ctx.ticket.callback_by_id = ctx.ticket.callback_reminded_at = None


#: 预约原因 that mean the caller was not reached (they count as failed attempts).
UNREACHED = frozenset({"no_answer", "busy"})


def book_callback(ctx: Context) -> None:
    """预约回访: the ticket leaves the 待回访 queue until the booked time, moved to the next
    working instant of the business calendar; the reminder goes to whoever booked it."""
    from plugins.tickets.calendar_hook import business_calendar

    at = ctx.params["callback_at"]
    at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at
    at = business_calendar(ctx.session).next_working_instant(at)
    ctx.ticket.callback_at = _utc_naive(at)
    ctx.ticket.callback_by_id = getattr(ctx.actor, "id", None)
    ctx.ticket.callback_reminded_at = None
    if ctx.params.get("reason") in UNREACHED:
        ctx.ticket.followup_attempts = (ctx.ticket.followup_attempts or 0) + 1


def set_archived(ctx: Context) -> None:
    """The state itself (已归档) makes the ticket read-only; nothing else to record."""


HANDLERS: dict[str, Callable[[Context], None]] = {
    fn.__name__: fn
    for fn in (
        route_by_category, set_department, clear_department, assign_actor, clear_assignee,
        set_resolved, set_closed, count_urge, notify_holder, set_supervise_level,
        request_extension, apply_extension, clear_extension, merge_into, mark_spam, reopen,
        mark_redo, record_satisfaction, book_callback, set_archived,
    )
}  # fmt: skip
