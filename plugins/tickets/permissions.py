"""Permission collapsing: every view and API of a resource shares can_read / can_write.

Deleting is its own permission (can_delete) that only Admin holds.
"""

from __future__ import annotations

READ_METHODS = (
    "list",
    "show",
    "get",
    "get_list",
    "download",
    "lookup",
    "attachment",
    "info",
    "actions",
    "events",
    "diagram",
    "query",
    "replies",
    "reply_preview",
    "tickets",
    "manage",
)
WRITE_METHODS = (
    "add",
    "edit",
    "post",
    "put",
    "action",
    "action_post",
    "comment",
    "attach",
    "mark_urgent",
    "bulk_accept",
    "bulk_close",
    "act",
    "reply_apply",
    "order",
)
DELETE_METHODS = ("delete", "muldelete")

METHOD_PERMISSIONS = {
    **{m: "read" for m in READ_METHODS},
    **{m: "write" for m in WRITE_METHODS},
    **{m: "delete" for m in DELETE_METHODS},
}
