"""Display helpers: UTC in the database, Asia/Shanghai and YYYY-MM-DD HH:mm:ss on screen."""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app
from flask_babel import format_datetime, get_timezone
from flask_babel import gettext as _

DEFAULT_DATETIME_FORMAT = "yyyy-MM-dd HH:mm:ss"


def fmt_dt(value: dt.datetime | None) -> str:
    """Format a naive-UTC datetime in the display timezone, or '' for None. The default
    pattern has no words to translate: it is formatted directly (a ticket page shows ~100
    times, and Babel's formatter costs ten times more)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    pattern = current_app.config.get("DATETIME_FORMAT", DEFAULT_DATETIME_FORMAT)
    zone = get_timezone() if pattern == DEFAULT_DATETIME_FORMAT else None
    if zone is not None:
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
    return format_datetime(value, pattern)


def blank_if_none(value: object) -> str:
    """Empty cell instead of the text 'None' for an unset relation."""
    return "" if value is None else str(value)


def yes_no(value: object) -> str:
    """是 / 否 (Yes / No) instead of True / False."""
    if value is None:
        return ""
    return str(_("Yes")) if value else str(_("No"))


def filesize(num_bytes: int | None) -> str:
    """Human file size: bytes below 1 KB, else KB or MB with one decimal."""
    if num_bytes is None:
        return ""
    if num_bytes < 1024:
        return f"{num_bytes} B"
    if num_bytes < 1024 * 1024:
        return f"{num_bytes / 1024:.1f} KB"
    return f"{num_bytes / (1024 * 1024):.1f} MB"


def minutes(value: int | None) -> str:
    """A duration in minutes as 2天3小时 / 3小时5分 / 12分 (translated units)."""
    if value is None:
        return ""
    days, rest = divmod(int(value), 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)dd %(h)dh", d=days, h=hours)
    if hours:
        return _("%(h)dh %(m)dm", h=hours, m=mins)
    return _("%(m)dm", m=mins)


def register_template_filters(app: Flask) -> None:
    app.jinja_env.filters["minutes"] = minutes
    app.jinja_env.filters["dt"] = fmt_dt
    app.jinja_env.filters["filesize"] = filesize
