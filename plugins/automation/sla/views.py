"""SLA screens for admins: policies (targets as JSON, validated per metric), calendar
overrides (with the "no official data for <year>" warning) and escalation chains with their
levels; plus the clock panel on the ticket page. Registration happens in `register`.
"""

from __future__ import annotations

import datetime as dt
import json

from flask import current_app, flash
from flask_appbuilder import ModelView, expose, has_access
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, TextAreaField
from wtforms.validators import ValidationError

from app.sqla import SQLAInterface
from plugins.automation.sla import calendar as sla_calendar
from plugins.automation.sla.escalation_models import EscalationChain, EscalationLevel
from plugins.automation.sla.models import METRICS, CalendarOverride, SlaPolicy
from plugins.automation.sla.policies import METRIC_LABELS, validate_targets
from plugins.tickets.enums import PRIORITY_LABELS

TARGETS_HELP = _l(
    'JSON by metric (accept, first_reply, resolve, follow_up), e.g. {"resolve": {"kind": '
    '"working_days", "amount": 5, "warn_percent": 75}}; kinds: working_hours, calendar_hours, '
    "working_minutes, calendar_minutes, working_days."
)
RECIPIENTS_HELP = _l(
    'JSON list, e.g. [{"supervisor": true}, {"role": "Manager"}, {"user_id": 3}, {"robot_id": 1}]'
)


def _json_field(label, help_text, check):
    def validate(form, field) -> None:
        try:
            value = json.loads(field.data or "null")
        except ValueError as err:
            raise ValidationError(_l("Not valid JSON: %(err)s", err=str(err))) from None
        problem = check(value)
        if problem:
            raise ValidationError(problem)

    return TextAreaField(label, description=help_text, validators=[validate])


def _targets_problem(value) -> str | None:
    errors = validate_targets(value)
    return "；".join(f"{k}: {v}" for k, v in errors.items()) or None


def _recipients_problem(value) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        return str(_l("Recipients must be a list of objects."))
    return None


def unofficial_years(session) -> list[int]:
    """This year and next when neither the package nor an admin has the official notice."""
    cal = sla_calendar.calendar_for(session)
    this = dt.date.today().year
    return [y for y in (this, this + 1) if not cal.has_official_data(y)]


def _warn_unofficial(session) -> None:
    for year in unofficial_years(session):
        flash(
            _l("No official holiday data for %(year)s: deadlines in that year use the "
               "package's guesses until the State Council notice is entered here.", year=year),
            "warning",
        )  # fmt: skip


class SlaPolicyView(ModelView):
    datamodel = SQLAInterface(SlaPolicy)
    list_columns = ["name", "active", "sort_order", "category", "priority", "targets"]
    show_columns = list_columns
    add_columns = ["name", "active", "sort_order", "category", "priority", "targets_json"]
    edit_columns = add_columns
    label_columns = {
        "name": _l("Name"), "active": _l("Active"), "sort_order": _l("Order"),
        "category": _l("Category (and its children)"), "priority": _l("Priority"),
        "targets": _l("Targets"), "targets_json": _l("Targets"),
    }  # fmt: skip
    form_choices = {"priority": [("", "—")] + [(k, str(v)) for k, v in PRIORITY_LABELS.items()]}
    add_form_extra_fields = {
        "targets_json": _json_field(_l("Targets"), TARGETS_HELP, _targets_problem)
    }
    edit_form_extra_fields = add_form_extra_fields
    base_order = ("sort_order", "asc")

    def prefill_form(self, form, pk) -> None:
        item = self.datamodel.get(pk)
        form.targets_json.data = json.dumps(item.targets or {}, ensure_ascii=False)

    def _apply(self, item) -> None:
        item.targets = json.loads(getattr(item, "targets_json", None) or "{}")
        item.priority = item.priority or None

    def pre_add(self, item) -> None:
        self._apply(item)

    def pre_update(self, item) -> None:
        self._apply(item)

    def post_add(self, item) -> None:
        _recompute_open_clocks()

    post_update = post_delete = post_add

    @expose("/list/")
    @has_access
    def list(self):  # noqa: A003 - FAB's name
        _warn_unofficial(self.datamodel.session)
        return super().list()


def _recompute_open_clocks() -> int:
    """After an override or a policy change: rebuild every ticket with an open clock (now,
    or in background batches when there are many: sla/recompute.py)."""
    from plugins.automation.sla.recompute import request_recompute

    return request_recompute(current_app.appbuilder.session)


class CalendarOverrideView(ModelView):
    datamodel = SQLAInterface(CalendarOverride)
    list_columns = ["day", "is_working_day", "official", "note"]
    show_columns = add_columns = edit_columns = list_columns
    label_columns = {
        "day": _l("Date"), "is_working_day": _l("Working day (调休上班)"),
        "official": _l("From the State Council notice"), "note": _l("Note"),
    }  # fmt: skip
    description_columns = {
        "official": _l("Tick for rows copied from the official notice: the year then counts "
                       "as having official data."),
    }  # fmt: skip
    add_form_extra_fields = {
        "is_working_day": BooleanField(_l("Working day (调休上班)"), default=False),
        "official": BooleanField(_l("From the State Council notice"), default=False),
    }
    edit_form_extra_fields = add_form_extra_fields
    base_order = ("day", "desc")

    def post_add(self, item) -> None:
        _recompute_open_clocks()

    post_update = post_delete = post_add

    @expose("/list/")
    @has_access
    def list(self):  # noqa: A003 - FAB's name
        _warn_unofficial(self.datamodel.session)
        return super().list()


class EscalationLevelView(ModelView):
    datamodel = SQLAInterface(EscalationLevel)
    list_columns = ["chain", "level", "delay_minutes", "channel", "recipients"]
    show_columns = list_columns
    add_columns = ["chain", "level", "delay_minutes", "channel", "recipients_json"]
    edit_columns = add_columns
    label_columns = {
        "chain": _l("Chain"), "level": _l("Level"), "channel": _l("Channel"),
        "delay_minutes": _l("Minutes after the deadline (negative: before)"),
        "recipients": _l("Recipients"), "recipients_json": _l("Recipients"),
    }  # fmt: skip
    form_choices = {
        "channel": [(c, c) for c in ("in_app", "email", "wecom", "dingtalk", "feishu")],
    }
    add_form_extra_fields = {
        "recipients_json": _json_field(_l("Recipients"), RECIPIENTS_HELP, _recipients_problem)
    }
    edit_form_extra_fields = add_form_extra_fields

    def prefill_form(self, form, pk) -> None:
        item = self.datamodel.get(pk)
        form.recipients_json.data = json.dumps(item.recipients or [], ensure_ascii=False)

    def _apply(self, item) -> None:
        item.recipients = json.loads(getattr(item, "recipients_json", None) or "[]")

    def pre_add(self, item) -> None:
        self._apply(item)

    def pre_update(self, item) -> None:
        self._apply(item)


class EscalationChainView(ModelView):
    datamodel = SQLAInterface(EscalationChain)
    related_views = [EscalationLevelView]
    list_columns = ["name", "policy", "metric", "active"]
    show_columns = add_columns = edit_columns = list_columns
    label_columns = {
        "name": _l("Name"), "policy": _l("Policy (empty: all)"), "metric": _l("Metric"),
        "active": _l("Active"),
    }  # fmt: skip
    form_choices = {"metric": [(m, str(METRIC_LABELS[m])) for m in METRICS]}
    add_form_extra_fields = {"active": BooleanField(_l("Active"), default=True)}
    edit_form_extra_fields = add_form_extra_fields


def register(appbuilder) -> None:
    """Admin screens under one menu, and the ticket-page clock panel."""
    from plugins.automation.sla.panel import panel
    from plugins.tickets.panels import register_panel

    category, category_label = "SLA", _l("SLA")
    for view, name, label, icon in (
        (SlaPolicyView, "SLA Policies", _l("SLA policies"), "fa-clock-o"),
        (CalendarOverrideView, "Calendar Overrides", _l("Calendar overrides"), "fa-calendar"),
        (EscalationChainView, "Escalation Chains", _l("Escalation chains"), "fa-level-up"),
    ):
        appbuilder.add_view(
            view, name, label=label, icon=icon, category=category,
            category_label=category_label, category_icon="fa-clock-o",
        )  # fmt: skip
    appbuilder.add_view_no_menu(EscalationLevelView)
    register_panel(current_app, "sla", panel)
