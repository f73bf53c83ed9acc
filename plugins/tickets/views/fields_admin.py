"""Admin screens for custom field definitions (自定义字段)."""

from __future__ import annotations

import json

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget, Select2Widget
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from app.formatting import yes_no
from app.sqla import SQLAInterface
from plugins.tickets.context import actor, session
from plugins.tickets.models import FieldDefinition
from plugins.tickets.services.errors import DomainError
from plugins.tickets.services.field_admin import save_definition
from plugins.tickets.services.labels import text
from plugins.tickets.views.base import BaseModelView, show_errors
from plugins.tickets.views.fields import flag_field
from workflows.fields import FIELD_TYPES

REQUIRED_CHOICES = [
    ("never", _l("Optional")),
    ("always", _l("Always required")),
    ("on_resolve", _l("Required when resolving")),
]
OPTIONS_HELP = _l(
    'JSON list, in display order: [{"value": "gd", "label": "广东", "children": [...]}]. '
    'Retire an option with "active": false; tickets that use it keep it.'
)


def _type_choices():
    return [(name, text(t.label)) for name, t in FIELD_TYPES.items()]


def form_values(form) -> dict:
    return {
        "code": (form.code.data or "").strip(),
        "label_zh": form.label_zh.data,
        "label_en": form.label_en.data or "",
        "help_text": form.help_text.data or None,
        "type": form.type.data,
        "required": form.required.data,
        "default": form.default.data or None,
        "options": form.options.data or None,
        "pattern": form.pattern.data or None,
        "pattern_message": form.pattern_message.data or None,
        "active": bool(form.active.data),
        "sort_order": form.sort_order.data or 0,
        "customer_visible": bool(form.customer_visible.data),
        "category_ids": [c.id for c in (form.categories.data or [])],
    }


class FieldDefinitionView(BaseModelView):
    datamodel = SQLAInterface(FieldDefinition)
    class_permission_name = "FieldDefinition"
    include_route_methods = {"list", "show", "add", "edit", "delete"}
    list_title = _l("Custom fields")
    show_title = _l("Custom field")
    add_title = _l("Add custom field")
    edit_title = _l("Edit custom field")
    label_columns = {
        "code": _l("Code"),
        "label_zh": _l("Chinese label"),
        "label_en": _l("English label"),
        "help_text": _l("Help text"),
        "type": _l("Type"),
        "type_label": _l("Type"),
        "required": _l("Required"),
        "default": _l("Default"),
        "options": _l("Options"),
        "pattern": _l("Regular expression"),
        "pattern_message": _l("Message when it does not match"),
        "active": _l("Active"),
        "sort_order": _l("Order"),
        "customer_visible": _l("Visible to the customer"),
        "categories": _l("Categories"),
    }
    list_columns = ["label_zh", "code", "type", "required", "categories", "active", "sort_order"]
    show_columns = [
        "code", "label_zh", "label_en", "help_text", "type", "required", "default", "options",
        "pattern", "pattern_message", "categories", "active", "sort_order", "customer_visible",
    ]  # fmt: skip
    add_columns = edit_columns = show_columns
    add_form_extra_fields = edit_form_extra_fields = {
        "type": SelectField(_l("Type"), choices=_type_choices, widget=Select2Widget()),
        "required": SelectField(_l("Required"), choices=REQUIRED_CHOICES, default="never"),
        "options": TextAreaField(
            _l("Options"),
            description=OPTIONS_HELP,
            validators=[Optional()],
            widget=BS3TextAreaFieldWidget(),
        ),
        "default": StringField(_l("Default"), validators=[Optional()]),
        "label_en": StringField(_l("English label"), validators=[Optional()]),
        "sort_order": IntegerField(_l("Order"), default=0, validators=[Optional()]),
        "active": flag_field(_l("Active")),
        "customer_visible": flag_field(_l("Visible to the customer"), default=False),
    }
    formatters_columns = {
        "active": yes_no,
        "customer_visible": yes_no,
        "type": lambda t: text(FIELD_TYPES[t].label) if t in FIELD_TYPES else t,
        "options": lambda o: json.dumps(o, ensure_ascii=False) if o else "",
    }
    base_order = ("sort_order", "asc")

    def _render(self, form, title):
        widgets = (
            self._get_add_widget(form=form)
            if title == self.add_title
            else (self._get_edit_widget(form=form))
        )
        template = self.add_template if title == self.add_title else self.edit_template
        return self.render_template(template, title=title, widgets=widgets, related_views=[])

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        form = self.add_form.refresh()
        if request.method == "POST":
            form_ok = form.validate()
            try:
                # An invalid form is still checked by the service: every mistake at once.
                row = save_definition(
                    session(), actor(), None, form_values(form), dry_run=not form_ok
                )
            except DomainError as err:
                session().rollback()
                show_errors(form, err, {"category_ids": "categories"})
            else:
                if row is not None:
                    flash(_("Saved."), "success")
                    return redirect(url_for(".show", pk=row.id))
        return self._render(form, self.add_title)

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        row = self.datamodel.get(pk)
        if row is None:
            abort(404)
        if request.method == "POST":
            form = self.edit_form.refresh(request.form)
            if form.validate():
                try:
                    save_definition(session(), actor(), row, form_values(form))
                except DomainError as err:
                    session().rollback()
                    show_errors(form, err, {"category_ids": "categories"})
                else:
                    flash(_("Saved."), "success")
                    return redirect(url_for(".show", pk=row.id))
        else:
            form = self.edit_form.refresh(obj=row)
            form.options.data = (
                json.dumps(row.options, ensure_ascii=False, indent=1) if (row.options) else ""
            )
        return self._render(form, self.edit_title)
