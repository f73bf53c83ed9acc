"""Settings screens: departments, staff membership, categories."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.formatting import blank_if_none, fmt_dt, yes_no
from app.sqla import SQLAInterface
from plugins.tickets.context import session
from plugins.tickets.models import Category, Department, StaffMembership
from plugins.tickets.services.categories import check_parent, refresh_tree
from plugins.tickets.views.base import BaseModelView
from plugins.tickets.views.fields import duty_field, flag_field, process_field

COMMON_LABELS = {
    "code": _l("Code"),
    "name": _l("Name"),
    "parent": _l("Parent"),
    "active": _l("Active"),
    "created_at": _l("Created at"),
}


class DepartmentView(BaseModelView):
    datamodel = SQLAInterface(Department)
    class_permission_name = "Department"
    list_title = _l("Departments")
    show_title = _l("Department")
    add_title = _l("Add department")
    edit_title = _l("Edit department")
    label_columns = COMMON_LABELS
    list_columns = ["code", "name", "parent", "active"]
    add_columns = edit_columns = ["code", "name", "parent", "active"]
    add_form_extra_fields = edit_form_extra_fields = {"active": flag_field(_l("Active"))}
    show_columns = ["code", "name", "parent", "active", "created_at"]
    search_columns = ["code", "name", "active"]
    base_order = ("code", "asc")
    formatters_columns = {"created_at": fmt_dt, "active": yes_no, "parent": blank_if_none}


class StaffMembershipView(BaseModelView):
    datamodel = SQLAInterface(StaffMembership)
    class_permission_name = "StaffMembership"
    list_title = _l("Staff membership")
    show_title = _l("Staff membership")
    add_title = _l("Add staff membership")
    edit_title = _l("Edit staff membership")
    label_columns = {
        "user": _l("User"),
        "department": _l("Department"),
        "duty": _l("Duty"),
        "duty_label": _l("Duty"),
    }
    list_columns = ["user", "department", "duty_label"]
    show_columns = ["user", "department", "duty_label"]
    add_columns = edit_columns = ["user", "department", "duty"]
    add_form_extra_fields = edit_form_extra_fields = {"duty": duty_field()}
    search_columns = ["user", "department", "duty"]


class CategoryView(BaseModelView):
    datamodel = SQLAInterface(Category)
    class_permission_name = "Category"
    list_title = _l("Categories")
    show_title = _l("Category")
    add_title = _l("Add category")
    edit_title = _l("Edit category")
    label_columns = {
        **COMMON_LABELS,
        "indented_name": _l("Name"),
        "default_department": _l("Default department"),
        "followup_required": _l("Follow-up required"),
        "sort_order": _l("Order"),
        "process_key": _l("Process"),
    }
    list_columns = ["indented_name", "code", "default_department", "followup_required", "active"]
    show_columns = [
        "code",
        "name",
        "parent",
        "default_department",
        "followup_required",
        "active",
        "sort_order",
        "created_at",
    ]
    add_columns = edit_columns = [
        "code",
        "name",
        "parent",
        "default_department",
        "process_key",
        "followup_required",
        "active",
        "sort_order",
    ]
    add_form_extra_fields = edit_form_extra_fields = {
        "active": flag_field(_l("Active")),
        "followup_required": flag_field(_l("Follow-up required"), default=False),
        "process_key": process_field(),
    }
    search_columns = ["code", "name", "default_department", "active"]
    base_order = ("tree_path", "asc")
    page_size = 100
    formatters_columns = {
        "created_at": fmt_dt,
        "active": yes_no,
        "followup_required": yes_no,
        "parent": blank_if_none,
        "default_department": blank_if_none,
    }

    def pre_add(self, item: Category) -> None:
        check_parent(item)
        item.process_key = item.process_key or None

    def pre_update(self, item: Category) -> None:
        check_parent(item)
        item.process_key = item.process_key or None

    def post_add(self, item: Category) -> None:
        refresh_tree(session())
        session().commit()

    post_update = post_add
