"""Managing saved views: list, edit form (JSON conditions with a row builder), delete, order.

Everything is decided by services/saved_views.py (who may share how, validation); this
screen turns the form into the same values the REST API takes, so both validate alike.
"""

from __future__ import annotations

import json
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from plugins.tickets.context import actor, session
from plugins.tickets.models import SavedView
from plugins.tickets.permissions import METHOD_PERMISSIONS
from plugins.tickets.services import saved_views as service
from plugins.tickets.services.errors import DomainError, Forbidden, NotFound, ValidationFailed
from plugins.tickets.services.view_fields import (
    OPERATOR_LABELS,
    describe_builder,
    id_options,
    view_fields,
)
from plugins.tickets.services.view_summary import describe

VISIBILITY_LABELS = {
    "personal": _l("Only me"),
    "department": _l("A department"),
    "roles": _l("Some roles"),
    "everyone": _l("Everyone"),
}
EMPTY_CONDITIONS = {"match": "all", "conditions": []}


def _int(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.lstrip("-").isdigit() else None


def form_values(is_admin: bool) -> tuple[dict[str, Any], str | None]:
    """The form as service values, and the JSON error of the conditions box if any."""
    form = request.form
    json_error = None
    try:
        conditions = json.loads(form.get("conditions") or "{}")
    except ValueError as err:
        conditions = None
        json_error = _("Not valid JSON: %(error)s", error=str(err))
    columns = [c.strip() for c in (form.get("columns") or "").split(",") if c.strip()]
    sort_field = (form.get("sort_field") or "").strip()
    values: dict[str, Any] = {
        "name": form.get("name", ""),
        "visibility": form.get("visibility", "personal"),
        "department_id": _int(form.get("department_id")),
        "roles": form.getlist("roles"),
        "conditions": conditions,
        "columns": columns,
        "sort": {"field": sort_field, "dir": form.get("sort_dir") or "desc"}
        if sort_field
        else None,
    }
    if is_admin:
        values["active"] = form.get("active") == "y"
        order = _int(form.get("sort_order"))
        values["sort_order"] = order if order is not None else form.get("sort_order")
    return values, json_error


class SavedViewAdminView(BaseView):
    route_base = "/savedviewadmin"
    class_permission_name = "SavedView"
    method_permission_name = METHOD_PERMISSIONS
    default_view = "manage"
    title = _l("Manage views")

    @expose("/")
    @has_access
    def manage(self):
        db, user = session(), actor()
        fields = view_fields(db)
        rows = [
            (row, describe(db, fields, row.conditions))
            for row in service.manageable_views(db, user)
        ]
        return self.render_template(
            "tickets/saved_view_manage.html",
            title=self.title,
            rows=rows,
            visibilities=VISIBILITY_LABELS,
            is_admin=service.is_admin(user),
        )

    def _form(
        self, row: SavedView | None, values: dict[str, Any], errors: dict[str, str], text: str
    ):
        db, user = session(), actor()
        fields = view_fields(db)
        # The saved condition in words (the builder shows unsaved edits itself).
        summary = describe(db, fields, row.conditions) if row is not None and not errors else ""
        return self.render_template(
            "tickets/saved_view_form.html",
            title=_("Edit view") if row else _("New view"),
            row=row,
            values=values,
            conditions_text=text,
            errors=errors,
            condition_errors=sorted(
                (k, v) for k, v in errors.items() if k.startswith("conditions")
            ),
            summary=summary,
            is_admin=service.is_admin(user),
            visibilities=[
                (k, VISIBILITY_LABELS[k]) for k in service.allowed_visibilities(db, user)
            ],
            departments=service.allowed_departments(db, user),
            roles=service.role_choices(db),
            fields=list(fields.values()),
            builder=describe_builder(fields.values(), id_options(db)),
            operators={k: str(v) for k, v in OPERATOR_LABELS.items()},
        )

    def _submit(self, row: SavedView | None):
        db, user = session(), actor()
        values, json_error = form_values(service.is_admin(user))
        text = request.form.get("conditions") or ""
        try:
            if row is None:
                row = service.create(db, user, values)
            else:
                row = service.update(db, user, row, values)
        except ValidationFailed as err:
            db.rollback()
            errors = {k: str(v) for k, v in err.fields.items()}
            if json_error:
                errors = {k: v for k, v in errors.items() if not k.startswith("conditions")}
                errors["conditions"] = json_error
            flash(str(err.message), "danger")
            return self._form(row, values, errors, text)
        except DomainError as err:
            db.rollback()
            flash(str(err.message), "danger")
            return redirect(url_for(".manage"))
        flash(_("Saved the view %(name)s.", name=row.name), "success")
        return redirect(url_for(".manage"))

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        if request.method == "POST":
            return self._submit(None)
        values = {"visibility": "personal", "conditions": EMPTY_CONDITIONS, "columns": []}
        values |= {"active": True, "sort_order": 0}
        return self._form(
            None, values, {}, json.dumps(EMPTY_CONDITIONS, ensure_ascii=False, indent=2)
        )

    def _manageable(self, pk: int) -> SavedView:
        try:
            return service.get_manageable(session(), actor(), pk)
        except NotFound:
            abort(404)
        except Forbidden:
            abort(403)

    @expose("/edit/<int:pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk: int):
        row = self._manageable(pk)
        if request.method == "POST":
            return self._submit(row)
        values = {key: getattr(row, key) for key in service.FIELDS}
        text = json.dumps(row.conditions, ensure_ascii=False, indent=2)
        return self._form(row, values, {}, text)

    @expose("/delete/<int:pk>", methods=["POST"])
    @has_access
    def delete(self, pk: int):
        row = self._manageable(pk)
        name = row.name
        service.delete(session(), actor(), row)
        flash(_("Deleted the view %(name)s.", name=name), "success")
        return redirect(url_for(".manage"))

    @expose("/order", methods=["POST"])
    @has_access
    def order(self):
        """Admins: sort order and on/off of every listed view in one form."""
        entries: dict[int, tuple[int, bool]] = {}
        for key in request.form:
            if key.startswith("sort_order_"):
                pk, order = _int(key.removeprefix("sort_order_")), _int(request.form[key])
                if pk is not None and order is not None:
                    entries[pk] = (order, request.form.get(f"active_{pk}") == "y")
        try:
            service.reorder(session(), actor(), entries)
        except DomainError as err:
            session().rollback()
            flash(str(err.message), "danger")
        else:
            flash(_("Saved the order of the views."), "success")
        return redirect(url_for(".manage"))
