"""Registers the ticket addon with Flask-AppBuilder. Registration only, no logic."""

from __future__ import annotations

import os

from flask import Blueprint, current_app
from flask_appbuilder.basemanager import BaseManager
from flask_babel import lazy_gettext as _l

HERE = os.path.dirname(os.path.abspath(__file__))


class TicketsManager(BaseManager):
    def pre_process(self) -> None:
        # Addon templates need an absolute folder; a plain blueprint carries them.
        current_app.register_blueprint(
            Blueprint("tickets_addon", __name__, template_folder=os.path.join(HERE, "templates"))
        )
        from plugins.tickets.cli import seed_demo_command

        current_app.cli.add_command(seed_demo_command)

    def init_data(self) -> None:
        """Called by `flask init`: store the shipped process definitions."""
        from plugins.tickets.services.processes import sync_builtin

        sync_builtin(self.appbuilder.session)

    def _register_queues(self) -> None:
        from app.menu_badges import register_badge
        from plugins.tickets.context import actor, session
        from plugins.tickets.queues import QUEUES, count

        def badge(name):
            def provider():
                user = actor()
                return count(session(), user, name) if user is not None else None

            return provider

        work, work_label = "My Work", _l("My Work")
        for queue in QUEUES.values():
            self.appbuilder.add_link(
                queue.menu,
                label=queue.label,
                href=f"/ticketview/list/?queue={queue.name}",
                icon=queue.icon,
                category=work,
                category_label=work_label,
                category_icon="fa-tasks",
            )
            register_badge(current_app, queue.menu, badge(queue.name))

    def _register_canned_replies(self) -> None:
        """预设回复: the management screen (in the desk menu: everyone keeps their own) and
        /api/v1/canned_reply/. The ticket-side routes live on TicketView and TicketApi."""
        from plugins.tickets.api.canned_replies import CannedReplyApi
        from plugins.tickets.views.canned_replies import CannedReplyView

        self.appbuilder.add_view(
            CannedReplyView,
            "Canned Replies",
            label=_l("Canned replies"),
            icon="fa-comment-dots",
            category="Service Desk",
        )
        self.appbuilder.add_api(CannedReplyApi)

    def _register_saved_views(self) -> None:
        """工单视图: the views page, each view in the menu with its live count, the
        management screen, and /api/v1/saved_view/."""
        from app.menu_badges import register_menu_entries
        from plugins.tickets.api.saved_views import SavedViewApi
        from plugins.tickets.views.saved_view_admin import SavedViewAdminView
        from plugins.tickets.views.saved_views import SavedViewsView, menu_entries

        views, views_label = "Ticket Views", _l("Ticket views")
        self.appbuilder.add_view(
            SavedViewsView,
            "Saved Views",
            label=_l("All views"),
            icon="fa-filter",
            category=views,
            category_label=views_label,
            category_icon="fa-filter",
        )
        self.appbuilder.add_view(
            SavedViewAdminView,
            "Manage Saved Views",
            label=_l("Manage views"),
            icon="fa-sliders",
            category=views,
        )
        register_menu_entries(current_app, views, menu_entries)
        self.appbuilder.add_api(SavedViewApi)

    def register_views(self) -> None:
        from plugins.tickets.api.catalog import CategoryApi, DepartmentApi
        from plugins.tickets.api.custom_fields import CustomFieldApi
        from plugins.tickets.api.customers import CustomerApi
        from plugins.tickets.api.tickets import TicketApi
        from plugins.tickets.views.admin import CategoryView, DepartmentView, StaffMembershipView
        from plugins.tickets.views.comments import CommentView
        from plugins.tickets.views.customers import CustomerTicketsView, CustomerView
        from plugins.tickets.views.fields_admin import FieldDefinitionView
        from plugins.tickets.views.processes import ProcessView
        from plugins.tickets.views.query import TicketQueryView
        from plugins.tickets.views.tickets import TicketView

        ab = self.appbuilder
        desk, desk_label = "Service Desk", _l("Service Desk")
        ab.add_view(
            TicketView,
            "Tickets",
            label=_l("Tickets"),
            icon="fa-ticket",
            category=desk,
            category_label=desk_label,
            category_icon="fa-headset",
        )
        ab.add_link(
            "New Ticket",
            label=_l("New ticket"),
            href="TicketView.add",
            icon="fa-plus",
            category=desk,
        )
        ab.add_view(
            TicketQueryView,
            "Ticket Query",
            label=_l("Ticket query"),
            icon="fa-search",
            category=desk,
        )
        ab.add_view(
            CustomerView,
            "Customers",
            label=_l("Customers"),
            icon="fa-address-book",
            category=desk,
        )
        ab.add_view(
            CommentView, "Comments", label=_l("Comments"), icon="fa-comments", category=desk
        )
        ab.add_view_no_menu(CustomerTicketsView)
        self._register_queues()
        self._register_canned_replies()
        self._register_saved_views()
        settings, settings_label = "Desk Settings", _l("Desk Settings")
        ab.add_view(
            DepartmentView,
            "Departments",
            label=_l("Departments"),
            icon="fa-sitemap",
            category=settings,
            category_label=settings_label,
            category_icon="fa-cogs",
        )
        ab.add_view(
            StaffMembershipView,
            "Staff",
            label=_l("Staff membership"),
            icon="fa-users",
            category=settings,
        )
        ab.add_view(
            ProcessView,
            "Processes",
            label=_l("Processes"),
            icon="fa-project-diagram",
            category=settings,
        )
        ab.add_view(
            FieldDefinitionView,
            "Custom Fields",
            label=_l("Custom fields"),
            icon="fa-list-alt",
            category=settings,
        )
        ab.add_view(
            CategoryView,
            "Categories",
            label=_l("Categories"),
            icon="fa-folder-tree",
            category=settings,
        )
        for api in (TicketApi, CustomerApi, DepartmentApi, CategoryApi, CustomFieldApi):
            ab.add_api(api)
