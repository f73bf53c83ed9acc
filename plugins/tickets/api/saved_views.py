"""/api/v1/saved_view/: saved views (工单视图) and their tickets, validated like the screens."""

from __future__ import annotations

from flask import Response, request
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _

from app.sqla import SQLAInterface
from plugins.tickets.api.base import TranslatedApi, domain_errors
from plugins.tickets.context import actor, session
from plugins.tickets.models import SavedView
from plugins.tickets.services import saved_views as service
from plugins.tickets.services import view_columns, views_sql
from plugins.tickets.services.errors import DomainError, ValidationFailed
from plugins.tickets.services.view_fields import view_fields
from workflows.view_conditions import ViewDefinitionError

COLUMNS = [
    "id",
    "name",
    "conditions",
    "columns",
    "sort",
    "visibility",
    "owner_id",
    "department_id",
    "roles",
    "active",
    "sort_order",
    "created_at",
]
CONDITION_FORMAT = """
`conditions` is `{"match": "all"|"any", "conditions": [{"field", "op", "value"}, ...]}`.
Fields: status, priority, channel, category_id, department_id, assignee_id, customer_id,
created_by_id, created_at, updated_at, due_at, subject, number, caller_number,
supervise_level, urge_count, and custom fields as `custom.<code>`.
Operators: eq, ne, in, not_in (value a list), contains, gt, lt, gte, lte, is_empty,
is_not_empty (no value), within_last_hours (value: whole hours), overdue (due_at only, no
value). `"me"` stands for the caller in assignee_id/created_by_id, `"my_departments"` for
the caller's departments in department_id. Times without a zone are Asia/Shanghai.
A multi-select matches eq/in when any chosen option matches; a cascade value "gd" also
matches "gd/sz/...". `columns` is a list of field names; `sort` is `{"field", "dir"}`.
`visibility` is personal, department (with department_id), roles (with roles, a list of
role names) or everyone. Anyone keeps personal views; a department's supervisors share
views with it; only admins share with roles or everyone, and set `active` and
`sort_order`. Errors (422) are keyed by their path in the body, e.g.
`conditions.conditions[1].op`. A view's tickets are always limited to what the caller may
see.
"""


class ReachableViewsFilter(BaseFilter):
    """Only the views the caller sees or manages; others do not exist for them (404)."""

    name = "reachable"
    arg_name = "reachable"

    def apply(self, query, value):
        return query.filter(service.reachable_clause(session(), actor()))


class SavedViewApi(TranslatedApi):
    resource_name = "saved_view"
    datamodel = SQLAInterface(SavedView)
    class_permission_name = "SavedView"
    include_route_methods = {"get", "get_list", "post", "put", "delete", "tickets"}
    base_filters = [["id", ReachableViewsFilter, lambda: None]]
    base_order = ("sort_order", "asc")
    list_columns = show_columns = COLUMNS
    order_columns = ["id", "name", "sort_order", "created_at"]
    search_columns = ["name", "visibility", "active", "department_id"]
    openapi_spec_methods = {
        "post": {"post": {"description": "Create a saved view.\n" + CONDITION_FORMAT}},
        "put": {"put": {"description": "Change a saved view.\n" + CONDITION_FORMAT}},
        "get_list": {"get": {"description": "The views you see or manage.\n" + CONDITION_FORMAT}},
    }
    # Documentation only: post and put below call the service.
    add_columns = edit_columns = [
        "name",
        "conditions",
        "columns",
        "sort",
        "visibility",
        "department_id",
        "roles",
        "active",
        "sort_order",
    ]

    def _dump(self, row: SavedView) -> dict:
        return self.show_model_schema.dump(row)

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    @domain_errors
    def post(self) -> Response:
        """Create a saved view.
        ---
        post:
          requestBody:
            content:
              application/json:
                schema: {type: object}
                example: {"name": "TECH 紧急未签收", "visibility": "everyone",
                  "conditions": {"match": "all", "conditions": [
                    {"field": "department_id", "op": "eq", "value": 2},
                    {"field": "priority", "op": "eq", "value": "urgent"},
                    {"field": "status", "op": "eq", "value": "pending_accept"}]},
                  "columns": ["number", "subject", "assignee_id", "custom.fault_area"],
                  "sort": {"field": "created_at", "dir": "desc"}}
          responses:
            201: {description: Created}
            400: {description: Not a JSON object}
            422: {description: 'Invalid: `errors` maps each path to a message'}
        """
        body = self.require_body()
        row = service.create(session(), actor(), body)
        return self.response(201, id=row.id, result=self._dump(row))

    @expose("/<int:pk>", methods=["PUT"])
    @protect()
    @safe
    @permission_name("put")
    @domain_errors
    def put(self, pk: int) -> Response:
        """Change a view you manage; keys left out keep their values.
        ---
        put:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200: {description: Saved}
            403: {description: You see the view but may not change it}
            404: {description: Not found or not yours to see}
            422: {description: 'Invalid: `errors` maps each path to a message'}
        """
        body = self.require_body()
        row = service.get_visible(session(), actor(), pk)
        service.update(session(), actor(), row, body)
        return self.response(200, id=row.id, result=self._dump(row))

    @expose("/<int:pk>", methods=["DELETE"])
    @protect()
    @safe
    @permission_name("delete")
    @domain_errors
    def delete(self, pk: int) -> Response:
        """Delete a view you manage.
        ---
        delete:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200: {description: Deleted}
            403: {description: You see the view but may not delete it}
            404: {description: Not found or not yours to see}
        """
        row = service.get_visible(session(), actor(), pk)
        service.delete(session(), actor(), row)
        return self.response(200, message=_("Deleted."))

    @expose("/<int:pk>/tickets", methods=["GET"])
    @protect()
    @safe
    @permission_name("tickets")
    @domain_errors
    def tickets(self, pk: int) -> Response:
        """The view's tickets within your scope, in the view's sort order.
        ---
        get:
          description: >-
            One page of the tickets the view selects among those you may see. Each row has
            the ticket's main fields and `custom_fields` {code: value} for the view's
            custom columns.
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          - in: query
            name: page
            schema: {type: integer, default: 0}
          - in: query
            name: page_size
            schema: {type: integer, default: 25, maximum: 100}
          responses:
            200: {description: '`count` (all pages) and `result` (this page)'}
            404: {description: Not found or not yours to see}
            422: {description: The stored conditions no longer fit the fields}
        """
        db, user = session(), actor()
        try:
            row = service.get_visible(db, user, pk)
        except DomainError as err:
            return self.domain_error(err)
        page = request.args.get("page", "0")
        size = request.args.get("page_size", str(views_sql.PAGE_SIZE))
        if not page.isdigit() or not size.isdigit() or int(size) < 1:
            return self.response_400(_("page and page_size must be whole numbers."))
        fields = view_fields(db)
        try:
            total = views_sql.count(db, user, row, fields)
            rows = views_sql.tickets(db, user, row, int(page), int(size), fields)
        except ViewDefinitionError:
            error = ValidationFailed(_("The conditions of this view are no longer valid."))
            return self.domain_error(error)
        columns = view_columns.columns_of(row.columns, fields)
        return self.response(
            200,
            id=row.id,
            count=total,
            page=int(page),
            page_size=min(int(size), views_sql.MAX_PAGE_SIZE),
            columns=[c.name for c in columns],
            result=view_columns.json_rows(db, rows, columns),
        )
