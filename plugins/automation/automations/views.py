"""自动化 screens (Admin): the list with order and on/off, a JSON form validated by path with a
test run ("which tickets would match now": count and first rows, in the viewer's scope),
and the run log (which tickets fired when).

Thin: saving is automations.service, the test run automations.engine.dry_run (reads only).
"""

from __future__ import annotations

import json
from typing import Any

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from plugins.automation.automations import builder, service
from plugins.automation.automations import vocabulary as voc
from plugins.automation.automations.engine import dry_run
from plugins.automation.automations.models import Automation, AutomationRun
from plugins.automation.automations.schema import condition_errors
from plugins.automation.rule_views import RuleAdminMixin, dump_json, int_or_none
from plugins.automation.triggers import vocabulary as trigger_voc
from plugins.tickets.context import actor, session
from plugins.tickets.permissions import METHOD_PERMISSIONS
from plugins.tickets.services.errors import ValidationFailed

PERMISSIONS = {**METHOD_PERMISSIONS, "runs": "read", "dryrun": "read"}
RUN_PAGE = 100


def _preview(conditions: Any, automation_id: int | None) -> tuple[dict | None, str | None]:
    db = session()
    try:
        return dry_run(db, actor(), conditions, automation_id), None
    except ValueError as err:
        return None, str(err)
    finally:
        db.rollback()  # a test run leaves nothing behind


class AutomationAdminView(RuleAdminMixin, BaseView):
    route_base = "/automations"
    class_permission_name = "Automation"
    method_permission_name = PERMISSIONS
    default_view = "list"
    title = _l("Automations")
    rule_service = service
    example = voc.EXAMPLE
    deleted_message = _l("Deleted the automation %(name)s.")
    ordered_message = _l("Saved the order of the automations.")

    @expose("/")
    @has_access
    def list(self):
        return self.render_template(
            "automation/automations/list.html", title=self.title,
            rows=service.ordered(session()), action_labels=trigger_voc.ACTION_LABELS,
        )  # fmt: skip

    def _form(self, row, form: dict[str, Any], errors: dict[str, str], preview=None):
        return self.render_template(
            "automation/automations/form.html",
            title=_("Edit automation") if row else _("New automation"),
            row=row, form=form, errors=sorted(errors.items()), preview=preview,
            error_map=errors, vocabulary=builder.vocabulary(session()),
            time_fields={k: str(v) for k, v in voc.TIME_LABELS.items()},
            time_ops={k: str(v) for k, v in voc.TIME_OP_LABELS.items()},
            action_labels={k: str(v) for k, v in trigger_voc.ACTION_LABELS.items()},
            action_params=trigger_voc.ACTION_PARAMS, example=dump_json(voc.EXAMPLE),
        )  # fmt: skip

    def _submit(self, row: Automation | None):
        db, form = session(), request.form
        values: dict[str, Any] = {
            "name": form.get("name", ""),
            "description": form.get("description") or None,
            "active": form.get("active") == "y",
            "sort_order": int_or_none(form.get("sort_order")) or 0,
        }
        errors: dict[str, str] = {}
        for key in ("conditions", "actions"):
            try:
                values[key] = json.loads(form.get(key) or ("{}" if key == "conditions" else "[]"))
            except ValueError as err:
                errors[key] = _("Not valid JSON: %(error)s", error=str(err))
        shown = {**values, "conditions": form.get("conditions"), "actions": form.get("actions")}
        if errors:
            flash(_("Please correct the errors below."), "danger")
            return self._form(row, shown, errors)
        if form.get("preview"):  # test run of what is in the form, nothing saved
            found = service.split_errors(condition_errors(db, values["conditions"]))
            if found:
                return self._form(row, shown, found)
            result, error = _preview(values["conditions"], row.id if row else None)
            if error:
                return self._form(row, shown, {"conditions": error})
            return self._form(row, shown, {}, preview=result)
        try:
            row = service.create(db, values) if row is None else service.update(db, row, values)
        except ValidationFailed as err:
            db.rollback()
            flash(str(err.message), "danger")
            return self._form(row, shown, {k: str(v) for k, v in err.fields.items()})
        flash(_("Saved the automation %(name)s.", name=row.name), "success")
        return redirect(url_for(".list"))

    @expose("/runs")
    @has_access
    def runs(self):
        stmt = (
            select(AutomationRun)
            .options(joinedload(AutomationRun.automation), joinedload(AutomationRun.ticket))
            .order_by(AutomationRun.id.desc())
            .limit(RUN_PAGE)
        )
        automation_id = int_or_none(request.args.get("automation"))
        if automation_id is not None:
            stmt = stmt.where(AutomationRun.automation_id == automation_id)
        return self.render_template(
            "automation/automations/runs.html", title=_("Automation run log"),
            rows=list(session().scalars(stmt)),
        )  # fmt: skip

    @expose("/dryrun/<int:pk>")
    @has_access
    def dryrun(self, pk: int):
        """Which tickets the saved automation would act on now (nothing is changed)."""
        row = self._row(pk)
        result, error = _preview(row.conditions, row.id)
        return self.render_template(
            "automation/automations/dryrun.html", title=_("Test run: %(name)s", name=row.name),
            row=row, preview=result, error=error,
        )  # fmt: skip


def register(appbuilder) -> None:
    from plugins.automation.automations.api import AutomationApi

    appbuilder.add_view(
        AutomationAdminView, "Automations", label=_l("Automations"), icon="fa-clock-o",
        category="Automation", category_label=_l("Automation"), category_icon="fa-cogs",
    )  # fmt: skip
    appbuilder.add_api(AutomationApi)
