"""Flask-AppBuilder base filters that apply the one scoping rule."""

from __future__ import annotations

from flask_appbuilder.models.filters import BaseFilter

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


SCOPED = [["id", TicketScopeFilter, lambda: None]]
SCOPED_BY_TICKET = [["id", RelatedTicketScopeFilter, lambda: None]]
