"""Test set-up: one migrated, seeded database per run.

Embedded lane: SQLite in a temporary folder. Real-services lane: the PostgreSQL database
named by DATABASE_URL (wiped first) — the same suite either way.
"""

from __future__ import annotations

import os
import tempfile

_TMP = tempfile.mkdtemp(prefix="tickets-test-")
os.environ["INSTANCE_DIR"] = _TMP
os.environ.setdefault("SECRET_KEY", "test-only-secret-" + "x" * 32)
# The loopback robot and webhook servers of the tests are internal addresses: allow them.
os.environ.setdefault("OUTBOUND_ALLOWED_NETWORKS", "127.0.0.0/8")
# Reports see every change at once (production refreshes the roll-ups once a minute).
os.environ.setdefault("REPORT_REFRESH_SECONDS", "0")
# Menu counts fresh on every page (tests/web/test_menu_cache.py turns the cache on).
os.environ.setdefault("MENU_COUNT_CACHE_SECONDS", "0")

import pytest  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import delete, select, text  # noqa: E402

from tests.fixtures.builders import Builders  # noqa: E402

TEST_CONFIG = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    "FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
}


def _wipe_postgres(url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


class IsolatedClient(FlaskClient):
    """Each request in a fresh app context, so `g` (and Flask-Login's cached user) is never
    shared with the test's own app context or with another client's request."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app():
    """The application, its schema built by the migrations, roles synced, demo data loaded."""
    from flask_migrate import upgrade

    from app import create_app
    from app.cli import init_command
    from plugins.tickets.cli import seed_demo_command

    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        _wipe_postgres(url)
    application = create_app(TEST_CONFIG)
    application.test_client_class = IsolatedClient
    with application.app_context():
        upgrade()
    runner = application.test_cli_runner()
    for command, args in ((init_command, []), (seed_demo_command, [])):
        result = runner.invoke(command, args)
        assert result.exit_code == 0, result.output
    yield application


@pytest.fixture(autouse=True)
def _push_request_context():
    """pytest-flask pushes one request context for the whole test, so every test-client
    request would share one `g` (and one user). Each request gets its own here."""
    yield


@pytest.fixture
def db(app):
    """The SQLAlchemy session inside an app context."""
    from app.extensions import db as _db

    with app.app_context():
        yield _db.session
        _db.session.remove()


@pytest.fixture
def build(app, db):
    return Builders(app, db)


@pytest.fixture
def login(app):
    """login("tech") → a test client with that user's browser session."""

    def _login(username: str, password: str = "demo1234"):
        client = app.test_client()
        resp = client.post("/login/", data={"username": username, "password": password})
        assert resp.status_code == 302, f"login {username} failed"
        return client

    return _login


@pytest.fixture
def api(app):
    """api("tech") → (client, headers) with a JWT from the security API."""

    def _api(username: str, password: str = "demo1234"):
        client = app.test_client()
        resp = client.post(
            "/api/v1/security/login",
            json={"username": username, "password": password, "provider": "db"},
        )
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return client, {"Authorization": f"Bearer {resp.json['access_token']}"}

    return _api


@pytest.fixture
def sla_policies(app, db):
    """sla_policies(name, targets, **values) adds an SLA policy for one test; afterwards the
    policies, their clocks, escalation steps and chains are removed."""
    from plugins.automation.outbox import jobs as outbox_jobs
    from plugins.automation.sla.escalation_models import (
        EscalationChain,
        EscalationLevel,
        EscalationStep,
    )
    from plugins.automation.sla.models import SlaClock, SlaPolicy

    outbox_jobs._app = app  # jobs called directly find this app
    made: list = []

    def _add(name: str, targets: dict, **values):
        row = SlaPolicy(name=name, targets=targets, **values)
        db.add(row)
        db.commit()
        made.append(row)
        return row

    yield _add
    ids = [p.id for p in made]
    db.rollback()
    # Explicit order: SQLite here does not enforce ON DELETE CASCADE.
    chains = select(EscalationChain.id).where(EscalationChain.policy_id.in_(ids))
    clocks = select(SlaClock.id).where(SlaClock.policy_id.in_(ids))
    db.execute(delete(EscalationStep).where(EscalationStep.clock_id.in_(clocks)))
    db.execute(delete(SlaClock).where(SlaClock.policy_id.in_(ids)))
    db.execute(delete(EscalationLevel).where(EscalationLevel.chain_id.in_(chains)))
    db.execute(delete(EscalationChain).where(EscalationChain.policy_id.in_(ids)))
    db.execute(delete(SlaPolicy).where(SlaPolicy.id.in_(ids)))
    db.commit()
