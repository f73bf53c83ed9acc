"""/api/v1/channel/: notification channels (the robot endpoints) for admins.

The secret is write-only: no response carries it (`has_secret` says whether one is set);
the URL is read back redacted like on the screen. post, put and delete call
notify.channel_service, so bad input is a 422 by field and nothing is saved.
"""

from __future__ import annotations

from flask import Response
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from app.sqla import SQLAInterface
from plugins.automation.channels import redact_url
from plugins.automation.notify import channel_service as svc
from plugins.automation.notify.models import ROBOT_KINDS, RobotEndpoint
from plugins.tickets.api.base import TranslatedApi, domain_errors
from plugins.tickets.context import session

URL_DOC = "The robot's webhook address (it holds the access token)."
SECRET_DOC = "Write-only signing secret (DingTalk 加签, Feishu 签名校验); empty keeps it."


class ChannelPutSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=svc.NAME_MAX))
    kind = fields.String(validate=validate.OneOf(ROBOT_KINDS))
    url = fields.String(
        validate=validate.Length(max=svc.URL_MAX), metadata={"description": URL_DOC}
    )
    secret = fields.String(
        load_only=True, allow_none=True, validate=validate.Length(max=svc.SECRET_MAX),
        metadata={"description": SECRET_DOC},
    )  # fmt: skip
    department_id = fields.Integer(allow_none=True)
    active = fields.Boolean()


class ChannelPostSchema(ChannelPutSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=svc.NAME_MAX))
    kind = fields.String(required=True, validate=validate.OneOf(ROBOT_KINDS))
    url = fields.String(required=True, metadata={"description": URL_DOC})


class ChannelSchema(Schema):
    """What GET returns: never the secret, the URL redacted."""

    id = fields.Integer()
    name = fields.String()
    kind = fields.String(metadata={"description": ", ".join(ROBOT_KINDS)})
    url = fields.Method("_url", metadata={"description": "Redacted: query values as ***"})
    has_secret = fields.Method("_has_secret")
    department_id = fields.Integer(allow_none=True)
    active = fields.Boolean()

    def _url(self, row: RobotEndpoint) -> str:
        return redact_url(row.url or "")

    def _has_secret(self, row: RobotEndpoint) -> bool:
        return bool(row.secret)


class ChannelSchemaList(ChannelSchema):
    """The same fields in the list (its own name in the OpenAPI spec)."""


_ERRORS = """
            400: {description: Not a JSON object}
            403: {description: Admins only}
            422: {description: 'Invalid: `errors` maps each field to a message'}
"""


class ChannelApi(TranslatedApi):
    resource_name = "channel"
    datamodel = SQLAInterface(RobotEndpoint)
    class_permission_name = "NotificationChannel"
    list_title = show_title = _l("Notification channels")
    add_title, edit_title = _l("Add notification channel"), _l("Edit notification channel")
    include_route_methods = {"get", "get_list", "post", "put", "delete"}
    base_order = ("id", "asc")
    list_columns = show_columns = ["id", "name", "kind", "url", "department_id", "active"]
    add_columns = edit_columns = list(svc.FIELDS)
    list_model_schema = ChannelSchemaList()
    show_model_schema = ChannelSchema()
    add_model_schema = ChannelPostSchema()
    edit_model_schema = ChannelPutSchema()
    order_columns = ["id", "name", "kind"]
    search_columns = ["name", "kind", "department_id", "active"]

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    @domain_errors
    def post(self) -> Response:
        """Add a channel (WeCom / DingTalk / Feishu robot, or a plain webhook).
        ---
        post:
          requestBody:
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/{{self.__class__.__name__}}.post'
                example: {"name": "技术部钉钉群", "kind": "dingtalk",
                  "url": "https://oapi.dingtalk.com/robot/send?access_token=…",
                  "secret": "SEC…", "department_id": 2, "active": true}
          responses:
            201: {description: Created (without the secret)}
        """
        row = svc.create(session(), self.require_body())
        return self.response(201, id=row.id, result=svc.as_dict(row))

    post.__doc__ += _ERRORS

    @expose("/<int:pk>", methods=["PUT"])
    @protect()
    @safe
    @permission_name("put")
    @domain_errors
    def put(self, pk: int) -> Response:
        """Change a channel; keys left out keep their values, an empty secret keeps it.
        ---
        put:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          requestBody:
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/{{self.__class__.__name__}}.put'
          responses:
            200: {description: Saved (without the secret)}
            404: {description: Not found}
        """
        body = self.require_body()
        row = svc.update(session(), svc.get(session(), pk), body)
        return self.response(200, id=row.id, result=svc.as_dict(row))

    put.__doc__ += _ERRORS

    @expose("/<int:pk>", methods=["DELETE"])
    @protect()
    @safe
    @permission_name("delete")
    @domain_errors
    def delete(self, pk: int) -> Response:
        """Delete a channel.
        ---
        delete:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200: {description: Deleted}
            403: {description: Admins only}
            404: {description: Not found}
        """
        svc.delete(session(), svc.get(session(), pk))
        return self.response(200, message=_("Deleted."))
