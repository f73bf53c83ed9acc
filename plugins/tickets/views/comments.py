"""A list of comments across the tickets the user may see."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.formatting import blank_if_none, fmt_dt, yes_no
from app.sqla import SQLAInterface
from plugins.tickets.filters import SCOPED_BY_TICKET
from plugins.tickets.models import Comment
from plugins.tickets.views.base import BaseModelView


class CommentView(BaseModelView):
    """Read and (for Admin) delete; comments are written on the ticket page."""

    datamodel = SQLAInterface(Comment)
    class_permission_name = "Comment"
    include_route_methods = {"list", "show", "delete"}
    base_filters = SCOPED_BY_TICKET
    base_order = ("id", "desc")
    list_title = _l("Comments")
    show_title = _l("Comment")
    label_columns = {
        "ticket": _l("Ticket"),
        "author": _l("Author"),
        "body": _l("Text"),
        "is_public": _l("Public reply"),
        "created_at": _l("Created at"),
    }
    list_columns = ["ticket", "author", "body", "is_public", "created_at"]
    show_columns = ["ticket", "author", "body", "is_public", "created_at"]
    search_columns = ["body", "is_public", "created_at"]
    formatters_columns = {"created_at": fmt_dt, "is_public": yes_no, "author": blank_if_none}
