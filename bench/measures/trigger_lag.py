"""Measure 7: trigger lag. An active trigger adds a note on creation; tickets are registered
through the API at 100/s and the database is polled for the note. Lag = note first seen −
the POST's answer (the commit is just before it)."""

from __future__ import annotations

import json
import threading
import time

import psycopg

from bench.measures import client
from bench.measures.fixtures import AGENT, Fixtures

NAME = "压测：受理即备注"
MARK = "压测触发"
CONDITIONS = {
    "event": {"match": "all", "conditions": [{"field": "kind", "op": "eq", "value": "created"}]},
    "ticket": {"match": "all", "conditions": []},
}
MAX_IN_FLIGHT = 32  # a server slower than the rate shows as a lower rate_sent, not 1000 threads
ACTIONS = [{"type": "add_note", "params": {"body": MARK + " {ticket.number}"}}]


def set_trigger(url: str, active: bool) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            """INSERT INTO automation_trigger (name, description, active, sort_order,
                   conditions, actions, created_at, updated_at)
               VALUES (%s, 'bench', %s, 0, %s, %s, now(), now())
               ON CONFLICT (name) DO UPDATE SET active = EXCLUDED.active""",
            (NAME, active, json.dumps(CONDITIONS), json.dumps(ACTIONS, ensure_ascii=False)),
        )


def drain(redis_url: str, timeout: float = 60, db_url: str | None = None) -> dict:
    """Wait until the workers are up and the RQ queue is empty (the events of earlier
    measures), and with `db_url` until no outbox row is undelivered either: rows an earlier
    run left reach the queue only through the sweeper (every 10 s), so the queue alone looks
    empty too early. Gives up when the backlog stops shrinking for 30 s (an event that keeps
    failing) or at `timeout`; returns how long it took and what was left."""
    import redis
    from rq import Worker

    conn = redis.from_url(redis_url)
    start = time.monotonic()
    while not Worker.count(connection=conn) and time.monotonic() - start < min(timeout, 90):
        time.sleep(0.5)
    db = psycopg.connect(db_url, autocommit=True) if db_url else None

    def backlog() -> tuple[int, int]:
        undelivered = 0
        if db is not None:
            row = db.execute("SELECT count(*) FROM ticket_outbox WHERE delivered_at IS NULL")
            undelivered = row.fetchone()[0]
        return conn.llen("rq:queue:default"), undelivered

    try:
        first = best = backlog()
        best_at = time.monotonic()
        while any(backlog()) and time.monotonic() - start < timeout:
            now = backlog()
            if sum(now) < sum(best):
                best, best_at = now, time.monotonic()
            elif time.monotonic() - best_at > 30:
                break
            time.sleep(0.5)
        left = backlog()
    finally:
        if db is not None:
            db.close()
    waited = time.monotonic() - start
    done = sum(first) - sum(left)
    return {"jobs": first[0], "undelivered": first[1], "seconds": round(waited, 1),
            "left": left[0], "left_undelivered": left[1],
            "per_s": round(done / waited, 1) if waited > 1 else None}  # fmt: skip


def measure(url: str, fx: Fixtures, redis_url: str, rate: int = 100, seconds: int = 5) -> dict:
    backlog = drain(redis_url, 240, db_url=url)
    token = client.jwt(AGENT)
    body = {"subject": "触发延迟", "description": "bench", "category_id": fx.intake_category_id,
            "caller_number": "13800138000"}  # fmt: skip
    answered: dict[int, float] = {}
    errors: list[str] = []
    lock = threading.Lock()

    def post() -> None:
        status, data = client.call("POST", "/api/v1/ticket/", body=body, token=token)
        now = time.monotonic()
        with lock:
            if status == 201:
                answered[data["id"]] = now
            else:
                errors.append(f"{status} {str(data)[:100]}")

    set_trigger(url, True)
    seen: dict[int, float] = {}
    done = threading.Event()
    poller = threading.Thread(target=_poll, args=(url, answered, seen, done, lock))
    poller.start()
    try:
        threads, start = [], time.monotonic()
        slots = threading.Semaphore(MAX_IN_FLIGHT)
        for i in range(rate * seconds):  # paced: one POST every 1/rate s, each on its thread
            time.sleep(max(0.0, start + i / rate - time.monotonic()))
            slots.acquire()
            t = threading.Thread(target=lambda: (post(), slots.release()))
            t.start()
            threads.append(t)
        for t in threads:
            t.join()
        sent_s = time.monotonic() - start
        done.set()
        poller.join()
    finally:
        done.set()
        set_trigger(url, False)
    lags = [(seen[k] - answered[k]) * 1000 for k in seen]
    return {"backlog_before": backlog, "events": len(answered),
            "rate_sent": round(len(answered) / sent_s, 1),
            "effects_seen": len(seen), "errors": len(errors) + len(answered) - len(seen),
            "error_sample": errors[:3], **client.percentiles(lags)}  # fmt: skip


def _poll(url: str, answered: dict, seen: dict, done: threading.Event, lock,
          timeout: float = 240) -> None:  # fmt: skip
    """Every 20 ms: which answered tickets have the note now (until all, or timeout after
    the last POST)."""
    deadline = None
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            with lock:
                waiting = [k for k in answered if k not in seen]
            if done.is_set():
                deadline = deadline or time.monotonic() + timeout
                if not waiting or time.monotonic() > deadline:
                    return
            if waiting:
                rows = conn.execute(
                    """SELECT DISTINCT ticket_id FROM ticket_comment
                       WHERE ticket_id = ANY(%s) AND body LIKE %s""",
                    (waiting, MARK + "%"),
                ).fetchall()
                now = time.monotonic()
                for (ticket_id,) in rows:
                    seen[ticket_id] = now
            time.sleep(0.02)
