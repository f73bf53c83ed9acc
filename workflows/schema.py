"""Shape checks shared by the loader: every helper appends ``path: message`` and goes on, so
an admin saving a definition sees all of its problems at once, not one per attempt."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from workflows.vocabulary import Label

NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class Problems:
    """The error list of one load, with small helpers that keep the path format uniform."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(f"{path}: {message}")

    def __len__(self) -> int:
        return len(self.items)

    def mapping(self, raw: Any, path: str) -> Mapping[str, Any] | None:
        if isinstance(raw, Mapping):
            return raw
        self.add(path, "must be a mapping")
        return None

    def keys(
        self,
        raw: Mapping[str, Any],
        path: str,
        allowed: Iterable[str],
        required: Iterable[str] = (),
    ) -> None:
        """Unknown keys are errors (a typo like `duty:` must not be silently ignored)."""
        allowed = set(allowed) | set(required)
        prefix = f"{path}." if path else ""
        for key in raw:
            if key not in allowed:
                self.add(f"{prefix}{key}", "unknown key")
        for key in required:
            if key not in raw or raw[key] is None:
                self.add(f"{prefix}{key}", "required")

    def label(self, raw: Any, path: str) -> Label | None:
        """A {zh, en} pair, both non-empty: the interface is zh first, the API also in en."""
        if not isinstance(raw, Mapping):
            self.add(path, "must be a mapping with zh and en")
            return None
        before = len(self)
        self.keys(raw, path, ("zh", "en"), ("zh", "en"))
        for lang in ("zh", "en"):
            text = raw.get(lang)
            if text is not None and (not isinstance(text, str) or not text.strip()):
                self.add(f"{path}.{lang}", "must be a non-empty string")
        if len(self) > before:
            return None
        return Label(zh=raw["zh"].strip(), en=raw["en"].strip())

    def name(self, name: Any, path: str) -> bool:
        """Names become API names and database values: lower_snake_case only."""
        if isinstance(name, str) and NAME.match(name):
            return True
        self.add(path, "name must be lower_snake_case (a-z, 0-9, _)")
        return False

    def names(self, raw: Any, path: str) -> list[tuple[str, Any]] | None:
        """A name or a list of names, returned as (item path, value) pairs."""
        if isinstance(raw, str):
            return [(path, raw)]
        if isinstance(raw, list) and raw:
            return [(f"{path}[{i}]", item) for i, item in enumerate(raw)]
        self.add(path, "must be a name or a non-empty list of names")
        return None

    def positive_int(self, raw: Any, path: str) -> int | None:
        if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
            return raw
        self.add(path, "must be a positive integer")
        return None
