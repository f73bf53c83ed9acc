"""A user's mistake never answers 500: every route with garbage in its path arguments."""

from __future__ import annotations

import re

import pytest

SKIP = ("/static", "/appbuilder", "/logout", "/login", "/api/v1/security/")
GARBAGE = ["abc", "-1", "99999999999999999999", "1.5", "%27%3B--"]


def _garbage_urls(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(SKIP) or not rule.arguments:
            continue
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        for value in GARBAGE:
            yield re.sub(r"<[^>]+>", value, rule.rule), methods


@pytest.mark.parametrize("username", ["admin", "tech"])
def test_garbage_path_arguments_never_500(app, login, api, username):
    browser = login(username)
    client, headers = api(username)
    failures = []
    for url, methods in _garbage_urls(app):
        for method in methods:
            for c, extra in ((browser, {}), (client, {"headers": headers})):
                resp = c.open(url, method=method, **extra)
                if resp.status_code >= 500:
                    failures.append(f"{method} {url} -> {resp.status_code}")
    assert not failures, "\n".join(sorted(set(failures)))


def test_garbage_queries_never_500(api):
    client, headers = api("tech")
    for url in (
        "/api/v1/ticket/?q=(((",
        "/api/v1/ticket/?q=(filters:!((col:nope,opr:eq,value:1)))",
        "/api/v1/ticket/?q=(order_column:password,order_direction:asc)",
        "/api/v1/customer/lookup",
    ):
        resp = client.get(url, headers=headers)
        assert 400 <= resp.status_code < 500, (url, resp.status_code)
        assert resp.is_json and resp.json.get("message"), url
