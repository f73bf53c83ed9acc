"""Home page widgets per role (registered with app/home_widgets.py): numbers from
numbers.py, HTML from templates/dashboards/. Each links to the list behind its number."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template
from markupsafe import Markup

from plugins.reports.dashboards import numbers
from plugins.tickets.context import session
from plugins.tickets.queues import QUEUES


def my_queues(user: Any) -> Markup | None:
    """My work queues with their counts: those whose menu entry this user has."""
    sm = current_app.appbuilder.sm
    names = [q.name for q in QUEUES.values() if sm.has_access("menu_access", q.menu)]
    if not names:
        return None
    rows = numbers.queue_counts(session(), user, names)
    return Markup(render_template("dashboards/queues.html", rows=rows))


def agent_today(user: Any) -> Markup:
    data = numbers.agent(session(), user)
    return Markup(render_template("dashboards/agent.html", n=data))


def handler_today(user: Any) -> Markup:
    data = numbers.handler(session(), user)
    return Markup(render_template("dashboards/handler.html", n=data))


def department_overdue(user: Any) -> Markup:
    data = numbers.supervisor(session(), user)
    return Markup(render_template("dashboards/overdue.html", o=data))


def centre_today(user: Any) -> Markup:
    data = numbers.centre(session(), user)
    return Markup(render_template("dashboards/centre.html", n=data))
