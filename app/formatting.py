"""Display helpers: UTC in the database, Asia/Shanghai and YYYY-MM-DD HH:mm:ss on screen."""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app
from flask_babel import format_datetime


def fmt_dt(value: dt.datetime | None) -> str:
    """Format a naive-UTC datetime in the display timezone, or '' for None."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return format_datetime(value, current_app.config.get("DATETIME_FORMAT", "yyyy-MM-dd HH:mm:ss"))


def register_template_filters(app: Flask) -> None:
    app.jinja_env.filters["dt"] = fmt_dt
