"""The SLA engine's one clock: every "now" of syncing, scheduling, firing and escalating
comes from `now()`, so a test (or a replay) can run a chain at chosen instants.

`frozen(at)` pins it for a block; nothing else reads the wall clock in this package.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from plugins.tickets.models.base import utcnow

_pinned: dt.datetime | None = None


def now() -> dt.datetime:
    """The current instant as the columns hold it (naive UTC)."""
    return _pinned if _pinned is not None else utcnow()


def set_now(at: dt.datetime | None) -> None:
    """Pin the clock at `at` (aware instants are converted to naive UTC); None unpins."""
    global _pinned
    if at is not None and at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    _pinned = at


@contextmanager
def frozen(at: dt.datetime) -> Iterator[None]:
    """`now()` answers `at` inside the block (the previous pin comes back after it)."""
    previous = _pinned
    set_now(at)
    try:
        yield
    finally:
        set_now(previous)
