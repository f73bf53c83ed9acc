"""CLI of the ticket addon: `flask seed-demo`."""

from __future__ import annotations

import click
from flask import current_app, g
from flask.cli import with_appcontext


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when departments already exist.")
@click.option("--tickets", default=200, show_default=True, help="How many demo tickets.")
@with_appcontext
def seed_demo_command(if_empty: bool, tickets: int) -> None:
    """Load the demo departments, users, categories, customers and tickets."""
    from plugins.tickets import demo

    session = current_app.appbuilder.session
    if not demo.is_empty(session):
        if if_empty:
            click.echo("demo data: database not empty, left as it is")
            return
        raise click.ClickException("the database already has data")
    g.user = None
    result = demo.seed(session, current_app.appbuilder.sm, tickets=tickets)
    click.echo(
        f"demo data: {result.users} users, {result.customers} customers, "
        f"{result.tickets} tickets (password {demo.DEMO_PASSWORD})"
    )
