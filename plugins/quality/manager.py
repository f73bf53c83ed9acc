"""Registers the quality addon with Flask-AppBuilder. Registration only, no logic."""

from __future__ import annotations

from flask_appbuilder.basemanager import BaseManager


class QualityManager(BaseManager):
    def pre_process(self) -> None:
        from plugins.quality import models  # noqa: F401 - tables in the metadata

    def register_views(self) -> None:
        pass

    def init_data(self) -> None:
        pass
