"""Screens: my notifications (the bell), robot endpoints (secret write-only), templates and
the delivery log (admins).

Views only call `inbox` and the models; sending never happens in a request.
"""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_appbuilder import BaseView, ModelView, expose, has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect
from wtforms import PasswordField, SelectField, ValidationError

from app.sqla import SQLAInterface
from plugins.automation.channels import redact_url
from plugins.automation.channels.egress import check_outbound_url
from plugins.automation.notify import inbox
from plugins.automation.notify.models import (
    CHANNELS,
    ROBOT_KINDS,
    Delivery,
    NotificationTemplate,
    RobotEndpoint,
)
from plugins.tickets.context import actor, session
from plugins.tickets.services.errors import ValidationFailed

KIND_LABELS = {
    "wecom": _l("WeCom robot"),
    "dingtalk": _l("DingTalk robot"),
    "feishu": _l("Feishu robot"),
    "webhook": _l("Webhook"),
}
CHANNEL_LABELS = {"in_app": _l("In-app"), "email": _l("Email"), **KIND_LABELS}
SECRET_HELP = _l("Write-only: leave blank to keep the stored secret.")
BODY_HELP = _l(
    "Placeholders: {ticket.number} {ticket.subject} {customer.name} {category} {department}, "
    "or {工单编号} {工单标题} {客户姓名} {分类} {部门}, and the sender's own values."
)
ADMIN_ROUTES = {"list", "show", "add", "edit", "delete"}


class NotificationsView(BaseView):
    """我的通知: the bell's page. One permission (can_read on Notifications) covers all."""

    route_base = "/notifications"
    default_view = "index"
    class_permission_name = "Notifications"
    method_permission_name = {"index": "read", "mark_read": "read", "read_all": "read"}

    @expose("/")
    @has_access
    def index(self):
        user = actor()
        rows = inbox.latest(session(), user.id)
        return self.render_template(
            "automation/notifications.html",
            rows=rows,
            unread=inbox.unread_count(session(), user.id),
        )

    @expose("/<int:pk>/read", methods=["POST"])
    @has_access
    def mark_read(self, pk: int):
        if not inbox.mark_read(session(), actor().id, pk):
            abort(404)  # not mine, or already read: say nothing about other users' rows
        return redirect(request.form.get("next") or url_for("NotificationsView.index"))

    @expose("/read_all", methods=["POST"])
    @has_access
    def read_all(self):
        inbox.mark_read(session(), actor().id)
        return redirect(url_for("NotificationsView.index"))


def outbound_url(form, field) -> None:
    """WTForms validator: http(s) only, never an internal address (see channels.egress)."""
    try:
        check_outbound_url((field.data or "").strip())
    except ValidationFailed as exc:
        raise ValidationError(str(exc.message)) from exc


class RobotEndpointView(ModelView):
    """群机器人: the URL is shown redacted and the secret is never rendered back."""

    datamodel = SQLAInterface(RobotEndpoint)
    include_route_methods = ADMIN_ROUTES
    list_title = show_title = _l("Robot endpoints")
    add_title = _l("Add robot endpoint")
    edit_title = _l("Edit robot endpoint")
    list_columns = ["name", "kind_label", "safe_url", "department", "active"]
    show_columns = ["name", "kind_label", "safe_url", "department", "active"]
    add_columns = edit_columns = ["name", "kind", "url", "secret", "department", "active"]
    search_columns = ["name", "kind", "active"]
    validators_columns = {"url": [outbound_url]}
    label_columns = {
        "name": _l("Name"), "kind": _l("Kind"), "kind_label": _l("Kind"), "url": _l("URL"),
        "safe_url": _l("URL"), "secret": _l("Secret"), "department": _l("Department"),
        "active": _l("Active"),
    }  # fmt: skip
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": SelectField(_l("Kind"), choices=[(k, KIND_LABELS[k]) for k in ROBOT_KINDS]),
        "secret": PasswordField(_l("Secret"), description=SECRET_HELP),
    }

    def prefill_form(self, form, pk) -> None:
        form.secret.data = ""  # never echo the stored secret into the page

    def pre_update(self, item: RobotEndpoint) -> None:
        if not item.secret:
            old = inspect(item).attrs.secret.history.deleted
            item.secret = old[0] if old else item.secret


class NotificationTemplateView(ModelView):
    datamodel = SQLAInterface(NotificationTemplate)
    include_route_methods = ADMIN_ROUTES
    list_title = show_title = _l("Notification templates")
    add_title = _l("Add notification template")
    edit_title = _l("Edit notification template")
    list_columns = ["code", "channel", "subject"]
    show_columns = add_columns = edit_columns = ["code", "channel", "subject", "body"]
    label_columns = {
        "code": _l("Code"), "channel": _l("Channel"), "subject": _l("Subject"), "body": _l("Body"),
    }  # fmt: skip
    description_columns = {"body": BODY_HELP, "subject": BODY_HELP}
    add_form_extra_fields = edit_form_extra_fields = {
        "channel": SelectField(
            _l("Channel"), choices=[("", _l("Any"))] + [(c, CHANNEL_LABELS[c]) for c in CHANNELS]
        ),
    }

    def pre_add(self, item: NotificationTemplate) -> None:
        item.channel = item.channel or None

    pre_update = pre_add


class DeliveryView(ModelView):
    """发送记录: the delivery log, read-only."""

    datamodel = SQLAInterface(Delivery)
    include_route_methods = {"list", "show"}
    base_order = ("id", "desc")
    list_title = show_title = _l("Delivery log")
    list_columns = [
        "created_at", "channel", "recipient", "subject", "status", "attempts", "last_error",
        "sent_at",
    ]  # fmt: skip
    show_columns = list_columns + ["idempotency_key", "next_attempt_at", "ticket_id", "body"]
    search_columns = ["channel", "status", "recipient", "ticket_id"]
    label_columns = {
        "created_at": _l("Created"), "channel": _l("Channel"), "recipient": _l("Recipient"),
        "subject": _l("Subject"), "status": _l("Status"), "attempts": _l("Attempts"),
        "last_error": _l("Last error"), "sent_at": _l("Sent at"),
        "idempotency_key": _l("Idempotency key"), "next_attempt_at": _l("Next attempt"),
        "ticket_id": _l("Ticket"), "body": _l("Body"),
    }  # fmt: skip


def _kind_label(self: RobotEndpoint) -> str:
    return str(KIND_LABELS.get(self.kind, self.kind))


def _safe_url(self: RobotEndpoint) -> str:
    return redact_url(self.url or "")


RobotEndpoint.kind_label = property(_kind_label)  # type: ignore[attr-defined]
RobotEndpoint.safe_url = property(_safe_url)  # type: ignore[attr-defined]
