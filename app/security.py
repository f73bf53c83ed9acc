"""The host's security manager: Flask-AppBuilder's, without views that need the internet."""

from __future__ import annotations

from flask_appbuilder.security.sqla.manager import SecurityManager


class AppSecurityManager(SecurityManager):
    # The user statistics chart loads Google Charts from the internet; the product must
    # work offline, so the view is not registered.
    userstatschartview = None
