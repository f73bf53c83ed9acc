"""Registers the automation addon with Flask-AppBuilder. Registration only, no logic.

For now it wires the outbox relay (ticket events reach RQ after commit) and arms the
sweeper at `flask init`; trigger, SLA and channel screens land here later.
"""

from __future__ import annotations

from flask import current_app
from flask_appbuilder.basemanager import BaseManager


class AutomationManager(BaseManager):
    def pre_process(self) -> None:
        from plugins.automation.outbox import models  # noqa: F401 - tables in the metadata
        from plugins.automation.outbox.relay import install

        install(self.appbuilder.session.session_factory)

    def init_data(self) -> None:
        """Called by `flask init`: start the sweep chain when a Redis is configured."""
        from plugins.automation.outbox.jobs import ensure_sweeper
        from plugins.automation.outbox.queue import queue_for

        queue = queue_for(current_app.config.get("REDIS_URL"))
        if queue is not None:
            ensure_sweeper(queue)
