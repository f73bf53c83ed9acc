"""The ticket page: details, process action buttons with their forms, trajectory, comments
and attachments. A mixin of TicketView, so it shares its scoping and permissions."""

from __future__ import annotations

import re

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import expose, has_access
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from plugins.tickets.context import actor, session
from plugins.tickets.models import Attachment, Comment, Ticket
from plugins.tickets.panels import render_panels
from plugins.tickets.scoping import read_scope
from plugins.tickets.services import action_forms, custom_fields, history
from plugins.tickets.services import actions as action_service
from plugins.tickets.services import comments as comment_service
from plugins.tickets.services.errors import DomainError
from plugins.tickets.views.ticket_replies import panel_replies

PAGE_ROUTES = {"comment", "attach", "attachment", "act"}
TICKET_NUMBER = re.compile(r"^GD\d{8}-\d+$")


def _flash_error(err: DomainError, labels: dict[str, str] | None = None) -> None:
    """The message, then each field's problem named by its label (the form is gone)."""
    labels = labels or {}
    details = [f"{labels.get(k, k)}：{v}" for k, v in err.fields.items()]
    flash("；".join([str(err.message), *details]), "danger")


class TicketPageMixin:
    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        # Flask-AppBuilder's _show, keeping the ticket it loads (scoped: 404 outside the
        # user's reach) instead of loading it a second time; the page has no related views.
        ticket = self.datamodel.get(pk, self._base_filters)
        if ticket is None:
            abort(404)
        widgets = self._get_show_widget(pk, ticket)
        self.update_redirect()
        db = session()
        comments = db.scalars(
            select(Comment)
            .options(joinedload(Comment.author))
            .where(Comment.ticket_id == ticket.id)
            .order_by(Comment.created_at, Comment.id)
        ).all()
        attachments = db.scalars(
            select(Attachment).where(Attachment.ticket_id == ticket.id).order_by(Attachment.id)
        ).all()
        allowed = action_service.allowed_actions(db, actor(), ticket)
        return self.render_template(
            self.show_template,
            pk=pk,
            title=self.show_title,
            widgets=widgets,
            related_views=self._related_views,
            ticket=ticket,
            comments=comments,
            attachments=attachments,
            nodes=history.nodes(db, ticket),
            custom=custom_fields.display(db, ticket),
            panels=render_panels(ticket),
            actions=action_forms.describe(db, allowed),
            canned_replies=panel_replies(ticket),
            can_write=self.appbuilder.sm.has_access("can_write", "Ticket"),
        )

    @expose("/act/<int:pk>/<string:name>", methods=["POST"])
    @has_access
    def act(self, pk, name):
        """One process action from the ticket page's buttons, through the one door."""
        ticket = self.datamodel.get(pk, self._base_filters)
        if ticket is None:
            abort(404)
        params = {
            key: value
            for key, value in request.form.items()
            if key not in ("version", "csrf_token") and value.strip() != ""
        }
        if "into_ticket_id" in params:
            params["into_ticket_id"] = self._ticket_id_from(params["into_ticket_id"])
        try:
            action_service.apply_action(
                session(), actor(), ticket, name, params, request.form.get("version")
            )
        except DomainError as err:
            session().rollback()
            _flash_error(err, action_service.param_labels(session(), ticket, name))
            return redirect(url_for(".show", pk=pk))
        flash(_("Done: %(status)s.", status=ticket.status_label), "success")
        if self.datamodel.get(pk, self._base_filters) is None:
            # Transferred or returned out of the user's reach: back to their work, not a 404.
            return redirect(url_for(".list"))
        return redirect(url_for(".show", pk=pk))

    @staticmethod
    def _ticket_id_from(value: str) -> str | int:
        """Accept a ticket number (GD20261123-0042) where the process asks for a ticket."""
        value = value.strip()
        if TICKET_NUMBER.match(value):
            found = session().scalar(select(Ticket).where(Ticket.number == value))
            if found is not None and read_scope(session(), actor()).contains(found):
                return found.id
            return -1
        return value

    @expose("/comment/<int:pk>", methods=["POST"])
    @has_access
    def comment(self, pk):
        ticket = self.datamodel.get(pk, self._base_filters)
        if ticket is None:
            abort(404)
        try:
            comment_service.add_comment(
                session(),
                actor(),
                ticket,
                request.form.get("body", ""),
                is_public=request.form.get("is_public") == "y",
            )
        except DomainError as err:
            session().rollback()
            _flash_error(err)
        else:
            flash(_("Comment added."), "success")
        return redirect(url_for(".show", pk=pk))

    @expose("/attach/<int:pk>", methods=["POST"])
    @has_access
    def attach(self, pk):
        ticket = self.datamodel.get(pk, self._base_filters)
        if ticket is None:
            abort(404)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("Choose a file to upload."), "danger")
            return redirect(url_for(".show", pk=pk))
        cfg = current_app.config
        try:
            comment_service.save_attachment(
                session(),
                actor(),
                ticket,
                filename=upload.filename,
                content_type=upload.mimetype,
                stream=upload.stream,
                storage_dir=cfg["ATTACHMENT_DIR"],
                max_bytes=cfg["ATTACHMENT_MAX_BYTES"],
                allowed_extensions=cfg["ATTACHMENT_EXTENSIONS"],
            )
        except DomainError as err:
            session().rollback()
            _flash_error(err)
        else:
            flash(_("File uploaded."), "success")
        return redirect(url_for(".show", pk=pk))

    @expose("/attachment/<int:attachment_id>", methods=["GET"])
    @has_access
    def attachment(self, attachment_id):
        item = session().get(Attachment, attachment_id)
        if item is None or self.datamodel.get(item.ticket_id, self._base_filters) is None:
            abort(404)
        path = f"{current_app.config['ATTACHMENT_DIR']}/{item.stored_name}"
        response = send_file(
            path,
            mimetype="application/octet-stream",
            as_attachment=True,
            download_name=item.filename,
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
