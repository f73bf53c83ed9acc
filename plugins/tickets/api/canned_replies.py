"""/api/v1/canned_reply/: list, show, create, edit and delete canned replies.

Reading is scoped by the base filter; create, edit and delete go through the reply service,
which checks the same rules as the screens and answers 403/404/422 per field.
"""

from __future__ import annotations

from flask import Response
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _

from app.sqla import SQLAInterface
from plugins.tickets.api.base import TranslatedApi, domain_errors
from plugins.tickets.api.canned_reply_schemas import CannedReplyPostSchema, CannedReplyPutSchema
from plugins.tickets.context import actor, session
from plugins.tickets.models import CannedReply
from plugins.tickets.reply_filters import REPLY_SCOPED
from plugins.tickets.services import canned_replies as reply_service

COLUMNS = [
    "id",
    "title",
    "body",
    "scope",
    "department_id",
    "department.name",
    "owner_id",
    "owner.username",
    "active",
    "usage_count",
    "changes",
    "sort_order",
    "created_at",
]
EDITABLE = ["title", "body", "scope", "department_id", "active", "sort_order", "changes"]


class CannedReplyApi(TranslatedApi):
    resource_name = "canned_reply"
    datamodel = SQLAInterface(CannedReply)
    class_permission_name = "CannedReply"
    include_route_methods = {"get", "get_list", "post", "put", "delete"}
    base_filters = REPLY_SCOPED
    base_order = ("sort_order", "asc")
    list_columns = show_columns = COLUMNS
    # Documented in the OpenAPI spec; post and put below validate through the service.
    add_columns = edit_columns = EDITABLE
    add_model_schema = CannedReplyPostSchema()
    edit_model_schema = CannedReplyPutSchema()
    order_columns = ["id", "title", "sort_order", "usage_count", "created_at"]
    search_columns = ["title", "scope", "department_id", "owner_id", "active"]

    def _result(self, status: int, reply: CannedReply) -> Response:
        return self.response(status, id=reply.id, result=self.show_model_schema.dump(reply))

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    @domain_errors
    def post(self) -> Response:
        """Create a canned reply (预设回复), owned by you.
        ---
        post:
          description: >-
            Fields: title (required), body (text with placeholders {ticket.number},
            {ticket.subject}, {customer.name}, {category}, {department}, {agent.name},
            {field.<code>}, or the zh aliases {工单编号}, {工单标题}, {客户姓名}, {分类}, {部门},
            {坐席姓名}), scope (personal | department | everyone), department_id (for
            department scope: a department you supervise; admins any), active, sort_order,
            and changes, an object with any of: priority (low | normal | high | urgent),
            custom_fields ({code: value}), action ({"name": "accept", "params": {}}: a process
            action and its parameters), public (true posts the body as a public reply, false
            as an internal note). Only admins share with everyone.
          requestBody:
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/{{self.__class__.__name__}}.post'
          responses:
            201: {description: Created}
            400: {description: Not a JSON object}
            403: {description: Not allowed}
            422: {description: Invalid fields, one message per field (e.g. changes.priority)}
        """
        body = self.require_body()
        reply = reply_service.create_reply(session(), actor(), body)
        return self._result(201, reply)

    @expose("/<int:pk>", methods=["PUT"])
    @protect()
    @safe
    @permission_name("put")
    @domain_errors
    def put(self, pk: int) -> Response:
        """Change a canned reply you manage; fields as for POST, any subset.
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
            200: {description: Saved}
            403: {description: You may read but not manage this reply}
            404: {description: Not found or out of your scope}
            422: {description: Invalid fields, one message per field}
        """
        body = self.require_body()
        reply = self.datamodel.get(pk, self._base_filters)
        if reply is None:
            return self.response_404()
        reply_service.update_reply(session(), actor(), reply, body)
        return self._result(200, reply)

    @expose("/<int:pk>", methods=["DELETE"])
    @protect()
    @safe
    @permission_name("delete")
    @domain_errors
    def delete(self, pk: int) -> Response:
        """Delete a canned reply you manage.
        ---
        delete:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200: {description: Deleted}
            403: {description: You may read but not manage this reply}
            404: {description: Not found or out of your scope}
        """
        reply = self.datamodel.get(pk, self._base_filters)
        if reply is None:
            return self.response_404()
        reply_service.delete_reply(session(), actor(), reply)
        return self.response(200, message=_("Deleted."))
