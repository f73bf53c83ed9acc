"""Scoring a review against one scorecard version.

points mode: total = Σ points awarded, each 0…the item's max points.
weighted mode: each item scored 0…100; total = Σ(weight × score) / Σ weight, in percent.
A failed critical item (红线) makes the total 0 whatever the rest. Passed = total ≥ the
version's pass score and no critical failure. Totals are rounded to 2 decimals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from plugins.quality.models import ScorecardVersion
from plugins.tickets.services.errors import ValidationFailed


@dataclass(frozen=True)
class ItemScore:
    item_id: int
    points: float
    failed: bool
    comment: str | None


@dataclass(frozen=True)
class Result:
    score: float
    max_score: float
    passed: bool
    critical_failed: bool
    items: list[ItemScore]


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw)
    if isinstance(raw, str):
        try:
            return float(raw.strip())
        except ValueError:
            return None
    return None


def compute(version: ScorecardVersion, entries: Mapping[int, Mapping[str, Any]]) -> Result:
    """Validate one entry per item ({points, failed, comment}) and compute the total.

    Raises ValidationFailed with errors keyed `item_<id>` when an item is missing, is not a
    number, is out of range, or marks a non-critical item as failed.
    """
    errors: dict[str, str] = {}
    items: list[ItemScore] = []
    weighted = version.scoring == "weighted"
    for item in version.items:
        entry = entries.get(item.id) or {}
        top = 100.0 if weighted else float(item.points)
        points = _number(entry.get("points"))
        failed = bool(entry.get("failed"))
        key = f"item_{item.id}"
        if points is None:
            errors[key] = _("Enter a score for this item.")
        elif not 0 <= points <= top:
            errors[key] = _("The score must be between 0 and %(max)s.", max=f"{top:g}")
        elif failed and not item.critical:
            errors[key] = _("Only a critical item can be failed.")
        if key not in errors:
            comment = (str(entry.get("comment") or "")).strip()[:2000] or None
            items.append(ItemScore(item.id, float(points), failed, comment))
    unknown = set(entries) - {item.id for item in version.items}
    if unknown:
        errors["items"] = _("Some scores are for items this scorecard does not have.")
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), errors)
    critical_failed = any(s.failed for s in items)
    if weighted:
        weights = {item.id: float(item.points) for item in version.items}
        total_weight = sum(weights.values())
        total = (
            sum(weights[s.item_id] * s.points for s in items) / total_weight
            if total_weight
            else 0.0
        )
    else:
        total = sum(s.points for s in items)
    score = 0.0 if critical_failed else round(total, 2)
    passed = not critical_failed and score >= version.pass_score
    return Result(score, version.max_score, passed, critical_failed, items)
