"""Read-only lists: departments and categories."""

from __future__ import annotations

from app.sqla import SQLAInterface
from plugins.tickets.api.base import TranslatedApi
from plugins.tickets.models import Category, Department


class DepartmentApi(TranslatedApi):
    resource_name = "department"
    datamodel = SQLAInterface(Department)
    class_permission_name = "Department"
    include_route_methods = {"get", "get_list"}
    list_columns = show_columns = ["id", "code", "name", "parent_id", "active"]
    search_columns = ["code", "name", "active"]
    order_columns = ["id", "code", "name"]
    base_order = ("code", "asc")


class CategoryApi(TranslatedApi):
    resource_name = "category"
    datamodel = SQLAInterface(Category)
    class_permission_name = "Category"
    include_route_methods = {"get", "get_list"}
    list_columns = show_columns = [
        "id",
        "code",
        "name",
        "parent_id",
        "depth",
        "default_department_id",
        "followup_required",
        "active",
        "sort_order",
    ]
    search_columns = ["code", "name", "active", "parent_id"]
    order_columns = ["id", "code", "name", "tree_path"]
    base_order = ("tree_path", "asc")
