"""/api/v1/report/: the report catalog and each report's numbers as JSON (the same data the
report page draws). Bad parameters are a translated 400 that runs nothing; every report is
scoped by the one scoping rule."""

from __future__ import annotations

from flask import Response, current_app, request
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_babel import gettext as _

from plugins.reports import runner
from plugins.reports.registry import FILTERS, all_reports
from plugins.tickets.api.base import domain_errors
from plugins.tickets.context import actor, session
from plugins.tickets.services.errors import DomainError

PERMISSIONS = {"catalog": "read", "report": "read", "index": "read"}


class ReportApi(BaseApi):
    resource_name = "report"
    class_permission_name = "Report"
    method_permission_name = PERMISSIONS
    allow_browser_login = True
    openapi_spec_tag = "Reports"

    def response_401(self) -> Response:
        return self.response(401, message=_("Please log in."))

    def response_403(self) -> Response:
        return self.response(403, message=_("You do not have permission to do this."))

    def response_500(self, message: str | None = None) -> Response:
        return self.response(500, message=_("Internal error. The administrator has been told."))

    def domain_error(self, error: DomainError) -> Response:
        return self.response(error.http_status, **error.as_dict())

    @expose("/", methods=["GET"])
    @protect()
    @safe
    def catalog(self) -> Response:
        """The reports there are: name, label, groupings, filters, columns and chart.
        ---
        get:
          description: >-
            Every report with the parameters it accepts and the columns of its rows.
          responses:
            200:
              description: The report catalog
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result: {type: array, items: {type: object}}
            401:
              $ref: '#/components/responses/401'
        """
        return self.response(200, result=[runner.describe(d) for d in all_reports()])

    @expose("/<string:name>", methods=["GET"])
    @protect()
    @safe
    @domain_errors
    def report(self, name: str) -> Response:
        """One report's numbers, scoped to what the caller may see.
        ---
        get:
          description: >-
            Runs the named report (see GET /api/v1/report/ for names, columns and charts:
            volume, by_department, by_category, by_staff, by_channel, timeliness,
            node_times, sla, transfers, followup, rates, heatmap). Dates are local
            (Asia/Shanghai), inclusive; the default range is the last 30 days. Rates are
            fractions 0..1 (null when nothing to divide), times are minutes. A bad name,
            date, from after to, or a range too large for the grouping (day 366 days, week
            3 years, month and year 10 years) is a 400 with a message and per-field errors.
          parameters:
          - {in: path, name: name, required: true, schema: {type: string}, example: volume}
          - {in: query, name: from, schema: {type: string, format: date}, example: "2026-11-01"}
          - {in: query, name: to, schema: {type: string, format: date}, example: "2026-11-23"}
          - in: query
            name: group_by
            schema: {type: string, enum: [day, week, month, year]}
          - {in: query, name: department, schema: {type: integer}, description: department id}
          - {in: query, name: category, schema: {type: integer},
             description: category id (its children included)}
          - {in: query, name: channel, schema: {type: string}}
          - {in: query, name: priority, schema: {type: string}}
          - {in: query, name: staff, schema: {type: integer}, description: assignee user id}
          responses:
            200:
              description: >-
                The report: name, label, columns, chart, params (as understood) and rows
                (one object per row, keys as in columns; `bucket` is the first local day of
                the period as YYYY-MM-DD).
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      name: {type: string}
                      label: {type: string}
                      params: {type: object}
                      columns: {type: array, items: {type: object}}
                      chart: {type: object}
                      rows: {type: array, items: {type: object}}
            400:
              description: Unknown report or bad parameters
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      message: {type: string}
                      errors: {type: object}
            401:
              $ref: '#/components/responses/401'
        """
        args = {k: request.args.get(k, "") for k in ("from", "to", "group_by", *FILTERS)}
        tz = current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
        data = runner.run(session(), actor(), name, args, tz_name=tz)
        return self.response(200, **data)
