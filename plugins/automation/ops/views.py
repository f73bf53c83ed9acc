"""失败任务 (Admin): RQ's FailedJobRegistry of the app's queues, a page at a time, with the
traceback of one job, and retry / delete buttons (POST with the CSRF token).

Thin: everything is ops.failed_jobs. Redis missing or down shows a message, an unknown job
id is a 404. Only Admin holds the "FailedJob" permissions (config.FAB_ROLES names no
pattern that matches them; tests/web/test_failed_jobs.py checks it).
"""

from __future__ import annotations

import os

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from plugins.automation.ops import failed_jobs as fj
from plugins.tickets.services.errors import NotFound

PERMISSIONS = {"list": "read", "show": "read", "retry": "write", "delete": "write"}


def _queues():
    return fj.queues(current_app.config.get("REDIS_URL"), current_app.config.get("RQ_QUEUES"))


class FailedJobsView(BaseView):
    route_base = "/failed-jobs"
    class_permission_name = "FailedJob"
    method_permission_name = PERMISSIONS
    default_view = "list"
    title = _l("Failed jobs")

    def _unavailable(self, err: fj.RedisUnavailable):
        return self.render_template(
            "ops/failed_jobs.html", title=self.title, error=str(err), page=None, queues=[]
        )

    @expose("/")
    @has_access
    def list(self):  # noqa: A003 - FAB's name
        try:
            all_queues = _queues()
            names = [q.name for q in all_queues]
            name = request.args.get("queue") or names[0]
            if name not in names:
                abort(404)
            number = request.args.get("page", "1")
            page = fj.page_of(all_queues[names.index(name)], int(number) if number.isdigit() else 1)
        except fj.RedisUnavailable as err:
            return self._unavailable(err)
        return self.render_template(
            "ops/failed_jobs.html", title=self.title, error=None, page=page, queues=names
        )

    @expose("/job/<string:job>")
    @has_access
    def show(self, job: str):  # not job_id: app.hardening wants *_id numeric
        try:
            found = fj.get(_queues(), job)
        except fj.RedisUnavailable as err:
            return self._unavailable(err)
        except NotFound:
            abort(404)
        return self.render_template("ops/failed_job.html", title=_("Failed job"), job=found)

    def _act(self, job_id: str, action, done: str):
        try:
            action(_queues(), job_id)
        except fj.RedisUnavailable as err:
            flash(str(err), "danger")
        except NotFound:
            abort(404)
        else:
            flash(done, "success")
        return redirect(url_for(".list", queue=request.form.get("queue") or None))

    @expose("/job/<string:job>/retry", methods=["POST"])
    @has_access
    def retry(self, job: str):
        return self._act(job, fj.retry, _("The job %(id)s is back on its queue.", id=job))

    @expose("/job/<string:job>/delete", methods=["POST"])
    @has_access
    def delete(self, job: str):
        return self._act(job, fj.delete, _("Deleted the job %(id)s.", id=job))


def register(appbuilder) -> None:
    """The screen under the Automation menu, and this package's templates."""
    here = os.path.dirname(os.path.abspath(__file__))
    current_app.register_blueprint(
        Blueprint("automation_ops", __name__, template_folder=os.path.join(here, "templates"))
    )
    appbuilder.add_view(
        FailedJobsView, "Failed Jobs", label=_l("Failed jobs"), icon="fa-exclamation-triangle",
        category="Automation", category_label=_l("Automation"), category_icon="fa-cogs",
    )  # fmt: skip
