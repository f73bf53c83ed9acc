"""评分表 screens (admins edit, QA read): a list, and one form with the items as rows."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from plugins.quality.services import scorecards
from plugins.tickets.context import actor, session
from plugins.tickets.models import Category, Department
from plugins.tickets.permissions import METHOD_PERMISSIONS
from plugins.tickets.services.errors import DomainError, NotFound, ValidationFailed

BLANK_ROWS = 3
ITEM_FIELDS = ("label_zh", "label_en", "points", "guidance")


def _int_list(name: str) -> list[int]:
    return [int(v) for v in request.form.getlist(name) if v.isdigit()]


def _items_from_form() -> list[dict[str, Any]]:
    """Rows item-<i>-<field>; a row with neither label nor points is left out."""
    out, i = [], 0
    while f"item-{i}-label_zh" in request.form:
        row = {f: request.form.get(f"item-{i}-{f}", "").strip() for f in ITEM_FIELDS}
        row["critical"] = request.form.get(f"item-{i}-critical") == "y"
        if row["label_zh"] or row["points"]:
            out.append(row)
        i += 1
    return out


class ScorecardView(BaseView):
    route_base = "/qa/scorecards"
    class_permission_name = "Scorecard"
    method_permission_name = METHOD_PERMISSIONS
    default_view = "list"
    title = _l("Scorecards")

    @expose("/")
    @has_access
    def list(self):
        return self.render_template(
            "quality/scorecards.html", title=self.title, rows=scorecards.ordered(session())
        )

    def _form(self, row, form: dict[str, Any], errors: dict[str, str]):
        db = session()
        items = list(form.get("items") or []) + [{} for _ in range(BLANK_ROWS)]
        return self.render_template(
            "quality/scorecard_form.html",
            title=_("Edit scorecard") if row else _("New scorecard"),
            row=row, form=form, items=items, errors=errors,
            departments=db.scalars(select(Department).order_by(Department.name)).all(),
            categories=db.scalars(select(Category).order_by(Category.tree_path)).all(),
        )  # fmt: skip

    def _submit(self, row):
        form = request.form
        data = {
            "name": form.get("name", ""),
            "description": form.get("description", ""),
            "active": form.get("active") == "y",
            "scoring": form.get("scoring", "points"),
            "pass_score": form.get("pass_score", "").strip() or None,
            "department_ids": _int_list("department_ids"),
            "category_ids": _int_list("category_ids"),
            "items": _items_from_form(),
        }
        try:
            saved = scorecards.save(session(), actor(), data, row)
        except ValidationFailed as err:
            session().rollback()
            flash(str(err.message), "danger")
            return self._form(row, data, {k: str(v) for k, v in err.fields.items()})
        except DomainError as err:
            session().rollback()
            flash(str(err), "danger")
            return redirect(url_for(".list"))
        version = saved.current.number if saved.current else 1
        flash(_("Saved the scorecard %(name)s (version %(v)d).", name=saved.name, v=version),
              "success")  # fmt: skip
        return redirect(url_for(".list"))

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        if request.method == "POST":
            return self._submit(None)
        form = {"active": True, "scoring": "points", "pass_score": 80, "items": []}
        return self._form(None, form, {})

    @expose("/edit/<int:pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk: int):
        try:
            row = scorecards.get(session(), pk)
        except NotFound:
            abort(404)
        if request.method == "POST":
            return self._submit(row)
        return self._form(row, scorecards.as_dict(row), {})
