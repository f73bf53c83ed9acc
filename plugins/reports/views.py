"""统计报表 screens: the report list and one page per report (filter form, chart, table),
drawn from the same JSON the API returns."""

from __future__ import annotations

import os

from flask import current_app, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from plugins.reports import runner
from plugins.reports.api import PERMISSIONS
from plugins.reports.forms import filter_choices
from plugins.reports.registry import FILTERS, all_reports
from plugins.tickets.context import actor, session
from plugins.tickets.services.errors import DomainError

HERE = os.path.dirname(os.path.abspath(__file__))
ECHARTS = "vendor/echarts.min.js"


def echarts_available() -> bool:
    """The vendored chart library is there (`make install` fetches it)."""
    return os.path.exists(os.path.join(HERE, "static", ECHARTS))


class ReportsView(BaseView):
    route_base = "/reports"
    class_permission_name = "Report"
    method_permission_name = PERMISSIONS
    default_view = "index"
    title = _l("Statistics")

    @expose("/")
    @has_access
    def index(self):
        return self.render_template("reports/index.html", title=self.title, reports=all_reports())

    @expose("/<string:name>")
    @has_access
    def report(self, name: str):
        db = session()
        args = {k: request.args.get(k, "") for k in ("from", "to", "group_by", *FILTERS)}
        tz = current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
        try:
            d = runner.definition(name)
        except DomainError as err:
            return self.render_template("reports/index.html", title=self.title,
                                        reports=all_reports(), error=str(err)), 404  # fmt: skip
        data, error = None, None
        try:
            data = runner.run(db, actor(), name, args, tz_name=tz)
        except DomainError as err:
            db.rollback()
            error = err
        return self.render_template(
            "reports/report.html",
            title=str(d.label),
            report=d,
            info=runner.describe(d),
            data=data,
            error=error,
            args=args,
            choices=filter_choices(db, actor()),
            reports=all_reports(),
            echarts_url=url_for("reports_addon.static", filename=ECHARTS)
            if echarts_available()
            else None,
            script_url=url_for("reports_addon.static", filename="reports.js"),
            chart_locale="ZH" if str(get_locale() or "zh").startswith("zh") else "EN",
            api_url=url_for("ReportApi.report", name=name),
        )
