"""Reading the trajectory (工单轨迹): one row per node, with the fields a call center asks
for, for the ticket page and GET /api/v1/ticket/<id>/events."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from plugins.tickets.enums import CHANNEL_LABELS, PRIORITY_LABELS, TICKET_FIELD_LABELS, label
from plugins.tickets.models import Category, Customer, FieldDefinition, Ticket, TicketEvent
from plugins.tickets.services.labels import action_label, status_label
from plugins.tickets.services.processes import process_of

EDIT_ACTIONS = {
    "create": lambda: _("Registered"),
    "edit": lambda: _("Edited"),
    "reply": lambda: _("Public reply"),
    "note": lambda: _("Internal note"),
    "attach": lambda: _("Attachment added"),
    "assign": lambda: _("Assigned"),
    "merged_in": lambda: _("Duplicate merged in"),
}


@dataclass
class Node:
    id: int
    action: str
    action_label: str
    customer: str  # 受理客户
    registered_at: dt.datetime  # 受理时间
    department: str  # 处理节点
    user: str  # 处理用户
    status: str  # 处理状态 (the node's state)
    to_status: str
    received_at: dt.datetime | None  # 到达时间
    started_at: dt.datetime | None  # 开始处理时间
    finished_at: dt.datetime | None  # 结束处理时间 = 实际结束时间
    required_by: dt.datetime | None  # 要求结束时间
    duration_minutes: int | None
    overdue: bool
    note: str | None
    params: dict[str, Any] | None
    changes: list[str]

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, dt.datetime):
                out[key] = value.replace(tzinfo=dt.UTC).isoformat()
        return out


def _value(session: Session, field: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if field == "priority":
        return label(PRIORITY_LABELS, value)
    if field == "channel":
        return label(CHANNEL_LABELS, value)
    if field == "category_id":
        found = session.get(Category, value)
        return found.name if found else str(value)
    if field == "customer_id":
        found = session.get(Customer, value)
        return found.name if found else str(value)
    return str(value)


def describe_changes(session: Session, changes: dict[str, Any] | None) -> list[str]:
    """'标题：旧 → 新' lines for an edit row; custom fields by their label."""
    out = []
    custom = (
        {
            row.code: row
            for row in session.scalars(
                select(FieldDefinition).where(
                    FieldDefinition.code.in_(
                        [k[7:] for k in (changes or {}) if k.startswith("custom.")]
                    )
                )
            )
        }
        if changes
        else {}
    )
    for field, pair in (changes or {}).items():
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        if field.startswith("custom."):
            row = custom.get(field[7:])
            name = row.label_zh if row else field[7:]
            out.append(f"{name}：{old or '—'} → {new or '—'}")
        else:
            name = str(TICKET_FIELD_LABELS.get(field, field))
            out.append(f"{name}：{_value(session, field, old)} → {_value(session, field, new)}")
    return out


def nodes(session: Session, ticket: Ticket) -> list[Node]:
    """The ticket's trajectory in order, two queries whatever its length."""
    process = process_of(session, ticket.process_id)
    events = session.scalars(
        select(TicketEvent)
        .options(
            joinedload(TicketEvent.actor),
            joinedload(TicketEvent.from_department),
            joinedload(TicketEvent.to_department),
        )
        .where(TicketEvent.ticket_id == ticket.id)
        .order_by(TicketEvent.id)
    ).all()
    customer = ticket.customer.name if ticket.customer else (ticket.caller_number or "")
    out = []
    for e in events:
        label = (
            EDIT_ACTIONS[e.action]()
            if e.action in EDIT_ACTIONS
            else action_label(process, e.action)
        )
        dept = e.from_department if e.action != "create" else e.to_department
        duration = None
        if e.received_at and e.finished_at:
            duration = int((e.finished_at - e.received_at).total_seconds() // 60)
        out.append(
            Node(
                id=e.id,
                action=e.action,
                action_label=label,
                customer=customer,
                registered_at=ticket.created_at,
                department=dept.name if dept else "",
                user=(e.actor.first_name or e.actor.username) if e.actor else _("System"),
                status=status_label(process, e.from_status or e.to_status),
                to_status=status_label(process, e.to_status),
                received_at=e.received_at,
                started_at=e.started_at,
                finished_at=e.finished_at,
                required_by=e.required_by,
                duration_minutes=duration,
                overdue=bool(e.required_by and e.finished_at and e.finished_at > e.required_by),
                note=e.note,
                params=e.changes,
                changes=describe_changes(session, e.changes) if e.action == "edit" else [],
            )
        )
    return out
