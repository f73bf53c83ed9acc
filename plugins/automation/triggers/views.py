"""触发器 screens (Admin): list with order and on/off, a form whose conditions are a row
builder over the JSON (validated by path, errors under the row they name), the run log, and
the dry run ("which rules would fire on this ticket, and why").

Thin: saving is triggers.service, the builder's vocabulary is triggers.builder, the dry run
is triggers.engine.dry_run (reads only).
"""

from __future__ import annotations

import json
from typing import Any

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from plugins.automation.rule_views import RuleAdminMixin, dump_json, int_or_none
from plugins.automation.triggers import builder, service
from plugins.automation.triggers import vocabulary as voc
from plugins.automation.triggers.engine import dry_run
from plugins.automation.triggers.models import Trigger, TriggerRun
from plugins.tickets.context import session
from plugins.tickets.models import Ticket
from plugins.tickets.permissions import METHOD_PERMISSIONS
from plugins.tickets.services.errors import DomainError, ValidationFailed

PERMISSIONS = {**METHOD_PERMISSIONS, "runs": "read", "dryrun": "read"}
RUN_PAGE = 100


class TriggerAdminView(RuleAdminMixin, BaseView):
    route_base = "/triggers"
    class_permission_name = "Trigger"
    method_permission_name = PERMISSIONS
    default_view = "list"
    title = _l("Triggers")
    rule_service = service
    example = voc.EXAMPLE
    deleted_message = _l("Deleted the trigger %(name)s.")
    ordered_message = _l("Saved the order of the triggers.")

    @expose("/")
    @has_access
    def list(self):
        return self.render_template(
            "automation/triggers/list.html", title=self.title, rows=service.ordered(session()),
            kinds=voc.KIND_LABELS, action_labels=voc.ACTION_LABELS,
        )  # fmt: skip

    def _form(self, row: Trigger | None, form: dict[str, Any], errors: dict[str, str]):
        return self.render_template(
            "automation/triggers/form.html",
            title=_("Edit trigger") if row else _("New trigger"),
            row=row, form=form, errors=sorted(errors.items()), error_map=errors,
            vocabulary=builder.vocabulary(session()),
            event_fields={k: str(v) for k, v in voc.EVENT_LABELS.items()},
            action_labels={k: str(v) for k, v in voc.ACTION_LABELS.items()},
            action_params=voc.ACTION_PARAMS, example=dump_json(voc.EXAMPLE),
        )  # fmt: skip

    def _submit(self, row: Trigger | None):
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
        try:
            row = service.create(db, values) if row is None else service.update(db, row, values)
        except ValidationFailed as err:
            db.rollback()
            flash(str(err.message), "danger")
            return self._form(row, shown, {k: str(v) for k, v in err.fields.items()})
        flash(_("Saved the trigger %(name)s.", name=row.name), "success")
        return redirect(url_for(".list"))

    @expose("/runs")
    @has_access
    def runs(self):
        stmt = select(TriggerRun).order_by(TriggerRun.id.desc()).limit(RUN_PAGE)
        trigger_id = int_or_none(request.args.get("trigger"))
        if trigger_id is not None:
            stmt = stmt.where(TriggerRun.trigger_id == trigger_id)
        return self.render_template(
            "automation/triggers/runs.html", title=_("Trigger run log"),
            rows=list(session().scalars(stmt)),
        )  # fmt: skip

    @expose("/dryrun", methods=["GET"])
    @has_access
    def dryrun(self):
        """Test run on an existing ticket (by number or id): nothing is changed."""
        db, raw = session(), (request.args.get("ticket") or "").strip()
        result, error = None, None
        if raw:
            ticket = db.scalar(select(Ticket).where(Ticket.number == raw))
            if ticket is None and raw.isdigit():
                ticket = db.get(Ticket, int(raw))
            if ticket is None:
                error = _("Ticket not found.")
            else:
                try:
                    result = dry_run(db, ticket)
                except DomainError as err:
                    error = str(err)
                db.rollback()  # a dry run leaves nothing behind
        return self.render_template(
            "automation/triggers/dryrun.html", title=_("Test run"), query=raw,
            result=result, error=error, kinds=voc.KIND_LABELS,
        )  # fmt: skip
