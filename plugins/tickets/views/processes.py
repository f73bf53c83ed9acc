"""Process definitions: versions list, YAML editor that validates on save, SVG diagram."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

import workflows
from app.formatting import fmt_dt, yes_no
from app.sqla import SQLAInterface
from plugins.tickets.context import actor, session
from plugins.tickets.models import ProcessDefinition
from plugins.tickets.services import processes as process_service
from plugins.tickets.services.errors import DomainError
from plugins.tickets.services.labels import current_lang
from plugins.tickets.views.base import BaseModelView


class ProcessView(BaseModelView):
    """A saved version is never changed: editing saves the next version, and tickets keep
    the version they started with. Only `active` can be switched."""

    datamodel = SQLAInterface(ProcessDefinition)
    class_permission_name = "ProcessDefinition"
    include_route_methods = {"list", "show", "add", "edit", "diagram"}
    list_title = _l("Processes")
    show_title = _l("Process")
    add_title = _l("New process version")
    edit_title = _l("Edit process version")
    show_template = "tickets/process_show.html"
    label_columns = {
        "key": _l("Key"),
        "version": _l("Version"),
        "name": _l("Name"),
        "active": _l("Active"),
        "created_at": _l("Created at"),
        "source": _l("Definition (YAML)"),
    }
    list_columns = ["name", "key", "version", "active", "created_at"]
    show_columns = ["name", "key", "version", "active", "created_at"]
    edit_columns = ["active"]
    search_columns = ["key", "name", "active"]
    base_order = ("id", "desc")
    formatters_columns = {"created_at": fmt_dt, "active": yes_no}

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        """The YAML editor: a new version of the key the definition names."""
        source = request.form.get("source")
        errors: list[str] = []
        if request.method == "POST":
            try:
                row = process_service.save_version(session(), actor(), source or "")
            except DomainError as err:
                session().rollback()
                errors = str(err.fields.get("source", err.message)).splitlines()
            else:
                flash(
                    _("Saved %(name)s version %(version)d.", name=row.name, version=row.version),
                    "success",
                )
                return redirect(url_for(".show", pk=row.id))
        elif request.args.get("from"):
            base = self.datamodel.get(request.args["from"])
            if base is None:
                abort(404)
            source = base.source
        else:
            source = workflows.builtin_definitions()[workflows.DEFAULT_PROCESS]
        return self.render_template(
            "tickets/process_edit.html", title=self.add_title, source=source, errors=errors
        )

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        widgets = self._show(pk)
        row = self.datamodel.get(pk)
        process = workflows.load_process(row.source)
        return self.render_template(
            self.show_template,
            pk=pk,
            title=self.show_title,
            widgets=widgets,
            related_views=[],
            row=row,
            diagram=Markup(workflows.render_svg(process, current_lang())),
        )

    @expose("/diagram/<int:pk>.svg", methods=["GET"])
    @has_access
    def diagram(self, pk):
        row = self.datamodel.get(pk)
        if row is None:
            abort(404)
        svg = workflows.render_svg(workflows.load_process(row.source), current_lang())
        return svg, 200, {"Content-Type": "image/svg+xml; charset=utf-8"}
