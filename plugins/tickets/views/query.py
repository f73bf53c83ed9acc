"""工单查询: the ticket query screen (GET form, scoped results, pagination)."""

from __future__ import annotations

import datetime as dt

from flask import request
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from plugins.tickets.context import actor, session
from plugins.tickets.enums import CHANNEL_LABELS, STATUS_LABELS
from plugins.tickets.models import Category, Department
from plugins.tickets.permissions import METHOD_PERMISSIONS
from plugins.tickets.services import search


def _int(name: str, errors: dict[str, str]) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        errors[name] = _("Not a valid choice.")
        return None
    return int(raw)


def _date(name: str, errors: dict[str, str]) -> dt.date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("Enter a date like 2026-11-23.")
        return None


def criteria_from_request() -> search.Criteria:
    errors: dict[str, str] = {}
    c = search.Criteria(
        number=request.args.get("number", "").strip(),
        phone=request.args.get("phone", "").strip(),
        customer=request.args.get("customer", "").strip(),
        category_id=_int("category_id", errors),
        department_id=_int("department_id", errors),
        status=request.args.get("status", "")
        if request.args.get("status") in STATUS_LABELS
        else "",
        channel=request.args.get("channel", "")
        if request.args.get("channel") in CHANNEL_LABELS
        else "",
        date_from=_date("date_from", errors),
        date_to=_date("date_to", errors),
        overdue=request.args.get("overdue") == "y",
        page=_int("page", errors) or 0,
    )
    if c.date_from and c.date_to and c.date_from > c.date_to:
        errors["date_to"] = _("The end date is before the start date.")
    c.errors = errors
    return c


class TicketQueryView(BaseView):
    route_base = "/ticketquery"
    class_permission_name = "Ticket"
    method_permission_name = METHOD_PERMISSIONS
    default_view = "query"
    title = _l("Ticket query")

    @expose("/")
    @has_access
    def query(self):
        c = criteria_from_request()
        searched = any(k in request.args for k in ("number", "phone", "customer", "status"))
        total, rows = (0, [])
        if not c.errors:
            total, rows = search.run(session(), actor(), c)
        db = session()
        return self.render_template(
            "tickets/query.html",
            title=self.title,
            c=c,
            searched=searched or bool(request.args),
            total=total,
            rows=rows,
            page_size=search.PAGE_SIZE,
            categories=db.scalars(select(Category).order_by(Category.tree_path)).all(),
            departments=db.scalars(select(Department).order_by(Department.code)).all(),
            statuses=STATUS_LABELS,
            channels=CHANNEL_LABELS,
        )
