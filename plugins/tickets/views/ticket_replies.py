"""Canned replies on the ticket page: the panel's list, a server-rendered preview, apply.

A mixin of TicketView, so its routes share the ticket's scoping (base filters) and its
permissions (preview reads, apply writes). The preview page needs no script: it is a
plain page with the filled-in text (editable), the changes, and an apply form that posts
the version the preview was made from.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_babel import gettext as _

from plugins.tickets.context import actor, session
from plugins.tickets.models import CannedReply, Ticket
from plugins.tickets.services import canned_replies as reply_service
from plugins.tickets.services.errors import DomainError

REPLY_PAGE_ROUTES = {"reply_preview", "reply_apply"}
PREVIEW_TEMPLATE = "tickets/canned_reply_preview.html"


def panel_replies(ticket: Ticket) -> list[CannedReply]:
    """The replies the ticket page offers this user (read-only users get none)."""
    return reply_service.visible_replies(session(), actor(), ticket)


def _flash_error(err: DomainError) -> None:
    flash("；".join([str(err.message), *map(str, err.fields.values())]), "danger")


class TicketRepliesMixin:
    @expose("/reply_preview/<int:pk>", methods=["GET"])
    @has_access
    def reply_preview(self, pk):
        """What the chosen reply (`?reply_id=`) would post and change on this ticket."""
        ticket = self.datamodel.get(pk, self._base_filters)
        if ticket is None:
            abort(404)
        try:
            found = reply_service.preview_for(
                session(), actor(), ticket.id, request.args.get("reply_id")
            )
        except DomainError as err:
            _flash_error(err)
            return redirect(url_for(".show", pk=ticket.id))
        return self.render_template(
            PREVIEW_TEMPLATE,
            title=_("Canned reply: %(title)s", title=found.reply.title),
            ticket=ticket,
            preview=found,
            can_write=self.appbuilder.sm.has_access("can_write", "Ticket"),
        )

    @expose("/reply_apply/<int:pk>/<int:reply_id>", methods=["POST"])
    @has_access
    def reply_apply(self, pk, reply_id):
        """Apply a reply through the one door; the text as (maybe) edited in the preview."""
        ticket = self.datamodel.get(pk, self._base_filters)
        if ticket is None:
            abort(404)
        body = request.form.get("body")
        try:
            done = reply_service.apply_by_id(
                session(), actor(), ticket.id, reply_id, request.form.get("version"), body=body
            )
        except DomainError as err:
            session().rollback()
            _flash_error(err)
            return redirect(url_for(".show", pk=pk))
        flash(
            _("Canned reply applied. Status: %(status)s.", status=done.ticket.status_label),
            "success",
        )
        if self.datamodel.get(pk, self._base_filters) is None:
            # The reply's action (转办, 退回) took the ticket out of reach: back to the list.
            return redirect(url_for(".list"))
        return redirect(url_for(".show", pk=pk))
