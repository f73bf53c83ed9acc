"""Ticket screens: queue list, intake form with caller history, show page, edit."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import action, expose, has_access
from flask_appbuilder.exceptions import FABException
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.formatting import blank_if_none, fmt_dt
from app.sqla import SQLAInterface
from plugins.tickets.context import actor, session
from plugins.tickets.enums import TICKET_FIELD_LABELS
from plugins.tickets.filters import SCOPED
from plugins.tickets.models import Category, Customer, Ticket
from plugins.tickets.queues import QUEUES
from plugins.tickets.services import actions as action_service
from plugins.tickets.services import custom_fields
from plugins.tickets.services import customers as customer_service
from plugins.tickets.services import tickets as ticket_service
from plugins.tickets.services.errors import DomainError
from plugins.tickets.services.phones import to_e164
from plugins.tickets.views import custom_form
from plugins.tickets.views.base import ROUTES, BaseModelView, show_errors
from plugins.tickets.views.fields import (
    channel_field,
    description_field,
    priority_field,
    version_field,
)
from plugins.tickets.views.ticket_page import PAGE_ROUTES, TicketPageMixin
from plugins.tickets.views.ticket_replies import REPLY_PAGE_ROUTES, TicketRepliesMixin

FORM_ALIASES = {"category_id": "category", "customer_id": "customer"}


def offer_choices(form, caller: str | None, current: Customer | None = None) -> None:
    """Fill the relation selects without loading whole tables.

    Categories: the active ones, in tree order, indented. Customers: those having the
    caller's number (the screen pop), plus the ticket's current customer, so the page stays
    small with tens of thousands of customers.
    """
    form.category.query_func = lambda: (
        session()
        .scalars(select(Category).where(Category.active.is_(True)).order_by(Category.tree_path))
        .all()
    )
    form.category.get_label = attrgetter("indented_name")
    # An empty first choice, so an agent who forgets the category is told, not routed.
    form.category.allow_blank = True
    form.category.blank_text = _("Please choose")
    e164 = to_e164(caller) if caller else None

    def customers() -> list[Customer]:
        found = customer_service.find_by_phone(session(), e164) if e164 else []
        if current is not None and current not in found:
            found.append(current)
        return found

    form.customer.query_func = customers
    form.customer.get_label = lambda c: f"{c.name} ({c.phone_list})"
    form.customer.blank_text = _("No customer")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def form_values(form) -> dict[str, Any]:
    """The user's input as service values (ids for relations)."""
    return {
        "subject": form.subject.data,
        "description": form.description.data,
        "priority": form.priority.data,
        "channel": form.channel.data,
        "category_id": form.category.data.id if form.category.data else None,
        "customer_id": form.customer.data.id if form.customer.data else None,
        "caller_number": form.caller_number.data,
    }


class TicketView(TicketRepliesMixin, TicketPageMixin, BaseModelView):
    datamodel = SQLAInterface(Ticket, eager=("category", "department", "assignee"))
    class_permission_name = "Ticket"
    include_route_methods = {*ROUTES, *PAGE_ROUTES, *REPLY_PAGE_ROUTES}
    base_filters = SCOPED
    base_order = ("created_at", "desc")
    show_template = "tickets/ticket_show.html"
    list_template = "tickets/ticket_list.html"  # + the export links (exports_hook)
    add_template = "tickets/ticket_add.html"
    list_title = _l("Tickets")
    show_title = _l("Ticket")
    add_title = _l("New ticket")
    edit_title = _l("Edit ticket")

    label_columns = TICKET_FIELD_LABELS
    list_columns = [
        "number",
        "subject",
        "category",
        "department",
        "status_label",
        "priority_label",
        "assignee",
        "created_at",
    ]
    order_columns = ["number", "subject", "created_at"]
    search_columns = [
        "number",
        "subject",
        "status",
        "priority",
        "channel",
        "category",
        "department",
        "caller_number",
        "created_at",
    ]
    show_fieldsets = [
        (
            _l("Basic information"),
            {
                "fields": [
                    "number",
                    "subject",
                    "description",
                    "category",
                    "status_label",
                    "priority_label",
                    "channel_label",
                ]
            },
        ),
        (
            _l("Caller"),
            {"fields": ["customer", "caller_number"]},
        ),
        (
            _l("Handling"),
            {
                "fields": [
                    "department",
                    "assignee",
                    "created_by",
                    "created_at",
                    "accepted_at",
                    "resolved_at",
                    "closed_at",
                    "due_at",
                    "merged_into",
                ]
            },
        ),
        (
            _l("Follow-up"),
            {"fields": ["callback_at", "callback_by", "followup_attempts"]},
        ),
    ]
    add_columns = [
        "caller_number",
        "customer",
        "category",
        "subject",
        "description",
        "priority",
        "channel",
    ]
    edit_columns = [*add_columns, "expected_version"]
    add_form_extra_fields = {
        "priority": priority_field(),
        "channel": channel_field(),
        "description": description_field(),
    }
    edit_form_extra_fields = {
        "description": description_field(),
        "priority": priority_field(),
        "channel": channel_field(),
        "expected_version": version_field(),
    }
    formatters_columns = {
        "assignee": blank_if_none,
        "caller_number": blank_if_none,
        "merged_into": blank_if_none,
        "customer": blank_if_none,
        "department": blank_if_none,
        "created_at": fmt_dt,
        "updated_at": fmt_dt,
        "accepted_at": fmt_dt,
        "resolved_at": fmt_dt,
        "closed_at": fmt_dt,
        "due_at": fmt_dt,
        "callback_at": fmt_dt,
        "callback_by": blank_if_none,
    }

    @expose("/list/")
    @has_access
    def list(self):
        """The ticket list, or a work queue of it (`?queue=mine`)."""
        queue = QUEUES.get(request.args.get("queue", ""))
        self.update_redirect()
        try:
            widgets = self._list()
        except FABException as exc:
            flash(str(exc), "warning")
            return redirect(self.get_redirect())
        title = queue.label if queue else self.list_title
        return self.render_template(self.list_template, title=title, widgets=widgets)

    # -- intake -------------------------------------------------------------------

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        form = self.add_form.refresh()
        caller = (request.values.get("caller") or request.form.get("caller_number") or "").strip()
        offer_choices(form, caller)
        posted = request.method == "POST"
        category_id = _int(
            request.form.get("category") if posted else request.args.get("category_id")
        )
        custom_errors: dict[str, str] = {}
        if posted and request.form.get("_refresh") != "1":
            form_ok = form.validate()
            values = {**form_values(form), "custom_fields": custom_form.submitted(category_id)}
            try:
                if form_ok:
                    ticket = ticket_service.create_ticket(session(), actor(), values)
                    flash(_("Ticket %(number)s registered.", number=ticket.number), "success")
                    return redirect(url_for(".show", pk=ticket.id))
                # The form failed already: still tell every other mistake in one go.
                ticket_service.validate_values(session(), values)
            except DomainError as err:
                session().rollback()
                show_errors(form, err, FORM_ALIASES)
                custom_errors = custom_form.errors_by_code(err.fields)
        elif caller:
            form.caller_number.data = caller
        if not posted and category_id:
            form.category.data = session().get(Category, category_id)
        history = []
        if caller:
            _e164, history = customer_service.lookup(session(), actor(), caller)
            if len(history) == 1 and not posted:
                form.customer.data = history[0]["customer"]
        widgets = {
            "add": custom_form.TicketFormWidget(
                form=form,
                include_cols=self.add_columns,
                exclude_cols=[],
                fieldsets=None,
                custom_fields=custom_form.form_fields(category_id, {}, posted),
                custom_errors=custom_errors,
            )
        }
        return self.render_template(
            self.add_template, title=self.add_title, widgets=widgets, caller=caller, history=history
        )

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        ticket = self.datamodel.get(pk, self._base_filters)
        if ticket is None:
            abort(404)
        custom_errors: dict[str, str] = {}
        stored = custom_fields.values_of(session(), ticket)
        posted = request.method == "POST"
        category_id = _int(request.form.get("category")) if posted else ticket.category_id
        if posted:
            form = self.edit_form.refresh(request.form)
            offer_choices(form, request.form.get("caller_number"), ticket.customer)
            if request.form.get("_refresh") != "1" and form.validate():
                values = {**form_values(form), "custom_fields": custom_form.submitted(category_id)}
                try:
                    ticket_service.update_ticket(
                        session(), actor(), ticket, values, form.expected_version.data
                    )
                except DomainError as err:
                    session().rollback()
                    show_errors(form, err, FORM_ALIASES)
                    custom_errors = custom_form.errors_by_code(err.fields)
                else:
                    flash(_("Ticket %(number)s saved.", number=ticket.number), "success")
                    return redirect(url_for(".show", pk=ticket.id))
        else:
            form = self.edit_form.refresh(obj=ticket)
            offer_choices(form, ticket.caller_number, ticket.customer)
            form.expected_version.data = ticket.version
        widgets = {
            "edit": custom_form.TicketFormWidget(
                form=form,
                include_cols=self.edit_columns,
                exclude_cols=[],
                fieldsets=None,
                custom_fields=custom_form.form_fields(category_id, stored, posted),
                custom_errors=custom_errors,
            )
        }
        return self.render_template(
            self.edit_template, title=self.edit_title, widgets=widgets, related_views=[]
        )

    # -- bulk ---------------------------------------------------------------------

    def _bulk(self, items, change) -> object:
        """Apply `change(ticket)` to each selected ticket through a service, which re-checks
        scope, version and the process for every one; refusals are counted, not fatal."""
        items = items if isinstance(items, list) else [items]
        done = skipped = 0
        for item in items:
            if item is None:
                skipped += 1
                continue
            try:
                change(item)
                done += 1
            except DomainError:
                session().rollback()
                skipped += 1
        flash(
            _("%(done)d tickets updated, %(skipped)d skipped.", done=done, skipped=skipped), "info"
        )
        self.update_redirect()
        return redirect(self.get_redirect())

    @action(
        "mark_urgent",
        _l("Set priority to urgent"),
        _l("Set the selected tickets to urgent priority?"),
        "fa-exclamation",
    )
    def mark_urgent(self, items):
        return self._bulk(
            items,
            lambda t: ticket_service.update_ticket(
                session(), actor(), t, {"priority": "urgent"}, t.version
            ),
        )

    @action("bulk_accept", _l("Accept"), _l("Accept the selected tickets?"), "fa-download")
    def bulk_accept(self, items):
        return self._bulk(
            items,
            lambda t: action_service.apply_action(session(), actor(), t, "accept", {}, t.version),
        )

    @action("bulk_close", _l("Close"), _l("Close the selected tickets?"), "fa-check")
    def bulk_close(self, items):
        return self._bulk(
            items,
            lambda t: action_service.apply_action(session(), actor(), t, "close", {}, t.version),
        )
