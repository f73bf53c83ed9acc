"""Comments and attachments on a ticket."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from typing import IO

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from plugins.tickets.models import Attachment, Comment, Ticket
from plugins.tickets.models.base import utcnow
from plugins.tickets.services import outbox, trajectory
from plugins.tickets.services.errors import ValidationFailed
from plugins.tickets.services.tickets import check_writable

COMMENT_MAX = 20_000


def add_comment(
    session: Session,
    actor: object,
    ticket: Ticket,
    body: str,
    *,
    is_public: bool = False,
    now: dt.datetime | None = None,
    commit: bool = True,
) -> Comment:
    """Add a public reply or an internal note; it appears in the trajectory."""
    now = now or utcnow()
    check_writable(session, actor, ticket)
    text = (body or "").strip() if isinstance(body, str) else ""
    if not text:
        raise ValidationFailed(
            _("Please correct the errors below."), {"body": _("Write something.")}
        )
    if len(text) > COMMENT_MAX:
        raise ValidationFailed(
            _("Please correct the errors below."),
            {"body": _("Text is longer than %(n)d characters.", n=COMMENT_MAX)},
        )
    comment = Comment(
        ticket=ticket, author_id=actor.id, body=text, is_public=bool(is_public), created_at=now
    )
    session.add(comment)
    event = trajectory.record(
        session,
        actor,
        ticket,
        "reply" if is_public else "note",
        now=now,
        from_status=ticket.status,
        from_department_id=ticket.department_id,
        note=text[:500],
    )
    session.flush()  # the comment's id for the payload
    outbox.add(
        session, ticket, event, "ticket.comment",
        {"action": "reply" if is_public else "note", "comment_id": comment.id,
         "public": bool(is_public)},
    )  # fmt: skip
    if commit:
        session.commit()
    else:
        session.flush()
    return comment


def save_attachment(
    session: Session,
    actor: object,
    ticket: Ticket,
    *,
    filename: str,
    content_type: str,
    stream: IO[bytes],
    storage_dir: str,
    max_bytes: int,
    allowed_extensions: frozenset[str],
    now: dt.datetime | None = None,
) -> Attachment:
    """Store an uploaded file under the instance folder with a random name.

    Size is checked while copying, so an oversized upload never lands on disk whole.
    """
    now = now or utcnow()
    check_writable(session, actor, ticket)
    name = os.path.basename((filename or "").replace("\\", "/")).strip()[:255]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not name or ext not in allowed_extensions:
        raise ValidationFailed(
            _("Please correct the errors below."),
            {"file": _("This type of file is not allowed: %(ext)s", ext=ext or "-")},
        )
    os.makedirs(storage_dir, exist_ok=True)
    stored = secrets.token_hex(16)
    path = os.path.join(storage_dir, stored)
    size = 0
    too_big = False
    with open(path, "wb") as out:
        while chunk := stream.read(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                too_big = True
                break
            out.write(chunk)
    if too_big or size == 0:
        os.unlink(path)
        message = (
            _("The file is larger than %(mb)d MB.", mb=max_bytes // (1024 * 1024))
            if too_big
            else _("The file is empty.")
        )
        raise ValidationFailed(_("Please correct the errors below."), {"file": message})
    attachment = Attachment(
        ticket=ticket,
        filename=name,
        stored_name=stored,
        content_type=(content_type or "application/octet-stream")[:100],
        size=size,
        uploaded_by_id=actor.id,
        created_at=now,
    )
    session.add(attachment)
    trajectory.record(
        session,
        actor,
        ticket,
        "attach",
        now=now,
        from_status=ticket.status,
        from_department_id=ticket.department_id,
        note=name,
    )
    try:
        session.commit()
    except Exception:
        os.unlink(path)
        raise
    return attachment
