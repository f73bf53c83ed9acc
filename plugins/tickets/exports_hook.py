"""Ticket-list exports: the query behind each list screen, and a hook for the export links.

plugins/tickets owns the filters and the scoping, so it answers "which tickets, which
columns" for an export of the list the user was on; the reports addon writes the files and
registers the links (plugins/tickets never imports it), like panels.py for the ticket page.

Sources (all read the screen's own query args from `flask.request`, so a background job
replays them inside a test request context):

- ``list``: /ticketview/list/ with Flask-AppBuilder's search filters (``_flt_*``) and a
  work queue (``?queue=``), the view's own search columns and list columns;
- ``query``: /ticketquery/ with the query form's criteria (services/search.conditions);
- ``view``: a saved view (``?view_id=``), its conditions, sort-independent, its columns.

Each is the user's read scope AND the screen's filters, through the same functions the
screens call; nothing here re-implements a filter. ``?custom=1`` adds every custom field
as a column (a saved view has its own columns).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request
from flask_appbuilder.urltools import get_filter_args
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from app.formatting import fmt_dt
from plugins.tickets import queues
from plugins.tickets.models import Ticket
from plugins.tickets.scoping import read_scope
from plugins.tickets.services.errors import NotFound, ValidationFailed

log = logging.getLogger(__name__)
SOURCES = ("list", "query", "view")
#: Cells of one batch of tickets, in header order.
CellsFn = Callable[[Session, Sequence[Ticket]], list[list[Any]]]
LinksProvider = Callable[[str, dict[str, Any]], Markup | str | None]


@dataclass
class TicketExport:
    """What to export: a scoped SELECT of Ticket (no ORDER BY: the writer pages by id),
    the column headers (translated) and a function turning a batch into cells."""

    statement: Select
    headers: list[str]
    cells: CellsFn
    title: str


# -- the link hook ---------------------------------------------------------------------


def register_export_links(app: Flask, provider: LinksProvider) -> None:
    """The reports addon renders the "Export xlsx / csv" links of a list screen."""
    app.extensions["ticket_export_links"] = provider
    app.jinja_env.globals["ticket_export_links"] = export_links


def export_links(source: str, **extra: Any) -> Markup:
    """The links for this screen with its current query args (empty without a provider)."""
    provider = current_app.extensions.get("ticket_export_links")
    if provider is None:
        return Markup("")
    args = {k: request.args.getlist(k) for k in request.args if k != "page"}
    args.update({k: [str(v)] for k, v in extra.items()})
    try:
        return Markup(provider(source, args) or "")
    except Exception:  # noqa: BLE001 - a broken link provider must not break the list
        log.exception("export links for %s failed", source)
        return Markup("")


# -- the sources -----------------------------------------------------------------------


def _list_export(session: Session, user: Any) -> TicketExport:
    from plugins.tickets.views.tickets import TicketView

    view = next(v for v in current_app.appbuilder.baseviews if isinstance(v, TicketView))
    filters = view.datamodel.get_filters(view.search_columns)  # as BaseCRUDView builds it
    get_filter_args(filters)  # the same `_flt_*` args the list applied, same whitelist
    query = filters.apply_all(session.query(Ticket))
    query = query.filter(read_scope(session, user).clause())
    queue = queues.condition(session, user, request.args.get("queue"))
    if queue is not None:
        query = query.filter(queue)
    columns = list(view.list_columns)
    relations = [c for c in columns if view.datamodel.is_relation(c)]
    formatters = view.formatters_columns

    def cells(db: Session, tickets: Sequence[Ticket]) -> list[list[Any]]:
        rows = view.datamodel.get_values(tickets, columns)
        return [[_cell(formatters, c, row[c]) for c in columns] for row in rows]

    stmt = query.statement.options(*(selectinload(getattr(Ticket, r)) for r in relations))
    queue_obj = queues.QUEUES.get(request.args.get("queue", ""))
    title = queue_obj.label if queue_obj else view.list_title
    return TicketExport(stmt, [str(view.label_columns.get(c, c)) for c in columns], cells,
                        str(title))  # fmt: skip


def _cell(formatters: dict[str, Callable], column: str, value: Any) -> Any:
    if column in formatters:
        return formatters[column](value)
    return "" if value is None else str(value)


def _person(user: Any) -> str:
    if user is None:
        return ""
    return f"{user.first_name or ''} {user.last_name or ''}".strip() or user.username


QUERY_COLUMNS: list[tuple[object, Callable[[Ticket], Any]]] = [
    (_l("Number"), lambda t: t.number),
    (_l("Subject"), lambda t: t.subject),
    (_l("Customer"), lambda t: t.customer.name if t.customer else (t.caller_number or "")),
    (_l("Category"), lambda t: t.category.name),
    (_l("Department"), lambda t: t.department.name if t.department else ""),
    (_l("Status"), lambda t: t.status_label),
    (_l("Assignee"), lambda t: _person(t.assignee)),
    (_l("Created at"), lambda t: fmt_dt(t.created_at)),
    (_l("Due at"), lambda t: fmt_dt(t.due_at)),
]


def _query_export(session: Session, user: Any) -> TicketExport:
    from plugins.tickets.services import search
    from plugins.tickets.views.query import criteria_from_request

    c = criteria_from_request()
    if c.errors:
        raise ValidationFailed(_("Correct the search form first."), c.errors)
    stmt = (
        select(Ticket)
        .options(
            selectinload(Ticket.category),
            selectinload(Ticket.department),
            selectinload(Ticket.customer),
            selectinload(Ticket.assignee),
        )
        .where(*search.conditions(session, user, c))
    )

    def cells(db: Session, tickets: Sequence[Ticket]) -> list[list[Any]]:
        return [[fn(t) for _label, fn in QUERY_COLUMNS] for t in tickets]

    return TicketExport(stmt, [str(label) for label, _fn in QUERY_COLUMNS], cells,
                        str(_("Ticket query")))  # fmt: skip


def _view_export(session: Session, user: Any) -> TicketExport:
    from plugins.tickets.services import saved_views, view_columns, views_sql
    from plugins.tickets.services.view_fields import view_fields
    from workflows.view_conditions import ViewDefinitionError

    raw = request.args.get("view_id", "")
    if not raw.isdigit():
        raise NotFound(_("No such view."))
    row = saved_views.get_visible(session, user, int(raw))  # NotFound for others' views
    fields = view_fields(session)
    try:
        where = views_sql.where(session, user, row, fields)
    except ViewDefinitionError as err:
        raise ValidationFailed(_("This view no longer fits the fields.")) from err
    columns = view_columns.columns_of(row.columns, fields)
    stmt = (
        select(Ticket)
        .options(
            selectinload(Ticket.category),
            selectinload(Ticket.department),
            selectinload(Ticket.customer),
            selectinload(Ticket.assignee),
            selectinload(Ticket.created_by),
        )
        .where(*where)
    )

    def cells(db: Session, tickets: Sequence[Ticket]) -> list[list[Any]]:
        return view_columns.cells(db, tickets, columns)

    return TicketExport(stmt, [str(c.label) for c in columns], cells, row.name)


_BUILDERS: dict[str, Callable[[Session, Any], TicketExport]] = {
    "list": _list_export,
    "query": _query_export,
    "view": _view_export,
}


def ticket_export(session: Session, user: Any, source: str) -> TicketExport:
    """The export of list screen `source` as the current request's args describe it.

    Raises NotFound for an unknown source or a view the user may not open, and
    ValidationFailed for query args the screen itself would refuse.
    """
    builder = _BUILDERS.get(source)
    if builder is None or user is None:
        raise NotFound(_("No such list."))
    export = builder(session, user)
    if source != "view" and request.args.get("custom") == "1":
        export = _with_custom_fields(session, export)
    return export


def _with_custom_fields(session: Session, export: TicketExport) -> TicketExport:
    """`?custom=1`: every custom field as an extra column (one query per batch)."""
    from plugins.tickets.services import view_columns
    from plugins.tickets.services.view_fields import view_fields

    extra = [f for f in view_fields(session).values() if f.custom]
    base = export.cells

    def cells(db: Session, tickets: Sequence[Ticket]) -> list[list[Any]]:
        more = view_columns.cells(db, tickets, extra)
        return [a + b for a, b in zip(base(db, tickets), more, strict=True)]

    headers = export.headers + [str(f.label) for f in extra]
    return TicketExport(export.statement, headers, cells, export.title)
