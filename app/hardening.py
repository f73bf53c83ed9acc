"""Host-level guards for Flask-AppBuilder behaviour that would turn a user's mistake into a 500."""

from __future__ import annotations

import os
import re

import prison
from flask import Flask, abort, current_app, jsonify, make_response, request
from flask_babel import gettext as _

#: Our tables and Flask-AppBuilder's use integer keys that fit a 32-bit INTEGER column.
_INT_KEY = re.compile(r"\d{1,10}")
_MAX_KEY = 2**31 - 1


def _view_of_blueprint(name: str | None):
    for view in current_app.appbuilder.baseviews:
        blueprint = getattr(view, "blueprint", None)
        if blueprint is not None and blueprint.name == name:
            return view
    return None


def reject_unknown_actions() -> None:
    """FAB's action routes crash with AttributeError on an action name the view lacks."""
    endpoint = request.endpoint or ""
    if not endpoint.endswith((".action_post", ".action")):
        return
    view = _view_of_blueprint(request.blueprint)
    if view is None:
        return
    name = (request.view_args or {}).get("name") or request.form.get("action")
    if not name or name not in (getattr(view, "actions", None) or {}):
        abort(404)


def reject_malformed_keys() -> None:
    """A path key that is not an integer id would reach the database as a type error
    (PostgreSQL) or an overflow (SQLite): it names nothing, so answer 404."""
    for name, value in (request.view_args or {}).items():
        if name != "pk" and not name.endswith("_id"):
            continue
        text = str(value)
        if not _INT_KEY.fullmatch(text) or int(text) > _MAX_KEY:
            abort(404)


def reject_malformed_rison():
    """prison's parser recurses without bound on input like '(((': answer 400, not 500."""
    q = request.args.get("q")
    if q is None or not request.path.startswith("/api/"):
        return None
    try:
        prison.loads(q)
    except (RecursionError, Exception):  # noqa: BLE001 - any parse failure is the user's
        body = jsonify(message=_("The query parameter q is not valid Rison."))
        return make_response(body, 400)
    return None


def reject_missing_downloads() -> None:
    """FAB's ModelView /download/<filename> crashes on names it did not make or files that
    are gone; our own views do not expose it, FAB's security views still do."""
    if not (request.endpoint or "").endswith(".download"):
        return
    name = str((request.view_args or {}).get("filename", ""))
    folder = current_app.config.get("UPLOAD_FOLDER", "")
    if "_sep_" not in name or "/" in name or not os.path.isfile(os.path.join(folder, name)):
        abort(404)


def register(app: Flask) -> None:
    app.before_request(reject_missing_downloads)
    app.before_request(reject_unknown_actions)
    app.before_request(reject_malformed_keys)
    app.before_request(reject_malformed_rison)
