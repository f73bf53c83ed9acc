"""Registers the automation addon with Flask-AppBuilder. Registration only, no logic.

For now it wires the outbox relay (ticket events reach RQ after commit) and arms the
sweeper at `flask init`; trigger, SLA and channel screens land here later.
"""

from __future__ import annotations

import os

from flask import current_app
from flask_appbuilder.basemanager import BaseManager


class AutomationManager(BaseManager):
    def pre_process(self) -> None:
        from plugins.automation.outbox import models  # noqa: F401 - tables in the metadata
        from plugins.automation.outbox.relay import install

        install(self.appbuilder.session.session_factory)
        from plugins.automation.notify import models as notify_models  # noqa: F401
        from plugins.automation.notify import relay as notify_relay
        from plugins.automation.notify import urge
        from plugins.automation.outbox.handlers import register

        notify_relay.install(self.appbuilder.session.session_factory)
        register(urge.HANDLER_NAME, urge.handle)
        from plugins.automation.triggers import engine as trigger_engine
        from plugins.automation.triggers import models as trigger_models  # noqa: F401

        register(trigger_engine.HANDLER_NAME, trigger_engine.handle)
        self._pre_process_sla()
        self._pre_process_automations()

    def register_views(self) -> None:
        self._register_notifications()
        self._register_triggers()
        self._register_automations()
        self._register_sla()
        self._register_admin_apis()

    def init_data(self) -> None:
        """Called by `flask init`: start the sweep chain when a Redis is configured."""
        from plugins.automation.triggers.system_user import ensure_system_user

        ensure_system_user(self.appbuilder.sm)
        from plugins.automation.outbox.jobs import ensure_sweeper
        from plugins.automation.outbox.queue import queue_for

        queue = queue_for(current_app.config.get("REDIS_URL"))
        if queue is not None:
            ensure_sweeper(queue)
            from plugins.automation.notify.jobs import ensure_sweeper as ensure_notify_sweeper

            ensure_notify_sweeper(queue)
        self._init_sla()
        self._init_automations()

    def _register_notifications(self) -> None:
        """我的通知 (the bell, with the unread count), and for admins robot endpoints,
        notification templates and the delivery log."""
        from flask import Blueprint
        from flask_babel import lazy_gettext as _l

        from app.menu_badges import register_badge
        from plugins.automation.notify import inbox
        from plugins.automation.notify.views import (
            DeliveryView,
            NotificationsView,
            NotificationTemplateView,
            RobotEndpointView,
        )
        from plugins.tickets.context import actor, session

        here = os.path.dirname(os.path.abspath(__file__))
        current_app.register_blueprint(
            Blueprint("automation_addon", __name__, template_folder=os.path.join(here, "templates"))
        )
        self.appbuilder.add_view(
            NotificationsView, "Notifications", label=_l("Notifications"), icon="fa-bell"
        )

        def unread() -> int | None:
            user = actor()
            return (
                inbox.unread_count(session(), user.id) if user and user.is_authenticated else None
            )

        register_badge(current_app, "Notifications", unread)
        settings, settings_label = "Notification Settings", _l("Notification Settings")
        for view, name, label, icon in (
            (RobotEndpointView, "Robot Endpoints", _l("Robot endpoints"), "fa-android"),
            (NotificationTemplateView, "Notification Templates", _l("Notification templates"),
             "fa-file-text-o"),
            (DeliveryView, "Delivery Log", _l("Delivery log"), "fa-paper-plane"),
        ):  # fmt: skip
            self.appbuilder.add_view(
                view, name, label=label, icon=icon, category=settings,
                category_label=settings_label, category_icon="fa-bell-o",
            )  # fmt: skip

    def _pre_process_sla(self) -> None:
        """SLA tables in the metadata; the "sla" outbox handler keeps clocks in step."""
        from plugins.automation.outbox.handlers import register
        from plugins.automation.sla import engine, escalation_models, models  # noqa: F401

        register(engine.HANDLER_NAME, engine.handle)
        from plugins.automation.notify import callbacks
        from plugins.automation.sla.calendar import calendar_for
        from plugins.tickets.calendar_hook import register_calendar

        register(callbacks.HANDLER_NAME, callbacks.handle)
        register_calendar(current_app, calendar_for)
        from app.worker import register_worker_hook
        from plugins.automation.sweeps import keep_sweepers

        register_worker_hook(current_app, "automation", keep_sweepers)

    def _init_sla(self) -> None:
        """Arm the SLA sweep chain when Redis is there (the system user comes from above)."""
        from plugins.automation.outbox.queue import queue_for
        from plugins.automation.sla.jobs import ensure_sweeper as ensure_sla_sweeper

        queue = queue_for(current_app.config.get("REDIS_URL"))
        if queue is not None:
            ensure_sla_sweeper(queue)
            from plugins.automation.notify.callbacks import ensure_sweeper as ensure_callbacks

            ensure_callbacks(queue)

    def _register_sla(self) -> None:
        """SLA policies, calendar overrides and escalation chains (admins); clock lights on
        the ticket page."""
        from plugins.automation.sla.views import register

        register(self.appbuilder)

    def _register_triggers(self) -> None:
        """触发器: rule screens with the dry run, the run log, and /api/v1/trigger/."""
        from flask_babel import lazy_gettext as _l

        from plugins.automation.triggers.api import TriggerApi
        from plugins.automation.triggers.views import TriggerAdminView

        self.appbuilder.add_view(
            TriggerAdminView, "Triggers", label=_l("Triggers"), icon="fa-bolt",
            category="Automation", category_label=_l("Automation"), category_icon="fa-cogs",
        )  # fmt: skip
        self.appbuilder.add_api(TriggerApi)

    def _register_admin_apis(self) -> None:
        """/api/v1/sla_policy/, /api/v1/calendar_day/, /api/v1/channel/ (admins); each
        ticket's clocks as "sla_clocks" in GET /api/v1/ticket/<id>; the failed-jobs screen;
        the condition builder's script (/automation/static/)."""
        from plugins.automation.notify.api import ChannelApi
        from plugins.automation.ops.views import register as register_ops
        from plugins.automation.sla.api import CalendarDayApi, SlaPolicyApi, ticket_clocks
        from plugins.automation.sla.api_schemas import SlaClockSchema
        from plugins.automation.triggers.builder import register_static
        from plugins.tickets.api_extras import register_ticket_extra

        for api in (SlaPolicyApi, CalendarDayApi, ChannelApi):
            self.appbuilder.add_api(api)
        register_ticket_extra(
            current_app, "sla_clocks", ticket_clocks, SlaClockSchema,
            "The ticket's SLA clocks, one per metric and cycle (instants in UTC).",
        )  # fmt: skip
        register_ops(self.appbuilder)
        register_static(current_app)

    def _pre_process_automations(self) -> None:
        """Automation tables (and the ticket time indexes they need) in the metadata."""
        from plugins.automation.automations import models  # noqa: F401

    def _register_automations(self) -> None:
        """自动化: time-based rule screens with the dry run, the run log, /api/v1/automation/."""
        from plugins.automation.automations.views import register

        register(self.appbuilder)

    def _init_automations(self) -> None:
        """Arm the automation sweep (every AUTOMATION_INTERVAL_SECONDS) when Redis is there."""
        from plugins.automation.automations.jobs import ensure_sweeper
        from plugins.automation.outbox.queue import queue_for

        queue = queue_for(current_app.config.get("REDIS_URL"))
        if queue is not None:
            ensure_sweeper(queue, current_app)
