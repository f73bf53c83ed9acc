"""Managing canned replies (预设回复): list, show, add, edit, delete.

The list and show pages show the replies the user may read (base filter); add, edit and
delete go through the reply service, which checks that the user manages the reply and may
share it that way (base filters guard neither POST targets nor choices). The department
choices are only the departments the user may share with.
"""

from __future__ import annotations

import json
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.fieldwidgets import (
    BS3TextAreaFieldWidget,
    BS3TextFieldWidget,
    Select2Widget,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from app.formatting import blank_if_none, fmt_dt, yes_no
from app.sqla import SQLAInterface
from plugins.tickets.context import actor, session
from plugins.tickets.enums import PRIORITY_LABELS
from plugins.tickets.models import CannedReply, Department
from plugins.tickets.models.canned_reply import SCOPE_LABELS
from plugins.tickets.reply_filters import REPLY_SCOPED
from plugins.tickets.services import canned_replies as reply_service
from plugins.tickets.services import reply_changes
from plugins.tickets.services.errors import DomainError, ValidationFailed
from plugins.tickets.services.labels import text
from plugins.tickets.views.base import BaseModelView, show_errors
from plugins.tickets.views.fields import flag_field

BODY_HELP = _l(
    "Placeholders: {ticket.number} {ticket.subject} {customer.name} {category} {department} "
    "{agent.name}, or {工单编号} {工单标题} {客户姓名} {分类} {部门} {坐席姓名}; a custom "
    "field's value: {field.CODE} with the field's code."
)
PARAMS_HELP = _l('JSON object of the action\'s parameters, e.g. {"reason": "..."}.')
FIELDS_HELP = _l('JSON object of custom field codes and values, e.g. {"fault_type": "optical"}.')
#: Error keys of the service → form fields (prefixes: one field shows all its messages).
ERROR_FIELDS = (
    ("changes.action.params", "params"),
    ("changes.custom_fields", "custom_fields"),
    ("changes.priority", "priority"),
    ("changes.action", "action"),
    ("changes.public", "public"),
)


def _scope_choices() -> list[tuple[str, Any]]:
    allowed = ["personal", "department"]
    if reply_service.is_admin(actor()):
        allowed.append("everyone")
    return [(s, SCOPE_LABELS[s]) for s in allowed]


def _department_choices() -> list[tuple[str, Any]]:
    """Departments the user may share replies with: all for admins, else supervised ones."""
    user = actor()
    query = select(Department).where(Department.active.is_(True)).order_by(Department.code)
    if not reply_service.is_admin(user):
        supervised = reply_service.supervised_department_ids(session(), user)
        query = query.where(Department.id.in_(sorted(supervised)))
    rows = session().scalars(query).all()
    return [("", _l("Please choose")), *((str(d.id), d.name) for d in rows)]


def _priority_choices() -> list[tuple[str, Any]]:
    return [("", _l("Do not change")), *PRIORITY_LABELS.items()]


def _action_choices() -> list[tuple[str, Any]]:
    found = reply_changes.known_actions(session())
    return [("", _l("No action")), *((n, f"{text(a.label)} ({n})") for n, a in found.items())]


def _json(raw: str | None, key: str, errors: dict[str, str]) -> Any:
    if not raw or not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        errors[key] = _("Not valid JSON.")
        return None


def form_values(form) -> tuple[dict[str, Any], dict[str, str]]:
    """The user's input as service values, and the errors of the JSON text boxes."""
    errors: dict[str, str] = {}
    params = _json(form.params.data, "changes.action.params", errors)
    fields = _json(form.custom_fields.data, "changes.custom_fields", errors)
    action = {"name": form.action.data, "params": params or {}} if form.action.data else None
    dept = form.department_id.data
    values = {
        "title": form.title.data or "",
        "body": form.body.data or "",
        "scope": form.scope.data,
        "department_id": int(dept) if dept and str(dept).isdigit() else None,
        "active": bool(form.active.data),
        "sort_order": form.sort_order.data or 0,
        "changes": {
            "priority": form.priority.data or None,
            "custom_fields": fields,
            "action": action,
            "public": bool(form.public.data),
        },
    }
    return values, errors


def place_errors(form, err: DomainError, extra: dict[str, str] | None = None) -> None:
    """Show the service's errors (and the JSON boxes') under the form fields.

    A box whose JSON did not parse shows only that: the service saw it as empty, so its
    other messages (a required parameter missing) would mislead.
    """
    extra = extra or {}

    def target_of(key: str) -> str:
        return next((f for prefix, f in ERROR_FIELDS if key.startswith(prefix)), key)

    broken = {target_of(key) for key in extra}
    fields: dict[str, list[str]] = {}
    for key, message in [*err.fields.items(), *extra.items()]:
        target = target_of(key)
        if target in broken and key not in extra:
            continue
        detail = key.rsplit(".", 1)[-1] if key.startswith("changes.") and target != key else ""
        named = f"{detail}: {message}" if detail and detail not in (target, "params") else message
        fields.setdefault(target, []).append(str(named))
    show_errors(form, ValidationFailed(err.message, {k: "；".join(v) for k, v in fields.items()}))


def _fill(form, reply: CannedReply) -> None:
    changes = reply.changes or {}
    action = changes.get("action") or {}
    form.department_id.data = str(reply.department_id or "")
    form.priority.data = changes.get("priority") or ""
    form.action.data = action.get("name", "")
    params, fields = action.get("params"), changes.get("custom_fields")
    form.params.data = json.dumps(params, ensure_ascii=False) if params else ""
    form.custom_fields.data = json.dumps(fields, ensure_ascii=False) if fields else ""
    form.public.data = bool(changes.get("public"))


def _changes_text(changes: Any) -> str:
    lines = reply_changes.describe(session(), changes)
    how = _("Public reply") if (changes or {}).get("public") else _("Internal note")
    return "；".join([*(f"{what}：{value}" for what, value in lines), how])


class CannedReplyView(BaseModelView):
    datamodel = SQLAInterface(CannedReply)
    class_permission_name = "CannedReply"
    include_route_methods = {"list", "show", "add", "edit", "delete"}
    base_filters = REPLY_SCOPED
    base_order = ("sort_order", "asc")
    list_title = _l("Canned replies")
    show_title = _l("Canned reply")
    add_title = _l("Add canned reply")
    edit_title = _l("Edit canned reply")
    label_columns = {
        "title": _l("Title"),
        "body": _l("Text"),
        "scope": _l("Shared with"),
        "scope_label": _l("Shared with"),
        "department": _l("Department"),
        "department_id": _l("Department"),
        "owner": _l("Owner"),
        "active": _l("Active"),
        "usage_count": _l("Times used"),
        "sort_order": _l("Order"),
        "changes": _l("Changes"),
        "created_at": _l("Created at"),
        "priority": _l("Set priority"),
        "action": _l("Process action"),
        "params": _l("Action parameters"),
        "custom_fields": _l("Set custom fields"),
        "public": _l("Post as a public reply"),
    }
    list_columns = [
        "title",
        "scope_label",
        "department",
        "owner",
        "active",
        "usage_count",
        "sort_order",
    ]
    show_columns = [
        "title",
        "body",
        "scope_label",
        "department",
        "owner",
        "changes",
        "active",
        "usage_count",
        "sort_order",
        "created_at",
    ]
    add_columns = edit_columns = [
        "title",
        "body",
        "scope",
        "department_id",
        "priority",
        "action",
        "params",
        "custom_fields",
        "public",
        "active",
        "sort_order",
    ]
    add_form_extra_fields = edit_form_extra_fields = {
        "title": StringField(_l("Title"), widget=BS3TextFieldWidget()),
        "body": TextAreaField(
            _l("Text"),
            description=BODY_HELP,
            validators=[Optional()],
            widget=BS3TextAreaFieldWidget(),
        ),
        "scope": SelectField(_l("Shared with"), choices=_scope_choices, widget=Select2Widget()),
        "department_id": SelectField(
            _l("Department"), choices=_department_choices, widget=Select2Widget()
        ),
        "priority": SelectField(
            _l("Set priority"), choices=_priority_choices, widget=Select2Widget()
        ),
        "action": SelectField(
            _l("Process action"), choices=_action_choices, widget=Select2Widget()
        ),
        "params": TextAreaField(
            _l("Action parameters"),
            description=PARAMS_HELP,
            validators=[Optional()],
            widget=BS3TextAreaFieldWidget(),
        ),
        "custom_fields": TextAreaField(
            _l("Set custom fields"),
            description=FIELDS_HELP,
            validators=[Optional()],
            widget=BS3TextAreaFieldWidget(),
        ),
        "public": BooleanField(_l("Post as a public reply"), default=False),
        "active": flag_field(_l("Active")),
        "sort_order": IntegerField(_l("Order"), default=0, validators=[Optional()]),
    }
    search_columns = ["title", "scope", "active"]
    formatters_columns = {
        "active": yes_no,
        "department": blank_if_none,
        "owner": blank_if_none,
        "created_at": fmt_dt,
        "changes": _changes_text,
    }

    def _render(self, form, adding: bool):
        if adding:
            widgets, template = self._get_add_widget(form=form), self.add_template
            title = self.add_title
        else:
            widgets, template = self._get_edit_widget(form=form), self.edit_template
            title = self.edit_title
        return self.render_template(template, title=title, widgets=widgets, related_views=[])

    def _save(self, form, reply: CannedReply | None) -> CannedReply | None:
        """Validate everything at once (form, JSON boxes, service); save only when all pass."""
        form_ok = form.validate()
        values, json_errors = form_values(form)
        try:
            reply_service.check(session(), actor(), values, reply)
            if json_errors or not form_ok:
                raise ValidationFailed(_("Please correct the errors below."), {})
            if reply is None:
                return reply_service.create_reply(session(), actor(), values)
            return reply_service.update_reply(session(), actor(), reply, values)
        except DomainError as err:
            session().rollback()
            place_errors(form, err, json_errors)
            return None

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        form = self.add_form.refresh()
        if request.method == "POST":
            saved = self._save(form, None)
            if saved is not None:
                flash(_("Saved."), "success")
                return redirect(url_for(".show", pk=saved.id))
        return self._render(form, adding=True)

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        reply = self.datamodel.get(pk, self._base_filters)
        if reply is None:
            abort(404)
        if not reply_service.can_manage(session(), actor(), reply):
            flash(_("You may not change this canned reply."), "danger")
            return redirect(url_for(".show", pk=reply.id))
        if request.method == "POST":
            form = self.edit_form.refresh(request.form)
            saved = self._save(form, reply)
            if saved is not None:
                flash(_("Saved."), "success")
                return redirect(url_for(".show", pk=saved.id))
        else:
            form = self.edit_form.refresh(obj=reply)
            _fill(form, reply)
        return self._render(form, adding=False)

    def pre_delete(self, item: CannedReply) -> None:
        """FAB's delete honours the base filter only: a reader must not delete."""
        if not reply_service.can_manage(session(), actor(), item):
            raise ValidationFailed(_("You may not delete this canned reply."))
