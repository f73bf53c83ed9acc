"""Ticket numbers: GD + Asia/Shanghai day + per-day counter, unique under concurrency."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import select

from plugins.tickets.models import TicketSequence
from plugins.tickets.services.numbering import local_day, next_number


def test_local_day_follows_shanghai_midnight():
    # 2026-11-22 16:00 UTC is 2026-11-23 00:00 in Shanghai.
    assert local_day(dt.datetime(2026, 11, 22, 15, 59, 59)) == "20261122"
    assert local_day(dt.datetime(2026, 11, 22, 16, 0, 0)) == "20261123"


def test_numbers_count_up_per_day_and_restart_next_day(db):
    day1 = dt.datetime(2030, 1, 1, 2, 0)
    day2 = dt.datetime(2030, 1, 2, 2, 0)
    first = [next_number(db, day1) for _ in range(3)]
    db.commit()
    assert first == ["GD20300101-0001", "GD20300101-0002", "GD20300101-0003"]
    assert next_number(db, day2) == "GD20300102-0001"
    db.commit()


def test_counter_widens_past_9999(db):
    db.add(TicketSequence(day="20300301", last_value=9999))
    db.commit()
    assert next_number(db, dt.datetime(2030, 3, 1, 3, 0)) == "GD20300301-10000"
    db.commit()


def test_concurrent_intakes_get_distinct_consecutive_numbers(app):
    """Eight sessions reserving numbers at once: no duplicates, no gaps."""
    from app.extensions import db as _db

    when = dt.datetime(2030, 5, 5, 5, 0)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def worker():
        try:
            with app.app_context():
                session = _db.session
                barrier.wait(timeout=10)
                for _ in range(5):
                    number = next_number(session, when)
                    session.commit()
                    with lock:
                        results.append(number)
                session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sorted(results) == [f"GD20300505-{i:04d}" for i in range(1, 41)]
    with app.app_context():
        row = _db.session.scalar(select(TicketSequence).where(TicketSequence.day == "20300505"))
        assert row.last_value == 40
