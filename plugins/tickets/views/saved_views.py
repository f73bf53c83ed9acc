"""工单视图: the views a user is offered, with live counts, and each view's ticket list.

Counts and lists are one scoped query each (services/views_sql.py); a view someone else
keeps, or one that is switched off, answers 404 like a missing one.
"""

from __future__ import annotations

import json

from flask import abort, request
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from app.user_cache import cached_for_user
from plugins.tickets.context import actor, session
from plugins.tickets.permissions import METHOD_PERMISSIONS
from plugins.tickets.services import saved_views as service
from plugins.tickets.services import view_columns, views_sql
from plugins.tickets.services.errors import NotFound
from plugins.tickets.services.view_fields import view_fields
from plugins.tickets.services.view_summary import describe
from workflows.view_conditions import ViewDefinitionError


def _page() -> int:
    raw = request.args.get("page", "")
    return int(raw) if raw.isdigit() else 0


def cached_count(db, user, row, fields) -> int | None:
    """The view's count for this user, as the menu shows it: kept a few seconds per user
    (app/user_cache.py), so the menu and the view's own page agree and a broad view at a
    million tickets (30–90 ms a COUNT) is not counted on every page."""

    def compute() -> int | None:
        try:
            return views_sql.count(db, user, row, fields)
        except ViewDefinitionError:
            return None

    definition = json.dumps(row.conditions, sort_keys=True, ensure_ascii=False)
    return cached_for_user(("view_count", row.id, definition), compute)


def menu_entries() -> list[dict[str, object]]:
    """The user's views for the menu, with counts (at most MENU_LIMIT of them)."""
    user = actor()
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    db = session()
    fields = view_fields(db)
    out = []
    for row in service.visible_views(db, user)[: service.MENU_LIMIT]:
        count = cached_count(db, user, row, fields)
        out.append({"label": row.name, "href": f"/savedviews/{row.id}/", "count": count})
    return out


class SavedViewsView(BaseView):
    route_base = "/savedviews"
    class_permission_name = "SavedView"
    method_permission_name = METHOD_PERMISSIONS
    default_view = "list"
    title = _l("Ticket views")

    @expose("/")
    @has_access
    def list(self):
        db, user = session(), actor()
        fields = view_fields(db)
        rows = []
        for row in service.visible_views(db, user):
            try:
                count = views_sql.count(db, user, row, fields)
            except ViewDefinitionError:
                count = None
            rows.append((row, count, describe(db, fields, row.conditions)))
        return self.render_template(
            "tickets/saved_views.html",
            title=self.title,
            rows=rows,
        )

    @expose("/<int:pk>/")
    @has_access
    def tickets(self, pk: int):
        db, user = session(), actor()
        try:
            row = service.get_visible(db, user, pk)
        except NotFound:
            abort(404)
        fields = view_fields(db)
        columns = view_columns.columns_of(row.columns, fields)
        page = _page()
        tickets, cells = [], []
        total = cached_count(db, user, row, fields)
        try:
            if total is not None:
                tickets = views_sql.tickets(db, user, row, page, views_sql.PAGE_SIZE, fields)
                cells = view_columns.cells(db, tickets, columns)
        except ViewDefinitionError:
            total = None
        error = total is None
        total = total or 0
        return self.render_template(
            "tickets/saved_view_tickets.html",
            title=row.name,
            view=row,
            summary=describe(db, fields, row.conditions),
            columns=columns,
            rows=list(zip(tickets, cells, strict=True)),
            total=total,
            page=page,
            page_size=views_sql.PAGE_SIZE,
            error=error,
        )
