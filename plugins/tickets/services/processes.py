"""Process definitions in the database: seeding from workflows/definitions, versions, cache.

A row is never edited: saving a definition adds a new version, and a ticket keeps the
version it started with. Parsed processes are therefore cached by row id for good.
"""

from __future__ import annotations

from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import workflows
from plugins.tickets.models import Category, ProcessDefinition
from plugins.tickets.services.errors import ValidationFailed


def sync_builtin(session: Session) -> list[str]:
    """Store each shipped definition whose key is not in the database yet (idempotent)."""
    added = []
    for key, source in sorted(workflows.builtin_definitions().items()):
        exists = session.scalar(
            select(func.count()).select_from(ProcessDefinition).where(ProcessDefinition.key == key)
        )
        if not exists:
            process = workflows.load_process(source)
            session.add(
                ProcessDefinition(
                    key=process.key, version=1, name=process.label.zh, source=source, active=True
                )
            )
            added.append(key)
    session.commit()
    return added


def save_version(session: Session, actor: object, source: str) -> ProcessDefinition:
    """Validate YAML and store it as the next version of its key.

    Raises ValidationFailed with every definition error (each prefixed with its path).
    """
    try:
        process = workflows.load_process(source or "")
    except workflows.DefinitionError as err:
        raise ValidationFailed(
            _("The process definition has errors."), {"source": "\n".join(err.errors)}
        ) from None
    last = session.scalar(
        select(func.max(ProcessDefinition.version)).where(ProcessDefinition.key == process.key)
    )
    row = ProcessDefinition(
        key=process.key,
        version=(last or 0) + 1,
        name=process.label.zh,
        source=source,
        active=True,
        created_by_id=getattr(actor, "id", None),
    )
    session.add(row)
    session.commit()
    return row


def current_for_key(session: Session, key: str | None) -> ProcessDefinition:
    """The newest active version of a process (the default process for None)."""
    key = key or workflows.DEFAULT_PROCESS
    row = session.scalar(
        select(ProcessDefinition)
        .where(ProcessDefinition.key == key, ProcessDefinition.active.is_(True))
        .order_by(ProcessDefinition.version.desc())
        .limit(1)
    )
    if row is None and key != workflows.DEFAULT_PROCESS:
        return current_for_key(session, None)
    if row is None:
        raise LookupError("no process definitions: run `flask init`")
    return row


def for_category(session: Session, category: Category) -> ProcessDefinition:
    """The process a new ticket of this category follows (inherited from its parents)."""
    node: Category | None = category
    while node is not None:
        if node.process_key:
            return current_for_key(session, node.process_key)
        node = node.parent
    return current_for_key(session, None)


@lru_cache(maxsize=256)
def _parse(row_id: int, source: str) -> workflows.Process:
    return workflows.load_process(source)


def process_of(session: Session, process_id: int | None) -> workflows.Process:
    """The parsed process of a stored version (the default process when unset).

    A stored version never changes, so it is read once per session: the identity map holds
    rows weakly, and a list page of 25 tickets (a status label each) selected it 75 times.
    """
    memo = session.info.setdefault("process_of", {})
    if process_id and process_id in memo:
        return memo[process_id]
    row = session.get(ProcessDefinition, process_id) if process_id else None
    row = row or current_for_key(session, None)
    process = _parse(row.id, row.source)
    if process_id and row.id == process_id:
        memo[process_id] = process
    return process
