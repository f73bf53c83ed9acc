"""Internal notes on many tickets at once: what add_comment writes, one INSERT per table.

For writers that note hundreds of tickets in one transaction (the SLA sweep). Each note
gets the rows `comments.add_comment(..., is_public=False)` gives it — the Comment, the
"note" trajectory row with the fields `trajectory.record` sets, the "ticket.comment"
outbox row with the same payload — after the same checks, but as three multi-row INSERTs
with RETURNING instead of a unit-of-work flush per note. Like add_comment, no ticket
column changes.

The rows skip the unit of work, so `session.new` never lists the outbox rows: the caller
gets their ids and hands them to whatever enqueues outbox rows after commit.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import JSON, insert, text
from sqlalchemy.orm import Session

from plugins.tickets.models import Comment, OutboxEvent, Ticket, TicketEvent
from plugins.tickets.models.base import utcnow
from plugins.tickets.services.comments import COMMENT_MAX
from plugins.tickets.services.errors import DomainError
from plugins.tickets.services.outbox import CONTEXT_KEY
from plugins.tickets.services.tickets import check_writable


@dataclass
class NotesWritten:
    """Ids of the rows written, in the order of the notes kept; refused tickets apart."""

    comment_ids: list[int] = field(default_factory=list)
    event_ids: list[int] = field(default_factory=list)
    outbox_ids: list[int] = field(default_factory=list)
    #: ticket id → why no note (archived, out of the actor's scope, empty or too long text).
    skipped: dict[int, str] = field(default_factory=dict)


def _refusal(session: Session, actor: object, ticket: Ticket, text: str) -> str | None:
    """add_comment's checks, as a message instead of an exception."""
    try:
        check_writable(session, actor, ticket)
    except DomainError as err:
        return err.message
    if not text or len(text) > COMMENT_MAX:
        return "empty or too long note"
    return None


def _ids(session: Session, model, rows: list[dict]) -> list[int]:
    """Insert `rows` in one statement; their ids in the order of `rows`."""
    if session.get_bind().dialect.name == "postgresql":
        return _pg_ids(session, model.__table__, rows)
    # sort_by_parameter_order: the returned ids follow the order of `rows` whatever the
    # driver's batching, so row i of one table pairs with row i of the next. render_nulls:
    # one statement even where a value is None (by default the ORM groups the rows by the
    # keys that are not None).
    stmt = (
        insert(model)
        .returning(model.id, sort_by_parameter_order=True)
        .execution_options(render_nulls=True)
    )
    return list(session.scalars(stmt, rows))


def _pg_ids(session: Session, table, rows: list[dict]) -> list[int]:
    """PostgreSQL: the rows as one JSON document through json_to_recordset. A VALUES list
    of 500 rows is a 150 kB statement the driver parses on every call, and arrays of text
    are escaped value by value in Python (tens of ms each); json.dumps is quick.

    Rows are inserted in ORDER BY ordinality, so the serial ids rise in the order of `rows`
    (what SQLAlchemy's sort_by_parameter_order relies on for PostgreSQL too): sorting the
    returned ids restores it; the ticket ids returned alongside check the pairing.
    """
    names = list(rows[0])
    dialect = session.get_bind().dialect
    json_columns = {n for n in names if isinstance(table.c[n].type, JSON)}
    # JSON columns travel as their text (None as JSON null, like the ORM stores it; the
    # record would turn a JSON null into SQL NULL), the others as JSON values.
    record = ", ".join(
        f"{n} {'TEXT' if n in json_columns else table.c[n].type.compile(dialect=dialect)}"
        for n in names
    )
    picked = ", ".join(f"CAST({n} AS JSON)" if n in json_columns else n for n in names)
    sql = text(
        # Table and column names come from the model, never from input.
        f"INSERT INTO {table.name} ({', '.join(names)}) SELECT {picked} "  # noqa: S608
        f"FROM ROWS FROM (json_to_recordset(CAST(:rows AS JSON)) AS ({record})) "
        f"WITH ORDINALITY AS src({', '.join(names)}, n) ORDER BY n RETURNING id, ticket_id"
    )
    document = [
        {n: json.dumps(row[n]) if n in json_columns else row[n] for n in names} for row in rows
    ]
    returned = sorted(
        session.execute(sql, {"rows": json.dumps(document, default=_iso, ensure_ascii=False)}).all()
    )
    if [r.ticket_id for r in returned] != [row["ticket_id"] for row in rows]:
        raise RuntimeError(f"{table.name}: bulk insert returned rows out of order")
    return [r.id for r in returned]


def _iso(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def add_notes(
    session: Session,
    actor: object,
    notes: Sequence[tuple[Ticket, str]],
    *,
    now: dt.datetime | None = None,
) -> NotesWritten:
    """Add an internal note by `actor` to each ticket (one ticket may get several).

    Tickets the actor may not write (archived, out of scope) get no note and are listed in
    `skipped`, where add_comment would raise. The caller commits.
    """
    now = now or utcnow()
    out = NotesWritten()
    kept: list[tuple[Ticket, str]] = []
    for ticket, body in notes:
        text = body.strip() if isinstance(body, str) else ""
        refusal = _refusal(session, actor, ticket, text)
        if refusal is None:
            kept.append((ticket, text))
        else:
            out.skipped[ticket.id] = refusal
    if not kept:
        return out
    actor_id = getattr(actor, "id", None)
    out.comment_ids = _ids(
        session,
        Comment,
        [
            {"ticket_id": t.id, "author_id": actor_id, "body": text, "is_public": False,
             "created_at": now}
            for t, text in kept
        ],
    )  # fmt: skip
    out.event_ids = _ids(
        session,
        TicketEvent,
        [
            {
                "ticket_id": t.id, "actor_id": actor_id, "action": "note",
                "from_status": t.status, "to_status": t.status,
                "from_department_id": t.department_id, "to_department_id": t.department_id,
                "received_at": now, "started_at": now, "finished_at": now,
                "required_by": t.due_at, "note": text[:500], "changes": None,
                "created_at": now,
            }
            for t, text in kept
        ],
    )  # fmt: skip
    context = session.info.get(CONTEXT_KEY, {})
    out.outbox_ids = _ids(
        session,
        OutboxEvent,
        [
            {
                "ticket_id": t.id, "event_id": event_id, "kind": "ticket.comment",
                "payload": {"ticket_id": t.id, "status": t.status, **context,
                            "action": "note", "comment_id": comment_id, "public": False},
                "created_at": now, "attempts": 0,
            }
            for (t, _text), comment_id, event_id in zip(
                kept, out.comment_ids, out.event_ids, strict=True
            )
        ],
    )  # fmt: skip
    return out
