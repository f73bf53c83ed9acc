"""Scorecards (评分表): create, edit with versioning, and the ones that apply to a ticket.

Editing the scoring mode, pass score or items of a version that already has reviews adds a
new version; old reviews keep pointing at the items they were scored on. A version without
reviews is edited in place. Name, description, on/off and scope are not versioned.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from plugins.quality.models import QaReview, Scorecard, ScorecardItem, ScorecardVersion
from plugins.quality.services.access import _active
from plugins.tickets.models import Category, Department, Ticket
from plugins.tickets.models.base import utcnow
from plugins.tickets.scoping import role_names
from plugins.tickets.services.errors import Forbidden, NotFound, ValidationFailed

SCORING_MODES = ("points", "weighted")
MAX_ITEMS = 50


def _require_admin(actor: object | None) -> None:
    if not _active(actor) or "Admin" not in role_names(actor):
        raise Forbidden(_("Only an administrator may change scorecards."))


def get(session: Session, pk: int) -> Scorecard:
    row = session.get(Scorecard, pk)
    if row is None:
        raise NotFound(_("Scorecard not found."))
    return row


def _float(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    try:
        return float(raw)
    except (TypeError, ValueError):
        return None


def _ids(session: Session, model: type, raw: Any, key: str, errors: dict[str, str]) -> list:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list) or not all(isinstance(v, int) for v in raw):
        errors[key] = _("Expected a list of ids.")
        return []
    rows = list(session.scalars(select(model).where(model.id.in_(raw))))
    if len(rows) != len(set(raw)):
        errors[key] = _("Some of these no longer exist.")
    return rows


def _items(raw: Any, weighted: bool, errors: dict[str, str]) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        errors["items"] = _("A scorecard needs at least one item.")
        return []
    if len(raw) > MAX_ITEMS:
        errors["items"] = _("At most %(n)d items.", n=MAX_ITEMS)
        return []
    out = []
    for i, entry in enumerate(raw):
        key = f"items[{i}]"
        if not isinstance(entry, Mapping):
            errors[key] = _("Each item must be an object.")
            continue
        label_zh = str(entry.get("label_zh") or "").strip()
        points = _float(entry.get("points"))
        if not label_zh or len(label_zh) > 200:
            errors[f"{key}.label_zh"] = _("Enter a label of at most 200 characters.")
        if points is None or points <= 0 or points > 1000:
            errors[f"{key}.points"] = (
                _("The weight must be a number above 0 and at most 1000.")
                if weighted
                else _("The points must be a number above 0 and at most 1000.")
            )
        out.append({
            "label_zh": label_zh,
            "label_en": str(entry.get("label_en") or "").strip()[:200],
            "points": points,
            "guidance": (str(entry.get("guidance") or "").strip() or None),
            "critical": bool(entry.get("critical")),
        })  # fmt: skip
    return out


def validate(session: Session, data: Mapping[str, Any], row: Scorecard | None) -> dict[str, Any]:
    """Checked values, or ValidationFailed with errors by field (items[i].field)."""
    errors: dict[str, str] = {}
    current = row.current if row else None
    name = str(data.get("name", row.name if row else "") or "").strip()
    if not name or len(name) > 100:
        errors["name"] = _("Enter a name of at most 100 characters.")
    elif session.scalar(
        select(Scorecard.id).where(Scorecard.name == name, Scorecard.id != (row.id if row else 0))
    ):
        errors["name"] = _("Another scorecard already has this name.")
    scoring = data.get("scoring", current.scoring if current else "points")
    if scoring not in SCORING_MODES:
        errors["scoring"] = _("Choose points or weighted.")
    weighted = scoring == "weighted"
    items = (
        _items(data["items"], weighted, errors)
        if "items" in data or current is None
        else [_item_dict(item) for item in current.items]
    )
    pass_score = _float(data.get("pass_score", current.pass_score if current else None))
    top = 100.0 if weighted else sum(i["points"] or 0 for i in items)
    if pass_score is None or pass_score < 0:
        errors["pass_score"] = _("Enter a pass score of 0 or more.")
    elif "items" not in errors and pass_score > top:
        errors["pass_score"] = _(
            "The pass score cannot exceed the maximum of %(max)s.", max=f"{top:g}"
        )
    values = {
        "name": name,
        "description": str(data.get("description", row.description if row else "") or "").strip()
        or None,
        "active": bool(data.get("active", row.active if row else True)),
        "scoring": scoring,
        "pass_score": pass_score,
        "items": items,
    }
    for key, model in (("department_ids", Department), ("category_ids", Category)):
        if key in data or row is None:
            values[key] = _ids(session, model, data.get(key), key, errors)
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), errors)
    return values


def _item_dict(item: ScorecardItem) -> dict[str, Any]:
    return {"label_zh": item.label_zh, "label_en": item.label_en, "points": float(item.points),
            "guidance": item.guidance, "critical": item.critical}  # fmt: skip


def _signature(scoring: str, pass_score: float, items: list[dict[str, Any]]) -> tuple:
    return scoring, float(pass_score), tuple(tuple(sorted(i.items())) for i in items)


def _fill(version: ScorecardVersion, values: Mapping[str, Any]) -> None:
    version.scoring, version.pass_score = values["scoring"], values["pass_score"]
    version.items.clear()
    for position, item in enumerate(values["items"], start=1):
        version.items.append(ScorecardItem(position=position, **item))


def has_reviews(session: Session, version: ScorecardVersion) -> bool:
    return bool(session.scalar(select(exists().where(QaReview.version_id == version.id))))


def save(session: Session, actor: object, data: Mapping[str, Any], row: Scorecard | None = None):
    """Create (row None) or change a scorecard; returns it. Commits."""
    _require_admin(actor)
    values = validate(session, data, row)
    if row is None:
        row = Scorecard()
        session.add(row)
    row.name, row.description, row.active = values["name"], values["description"], values["active"]
    if "department_ids" in values:
        row.departments = values["department_ids"]
    if "category_ids" in values:
        row.categories = values["category_ids"]
    row.updated_at = utcnow()
    current = row.current
    wanted = _signature(values["scoring"], values["pass_score"], values["items"])
    if current is None or (
        wanted
        != _signature(
            current.scoring, current.pass_score, [_item_dict(i) for i in current.items]
        )  # fmt: skip
    ):
        if current is None or has_reviews(session, current):
            version = ScorecardVersion(number=(current.number + 1) if current else 1)
            row.versions.append(version)
        else:
            version = current
            version.items.clear()
            session.flush()  # positions are unique: old items go before new ones come
        _fill(version, values)
    session.commit()
    return row


def ordered(session: Session) -> list[Scorecard]:
    return list(
        session.scalars(
            select(Scorecard)
            .options(selectinload(Scorecard.versions).selectinload(ScorecardVersion.items))
            .order_by(Scorecard.active.desc(), Scorecard.name)
        )
    )


def applicable(session: Session, ticket: Ticket) -> list[Scorecard]:
    """Active scorecards whose scope covers the ticket: no departments or the ticket's; no
    categories or the ticket's category or one of its parents."""
    category_ids, category = set(), session.get(Category, ticket.category_id)
    while category is not None and category.id not in category_ids:
        category_ids.add(category.id)
        category = category.parent
    out = []
    for card in ordered(session):
        if not card.active or card.current is None:
            continue
        depts = {d.id for d in card.departments}
        cats = {c.id for c in card.categories}
        if depts and ticket.department_id not in depts:
            continue
        if cats and not cats & category_ids:
            continue
        out.append(card)
    return out


def as_dict(row: Scorecard) -> dict[str, Any]:
    current = row.current
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "active": row.active,
        "department_ids": [d.id for d in row.departments],
        "category_ids": [c.id for c in row.categories],
        "version": current.number if current else None,
        "version_id": current.id if current else None,
        "scoring": current.scoring if current else None,
        "pass_score": current.pass_score if current else None,
        "max_score": current.max_score if current else None,
        "items": [{"id": i.id, **_item_dict(i)} for i in (current.items if current else [])],
    }
