"""The host application: builds Flask + Flask-AppBuilder and loads the addons from config."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask
from flask_appbuilder import AppBuilder

from app import errors, hardening, menu_badges, user_cache
from app.extensions import db, migrate
from app.formatting import register_template_filters

MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), "migrations")

log = logging.getLogger(__name__)


class AddonLoadError(RuntimeError):
    """An addon listed in ADDON_MANAGERS failed to register."""


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build an app. Tests pass overrides; production reads config.py and the environment."""
    app = Flask(__name__)
    app.config.from_object("config")
    if overrides:
        app.config.update(overrides)
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    register_template_filters(app)
    hardening.register(app)
    errors.register(app)
    menu_badges.init_app(app)
    user_cache.init_app(app)
    with app.app_context():
        appbuilder = AppBuilder()
        appbuilder.init_app(app, db.session)
        missing = [a for a in app.config["ADDON_MANAGERS"] if a not in appbuilder.addon_managers]
        if missing:
            # Flask-AppBuilder logs a failing addon and carries on half-registered; we refuse.
            raise AddonLoadError(f"addons failed to register: {', '.join(missing)}")
    from app import cli

    cli.register(app)
    return app
