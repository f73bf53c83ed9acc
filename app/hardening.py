"""Host-level guards for Flask-AppBuilder behaviour that would turn a user's mistake into a 500."""

from __future__ import annotations

from flask import Flask, abort, current_app, request


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


def register(app: Flask) -> None:
    app.before_request(reject_unknown_actions)
