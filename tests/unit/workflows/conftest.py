"""Fixtures of the engine's unit tests: the shipped definitions, loaded once.

Pure: nothing here (or in these tests) asks for the app, db or client fixtures.
"""

from __future__ import annotations

import pytest

from workflows import Process, builtin_definitions, load_process


@pytest.fixture(scope="session")
def call_center() -> Process:
    return load_process(builtin_definitions()["call_center"])


@pytest.fixture(scope="session")
def hotline() -> Process:
    return load_process(builtin_definitions()["hotline_12345"])
