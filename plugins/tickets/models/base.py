"""Shared column helpers."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """Naive UTC now: every timestamp is stored in UTC and shown in Asia/Shanghai."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
