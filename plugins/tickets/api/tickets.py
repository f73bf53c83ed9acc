"""/api/v1/ticket/: list, show, create and update through the ticket service."""

from __future__ import annotations

from flask import Response
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.security.decorators import permission_name

from app.sqla import SQLAInterface
from plugins.tickets.api.base import TranslatedApi, domain_errors
from plugins.tickets.api.ticket_replies import REPLY_ROUTES, TicketRepliesApiMixin
from plugins.tickets.api_extras import document_extras, ticket_extras
from plugins.tickets.context import actor, loaded_after_commit, session
from plugins.tickets.filters import SCOPED
from plugins.tickets.models import Ticket
from plugins.tickets.services import action_forms, custom_fields, history
from plugins.tickets.services import actions as action_service
from plugins.tickets.services import tickets as ticket_service

LIST_COLUMNS = [
    "id",
    "number",
    "subject",
    "status",
    "priority",
    "channel",
    "category_id",
    "category.name",
    "department_id",
    "department.name",
    "assignee_id",
    "assignee.username",
    "customer_id",
    "created_at",
    "updated_at",
    "version",
]
SHOW_COLUMNS = [
    *LIST_COLUMNS,
    "description",
    "caller_number",
    "customer.name",
    "created_by_id",
    "created_by.username",
    "accepted_at",
    "resolved_at",
    "closed_at",
    "due_at",
    "merged_into_id",
    "is_spam",
    "process_id",
    "supervise_level",
    "urge_count",
    "redo_count",
    "extension_until",
    "satisfaction",
    "resolution",
]


class TicketApi(TicketRepliesApiMixin, TranslatedApi):
    resource_name = "ticket"
    datamodel = SQLAInterface(Ticket)
    class_permission_name = "Ticket"
    include_route_methods = {
        *("get", "get_list", "post", "put", "delete", "actions", "act", "events"),
        *REPLY_ROUTES,
    }
    base_filters = SCOPED
    base_order = ("id", "desc")
    list_columns = LIST_COLUMNS
    show_columns = SHOW_COLUMNS
    order_columns = ["id", "number", "created_at", "updated_at", "priority", "status"]
    search_columns = [
        "number",
        "subject",
        "status",
        "priority",
        "channel",
        "category_id",
        "department_id",
        "assignee_id",
        "customer_id",
        "caller_number",
        "created_at",
    ]
    # The add/edit schemas are not used (post and put below call the service); they are
    # declared so the OpenAPI spec documents the accepted fields.
    add_columns = ["subject", "description", "priority", "channel", "caller_number"]
    edit_columns = add_columns

    def _dump(self, ticket: Ticket) -> dict:
        data = self.show_model_schema.dump(ticket)
        data["custom_fields"] = self._custom(ticket)
        return data

    @staticmethod
    def _custom(ticket: Ticket) -> dict:
        values = custom_fields.values_of(session(), ticket)
        return {code: custom_fields.jsonable(v) for code, v in values.items()}

    def pre_get(self, data: dict) -> None:
        """GET /<id> also returns `custom_fields` as {code: value}, and the addons' extras
        (plugins.tickets.api_extras), e.g. `sla_clocks`."""
        ticket = session().get(Ticket, data["id"])
        data["result"]["custom_fields"] = self._custom(ticket)
        data["result"].update(ticket_extras(ticket))

    def add_apispec_components(self, api_spec) -> None:
        super().add_apispec_components(api_spec)
        document_extras(api_spec, self.show_model_schema_name)

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    @domain_errors
    def post(self) -> Response:
        """Register a ticket.
        ---
        post:
          description: >-
            Register a ticket: subject, description, category_id, and optionally
            caller_number, customer_id, priority, channel. It is routed by its category.
          responses:
            201: {description: Created}
            400: {description: Not a JSON object}
            403: {description: Not allowed}
            422: {description: Invalid fields, with a message per field}
        """
        body = self.require_body()
        with loaded_after_commit():
            ticket = ticket_service.create_ticket(session(), actor(), body)
            result = self._dump(ticket)
        return self.response(201, id=ticket.id, result=result)

    @expose("/<int:pk>", methods=["PUT"])
    @protect()
    @safe
    @permission_name("put")
    @domain_errors
    def put(self, pk: int) -> Response:
        """Edit a ticket's own fields; `version` must be the version you read.
        ---
        put:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200: {description: Saved}
            404: {description: Not found or out of your scope}
            409: {description: The ticket changed since you read it}
            422: {description: Invalid fields}
        """
        body = self.require_body()
        ticket = self.datamodel.get(pk, self._base_filters)
        if ticket is None:
            return self.response_404()
        values = {k: v for k, v in body.items() if k != "version"}
        ticket_service.update_ticket(session(), actor(), ticket, values, body.get("version"))
        return self.response(200, id=ticket.id, result=self._dump(ticket))

    # -- the process ------------------------------------------------------------------

    @expose("/<int:pk>/actions", methods=["GET"])
    @protect()
    @safe
    @permission_name("actions")
    @domain_errors
    def actions(self, pk: int) -> Response:
        """The process actions you may take on this ticket now, with their parameters.
        ---
        get:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200: {description: Actions with parameters}
            404: {description: Not found or out of your scope}
        """
        ticket = self.datamodel.get(pk, self._base_filters)
        if ticket is None:
            return self.response_404()
        found = action_service.allowed_actions(session(), actor(), ticket)
        return self.response(
            200,
            id=ticket.id,
            status=ticket.status,
            version=ticket.version,
            result=action_forms.describe(session(), found),
        )

    @expose("/<int:pk>/actions/<string:name>", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    @domain_errors
    def act(self, pk: int, name: str) -> Response:
        """Take a process action: JSON `{"version": n, ...parameters}`.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          - in: path
            name: name
            schema: {type: string}
          responses:
            200: {description: Done; the ticket as it is now}
            403: {description: You may not take this action}
            404: {description: Not found, out of scope, or no such action}
            409: {description: Stale version, or the state does not allow it}
            422: {description: Invalid parameters, one message per field}
        """
        body = self.require_body()
        ticket = self.datamodel.get(pk, self._base_filters)
        if ticket is None:
            return self.response_404()
        params = {k: v for k, v in body.items() if k != "version"}
        with loaded_after_commit():
            action_service.apply_action(
                session(), actor(), ticket, name, params, body.get("version")
            )
            result = self._dump(ticket)
        return self.response(200, id=ticket.id, result=result)

    @expose("/<int:pk>/events", methods=["GET"])
    @protect()
    @safe
    @permission_name("events")
    @domain_errors
    def events(self, pk: int) -> Response:
        """The ticket's trajectory (工单轨迹), one row per node.
        ---
        get:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200: {description: Trajectory rows}
            404: {description: Not found or out of your scope}
        """
        ticket = self.datamodel.get(pk, self._base_filters)
        if ticket is None:
            return self.response_404()
        rows = [node.as_json() for node in history.nodes(session(), ticket)]
        return self.response(200, id=ticket.id, count=len(rows), result=rows)
