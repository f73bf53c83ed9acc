"""/api/v1/custom_field/: field definitions, validated exactly like the screen."""

from __future__ import annotations

from flask import Response
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.security.decorators import permission_name

from app.sqla import SQLAInterface
from plugins.tickets.api.base import TranslatedApi, domain_errors
from plugins.tickets.context import actor, session
from plugins.tickets.models import FieldDefinition
from plugins.tickets.services.field_admin import save_definition

COLUMNS = [
    "id", "code", "label_zh", "label_en", "help_text", "type", "required", "default", "options",
    "pattern", "pattern_message", "active", "sort_order", "customer_visible", "categories.id",
]  # fmt: skip


class CustomFieldApi(TranslatedApi):
    """Custom field definitions.

    `options` is a list in display order of {"value", "label", "active"?, "children"?}
    (children only for type cascade); `category_ids` links the field to categories (none:
    every category; a category inherits its parent's fields); `required` is never, always
    or on_resolve.
    """

    resource_name = "custom_field"
    datamodel = SQLAInterface(FieldDefinition)
    class_permission_name = "FieldDefinition"
    include_route_methods = {"get", "get_list", "post", "put", "delete"}
    list_columns = show_columns = COLUMNS
    search_columns = ["code", "type", "active"]
    order_columns = ["id", "code", "sort_order"]
    base_order = ("sort_order", "asc")
    add_columns = edit_columns = ["code", "label_zh", "label_en", "type", "required", "options"]

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    @domain_errors
    def post(self) -> Response:
        """Create a field definition.
        ---
        post:
          responses:
            201: {description: Created}
            422: {description: Invalid definition, one message per field}
        """
        body = self.require_body()
        row = save_definition(session(), actor(), None, body)
        return self.response(201, id=row.id, result=self.show_model_schema.dump(row))

    @expose("/<int:pk>", methods=["PUT"])
    @protect()
    @safe
    @permission_name("put")
    @domain_errors
    def put(self, pk: int) -> Response:
        """Change a field definition (its type cannot change).
        ---
        put:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200: {description: Saved}
            404: {description: Not found}
            422: {description: Invalid definition}
        """
        body = self.require_body()
        row = self.datamodel.get(pk)
        if row is None:
            return self.response_404()
        save_definition(session(), actor(), row, body)
        return self.response(200, id=row.id, result=self.show_model_schema.dump(row))
