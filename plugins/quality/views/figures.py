"""QA figures (质检统计): one aggregate query by person, department or month, scoped."""

from __future__ import annotations

import datetime as dt

from flask import flash, request
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from plugins.quality.services.figures import OFFSET, qa_figures
from plugins.tickets.context import actor, session
from plugins.tickets.models.base import utcnow
from plugins.tickets.services.errors import DomainError

GROUP_LABELS = {"person": _l("Person"), "department": _l("Department"), "month": _l("Month")}


def _date(raw: str | None, default: dt.date) -> dt.date | None:
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        return None


class QaFiguresView(BaseView):
    route_base = "/qa/figures"
    class_permission_name = "QaFigures"
    method_permission_name = {"figures": "read"}
    default_view = "figures"

    @expose("/")
    @has_access
    def figures(self):
        today = (utcnow() + OFFSET).date()
        date_from = _date(request.args.get("from"), today - dt.timedelta(days=30))
        date_to = _date(request.args.get("to"), today)
        group_by = request.args.get("group_by") or "person"
        rows = []
        if date_from is None or date_to is None:
            flash(_("Enter dates as YYYY-MM-DD."), "danger")
        else:
            try:
                rows = qa_figures(session(), actor(), date_from, date_to, group_by)
            except DomainError as err:
                flash(str(err), "danger")
        # Labelled here, not in the template: a translation may hold a bare "%" (合格率（%）),
        # which Jinja's gettext would try to format.
        headers = {
            "reviews": _("Reviews"),
            "average": _("Average score (of 100)"),
            "pass_rate": _("Pass rate (percent)"),
            "critical": _("Critical failures"),
        }
        return self.render_template(
            "quality/figures.html", title=_("QA figures"), rows=rows, groups=GROUP_LABELS,
            headers=headers,
            group_by=group_by, date_from=request.args.get("from") or date_from,
            date_to=request.args.get("to") or date_to,
        )  # fmt: skip
