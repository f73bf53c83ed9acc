"""OpenAPI documentation of what /api/v1/canned_reply/ accepts, `changes` spelled out.

These schemas only document: POST and PUT validate through the reply service, which gives
the per-field messages (keys like `changes.action.params.reason`).
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from plugins.tickets.enums import PRIORITY_LABELS
from plugins.tickets.services.canned_replies import SCOPES, TITLE_MAX

BODY_DOC = (
    "Text with placeholders: {ticket.number} {ticket.subject} {customer.name} {category} "
    "{department} {agent.name} {field.<code>}, zh aliases {工单编号} {工单标题} {客户姓名} "
    "{分类} {部门} {坐席姓名}. Unknown placeholders are refused. May be empty when the "
    "reply changes something."
)


class CannedReplyActionSchema(Schema):
    name = fields.String(
        required=True, metadata={"description": "A process action, e.g. accept (签收)."}
    )
    params = fields.Dict(
        keys=fields.String(),
        metadata={"description": "The action's parameters, checked like the action's form."},
    )


class CannedReplyChangesSchema(Schema):
    priority = fields.String(
        allow_none=True,
        validate=validate.OneOf(list(PRIORITY_LABELS)),
        metadata={"description": "Set the ticket's priority."},
    )
    custom_fields = fields.Dict(
        keys=fields.String(),
        metadata={"description": "{code: value}; each value is checked by its field's type."},
    )
    action = fields.Nested(CannedReplyActionSchema, allow_none=True)
    public = fields.Boolean(
        metadata={"description": "true: post the body as a public reply; false: internal note."}
    )


class CannedReplyPutSchema(Schema):
    title = fields.String(validate=validate.Length(max=TITLE_MAX))
    body = fields.String(metadata={"description": BODY_DOC})
    scope = fields.String(
        validate=validate.OneOf(SCOPES),
        metadata={"description": "personal; department (supervisors, admins); everyone (admins)"},
    )
    department_id = fields.Integer(
        allow_none=True, metadata={"description": "Required for department scope."}
    )
    active = fields.Boolean()
    sort_order = fields.Integer()
    changes = fields.Nested(CannedReplyChangesSchema)


class CannedReplyPostSchema(CannedReplyPutSchema):
    title = fields.String(required=True, validate=validate.Length(max=TITLE_MAX))
