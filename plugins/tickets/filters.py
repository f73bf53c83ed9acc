"""Flask-AppBuilder base filters that apply the one scoping rule."""

from __future__ import annotations

from flask import request
from flask_appbuilder.models.filters import BaseFilter

from plugins.tickets import queues
from plugins.tickets.context import actor, session
from plugins.tickets.scoping import read_scope


class TicketScopeFilter(BaseFilter):
    """Limit Ticket queries to the tickets the current user may see."""

    name = "scope"
    arg_name = "scope"

    def apply(self, query, value):
        return query.filter(read_scope(session(), actor()).clause())


class RelatedTicketScopeFilter(BaseFilter):
    """Limit rows that belong to a ticket (comments, attachments, events) the same way."""

    name = "ticket scope"
    arg_name = "ticket_scope"

    def apply(self, query, value):
        return query.filter(self.model.ticket.has(read_scope(session(), actor()).clause()))


class QueueFilter(BaseFilter):
    """On a list page opened as `?queue=<name>`, keep only that work queue's tickets."""

    name = "queue"
    arg_name = "queue"

    def apply(self, query, value):
        if not (request.endpoint or "").endswith((".list", ".get_list")):
            return query
        clause = queues.condition(session(), actor(), request.args.get("queue"))
        return query if clause is None else query.filter(clause)


SCOPED = [["id", TicketScopeFilter, lambda: None], ["id", QueueFilter, lambda: None]]
SCOPED_BY_TICKET = [["id", RelatedTicketScopeFilter, lambda: None]]
