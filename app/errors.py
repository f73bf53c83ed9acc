"""Error pages in the app's layout and language; JSON bodies under /api/."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

TITLES = {
    400: lambda: _("The request is not correct."),
    403: lambda: _("You do not have permission to do this."),
    404: lambda: _("Not found, or you may not see it."),
    405: lambda: _("This page does not accept that request."),
    413: lambda: _("The upload is too large."),
    500: lambda: _("Internal error. The administrator has been told."),
}


def _render(code: int):
    message = TITLES.get(code, TITLES[400])()
    if request.path.startswith("/api/"):
        return jsonify(message=message), code
    try:
        appbuilder = current_app.appbuilder
        page = render_template(
            "error.html",
            code=code,
            message=message,
            appbuilder=appbuilder,
            base_template=appbuilder.base_template,
        )
        return page, code
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        return f"{code} {message}", code


def handle_http_error(error: HTTPException):
    return _render(error.code or 500)


def handle_unexpected(error: Exception):
    return _render(500)


def register(app: Flask) -> None:
    for code in (400, 403, 404, 405, 413):
        app.register_error_handler(code, handle_http_error)
    app.register_error_handler(500, handle_unexpected)
