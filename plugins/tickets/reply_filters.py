"""Flask-AppBuilder base filters for canned replies, over reply_scope's one rule.

Lists, show pages and REST get/list/put/delete see only what the user may read; POST and
PUT targets, edits and deletes are guarded again by the service (base filters do not).
"""

from __future__ import annotations

from flask_appbuilder.models.filters import BaseFilter

from plugins.tickets.context import actor, session
from plugins.tickets.services.reply_scope import readable_clause


class ReadableReplyFilter(BaseFilter):
    """Canned replies the current user may use or manage."""

    name = "reply scope"
    arg_name = "reply_scope"

    def apply(self, query, value):
        return query.filter(readable_clause(session(), actor()))


REPLY_SCOPED = [["id", ReadableReplyFilter, lambda: None]]
