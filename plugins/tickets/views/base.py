"""Common settings of our ModelViews."""

from __future__ import annotations

from flask import flash
from flask_appbuilder import ModelView
from flask_appbuilder.widgets import ListWidget
from wtforms import Form

from plugins.tickets.permissions import METHOD_PERMISSIONS
from plugins.tickets.services.errors import DomainError
from plugins.tickets.views.cached_search import CachedSearchMixin

#: No GET-mutation `action/<name>/<pk>` route and no `download/<filename>` (it would serve any
#: file of UPLOAD_FOLDER); bulk actions go through `action_post`, which we guard.
ROUTES = {"list", "show", "add", "edit", "delete", "action_post"}


class ListRowsWidget(ListWidget):
    template = "tickets/widgets/list_rows.html"


class BaseModelView(CachedSearchMixin, ModelView):
    method_permission_name = METHOD_PERMISSIONS
    include_route_methods = ROUTES
    page_size = 25
    list_widget = ListRowsWidget


def show_errors(form: Form, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Put a domain error's per-field messages under the form's fields, flash the rest."""
    aliases = aliases or {}
    placed = False
    for key, message in error.fields.items():
        field = getattr(form, aliases.get(key, key), None)
        if field is not None:
            if not field.errors:  # one message per field: the form's own comes first
                field.errors = [str(message)]
            placed = True
        else:
            flash(str(message), "danger")
    flash(str(error.message), "danger" if not placed else "warning")
