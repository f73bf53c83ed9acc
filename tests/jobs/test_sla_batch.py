"""The sweep fires a batch set-based: claims in one UPDATE per kind, notes in one INSERT per
table (the same rows add_comment writes), their outbox rows enqueued after commit; it
re-syncs only the tickets whose clocks may be stale (an undelivered outbox row that is not
an internal note, or a merge master), and a second sweep finds nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from plugins.automation.outbox import relay
from plugins.automation.sla import engine
from plugins.automation.sla.firing import process_due, stale_ticket_ids
from plugins.automation.sla.models import SlaClock
from plugins.automation.sla.system_user import system_user
from plugins.tickets.models import Comment, OutboxEvent, Ticket, TicketEvent
from plugins.tickets.models.base import utcnow
from plugins.tickets.services.actions import apply_action
from plugins.tickets.services.bulk_notes import add_notes
from plugins.tickets.services.comments import add_comment
from plugins.tickets.services.tickets import ARCHIVED, create_ticket

HOUR = {"resolve": {"kind": "calendar_minutes", "amount": 60, "warn_percent": 75}}
ACCEPT = {"accept": {"kind": "calendar_minutes", "amount": 20, "warn_percent": 50}}


@pytest.fixture
def policy(sla_policies):
    """Policies ahead of any other (sort_order -2000)."""
    return lambda name, targets, **values: sla_policies(
        name, targets, **{"sort_order": -2000, **values}
    )


@pytest.fixture
def relayed(outbox_queue):
    """The outbox relay on the session and a queue the test can read (conftest)."""
    return outbox_queue


def _ticket(db, build, at: dt.datetime, **values) -> Ticket:
    """A ticket whose events the worker has delivered (its clocks synced by the handler)."""
    data = {"subject": "SLA 批量", "category_id": build.category("REPAIR").id, **values}
    ticket = create_ticket(db, build.user("agent"), data, now=at)
    engine.sync_ticket(db, ticket)
    _deliver(db, ticket)
    return ticket


def _deliver(db, ticket: Ticket) -> None:
    db.execute(
        update(OutboxEvent)
        .where(OutboxEvent.ticket_id == ticket.id, OutboxEvent.delivered_at.is_(None))
        .values(delivered_at=utcnow())
    )
    db.commit()


def _clock(db, ticket: Ticket, metric: str) -> SlaClock:
    return db.scalar(
        select(SlaClock).where(SlaClock.ticket_id == ticket.id, SlaClock.metric == metric)
    )


@pytest.fixture
def spy_sync(monkeypatch):
    synced: list[int] = []
    real = engine.sync_ticket

    def spy(session, ticket):
        synced.append(ticket.id)
        return real(session, ticket)

    monkeypatch.setattr(engine, "sync_ticket", spy)
    return synced


def test_batch_fires_each_once_with_a_note_and_an_outbox_event(
    db, build, policy, relayed, spy_sync
):
    policy("批量一小时", HOUR)
    now = utcnow()
    tickets = [_ticket(db, build, now - dt.timedelta(minutes=50)) for _ in range(4)]
    clocks = {t.id: _clock(db, t, "resolve").id for t in tickets}
    spy_sync.clear()

    fired = process_due(db, now)

    assert sorted(i for i in fired["warn"] if i in clocks.values()) == sorted(clocks.values())
    assert not set(fired["breach"]) & set(clocks.values())
    assert not set(spy_sync) & set(clocks)  # delivered: nothing to re-sync
    system = system_user(db)
    db.expire_all()
    for ticket in tickets:
        assert _clock(db, ticket, "resolve").warned_at == now
        comment = db.scalars(select(Comment).where(Comment.ticket_id == ticket.id)).one()
        assert not comment.is_public and comment.author_id == system.id
        assert "UTC" in comment.body  # the deadline, in the note's text
        note = db.scalars(
            select(TicketEvent).where(
                TicketEvent.ticket_id == ticket.id, TicketEvent.action == "note"
            )
        ).one()  # visible in the trajectory
        assert note.note == comment.body and note.actor_id == system.id
        assert note.to_status == ticket.status and note.required_by == ticket.due_at
        rows = db.scalars(
            select(OutboxEvent).where(
                OutboxEvent.ticket_id == ticket.id, OutboxEvent.kind == "ticket.comment"
            )
        ).all()
        assert len(rows) == 1 and rows[0].event_id == note.id
        assert rows[0].payload == {
            "ticket_id": ticket.id, "status": ticket.status, "action": "note",
            "comment_id": comment.id, "public": False,
        }  # fmt: skip
        assert relayed.fetch_job(relay.job_id(rows[0].id)) is not None  # after commit
        assert db.get(SlaClock, clocks[ticket.id]).warned_at == now

    again = process_due(db, now)  # the scheduled jobs arriving late, a second sweep
    assert not set(again["warn"] + again["breach"]) & set(clocks.values())
    assert again == {"warn": [], "breach": [], "escalation": []}
    for ticket in tickets:
        assert len(db.scalars(select(Comment).where(Comment.ticket_id == ticket.id)).all()) == 1


def test_stale_clock_is_resynced_and_does_not_fire(db, build, policy, spy_sync):
    policy("批量签收", ACCEPT)
    start = utcnow() - dt.timedelta(minutes=30)
    accepted = _ticket(db, build, start)
    waiting = _ticket(db, build, start)
    assert _clock(db, accepted, "accept").due_at == start + dt.timedelta(minutes=20)
    # 签收 at 10 minutes; the worker has not delivered the event yet, so the clock row
    # still runs towards its deadline.
    apply_action(
        db, build.user("tech"), accepted, "accept", {}, accepted.version,
        now=start + dt.timedelta(minutes=10),
    )  # fmt: skip
    assert _clock(db, accepted, "accept").stopped_at is None
    assert stale_ticket_ids(db, [accepted.id, waiting.id]) == {accepted.id}
    spy_sync.clear()

    fired = process_due(db, utcnow())

    stale_clock, live_clock = _clock(db, accepted, "accept"), _clock(db, waiting, "accept")
    assert spy_sync == [accepted.id]
    assert stale_clock.id not in fired["warn"] + fired["breach"]
    assert live_clock.id in fired["warn"] and live_clock.id in fired["breach"]
    db.expire_all()
    assert _clock(db, accepted, "accept").stopped_at is not None
    assert _clock(db, accepted, "accept").breached_at is None
    assert not db.scalars(select(Comment).where(Comment.ticket_id == accepted.id)).all()
    assert len(db.scalars(select(Comment).where(Comment.ticket_id == waiting.id)).all()) == 2


def test_what_makes_a_ticket_stale(db, build, policy):
    policy("批量陈旧", HOUR)
    now = utcnow()
    noted, replied, merged = (_ticket(db, build, now - dt.timedelta(minutes=50)) for _ in "abc")
    assert stale_ticket_ids(db, [noted.id, replied.id, merged.id]) == set()
    # The sweep's own notes (and any internal note) move no clock: not stale.
    process_due(db, now)
    add_comment(db, build.user("agent"), noted, "内部备注")
    # A public reply stops the first-reply clock: stale until delivered.
    add_comment(db, build.user("agent"), replied, "您好，已受理。", is_public=True)
    # A merge master gets the child's comments without an event of its own.
    db.add(
        TicketEvent(
            ticket_id=merged.id, action="merged_in", to_status=merged.status, created_at=now
        )
    )
    db.commit()
    assert stale_ticket_ids(db, [noted.id, replied.id, merged.id]) == {replied.id, merged.id}
    _deliver(db, replied)
    assert stale_ticket_ids(db, [noted.id, replied.id, merged.id]) == {merged.id}


def test_bulk_note_rows_equal_add_comment_rows(db, build, policy):
    policy("批量等同", HOUR)
    at = utcnow() - dt.timedelta(minutes=5)
    one, other = (_ticket(db, build, at) for _ in "ab")
    system = system_user(db)
    now = utcnow()
    add_comment(db, system, one, "SLA 预警", is_public=False, now=now)
    written = add_notes(db, system, [(other, "SLA 预警")], now=now)
    db.commit()
    assert written.skipped == {} and len(written.outbox_ids) == 1
    db.expire_all()

    def rows(model, ticket, drop):
        found = (
            db.execute(
                select(model.__table__).where(model.ticket_id == ticket.id, model.created_at == now)
            )
            .one()
            ._asdict()
        )
        return {k: v for k, v in found.items() if k not in drop}

    ids = {"id", "ticket_id", "event_id"}
    assert rows(Comment, one, ids) == rows(Comment, other, ids)
    assert rows(TicketEvent, one, ids) == rows(TicketEvent, other, ids)
    a, b = rows(OutboxEvent, one, ids), rows(OutboxEvent, other, ids)
    for payload in (a["payload"], b["payload"]):
        payload.pop("ticket_id"), payload.pop("comment_id")
    assert a == b
    # The JSON column holds the same thing too (JSON null, not SQL NULL, on PostgreSQL).
    nulls = [
        db.scalar(
            select(TicketEvent.changes.is_(None)).where(
                TicketEvent.ticket_id == t.id, TicketEvent.created_at == now
            )
        )
        for t in (one, other)
    ]
    assert nulls[0] == nulls[1]


def test_archived_ticket_keeps_the_flag_without_a_note(db, build, policy):
    policy("批量归档", HOUR)
    now = utcnow()
    archived, live = (_ticket(db, build, now - dt.timedelta(minutes=50)) for _ in "ab")
    db.execute(update(Ticket.__table__).where(Ticket.id == archived.id).values(status=ARCHIVED))
    db.commit()

    fired = process_due(db, now)

    assert _clock(db, archived, "resolve").id in fired["warn"]
    assert _clock(db, live, "resolve").id in fired["warn"]
    db.expire_all()
    assert _clock(db, archived, "resolve").warned_at == now
    assert not db.scalars(select(Comment).where(Comment.ticket_id == archived.id)).all()
    assert len(db.scalars(select(Comment).where(Comment.ticket_id == live.id)).all()) == 1


def test_switched_off_policy_is_resynced_before_firing(db, build, policy, spy_sync):
    off = policy("批量停用", HOUR)
    now = utcnow()
    ticket = _ticket(db, build, now - dt.timedelta(minutes=50))
    old_clock = _clock(db, ticket, "resolve")
    assert old_clock.policy_id == off.id and old_clock.warn_at <= now
    off.active = False
    db.commit()
    assert stale_ticket_ids(db, [ticket.id]) == {ticket.id}
    spy_sync.clear()

    fired = process_due(db, now)

    assert spy_sync == [ticket.id]
    assert old_clock.id not in fired["warn"] + fired["breach"]
    db.expire_all()
    old_clock = db.get(SlaClock, old_clock.id)
    assert old_clock.stopped_at is not None or old_clock.policy_id != off.id
    assert old_clock.warned_at is None
