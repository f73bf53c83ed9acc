"""Role dashboards on the home page (首页): an agent's and a handler's own queues and today's
numbers, a supervisor's departments with overdue tickets first, the centre-wide view for
managers. Numbers are a few scoped, indexed COUNTs (numbers.py)."""

from __future__ import annotations

import os

from flask import Blueprint, Flask

HERE = os.path.dirname(os.path.abspath(__file__))


def register_widgets(app: Flask) -> None:
    """Register the widgets with the host's home page and their templates."""
    from app.home_widgets import register_home_widget
    from plugins.reports.dashboards import widgets

    app.register_blueprint(
        Blueprint("reports_dashboards", __name__, template_folder=os.path.join(HERE, "templates"))
    )
    register_home_widget(app, "centre_today", widgets.centre_today, {"Manager", "Admin"}, 10)
    register_home_widget(app, "department_overdue", widgets.department_overdue, {"Supervisor"}, 10)
    register_home_widget(app, "handler_today", widgets.handler_today, {"Handler", "Supervisor"}, 20)
    register_home_widget(app, "agent_today", widgets.agent_today, {"Agent"}, 20)
    register_home_widget(app, "my_queues", widgets.my_queues, None, 30)
