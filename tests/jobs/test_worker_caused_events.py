"""A dispatch job delivers the events its own handlers cause (a trigger's note) itself, right
after its commit, instead of enqueueing a job for each; what it cannot deliver in process is
enqueued as before. Triggers read only the event facts their conditions test.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from plugins.automation.outbox import handlers, jobs, relay
from plugins.automation.outbox.models import HandledEvent
from plugins.automation.triggers.models import Trigger, TriggerRun
from plugins.tickets.models import Comment, OutboxEvent

CREATED = [{"field": "kind", "op": "eq", "value": "created"}]
NOTE = "已受理 {ticket.number}"


@pytest.fixture
def queue(outbox_queue, db):
    """The outbox queue (conftest), with no rules but the test's."""
    db.execute(delete(TriggerRun))
    db.execute(delete(Trigger))
    db.commit()
    yield outbox_queue
    db.rollback()
    db.execute(delete(TriggerRun))
    db.execute(delete(Trigger))
    db.commit()


def rule(db, name: str, event: list, actions: list) -> Trigger:
    row = Trigger(
        name=name, sort_order=0, active=True,
        conditions={"event": {"match": "all", "conditions": event},
                    "ticket": {"match": "all", "conditions": []}},
        actions=actions,
    )  # fmt: skip
    db.add(row)
    db.commit()
    return row


def note_rule(db, event=CREATED) -> Trigger:
    return rule(db, "受理即备注", event, [{"type": "add_note", "params": {"body": NOTE}}])


def ticket_events(db, ticket_id: int) -> list[OutboxEvent]:
    db.expire_all()
    stmt = select(OutboxEvent).where(OutboxEvent.ticket_id == ticket_id).order_by(OutboxEvent.id)
    return list(db.scalars(stmt))


def notes(db, ticket) -> int:
    body = NOTE.replace("{ticket.number}", ticket.number)
    return len(db.scalars(select(Comment.id).where(Comment.ticket_id == ticket.id,
                                                   Comment.body == body)).all())  # fmt: skip


def queued_ids(queue) -> list[str]:
    return queue.get_job_ids()


def test_the_note_a_trigger_adds_is_delivered_in_the_same_job(queue, build, db):
    note_rule(db)
    ticket = build.ticket("agent", "REPAIR")
    created = ticket_events(db, ticket.id)[0]
    assert queued_ids(queue) == [relay.job_id(created.id)]  # the web's commit enqueued it

    assert jobs.dispatch(created.id) is True

    created, note = ticket_events(db, ticket.id)
    assert note.kind == "ticket.comment" and note.payload["trigger_depth"] == 1
    assert created.delivered_at is not None and note.delivered_at is not None
    assert notes(db, ticket) == 1
    # Every handler ran once for the note's event too, and no job was enqueued for it.
    claims = db.scalars(select(HandledEvent.handler).where(HandledEvent.event_id == note.id))
    assert sorted(claims) == sorted(handlers.registered())
    assert relay.job_id(note.id) not in queued_ids(queue)
    # Delivered again (the web's job runs after all): nothing new.
    assert jobs.dispatch(created.id) is True
    assert notes(db, ticket) == 1 and len(ticket_events(db, ticket.id)) == 2


def test_past_the_bound_caused_events_are_enqueued(queue, build, db, monkeypatch):
    note_rule(db)
    monkeypatch.setattr(jobs, "MAX_CAUSED", 0)
    ticket = build.ticket("agent", "REPAIR")
    created = ticket_events(db, ticket.id)[0]
    jobs.dispatch(created.id)
    created, note = ticket_events(db, ticket.id)
    assert created.delivered_at is not None and note.delivered_at is None
    assert relay.job_id(note.id) in queued_ids(queue)


def test_a_caused_event_that_fails_is_left_to_its_own_job(queue, build, db):
    note_rule(db)
    calls: list[str] = []

    def fail_on_notes(session, row) -> None:
        calls.append(row.kind)
        if row.kind == "ticket.comment":
            raise RuntimeError("boom")

    handlers.register("test-fail-on-notes", fail_on_notes)
    try:
        ticket = build.ticket("agent", "REPAIR")
        created = ticket_events(db, ticket.id)[0]
        assert jobs.dispatch(created.id) is True  # the job itself succeeds
        created, note = ticket_events(db, ticket.id)
        assert created.delivered_at is not None and notes(db, ticket) == 1
        # The note's delivery rolled back whole (no claim kept) and went to the queue.
        assert note.delivered_at is None
        assert not db.scalars(select(HandledEvent).where(HandledEvent.event_id == note.id)).all()
        assert relay.job_id(note.id) in queued_ids(queue)
        assert calls == ["ticket.created", "ticket.comment"]
    finally:
        handlers._HANDLERS.pop("test-fail-on-notes", None)


def test_a_rule_on_the_actors_role_still_sees_the_role(queue, build, db):
    """The actor's roles are read only when a rule tests them: here one does."""
    rule(db, "坐席受理", [*CREATED, {"field": "actor_role", "op": "in", "value": ["Agent"]}],
         [{"type": "add_note", "params": {"body": NOTE}}])  # fmt: skip
    rule(db, "管理员受理", [*CREATED, {"field": "actor_role", "op": "in", "value": ["Admin"]}],
         [{"type": "add_note", "params": {"body": "管理员 {ticket.number}"}}])  # fmt: skip
    ticket = build.ticket("agent", "REPAIR")
    jobs.dispatch(ticket_events(db, ticket.id)[0].id)
    assert notes(db, ticket) == 1
    runs = db.scalars(select(TriggerRun.result).join(Trigger).order_by(Trigger.name)).all()
    assert runs == ["fired"]


@pytest.mark.parametrize(
    "body, expected",
    [
        ("{ticket.number}｜{工单标题}", "{number}｜{subject}"),  # the ticket's own columns
        ("{ticket.number}｜{部门}｜{未知}", "{number}｜{department}｜{{未知}}"),  # other rows
    ],
)
def test_a_note_renders_its_placeholders(queue, build, db, body, expected):
    rule(db, "占位符", CREATED, [{"type": "add_note", "params": {"body": body}}])
    ticket = build.ticket("agent", "REPAIR", subject="停电")
    jobs.dispatch(ticket_events(db, ticket.id)[0].id)
    db.expire_all()
    note = db.scalars(select(Comment.body).where(Comment.ticket_id == ticket.id)).one()
    department = ticket.department.name if ticket.department else ""
    assert note == expected.format(number=ticket.number, subject="停电", department=department)
