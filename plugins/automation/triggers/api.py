"""/api/v1/trigger/: rules as a REST resource for admins, validated like the screens.

get and get_list come from ModelRestApi (explicit columns); post, put and delete call
triggers.service, so a bad rule is a 422 with `errors` by path, never a 500.
"""

from __future__ import annotations

from flask import Response
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _

from app.sqla import SQLAInterface
from plugins.automation.triggers import service
from plugins.automation.triggers import vocabulary as voc
from plugins.automation.triggers.engine import dry_run
from plugins.automation.triggers.models import Trigger
from plugins.tickets.api.base import TranslatedApi, domain_errors
from plugins.tickets.context import session
from plugins.tickets.models import Ticket

COLUMNS = ["id", "name", "description", "active", "sort_order", "conditions", "actions",
           "created_at", "updated_at"]  # fmt: skip
FORMAT = f"""
`conditions` = {{"event": <condition>, "ticket": <condition>}}; each part is the saved-view
condition language {{"match": "all"|"any", "conditions": [{{"field", "op", "value"}}]}}.
Event fields: {", ".join(voc.EVENT_LABELS)}; kind is one of {", ".join(voc.KIND_LABELS)}.
Ticket fields: those of saved views, custom fields as custom.<code>.
`actions` = [{{"type", "params"}}]; types and params:
{"; ".join(f"{k} ({', '.join(v)})" for k, v in voc.ACTION_PARAMS.items())}.
Invalid rules give 422 with `errors` keyed by path, e.g. actions[2].params.department_id.
"""


class TriggerApi(TranslatedApi):
    resource_name = "trigger"
    datamodel = SQLAInterface(Trigger)
    class_permission_name = "Trigger"
    include_route_methods = {"get", "get_list", "post", "put", "delete", "dryrun"}
    method_permission_name = {**TranslatedApi.method_permission_name, "dryrun": "read"}
    base_order = ("sort_order", "asc")
    list_columns = show_columns = COLUMNS
    add_columns = edit_columns = [
        "name",
        "description",
        "active",
        "sort_order",
        "conditions",
        "actions",
    ]  # fmt: skip  (documentation: post/put use the service)
    order_columns = ["id", "name", "sort_order", "created_at"]
    search_columns = ["name", "active"]
    openapi_spec_methods = {
        "post": {"post": {"description": "Create a trigger.\n" + FORMAT}},
        "put": {"put": {"description": "Change a trigger.\n" + FORMAT}},
        "get_list": {"get": {"description": "Triggers in their order.\n" + FORMAT}},
    }

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    @domain_errors
    def post(self) -> Response:
        """Create a trigger.
        ---
        post:
          requestBody:
            content:
              application/json:
                schema: {type: object}
                example: {"name": "紧急咨询自动派单", "active": true, "sort_order": 10,
                  "conditions": {"event": {"match": "all", "conditions": [
                    {"field": "kind", "op": "eq", "value": "created"}]},
                    "ticket": {"match": "all", "conditions": [
                    {"field": "priority", "op": "eq", "value": "urgent"}]}},
                  "actions": [{"type": "process", "params": {"action": "dispatch",
                    "params": {"department_id": 2}}}]}
          responses:
            201: {description: Created}
            400: {description: Not a JSON object}
            422: {description: 'Invalid: `errors` maps each path to a message'}
        """
        body = self.require_body()
        row = service.create(session(), body)
        return self.response(201, id=row.id, result=service.as_dict(row))

    @expose("/<int:pk>", methods=["PUT"])
    @protect()
    @safe
    @permission_name("put")
    @domain_errors
    def put(self, pk: int) -> Response:
        """Change a trigger; keys left out keep their values.
        ---
        put:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200: {description: Saved}
            404: {description: Not found}
            422: {description: 'Invalid: `errors` maps each path to a message'}
        """
        body = self.require_body()
        row = service.update(session(), service.get(session(), pk), body)
        return self.response(200, id=row.id, result=service.as_dict(row))

    @expose("/<int:pk>", methods=["DELETE"])
    @protect()
    @safe
    @permission_name("delete")
    @domain_errors
    def delete(self, pk: int) -> Response:
        """Delete a trigger (its run log goes with it).
        ---
        delete:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200: {description: Deleted}
            404: {description: Not found}
        """
        service.delete(session(), service.get(session(), pk))
        return self.response(200, message=_("Deleted."))

    @expose("/dryrun/<int:ticket_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("dryrun")
    @domain_errors
    def dryrun(self, ticket_id: int) -> Response:
        """Which active triggers would fire on the ticket's latest event, and why.
        ---
        get:
          description: Reads only; nothing is changed.
          parameters:
          - in: path
            name: ticket_id
            schema: {type: integer}
          responses:
            200: {description: '`rules`: each with `fires` and the result of every condition'}
            404: {description: No such ticket}
        """
        db = session()
        ticket = db.get(Ticket, ticket_id)
        if ticket is None:
            return self.response_404()
        result = dry_run(db, ticket)
        db.rollback()
        return self.response(200, **result)
