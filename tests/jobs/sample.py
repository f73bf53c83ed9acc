"""Module-level job functions for the worker round-trip test (jobs take plain values)."""

from __future__ import annotations


def add(a: int, b: int) -> int:
    return a + b
