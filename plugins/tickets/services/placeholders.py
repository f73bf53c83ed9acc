"""Placeholders in canned replies: {ticket.number}, {客户姓名}, {field.<code>}, ...

A small regex renderer instead of str.format: a reply body is written by users, and
str.format would let `{ticket.__class__}` or `{0:>999999}` reach Python attributes or
burn CPU. Here a placeholder is a name looked up in a plain dict of strings, once; the
inserted values are never scanned again, and anything unknown stays as typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.tickets.models import FieldDefinition, Ticket
from plugins.tickets.services.labels import current_lang

PLACEHOLDER = re.compile(r"\{([^{}\s]{1,80})\}")
FIELD_PREFIX = "field."

#: Canonical names and their zh aliases (one value each).
NAMES: dict[str, tuple[str, ...]] = {
    "ticket.number": ("工单编号",),
    "ticket.subject": ("工单标题",),
    "customer.name": ("客户姓名",),
    "category": ("分类",),
    "department": ("部门",),
    "agent.name": ("坐席姓名",),
}
ALIASES = {alias: name for name, aliases in NAMES.items() for alias in aliases}
KNOWN = frozenset(NAMES) | frozenset(ALIASES)


def names_in(template: str) -> list[str]:
    """Every placeholder name in the text, in order, without duplicates."""
    return list(dict.fromkeys(m.group(1) for m in PLACEHOLDER.finditer(template or "")))


def unknown_names(template: str, field_codes: Iterable[str]) -> list[str]:
    """Placeholders that would not be replaced: neither a known name nor an existing field."""
    codes = set(field_codes)
    out = []
    for name in names_in(template):
        if name in KNOWN:
            continue
        if name.startswith(FIELD_PREFIX) and name[len(FIELD_PREFIX) :] in codes:
            continue
        out.append(name)
    return out


def render(template: str, values: Mapping[str, str]) -> str:
    """Replace known placeholders (canonical names, aliases, field.<code>) in one pass."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        name = ALIASES.get(name, name)
        return values[name] if name in values else match.group(0)

    return PLACEHOLDER.sub(replace, template or "")


def person_name(user: Any) -> str:
    if user is None:
        return ""
    full = f"{user.first_name or ''} {user.last_name or ''}".strip()
    return full or user.username


def field_codes(session: Session) -> list[str]:
    """Codes a {field.<code>} placeholder may name (retired fields too: old tickets have them)."""
    return list(session.scalars(select(FieldDefinition.code)))


def field_texts(session: Session, ticket: Ticket) -> dict[str, str]:
    """{code: text as shown} of the ticket's custom field values (option labels, not codes)."""
    from plugins.tickets.services import custom_fields
    from workflows import fields as ftypes

    values = custom_fields.values_of(session, ticket)
    if not values:
        return {}
    rows = session.scalars(select(FieldDefinition).where(FieldDefinition.code.in_(values)))
    lang = current_lang()
    return {
        row.code: ftypes.option_label(custom_fields.spec_of(row), values[row.code], lang)
        for row in rows
    }


def planned_field_texts(session: Session, raw: Mapping[str, Any]) -> dict[str, str]:
    """{"field.<code>": text} of values a reply is about to set (for its preview)."""
    from plugins.tickets.services import custom_fields
    from workflows import fields as ftypes

    if not raw:
        return {}
    rows = session.scalars(select(FieldDefinition).where(FieldDefinition.code.in_(list(raw))))
    out = {}
    for row in rows:
        spec = custom_fields.spec_of(row)
        try:
            stored = ftypes.coerce(spec, raw[row.code])
        except ftypes.FieldValueError:
            continue
        out[FIELD_PREFIX + row.code] = ftypes.option_label(spec, stored, current_lang())
    return out


def values_for(session: Session, actor: Any, ticket: Ticket) -> dict[str, str]:
    """The values a reply on this ticket may insert, by canonical name."""
    values = {
        "ticket.number": ticket.number or "",
        "ticket.subject": ticket.subject or "",
        "customer.name": ticket.customer.name if ticket.customer else "",
        "category": ticket.category.name if ticket.category else "",
        "department": ticket.department.name if ticket.department else "",
        "agent.name": person_name(actor),
    }
    for code, text in field_texts(session, ticket).items():
        values[FIELD_PREFIX + code] = text
    return values
