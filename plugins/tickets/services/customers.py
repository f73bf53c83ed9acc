"""Customers: phone normalisation on save and the caller-number screen pop."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugins.tickets.models import Customer, CustomerPhone, Ticket
from plugins.tickets.scoping import read_scope
from plugins.tickets.services.phones import to_e164

HISTORY_SIZE = 5


def find_by_phone(session: Session, e164: str, limit: int = 20) -> list[Customer]:
    """Customers having this normalised number (index on customer_phone.e164)."""
    stmt = (
        select(Customer)
        .join(CustomerPhone, CustomerPhone.customer_id == Customer.id)
        .where(CustomerPhone.e164 == e164)
        .distinct()
        .order_by(Customer.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def recent_tickets(
    session: Session, actor: object, customer_ids: list[int], per_customer: int = HISTORY_SIZE
) -> dict[int, list[Ticket]]:
    """The latest tickets of each customer that the actor may see, in one query."""
    if not customer_ids:
        return {}
    rn = (
        func.row_number()
        .over(
            partition_by=Ticket.customer_id, order_by=(Ticket.created_at.desc(), Ticket.id.desc())
        )
        .label("rn")
    )
    sub = (
        select(Ticket.id.label("tid"), rn)
        .where(Ticket.customer_id.in_(customer_ids), read_scope(session, actor).clause())
        .subquery()
    )
    tickets = session.scalars(
        select(Ticket)
        .join(sub, sub.c.tid == Ticket.id)
        .where(sub.c.rn <= per_customer)
        .order_by(Ticket.customer_id, Ticket.created_at.desc(), Ticket.id.desc())
    )
    out: dict[int, list[Ticket]] = {cid: [] for cid in customer_ids}
    for t in tickets:
        out[t.customer_id].append(t)
    return out


def lookup(session: Session, actor: object, phone: str) -> tuple[str | None, list[dict[str, Any]]]:
    """Screen pop: customers matching a caller number with their latest visible tickets."""
    e164 = to_e164(phone)
    if e164 is None:
        return None, []
    customers = find_by_phone(session, e164)
    history = recent_tickets(session, actor, [c.id for c in customers])
    return e164, [{"customer": c, "tickets": history.get(c.id, [])} for c in customers]


def set_phones(customer: Customer, raw_numbers: list[str]) -> list[str]:
    """Replace a customer's phones; return the numbers that could not be read."""
    bad: list[str] = []
    keep: list[CustomerPhone] = []
    existing = {p.raw: p for p in customer.phones}
    for raw in raw_numbers:
        raw = raw.strip()
        if not raw:
            continue
        e164 = to_e164(raw)
        if e164 is None:
            bad.append(raw)
            continue
        phone = existing.get(raw) or CustomerPhone(raw=raw, e164=e164)
        keep.append(phone)
    if not bad:
        customer.phones = keep
    return bad
