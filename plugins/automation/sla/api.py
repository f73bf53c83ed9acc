"""/api/v1/sla_policy/ and /api/v1/calendar_day/ for admins, and each ticket's clocks as
"sla_clocks" in GET /api/v1/ticket/<id>.

get and get_list come from ModelRestApi (explicit schemas); post, put and delete call
sla.admin_service, which checks like the screens (a bad target is a 422 by metric) and
recomputes the open clocks when a calendar day changes.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _

from app.sqla import SQLAInterface
from plugins.automation.sla import admin_service as svc
from plugins.automation.sla import clock as sla_clock
from plugins.automation.sla.api_schemas import (
    CalendarDayPostSchema,
    CalendarDayPutSchema,
    CalendarDaySchema,
    CalendarDaySchemaList,
    SlaPolicyPostSchema,
    SlaPolicyPutSchema,
    SlaPolicySchema,
    SlaPolicySchemaList,
)
from plugins.automation.sla.models import CalendarOverride, SlaPolicy
from plugins.automation.sla.panel import clocks_of, light
from plugins.automation.sla.policies import METRIC_LABELS
from plugins.tickets.api.base import TranslatedApi, domain_errors
from plugins.tickets.context import session
from plugins.tickets.models import Ticket


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def ticket_clocks(ticket: Ticket) -> list[dict[str, Any]]:
    """The provider of "sla_clocks" (plugins.tickets.api_extras): instants are UTC, naive
    like the ticket's own timestamps."""
    now = sla_clock.now()  # the SLA engine's clock: lights agree with the engine
    return [
        {
            "metric": row.metric,
            "label": str(METRIC_LABELS.get(row.metric, row.metric)),
            "cycle": row.cycle,
            "policy_id": row.policy_id,
            "kind": row.kind,
            "light": light(row, now),
            "started_at": _iso(row.started_at),
            "warn_at": _iso(row.warn_at),
            "due_at": _iso(row.due_at),
            "budget_minutes": row.budget_minutes,
            "consumed_minutes": row.consumed_minutes,
            "warn_percent": row.warn_percent,
            "paused": row.paused,
            "warned": row.warned_at is not None,
            "warned_at": _iso(row.warned_at),
            "breached": row.breached_at is not None,
            "breached_at": _iso(row.breached_at),
            "stopped": row.stopped_at is not None,
            "stopped_at": _iso(row.stopped_at),
            "unofficial_years": list(row.unofficial_years or []),
        }  # fmt: skip
        for row in clocks_of(session(), ticket.id)
    ]


_RESPONSES = """
          responses:
            {ok}: {{description: {what}}}
            400: {{description: Not a JSON object}}
            403: {{description: Admins only}}
            404: {{description: Not found}}
            422: {{description: 'Invalid: `errors` maps each field to a message'}}
"""


class SlaPolicyApi(TranslatedApi):
    resource_name = "sla_policy"
    datamodel = SQLAInterface(SlaPolicy)
    class_permission_name = "SlaPolicy"
    include_route_methods = {"get", "get_list", "post", "put", "delete"}
    base_order = ("sort_order", "asc")
    list_columns = show_columns = ["id", *svc.POLICY_FIELDS, "created_at"]
    add_columns = edit_columns = list(svc.POLICY_FIELDS)
    list_model_schema = SlaPolicySchemaList()
    show_model_schema = SlaPolicySchema()
    add_model_schema = SlaPolicyPostSchema()
    edit_model_schema = SlaPolicyPutSchema()
    order_columns = ["id", "name", "sort_order", "created_at"]
    search_columns = ["name", "active", "category_id", "priority"]

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    @domain_errors
    def post(self) -> Response:
        """Create an SLA policy.
        ---
        post:
          requestBody:
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/{{self.__class__.__name__}}.post'
                example: {"name": "紧急工单", "priority": "urgent", "sort_order": 10,
                  "targets": {"accept": {"kind": "working_minutes", "amount": 30},
                    "resolve": {"kind": "working_days", "amount": 1, "warn_percent": 80}}}
        """
        row = svc.create_policy(session(), self.require_body())
        return self.response(201, id=row.id, result=svc.policy_as_dict(row))

    post.__doc__ += _RESPONSES.format(ok=201, what="Created")

    @expose("/<int:pk>", methods=["PUT"])
    @protect()
    @safe
    @permission_name("put")
    @domain_errors
    def put(self, pk: int) -> Response:
        """Change an SLA policy; keys left out keep their values.
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
        """
        body = self.require_body()
        row = svc.update_policy(session(), svc.get_policy(session(), pk), body)
        return self.response(200, id=row.id, result=svc.policy_as_dict(row))

    put.__doc__ += _RESPONSES.format(ok=200, what="Saved")

    @expose("/<int:pk>", methods=["DELETE"])
    @protect()
    @safe
    @permission_name("delete")
    @domain_errors
    def delete(self, pk: int) -> Response:
        """Delete an SLA policy (existing clocks keep their deadlines).
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
        svc.delete_policy(session(), svc.get_policy(session(), pk))
        return self.response(200, message=_("Deleted."))


class CalendarDayApi(TranslatedApi):
    resource_name = "calendar_day"
    datamodel = SQLAInterface(CalendarOverride)
    class_permission_name = "CalendarDay"
    include_route_methods = {"get", "get_list", "post", "put", "delete"}
    base_order = ("day", "desc")
    list_columns = show_columns = ["id", "day", "is_working_day", "note", "official"]
    add_columns = edit_columns = ["day", "is_working_day", "note", "official"]
    list_model_schema = CalendarDaySchemaList()
    show_model_schema = CalendarDaySchema()
    add_model_schema = CalendarDayPostSchema()
    edit_model_schema = CalendarDayPutSchema()
    order_columns = ["id", "day"]
    search_columns = ["day", "is_working_day", "official"]

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    @domain_errors
    def post(self) -> Response:
        """Override one day of the business calendar; every open SLA clock is recomputed.
        ---
        post:
          requestBody:
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/{{self.__class__.__name__}}.post'
                example: {"day": "2026-10-10", "kind": "workday", "note": "国庆调休上班"}
        """
        row = svc.create_day(session(), self.require_body())
        return self.response(201, id=row.id, result=svc.day_as_dict(row))

    post.__doc__ += _RESPONSES.format(ok=201, what="Created; open clocks recomputed")

    @expose("/<int:pk>", methods=["PUT"])
    @protect()
    @safe
    @permission_name("put")
    @domain_errors
    def put(self, pk: int) -> Response:
        """Change a calendar day; every open SLA clock is recomputed.
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
        """
        body = self.require_body()
        row = svc.update_day(session(), svc.get_day(session(), pk), body)
        return self.response(200, id=row.id, result=svc.day_as_dict(row))

    put.__doc__ += _RESPONSES.format(ok=200, what="Saved; open clocks recomputed")

    @expose("/<int:pk>", methods=["DELETE"])
    @protect()
    @safe
    @permission_name("delete")
    @domain_errors
    def delete(self, pk: int) -> Response:
        """Remove a calendar override; every open SLA clock is recomputed.
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
        svc.delete_day(session(), svc.get_day(session(), pk))
        return self.response(200, message=_("Deleted."))
