"""The RQ worker class: builds the Flask app once, before jobs fork.

RQ forks a work horse per job. Without this, every job would build the whole app again
(about a second); with the app context pushed in the parent, each horse inherits it, and
jobs find it as `current_app`.
"""

from __future__ import annotations

import os

from rq import Worker


class AppWorker(Worker):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from app import create_app

        self.flask_app = create_app()
        self.flask_app.app_context().push()
        self._app_pid = os.getpid()

    def execute_job(self, job, queue):
        # Connections opened by the parent must not be shared with the horse: drop the
        # pool (without closing the parent's sockets) so the horse opens its own.
        for engine in self.flask_app.extensions["sqlalchemy"].engines.values():
            engine.dispose(close=False)
        return super().execute_job(job, queue)
