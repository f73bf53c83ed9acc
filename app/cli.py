"""Host CLI: `flask init` syncs roles and permissions after `flask db upgrade`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_appbuilder.security.manager import BaseSecurityManager


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create the configured roles and every view's permissions (idempotent)."""
    appbuilder = current_app.appbuilder
    # The base class creates the FAB_ROLES roles and Admin/Public without create_all():
    # the schema is the migrations' business.
    BaseSecurityManager.create_db(appbuilder.sm)
    appbuilder.add_permissions(update_perms=True)
    # Each addon may ship reference data of its own (e.g. process definitions).
    for manager in appbuilder.addon_managers.values():
        hook = getattr(manager, "init_data", None)
        if hook is not None:
            hook()
    click.echo("roles and permissions are up to date")


def register(app: Flask) -> None:
    app.cli.add_command(init_command)
