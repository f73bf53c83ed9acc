"""Category tree maintenance: depth and sortable path of every node."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.tickets.models import Category
from plugins.tickets.services.errors import ValidationFailed

MAX_DEPTH = 5


def _segment(category: Category) -> str:
    return f"{category.sort_order or 0:05d}.{category.id:07d}/"


def refresh_tree(session: Session) -> None:
    """Recompute depth and tree_path of all categories (a few hundred rows at most)."""
    rows = list(session.scalars(select(Category)))
    by_id = {c.id: c for c in rows}
    for category in rows:
        seen: set[int] = set()
        path = ""
        node: Category | None = category
        depth = -1
        while node is not None:
            if node.id in seen:
                raise ValidationFailed(
                    _("A category cannot be its own ancestor."), {"parent": _("Cycle.")}
                )
            seen.add(node.id)
            path = _segment(node) + path
            depth += 1
            node = by_id.get(node.parent_id) if node.parent_id else None
        if depth >= MAX_DEPTH:
            raise ValidationFailed(
                _("Categories nest at most %(n)d levels.", n=MAX_DEPTH), {"parent": _("Too deep.")}
            )
        category.depth = depth
        category.tree_path = path


def check_parent(category: Category) -> None:
    """Refuse a parent that is the category itself or one of its descendants."""
    node = category.parent
    while node is not None:
        if node is category or (category.id is not None and node.id == category.id):
            raise ValidationFailed(
                _("A category cannot be its own ancestor."), {"parent": _("Cycle.")}
            )
        node = node.parent
