"""/api/v1/automation/: time-based rules as a REST resource for admins, validated exactly
like the screens (automations.service), plus a read-only dry run.

get and get_list come from ModelRestApi (explicit columns); post, put and delete call the
service, so a bad rule is a 422 with `errors` by path and a non-object body a 400, both in
the user's language, never a 500.
"""

from __future__ import annotations

from flask import Response
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _

from app.sqla import SQLAInterface
from plugins.automation.automations import service
from plugins.automation.automations.engine import dry_run
from plugins.automation.automations.models import Automation
from plugins.automation.automations.schema import condition_errors
from plugins.automation.automations.service import split_errors
from plugins.automation.triggers import vocabulary as trigger_voc
from plugins.tickets.api.base import TranslatedApi, domain_errors
from plugins.tickets.context import actor, session
from plugins.tickets.services.errors import ValidationFailed
from workflows import automation_conditions as ac

COLUMNS = ["id", "name", "description", "active", "sort_order", "conditions", "actions",
           "last_run_at", "created_at", "updated_at"]  # fmt: skip
FORMAT = f"""
`conditions` = {{"match": "all"|"any", "conditions": [...]}}: the saved-view condition
language ({{"field", "op", "value"}}; custom fields as custom.<code>) plus time conditions
{{"field", "op", "value"}} — at least one. Time fields (hours):
{", ".join(ac.TIME_FIELDS)}; operators {", ".join(ac.TIME_OPS)} (between takes [from, to],
both included); each has a business_ twin (business_hours_since_created, …) counting
working hours of the business calendar.
hours_until_due matches only tickets not yet due, hours_since_due only overdue ones.
Closed, merged and void tickets and spam are never swept; an automation acts on a ticket at
most once. `actions` = [{{"type", "params"}}] exactly as for triggers:
{"; ".join(f"{k} ({', '.join(v)})" for k, v in trigger_voc.ACTION_PARAMS.items())}.
Invalid rules give 422 with `errors` keyed by path, e.g. conditions.conditions[0].value.
"""


class AutomationApi(TranslatedApi):
    resource_name = "automation"
    datamodel = SQLAInterface(Automation)
    class_permission_name = "Automation"
    include_route_methods = {"get", "get_list", "post", "put", "delete", "dryrun", "try_out"}
    method_permission_name = {
        **TranslatedApi.method_permission_name, "dryrun": "read", "try_out": "read",
    }  # fmt: skip
    base_order = ("sort_order", "asc")
    list_columns = show_columns = COLUMNS
    add_columns = edit_columns = [
        "name",
        "description",
        "active",
        "sort_order",
        "conditions",
        "actions",
    ]  # (documentation: post/put use the service)
    order_columns = ["id", "name", "sort_order", "created_at", "last_run_at"]
    search_columns = ["name", "active"]
    openapi_spec_methods = {
        "post": {"post": {"description": "Create an automation.\n" + FORMAT}},
        "put": {"put": {"description": "Change an automation.\n" + FORMAT}},
        "get_list": {"get": {"description": "Automations in their order.\n" + FORMAT}},
    }

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    @domain_errors
    def post(self) -> Response:
        """Create an automation.
        ---
        post:
          requestBody:
            content:
              application/json:
                schema: {type: object}
                example: {"name": "超 24 小时未签收提醒", "active": true, "sort_order": 10,
                  "conditions": {"match": "all", "conditions": [
                    {"field": "status", "op": "eq", "value": "pending_accept"},
                    {"field": "hours_since_created", "op": "gte", "value": 24}]},
                  "actions": [{"type": "add_note", "params": {"body": "超过 24 小时未签收"}}]}
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
        """Change an automation; keys left out keep their values.
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
        """Delete an automation (its run log goes with it).
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

    @expose("/dryrun", methods=["POST"])
    @protect()
    @safe
    @permission_name("try_out")
    @domain_errors
    def try_out(self) -> Response:
        """Which tickets these conditions would match now, before saving them.
        ---
        post:
          description: 'Body {"conditions": ...}; validated like a save. Reads only.'
          requestBody:
            content:
              application/json:
                schema: {type: object}
          responses:
            200: {description: '`pending` and `matching` (equal here), `tickets`'}
            400: {description: Not a JSON object}
            422: {description: 'Invalid: `errors` maps each path to a message'}
        """
        body = self.require_body()
        db = session()
        errors = condition_errors(db, body.get("conditions"))
        if errors:
            raise ValidationFailed(_("Please correct the errors below."), split_errors(errors))
        return self._answer(dry_run(db, actor(), body.get("conditions")))

    def _answer(self, result: dict) -> Response:
        tickets = [
            {"id": t.id, "number": t.number, "subject": t.subject, "status": t.status,
             "created_at": t.created_at.isoformat(), "updated_at": t.updated_at.isoformat(),
             "due_at": t.due_at.isoformat() if t.due_at else None}
            for t in result["tickets"]
        ]  # fmt: skip
        session().rollback()
        return self.response(
            200, pending=result["pending"], matching=result["matching"], tickets=tickets,
            now=result["now"].isoformat(),
        )  # fmt: skip

    @expose("/<int:pk>/dryrun", methods=["GET"])
    @protect()
    @safe
    @permission_name("dryrun")
    @domain_errors
    def dryrun(self, pk: int) -> Response:
        """Which tickets the automation would act on now, within your scope.
        ---
        get:
          description: Reads only; nothing is changed.
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200: {description: '`pending` (would act on now), `matching` (including
              tickets it already acted on), `tickets` (the first rows)'}
            404: {description: Not found}
            422: {description: The stored conditions no longer validate}
        """
        db = session()
        row = service.get(db, pk)
        try:
            result = dry_run(db, actor(), row.conditions, row.id)
        except ValueError as err:
            raise ValidationFailed(str(err)) from None
        return self._answer(result)
