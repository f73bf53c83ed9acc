"""Handlers of outbox events: each runs at most once per event (claimed in the database)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from plugins.automation.outbox.models import HandledEvent
from plugins.tickets.models import OutboxEvent
from plugins.tickets.models.base import utcnow

Handler = Callable[[Session, OutboxEvent], None]
_HANDLERS: dict[str, Handler] = {}


def register(name: str, handler: Handler) -> None:
    """Add a handler; `name` is its idempotency key with the event id (keep it stable)."""
    _HANDLERS[name] = handler


def registered() -> dict[str, Handler]:
    return dict(_HANDLERS)


def claim_all(session: Session, event_id: int, names: list[str]) -> set[str]:
    """Claim every handler of one event in one statement; the names this run may run.

    The same claim as `claim`, one round trip instead of one per handler: every handler of
    a delivery runs in the same transaction and commits with the claims, so claiming them
    all first changes nothing but the cost.
    """
    if not names:
        return set()
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    now = utcnow()
    stmt = (
        insert(HandledEvent)
        .on_conflict_do_nothing(index_elements=["event_id", "handler"])
        .returning(HandledEvent.handler)
    )
    # Rows as parameters (one INSERT .. VALUES (..), (..) on the wire, "insertmanyvalues"),
    # not in .values(): that form has no cache key and is compiled again on every call.
    rows = [{"event_id": event_id, "handler": name, "handled_at": now} for name in names]
    return set(session.scalars(stmt, rows))


def claim(session: Session, event_id: int, name: str) -> bool:
    """Insert the (event, handler) row; False when another run already did (then skip).

    INSERT .. ON CONFLICT DO NOTHING needs no savepoint (SQLite's driver mishandles them)
    and does not abort a PostgreSQL transaction. The row is committed with the handler's own
    changes, so a crash before the commit leaves nothing claimed and the next delivery runs
    the handler again; a concurrent run blocks on the unique key until the first commits.
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(HandledEvent)
        .values(event_id=event_id, handler=name, handled_at=utcnow())
        .on_conflict_do_nothing(index_elements=["event_id", "handler"])
        .returning(HandledEvent.id)
    )
    # RETURNING, not rowcount: psycopg reports no reliable rowcount for this statement.
    return session.execute(stmt).first() is not None
