"""Dates on screen: the direct path of the default pattern says exactly what Babel says."""

from __future__ import annotations

import datetime as dt

from flask_babel import format_datetime

from app.formatting import DEFAULT_DATETIME_FORMAT, fmt_dt


def test_default_pattern_matches_babel_in_the_display_timezone(app):
    values = [
        dt.datetime(2026, 1, 1, 0, 0, 0),  # naive UTC: 08:00 in Shanghai
        dt.datetime(2026, 10, 1, 15, 59, 59),  # the day changes in Shanghai
        dt.datetime(2026, 2, 28, 16, 0, 0, 123456, tzinfo=dt.UTC),
    ]
    with app.test_request_context():
        for value in values:
            aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
            assert fmt_dt(value) == format_datetime(aware, DEFAULT_DATETIME_FORMAT)
        assert fmt_dt(dt.datetime(2026, 10, 1, 15, 59, 59)) == "2026-10-01 23:59:59"
        assert fmt_dt(None) == ""


def test_another_pattern_goes_through_babel(app, monkeypatch):
    monkeypatch.setitem(app.config, "DATETIME_FORMAT", "yyyy/MM/dd HH:mm")
    with app.test_request_context():
        assert fmt_dt(dt.datetime(2026, 10, 1, 15, 59, 59)) == "2026/10/01 23:59"
