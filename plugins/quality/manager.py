"""Registers the quality addon with Flask-AppBuilder. Registration only, no logic."""

from __future__ import annotations

import os

from flask import Blueprint, current_app
from flask_appbuilder.basemanager import BaseManager
from flask_babel import lazy_gettext as _l

CATEGORY = "Quality"


class QualityManager(BaseManager):
    def pre_process(self) -> None:
        from plugins.quality import models  # noqa: F401 - tables in the metadata

    def register_views(self) -> None:
        """质检: scorecards (admins), reviews (QA), my results (staff), appeals
        (supervisors), figures (managers, QA, supervisors); two REST resources."""
        from plugins.quality.api import QaReviewApi, ScorecardApi
        from plugins.quality.views.figures import QaFiguresView
        from plugins.quality.views.reviews import MyQaResultsView, QaAppealsView, QaReviewView
        from plugins.quality.views.scorecards import ScorecardView

        here = os.path.dirname(os.path.abspath(__file__))
        current_app.register_blueprint(
            Blueprint("quality_addon", __name__, template_folder=os.path.join(here, "templates"))
        )
        for view, name, label, icon in (
            (QaReviewView, "QA Reviews", _l("QA reviews"), "fa-check-square-o"),
            (MyQaResultsView, "My QA Results", _l("My QA results"), "fa-star-half-o"),
            (QaAppealsView, "QA Appeals", _l("QA appeals"), "fa-gavel"),
            (QaFiguresView, "QA Figures", _l("QA figures"), "fa-bar-chart"),
            (ScorecardView, "Scorecards", _l("Scorecards"), "fa-list-ol"),
        ):
            self.appbuilder.add_view(
                view, name, label=label, icon=icon, category=CATEGORY,
                category_label=_l("Quality"), category_icon="fa-check-circle",
            )  # fmt: skip
        from app.menu_badges import register_badge
        from plugins.quality.panel import open_appeals_badge, panel
        from plugins.tickets.panels import register_panel

        register_panel(current_app, "quality", panel)
        register_badge(current_app, "QA Appeals", open_appeals_badge)
        from app.worker import register_worker_hook
        from plugins.quality.jobs import worker_hook

        register_worker_hook(current_app, "quality", worker_hook)
        self.appbuilder.add_api(ScorecardApi)
        self.appbuilder.add_api(QaReviewApi)

    def init_data(self) -> None:
        """Called by `flask init`: arm the weekly sampling when a Redis is configured."""
        from plugins.quality.jobs import ensure_scheduled, queue_for

        ensure_scheduled(queue_for(current_app.config.get("REDIS_URL")))
