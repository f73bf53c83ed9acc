"""The egress guard: internal addresses are refused in every spelling, before any request,
unless an allow-list lets them through; the connection goes to the address that was checked."""

from __future__ import annotations

import ipaddress
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from plugins.automation.channels import egress, send_robot, send_webhook
from plugins.automation.channels.robots import RobotMessage

INTERNAL_URLS = [
    "http://127.0.0.1/x",
    "http://localhost:8080/x",  # a name that resolves to loopback
    "http://[::1]/x",
    "http://2130706433/",  # 127.0.0.1 as one decimal number
    "http://0x7f.1/",  # hex and short form
    "http://017700000001/",  # octal
    "http://127.1/",
    "http://0.0.0.0/",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",  # CGNAT
    "http://[fd00::1]/",  # unique-local
    "http://[fe80::1]/",  # link-local
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
    "http://[::ffff:169.254.169.254]/",
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of the metadata address
    "http://[2002:7f00:1::]/",  # 6to4 of loopback
    "http://224.0.0.1/",  # multicast
    "https://[ff02::1]/",
]


@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_internal_addresses_are_blocked_with_an_empty_allow_list(url):
    with pytest.raises(egress.OutboundBlocked, match="internal address"):
        egress.guard(url, allowed=[])
    with pytest.raises(egress.OutboundBlocked):
        egress.check_url(url, allowed=[])


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888", "::ffff:8.8.8.8", "203.119.1.1"],
)
def test_public_addresses_pass(address):
    assert not egress.blocked(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url", ["ftp://8.8.8.8/", "file:///etc/passwd", "gopher://x/", "http:///x"]
)
def test_only_http_and_https_with_a_host(url):
    with pytest.raises(egress.OutboundBlocked, match="only http and https"):
        egress.guard(url, allowed=[])


def test_control_characters_bad_ports_and_broken_urls_are_refused():
    for url in ("http://[::1/x", "http://[zz]/", "http://user@/x"):
        with pytest.raises(egress.OutboundBlocked):
            egress.check_url(url, allowed=[])
        result = send_webhook(url, {}, idempotency_key="d", allowed_networks=[])
        assert (result.ok, result.retryable) == (False, False)
    with pytest.raises(egress.OutboundBlocked):
        egress.split_url("http://8.8.8.8/a b")
    with pytest.raises(egress.OutboundBlocked, match="invalid port"):
        egress.split_url("http://8.8.8.8:99999/")


def test_any_internal_answer_blocks_a_name(monkeypatch):
    """A name with one public and one internal address is refused (not just the first)."""

    def fake(host, port, type=0):  # noqa: A002 - getaddrinfo's keyword
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr(egress.socket, "getaddrinfo", fake)
    with pytest.raises(egress.OutboundBlocked, match="10.0.0.5"):
        egress.guard("https://mixed.example/hook", allowed=[])


def test_the_allow_list_lets_chosen_networks_through():
    target = egress.guard("http://localhost:8080/x", allowed=["127.0.0.0/8"])
    assert (target.host, target.port, target.address) == ("localhost", 8080, "127.0.0.1")
    assert egress.guard("http://[::ffff:127.0.0.1]/", allowed=["127.0.0.0/8"]).address
    with pytest.raises(egress.OutboundBlocked):  # allowing loopback does not allow the rest
        egress.guard("http://169.254.169.254/", allowed=["127.0.0.0/8"])


def test_the_environment_is_the_default_allow_list(monkeypatch):
    monkeypatch.setenv(egress.ENV_ALLOWED, "")
    with pytest.raises(egress.OutboundBlocked):
        egress.guard("http://127.0.0.1/")
    monkeypatch.setenv(egress.ENV_ALLOWED, "10.0.0.0/8, 127.0.0.0/8")
    assert egress.guard("http://127.0.0.1/").address == "127.0.0.1"


def test_an_unresolvable_name_is_accepted_at_save_time_but_not_sent(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(egress.socket, "getaddrinfo", fail)
    egress.check_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", allowed=[])
    with pytest.raises(egress.ResolveFailed):
        egress.guard("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", allowed=[])
    result = send_webhook("https://nowhere.example/x", {}, idempotency_key="d", allowed_networks=[])
    assert (result.ok, result.retryable, result.status) == (False, True, None)


class _Canary(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_POST(self) -> None:  # noqa: N802
        _Canary.hits.append(self.headers.get("Host", ""))
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def canary():
    _Canary.hits = []
    server = HTTPServer(("127.0.0.1", 0), _Canary)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "template",
    ["http://127.0.0.1:{port}/x", "http://localhost:{port}/x", "http://2130706433:{port}/x"],
)
def test_senders_never_reach_a_loopback_canary_when_not_allowed(canary, template):
    url = template.format(port=canary)
    result = send_webhook(url, {"a": 1}, idempotency_key="d-1", allowed_networks=[])
    assert (result.ok, result.retryable, result.status) == (False, False, None)
    assert result.error.startswith("blocked: internal address refused")
    robot = send_robot("wecom", url, RobotMessage(text="x"), idempotency_key="d-2",
                       allowed_networks=[])  # fmt: skip
    assert not robot.ok and not robot.retryable
    assert _Canary.hits == []


def test_allowed_send_connects_to_the_checked_address_with_the_names_host(canary, monkeypatch):
    """Pinning: after the check, a second lookup (DNS rebinding) is never made."""
    real = socket.getaddrinfo
    calls = []

    def counting(host, *args, **kwargs):
        calls.append(host)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(egress.socket, "getaddrinfo", counting)
    result = send_webhook(f"http://localhost:{canary}/x", {}, idempotency_key="d-3",
                          allowed_networks=["127.0.0.0/8"])  # fmt: skip
    assert result.ok, result.error
    assert calls.count("localhost") == 1  # the name is resolved once, by the guard
    assert set(calls) == {"localhost", "127.0.0.1"}  # then the checked address is used
    assert _Canary.hits == [f"localhost:{canary}"]


def test_check_outbound_url_raises_a_translated_validation_error(app):
    from plugins.tickets.services.errors import ValidationFailed

    with app.test_request_context():
        app.config["OUTBOUND_ALLOWED_NETWORKS"], old = [], app.config["OUTBOUND_ALLOWED_NETWORKS"]
        try:
            with pytest.raises(ValidationFailed) as caught:
                egress.check_outbound_url("http://169.254.169.254/latest")
            assert caught.value.http_status == 422
            assert "url" in caught.value.fields
            with pytest.raises(ValidationFailed):
                egress.check_outbound_url("ftp://example.com/")
            egress.check_outbound_url("https://8.8.8.8/hook")  # public: fine
        finally:
            app.config["OUTBOUND_ALLOWED_NETWORKS"] = old


def test_robot_form_refuses_internal_addresses_and_saves_nothing(app, login, db):
    import html
    import uuid

    from flask_babel import gettext
    from sqlalchemy import func, select

    from plugins.automation.notify.models import RobotEndpoint

    old, app.config["OUTBOUND_ALLOWED_NETWORKS"] = app.config["OUTBOUND_ALLOWED_NETWORKS"], []
    try:
        admin = login("admin")
        before = db.scalar(select(func.count(RobotEndpoint.id)))
        with app.test_request_context():  # the page's language (zh once translated)
            internal = gettext("This address points to an internal network and is not allowed.")
            scheme = gettext("Enter an http:// or https:// address.")
        cases = [
            ("http://169.254.169.254/latest/meta-data/", internal),
            ("http://localhost:6379/", internal),
            ("http://2130706433/", internal),
            ("http://[::1]/hook", internal),
            ("ftp://example.com/x", scheme),
        ]
        for url, message in cases:
            resp = admin.post(
                "/robotendpointview/add",
                data={"name": f"r-{uuid.uuid4().hex[:4]}", "kind": "webhook", "url": url,
                      "active": "y"},
            )  # fmt: skip
            assert resp.status_code == 200, url  # the form again, with the error
            assert message in html.unescape(resp.get_data(as_text=True)), url
        assert db.scalar(select(func.count(RobotEndpoint.id))) == before
    finally:
        app.config["OUTBOUND_ALLOWED_NETWORKS"] = old


def test_a_delivery_to_an_internal_address_fails_at_send_time(app, db, canary):
    """A URL saved before the guard (or a name that now resolves inside) is refused when
    sent: the row fails at once, nothing reaches the listener."""
    import uuid

    from plugins.automation.notify import jobs
    from plugins.automation.notify.models import RobotEndpoint
    from plugins.automation.notify.service import request_notification

    robot = RobotEndpoint(name=f"hook-{uuid.uuid4().hex[:4]}", kind="webhook",
                          url=f"http://localhost:{canary}/hook")  # fmt: skip
    db.add(robot)
    db.commit()
    [row] = request_notification(
        db, ticket_id=None, subject="s", body="b", recipients=[{"robot_id": robot.id}],
        channel="webhook", idempotency_key=f"egress-{uuid.uuid4().hex[:8]}",
    )  # fmt: skip
    db.commit()
    config = {**app.config, "OUTBOUND_ALLOWED_NETWORKS": [], "REDIS_URL": None}
    result, delay = jobs.attempt(db, row.id, config)
    assert (result.ok, result.retryable, delay) == (False, False, None)
    db.refresh(row)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error.startswith("blocked: internal address refused: 127.0.0.1")
    assert _Canary.hits == []
    # The same row sent with loopback allowed (as in the tests' config) would have arrived.
    assert send_webhook(robot.url, {}, idempotency_key="d-9", allowed_networks=["127.0.0.0/8"]).ok
    assert len(_Canary.hits) == 1
