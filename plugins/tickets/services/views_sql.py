"""A saved view compiled to ONE SQL query, always ANDed with the user's scope.

Standard fields compare ticket columns; a custom field becomes an EXISTS over
ticket_field_value on its (field_id, value_*) index, so a view with custom conditions is
still one indexed query whatever the number of tickets. A multi-select has one row per
chosen option: "eq"/"in" match when any chosen option matches, "ne"/"not_in" when none does.
Nothing here loops over tickets in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, false, func, nulls_last, or_, select, true
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.elements import ColumnElement

from plugins.tickets.models import FieldValue, SavedView, Ticket
from plugins.tickets.models.base import utcnow
from plugins.tickets.queues import overdue_clause
from plugins.tickets.scoping import department_ids, read_scope
from plugins.tickets.services.view_fields import ViewField, registry, view_fields
from workflows import view_conditions as vc

DEFAULT_SORT = {"field": "created_at", "dir": "desc"}
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
#: Overdue = still running and past the deadline (the same rule as the "Overdue" queue).


class _Context:
    """What special values mean for the user running the view, looked up once."""

    def __init__(self, session: Session, user: Any) -> None:
        self.session = session
        self.user = user
        self.now = utcnow()
        self._departments: frozenset[int] | None = None

    def expand(self, field: ViewField, values: Iterable[Any]) -> list[Any]:
        out: list[Any] = []
        for value in values:
            if value == "me":
                out.append(self.user.id)
            elif value == "my_departments":
                if self._departments is None:
                    self._departments = department_ids(self.session, self.user.id)
                out.extend(sorted(self._departments))
            else:
                out.append(value)
        return out


def _values(cond: vc.Condition) -> tuple[Any, ...]:
    return cond.value if isinstance(cond.value, tuple) else (cond.value,)


def _standard(field: ViewField, cond: vc.Condition, ctx: _Context) -> ColumnElement[bool]:
    col = getattr(Ticket, field.name)
    op = cond.op
    nullable = bool(col.property.columns[0].nullable)
    missing = col.is_(None)
    if field.spec.type == "text":
        missing = or_(col.is_(None), col == "")
    if op in ("eq", "in", "ne", "not_in"):
        values = ctx.expand(field, _values(cond))
        hit = col.in_(values) if len(values) != 1 else col == values[0]
        if op in ("eq", "in"):
            return hit
        return or_(~hit, col.is_(None)) if nullable else ~hit
    if op == "contains":
        return col.icontains(cond.value, autoescape=True)
    if op == "is_empty":
        return missing
    if op == "is_not_empty":
        return ~missing
    if op == "within_last_hours":
        return col >= ctx.now - dt.timedelta(hours=cond.value)
    if op == "overdue":
        return overdue_clause(ctx.now)
    return _ordered(col, op, cond.value)


def _ordered(col: Any, op: str, value: Any) -> ColumnElement[bool]:
    return {"gt": col > value, "lt": col < value, "gte": col >= value, "lte": col <= value}[op]


def _exists(field: ViewField, *where: ColumnElement[bool]) -> ColumnElement[bool]:
    return (
        select(FieldValue.id)
        .where(FieldValue.ticket_id == Ticket.id, FieldValue.field_id == field.field_id, *where)
        .exists()
    )


def _one_of(field: ViewField, col: Any, values: tuple[Any, ...]) -> ColumnElement[bool]:
    if field.spec.type == "path":  # a cascade node matches itself and everything below it
        return or_(*(or_(col == v, col.startswith(f"{v}/", autoescape=True)) for v in values))
    return col.in_(values) if len(values) != 1 else col == values[0]


def _custom(field: ViewField, cond: vc.Condition, ctx: _Context) -> ColumnElement[bool]:
    col = getattr(FieldValue, field.column or "value_text")
    op = cond.op
    if field.spec.type == "bool":
        wanted = cond.value if op == "eq" else not cond.value
        checked = _exists(field, col.is_(True))
        return checked if wanted else ~checked
    present = col.is_not(None)
    if field.spec.type in ("text", "path", "choice", "multi"):
        present = and_(col.is_not(None), col != "")
    if op in ("eq", "in"):
        return _exists(field, _one_of(field, col, _values(cond)))
    if op in ("ne", "not_in"):
        return ~_exists(field, _one_of(field, col, _values(cond)))
    if op == "contains":
        return _exists(field, col.icontains(cond.value, autoescape=True))
    if op == "is_empty":
        return ~_exists(field, present)
    if op == "is_not_empty":
        return _exists(field, present)
    if op == "within_last_hours":
        return _exists(field, col >= ctx.now - dt.timedelta(hours=cond.value))
    return _exists(field, _ordered(col, op, cond.value))


def condition_clause(
    session: Session, user: Any, view: vc.View, fields: dict[str, ViewField]
) -> ColumnElement[bool]:
    """The view's own condition (without the scope)."""
    ctx = _Context(session, user)
    parts = [
        (_custom if fields[c.field].custom else _standard)(fields[c.field], c, ctx)
        for c in view.conditions
    ]
    if not parts:
        return true()
    return and_(*parts) if view.match == "all" else or_(*parts)


def where(
    session: Session, user: Any, saved: SavedView, fields: dict[str, ViewField] | None = None
) -> list[ColumnElement[bool]]:
    """Scope AND the view's condition. Raises vc.ViewDefinitionError for a view that no
    longer fits the fields (e.g. a custom field was deleted since it was saved)."""
    fields = fields if fields is not None else view_fields(session)
    view = vc.parse_view(saved.conditions, registry(fields))
    if user is None:
        return [false()]
    return [read_scope(session, user).clause(), condition_clause(session, user, view, fields)]


def order_by(saved: SavedView, fields: dict[str, ViewField]) -> list[Any]:
    sort = saved.sort if isinstance(saved.sort, dict) else DEFAULT_SORT
    field = fields.get(sort.get("field") or "") or fields[DEFAULT_SORT["field"]]
    if field.custom:
        col = getattr(FieldValue, field.column or "value_text")
        key: Any = (
            select(func.min(col))
            .where(FieldValue.ticket_id == Ticket.id, FieldValue.field_id == field.field_id)
            .scalar_subquery()
        )
    else:
        key = getattr(Ticket, field.name)
    desc = sort.get("dir") == "desc"
    ordered = key.desc() if desc else key.asc()
    # Empty values last; a NOT NULL column stays bare so an index can serve the order.
    nullable = field.custom or bool(key.property.columns[0].nullable)
    return [nulls_last(ordered) if nullable else ordered, Ticket.id.desc() if desc else Ticket.id]


def count(
    session: Session, user: Any, saved: SavedView, fields: dict[str, ViewField] | None = None
) -> int:
    """How many tickets the view shows this user: one COUNT."""
    clauses = where(session, user, saved, fields)
    return session.scalar(select(func.count()).select_from(Ticket).where(*clauses)) or 0


def tickets(
    session: Session,
    user: Any,
    saved: SavedView,
    page: int = 0,
    page_size: int = PAGE_SIZE,
    fields: dict[str, ViewField] | None = None,
) -> list[Ticket]:
    """One page of the view's tickets in its sort order, relations loaded with the rows."""
    fields = fields if fields is not None else view_fields(session)
    page_size = min(max(page_size, 1), MAX_PAGE_SIZE)
    stmt = (
        select(Ticket)
        .options(
            selectinload(Ticket.category),
            selectinload(Ticket.department),
            selectinload(Ticket.customer),
            selectinload(Ticket.assignee),
            selectinload(Ticket.created_by),
        )
        .where(*where(session, user, saved, fields))
        .order_by(*order_by(saved, fields))
        .limit(page_size)
        .offset(max(page, 0) * page_size)
    )
    return list(session.scalars(stmt).unique())
