"""Weekly QA sampling (抽检): the right share per handler, rounding up, never a ticket twice;
the job on a real Redis with an in-process worker, rescheduling itself for next Monday."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import func, select

from plugins.quality import jobs
from plugins.quality.models import QaSample
from plugins.quality.services import reviews
from plugins.quality.services.sampling import check_rate, sample_period, target
from plugins.tickets.models import Ticket, TicketEvent
from plugins.tickets.services.errors import ValidationFailed
from tests.web.test_quality import resolved, wipe_quality

# A week of 2021 in Asia/Shanghai, as naive UTC bounds: Monday 7 June … Monday 14 June.
START = dt.datetime(2021, 6, 6, 16)
END = dt.datetime(2021, 6, 13, 16)


@pytest.fixture(autouse=True)
def clean(db):
    wipe_quality(db)
    yield
    db.rollback()
    wipe_quality(db)


@pytest.fixture
def week(db, build):
    """Resolved in the week: tech 10, fin 7, after 1; plus one of tech's just after it."""
    made: dict[str, list[int]] = {"tech": [], "fin": [], "after": []}
    for handler, category, n in (("tech", "REPAIR", 10), ("fin", "BILLING", 7),
                                 ("after", "COMPLAINT", 1)):  # fmt: skip
        for i in range(n):
            at = START + dt.timedelta(hours=2 + i * 12)
            made[handler].append(resolved(db, build, category, handler, at=at).id)
    outside = resolved(db, build, "REPAIR", "tech", at=END + dt.timedelta(minutes=1))
    return made, outside.id


def _picked(db) -> dict[int, int]:
    """ticket id → handler id of every sample."""
    return dict(db.execute(select(QaSample.ticket_id, QaSample.handler_id)).all())


def test_rounding_rule():
    assert [target(n, 30, None) for n in (0, 1, 7, 10, 11)] == [0, 1, 3, 3, 4]
    assert [target(n, None, 2) for n in (0, 1, 5)] == [0, 1, 2]
    assert target(10, 100, None) == 10
    for bad in ((None, None), (0, None), (101, None), (None, 0), (10, 2)):
        with pytest.raises(ValidationFailed):
            check_rate(*bad)


def test_share_per_handler_and_no_ticket_twice(db, build, week):
    made, outside = week
    users = {name: build.user(name).id for name in made}
    added = sample_period(db, START, END, percent=30, rng=random.Random(1))
    picked = _picked(db)
    # ceil(10 × 30 %) = 3, ceil(7 × 30 %) = ceil(2.1) = 3, ceil(1 × 30 %) = 1.
    assert Counter(picked.values()) == {users["tech"]: 3, users["fin"]: 3, users["after"]: 1}
    assert len(added) == 7 and outside not in picked
    for name, ids in made.items():
        assert {t for t, h in picked.items() if h == users[name]} <= set(ids)
    assert {s.period_start for s in added} == {dt.date(2021, 6, 7)}
    assert {s.department_id for s in added if s.handler_id == users["fin"]} == {
        build.department("FIN").id
    }

    # The same run again picks nothing; a higher share tops up without repeating a ticket.
    assert sample_period(db, START, END, percent=30) == []
    sample_period(db, START, END, percent=50, rng=random.Random(2))
    again = _picked(db)
    assert set(picked) <= set(again)
    assert Counter(again.values()) == {users["tech"]: 5, users["fin"]: 4, users["after"]: 1}
    assert db.scalar(select(func.count(func.distinct(QaSample.ticket_id)))) == len(again) == 10


def test_a_ticket_qa_picked_counts_and_is_not_picked_again(db, build, week):
    made, _ = week
    qa, tech = build.user("qa"), build.user("tech").id
    manual = reviews.pick(db, qa, db.get(Ticket, made["tech"][0]))
    sample_period(db, START, END, per_person=2, rng=random.Random(3))
    rows = db.scalars(select(QaSample).where(QaSample.handler_id == tech)).all()
    assert len(rows) == 2 and manual.id in {r.id for r in rows}
    assert sorted(r.source for r in rows) == ["auto", "manual"]


def _independent_targets(db, start, end, percent) -> dict[int, int]:
    """Per handler, the share of tickets resolved in [start, end), computed apart from the
    service: the actor of each ticket's last resolve event, counted in Python."""
    rows = db.execute(
        select(TicketEvent.ticket_id, TicketEvent.id, TicketEvent.actor_id)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(
            Ticket.resolved_at >= start, Ticket.resolved_at < end, TicketEvent.action == "resolve"
        )  # fmt: skip
    ).all()
    last: dict[int, tuple[int, int]] = {}
    for ticket_id, event_id, actor_id in rows:
        if ticket_id not in last or event_id > last[ticket_id][0]:
            last[ticket_id] = (event_id, actor_id)
    counts = Counter(actor for _, actor in last.values())
    return {h: -(-n * percent // 100) for h, n in counts.items()}  # ceil for integer percent


def test_weekly_job_on_redis_samples_last_week_and_reschedules(app, redis_url, db, build):
    start, end = jobs.last_week(jobs.utcnow())
    for i, (handler, category) in enumerate([("tech", "REPAIR")] * 5 + [("fin", "BILLING")] * 3):
        resolved(db, build, category, handler, at=start + dt.timedelta(hours=3 + i))
    queue = jobs.queue_for(redis_url)
    old = {k: app.config.get(k) for k in ("REDIS_URL", "QA_SAMPLE_PERCENT")}
    app.config.update(REDIS_URL=redis_url, QA_SAMPLE_PERCENT=40)
    try:
        expected = _independent_targets(db, start, end, 40)
        # Demo tickets resolved last week count too: at least ours are there.
        assert expected[build.user("tech").id] >= 2 and expected[build.user("fin").id] >= 2
        queue.enqueue(jobs.run_weekly, job_id=jobs.JOB_ID)
        SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(
            burst=True
        )
        first = Counter(db.scalars(select(QaSample.handler_id)))
        assert dict(first) == expected
        # It scheduled its successor for next Monday 02:00 Shanghai, under that Monday's id.
        scheduled = queue.scheduled_job_registry
        next_id = jobs.job_id_for(jobs.next_run(jobs.utcnow()))
        assert next_id in scheduled.get_job_ids()
        when = scheduled.get_scheduled_time(next_id).replace(tzinfo=None)
        local = when + jobs.OFFSET
        assert local.weekday() == 0 and local.time() == dt.time(2, 0) and when > jobs.utcnow()
        assert next_id.endswith(local.strftime("%Y%m%d"))
        jobs.ensure_scheduled(queue)  # already armed: nothing added
        jobs.worker_hook(True)
        ours = [j for j in scheduled.get_job_ids() if j.startswith(jobs.JOB_ID)]
        assert ours == [next_id]
        # A second run over the same week adds nothing.
        assert jobs.run_weekly(reschedule=False) == 0
        assert Counter(db.scalars(select(QaSample.handler_id))) == first
        assert db.scalar(select(func.count(func.distinct(QaSample.ticket_id)))) == sum(
            first.values()
        )
    finally:
        app.config.update(old)
        for job_id in queue.scheduled_job_registry.get_job_ids():
            if job_id.startswith(jobs.JOB_ID):
                queue.scheduled_job_registry.remove(job_id)
        for key in queue.connection.keys(f"rq:job:{jobs.JOB_ID}*"):
            queue.connection.delete(key)


def test_week_bounds_in_shanghai():
    # Wednesday 25 Nov 2026, 10:00 Shanghai → the week of Monday 16 Nov.
    now = dt.datetime(2026, 11, 25, 2)
    assert jobs.last_week(now) == (dt.datetime(2026, 11, 15, 16), dt.datetime(2026, 11, 22, 16))
    # Monday 01:00 Shanghai runs at 02:00 the same day; at 02:00 the next week.
    assert jobs.next_run(dt.datetime(2026, 11, 22, 17)) == dt.datetime(2026, 11, 22, 18)
    assert jobs.next_run(dt.datetime(2026, 11, 22, 18)) == dt.datetime(2026, 11, 29, 18)
