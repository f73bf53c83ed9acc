"""What every report query shares: the actor's scope and the filters as SQL conditions on
Ticket, the date range on one column, and names for the ids a GROUP BY returns."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from plugins.reports.params import ReportQuery
from plugins.reports.services.sqlfuncs import date_bucket
from plugins.tickets.enums import CHANNEL_LABELS, PRIORITY_LABELS, label
from plugins.tickets.models import Category, Department, Ticket

#: Answers that count as satisfied for the satisfaction rate (满意 + 基本满意).
CONTENT = ("satisfied", "basically_satisfied")


def ticket_conditions(q: ReportQuery) -> list[ColumnElement[bool]]:
    """Scope AND filters, on Ticket columns (a category filter includes its children)."""
    out: list[ColumnElement[bool]] = [q.scope]
    if q.department_id is not None:
        out.append(Ticket.department_id == q.department_id)
    if q.category_id is not None:
        parent = select(Category.tree_path).where(Category.id == q.category_id)
        subtree = select(Category.id).where(
            Category.tree_path.startswith(parent.scalar_subquery(), autoescape=False)
        )
        out.append(Ticket.category_id.in_(subtree))
    if q.channel is not None:
        out.append(Ticket.channel == q.channel)
    if q.priority is not None:
        out.append(Ticket.priority == q.priority)
    if q.staff_id is not None:
        out.append(Ticket.assignee_id == q.staff_id)
    return out


def scoped_by_ticket(stmt: Select, ticket_id: Any, q: ReportQuery) -> Select:
    """Scope and filter a query over a table that points to tickets. The join is skipped
    when nothing on Ticket applies (a manager without filters), so the query reads only
    the range of its own date index."""
    if not q.ticket_filtered:
        return stmt
    return stmt.join(Ticket, Ticket.id == ticket_id).where(*ticket_conditions(q))


def in_range(col: Any, q: ReportQuery) -> list[ColumnElement[bool]]:
    """The half-open UTC range of the report on `col` (index-friendly)."""
    return [col >= q.start, col < q.end]


def bucket(col: Any, q: ReportQuery) -> Any:
    return date_bucket(col, q.group_by, q.offset_minutes)


def rate(part: int | float | None, whole: int | float | None) -> float | None:
    """part / whole rounded to 4 places, None when there is nothing to divide by."""
    if not whole:
        return None
    return round((part or 0) / whole, 4)


def avg(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def names(session: Session, dimension: str, ids: Iterable[Any]) -> dict[Any, str]:
    """Display names for the values of a dimension, one query at most."""
    ids = sorted({i for i in ids if i is not None}, key=str)
    if dimension == "channel":
        return {i: label(CHANNEL_LABELS, i) for i in ids}
    if dimension == "priority":
        return {i: label(PRIORITY_LABELS, i) for i in ids}
    if not ids:
        return {}
    if dimension == "department":
        rows = session.execute(select(Department.id, Department.name).where(Department.id.in_(ids)))
    elif dimension == "category":
        rows = session.execute(select(Category.id, Category.name).where(Category.id.in_(ids)))
    elif dimension == "staff":
        from flask_appbuilder.security.sqla.models import User

        rows = session.execute(
            select(User.id, User.first_name + " " + User.last_name).where(User.id.in_(ids))
        )
    else:
        return {i: str(i) for i in ids}
    return {i: (n or "").strip() for i, n in rows}
