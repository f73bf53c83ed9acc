"""Canned replies on one ticket: list the ones you may apply, preview one, apply one.

A mixin of TicketApi (it uses its scoped datamodel, `require_body` and `_dump`), kept here so the
ticket API module stays about tickets.
"""

from __future__ import annotations

from flask import Response
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _

from plugins.tickets.api.base import domain_errors
from plugins.tickets.context import actor, session
from plugins.tickets.services import canned_replies as reply_service
from plugins.tickets.services.errors import DomainError

REPLY_ROUTES = {"replies", "reply_preview", "reply_apply"}


class TicketRepliesApiMixin:
    @expose("/<int:pk>/canned_replies", methods=["GET"])
    @protect()
    @safe
    @permission_name("replies")
    @domain_errors
    def replies(self, pk: int) -> Response:
        """The canned replies you may apply to this ticket.
        ---
        get:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200: {description: "Replies: id, title, scope, public, changes"}
            404: {description: Not found or out of your scope}
        """
        ticket = self.datamodel.get(pk, self._base_filters)
        if ticket is None:
            return self.response_404()
        rows = [
            {
                "id": r.id,
                "title": r.title,
                "scope": r.scope,
                "public": bool((r.changes or {}).get("public")),
                "changes": r.changes or {},
            }
            for r in reply_service.visible_replies(session(), actor(), ticket)
        ]
        return self.response(200, id=ticket.id, count=len(rows), result=rows)

    @expose("/<int:pk>/canned_replies/<int:reply_id>/preview", methods=["GET"])
    @protect()
    @safe
    @permission_name("reply_preview")
    @domain_errors
    def reply_preview(self, pk: int, reply_id: int) -> Response:
        """What applying a canned reply would do: the rendered body and the changes.
        ---
        get:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          - in: path
            name: reply_id
            schema: {type: integer}
          responses:
            200: {description: "body, public, changes [{what, how}], problems, version"}
            404: {description: Ticket or reply not found or out of your scope}
        """
        ticket = self.datamodel.get(pk, self._base_filters)
        if ticket is None:
            return self.response_404()
        try:
            found = reply_service.preview_for(session(), actor(), ticket.id, reply_id)
        except DomainError as err:
            return self.domain_error(err)
        return self.response(200, result=found.as_json())

    @expose("/<int:pk>/canned_replies/<int:reply_id>", methods=["POST"])
    @protect()
    @safe
    @permission_name("reply_apply")
    @domain_errors
    def reply_apply(self, pk: int, reply_id: int) -> Response:
        """Apply a canned reply: JSON `{"version": n}`, optionally `"body"` to send an
        edited text instead of the reply's.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          - in: path
            name: reply_id
            schema: {type: integer}
          responses:
            200: {description: Done; the ticket as it is now and the comment's id}
            403: {description: You may not change this ticket or take the reply's action}
            404: {description: Ticket or reply not found or out of your scope}
            409: {description: Stale version, or the ticket's state does not allow the action}
            422: {description: Invalid fields or parameters, one message per field}
        """
        body = self.require_body()
        text = body.get("body")
        if text is not None and not isinstance(text, str):
            return self.response(
                422,
                message=_("Please correct the errors below."),
                errors={"body": _("Must be text.")},
            )
        ticket = self.datamodel.get(pk, self._base_filters)
        if ticket is None:
            return self.response_404()
        done = reply_service.apply_by_id(
            session(), actor(), ticket.id, reply_id, body.get("version"), body=text
        )
        return self.response(
            200,
            id=ticket.id,
            comment_id=done.comment.id if done.comment else None,
            result=self._dump(done.ticket),
        )
