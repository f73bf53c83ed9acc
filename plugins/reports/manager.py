"""Registers the reports addon with Flask-AppBuilder. Registration only, no logic."""

from __future__ import annotations

from flask_appbuilder.basemanager import BaseManager


class ReportsManager(BaseManager):
    def pre_process(self) -> None:
        pass

    def register_views(self) -> None:
        pass

    def init_data(self) -> None:
        pass
