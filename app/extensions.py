"""Extension singletons. One metadata for Flask-AppBuilder's ab_* tables and ours."""

from __future__ import annotations

from flask_appbuilder import Model
from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate

db = SQLA(model_class=Model)
migrate = Migrate()
