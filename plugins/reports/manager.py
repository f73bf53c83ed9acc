"""Registers the reports addon with Flask-AppBuilder. Registration only, no logic."""

from __future__ import annotations

import os

from flask_appbuilder.basemanager import BaseManager

HERE = os.path.dirname(os.path.abspath(__file__))


class ReportsManager(BaseManager):
    def pre_process(self) -> None:
        self._pre_process_statistics()
        self._pre_process_exports()
        from flask import current_app

        from app.worker import register_worker_hook
        from plugins.reports.exports.jobs import worker_hook

        register_worker_hook(current_app, "reports", worker_hook)

    def register_views(self) -> None:
        self._register_statistics()
        self._register_exports()
        self._register_dashboards()

    # -- 统计报表 (statistics): report registry, pages, /api/v1/report/ -------------------
    def _pre_process_statistics(self) -> None:
        """The report indexes in the metadata, the shipped reports in the registry, and a
        blueprint for the templates and the static files (the vendored ECharts)."""
        from flask import Blueprint, current_app

        from plugins.reports import indexes, models  # noqa: F401 - tables and indexes
        from plugins.reports.definitions import register_builtin

        register_builtin()
        current_app.register_blueprint(
            Blueprint(
                "reports_addon",
                __name__,
                template_folder=os.path.join(HERE, "templates"),
                static_folder=os.path.join(HERE, "static"),
                static_url_path="/reports-static",
            )
        )

    def _register_statistics(self) -> None:
        """The Statistics menu: the report list, one entry per report; and the API."""
        from flask_babel import lazy_gettext as _l

        from plugins.reports.api import ReportApi
        from plugins.reports.registry import all_reports
        from plugins.reports.views import ReportsView

        ab = self.appbuilder
        stats, stats_label = "Statistics", _l("Statistics")
        ab.add_view(
            ReportsView, "Reports", label=_l("All reports"), icon="fa-bar-chart",
            category=stats, category_label=stats_label, category_icon="fa-line-chart",
        )  # fmt: skip
        for d in all_reports():
            ab.add_link(
                f"Report {d.name}", label=d.label, href=f"/reports/{d.name}",
                icon="fa-area-chart", category=stats,
            )  # fmt: skip
        ab.add_api(ReportApi)

    # -- 导出 (exports: xlsx / csv, large ones as RQ jobs) and 首页 (role dashboards) ------
    def _pre_process_exports(self) -> None:
        from flask import Blueprint, current_app

        from plugins.reports.exports import models  # noqa: F401 - tables in the metadata

        current_app.register_blueprint(
            Blueprint(
                "reports_exports",
                __name__,
                template_folder=os.path.join(HERE, "exports", "templates"),
            )
        )

    def _register_exports(self) -> None:
        from flask import current_app

        from plugins.reports.exports import views
        from plugins.tickets.exports_hook import register_export_links

        self.appbuilder.add_view_no_menu(views.ExportView)
        self.appbuilder.add_view_no_menu(views.ReportExportView)
        register_export_links(current_app, views.export_links)
        # A report page may show `{{ report_export_links(report.name) }}`.
        current_app.jinja_env.globals["report_export_links"] = views.report_export_links

    def _register_dashboards(self) -> None:
        from flask import current_app

        from plugins.reports.dashboards import register_widgets

        register_widgets(current_app)
