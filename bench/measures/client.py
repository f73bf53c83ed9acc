"""HTTP with the standard library: JWT and session-cookie log-in, one call, a small load loop."""

from __future__ import annotations

import http.cookiejar
import json
import re
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from bench.measures.services import BASE

PASSWORD = "demo1234"


def jwt(username: str) -> str:
    body = {"username": username, "password": PASSWORD, "provider": "db"}
    status, data = call("POST", "/api/v1/security/login", body=body)
    if status != 200:
        raise RuntimeError(f"API login of {username} failed: {status} {data}")
    return data["access_token"]


def session_cookie(username: str) -> str:
    """Log in through the form (CSRF token included); returns the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{BASE}/login/").read().decode()
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    form = {"username": username, "password": PASSWORD}
    if match:
        form["csrf_token"] = match.group(1)
    opener.open(f"{BASE}/login/", data=urllib.parse.urlencode(form).encode()).read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "session=" not in cookie:
        raise RuntimeError(f"form login of {username} failed")
    return cookie


def call(method: str, path: str, *, body=None, token: str | None = None,
         cookie: str | None = None, timeout: float = 30) -> tuple[int, object]:  # fmt: skip
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if cookie:
        headers["Cookie"] = cookie
    req = urllib.request.Request(BASE + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw, status = resp.read(), resp.status
    except urllib.error.HTTPError as err:
        raw, status = err.read(), err.code
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    if not samples_ms:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None}
    ordered = sorted(samples_ms)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {"p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99),
            "mean_ms": round(statistics.fmean(ordered), 1)}  # fmt: skip


def load(requests: list, concurrency: int, ok=(200,)) -> dict:
    """Run each (method, path, kwargs) once over `concurrency` threads; latency percentiles."""
    lock, samples, errors = threading.Lock(), [], []
    todo = list(enumerate(requests))

    def work() -> None:
        while True:
            with lock:
                if not todo:
                    return
                _, (method, path, kwargs) = todo.pop(0)
            start = time.perf_counter()
            status, data = call(method, path, **kwargs)
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                samples.append(elapsed)
                if status not in ok:
                    errors.append(f"{status} {str(data)[:120]}")

    start = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    return {
        "requests": len(samples),
        "errors": len(errors),
        "error_sample": errors[:3],
        "rps": round(len(samples) / wall, 1) if wall else None,
        **percentiles(samples),
    }
