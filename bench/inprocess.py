"""The bench's requests timed in process, with their SQL counted: what one request costs,
without gunicorn, wrk or queueing (the figures in README.md "Reading the table").

    python -m bench.inprocess --url postgresql://postgres@127.0.0.1:5432/tickets_bench_1m \
        [--only queue_page,queue_api] [-n 20] [--sql] [--profile]

Needs a seeded bench database (`make bench` makes them). Intake and accept write to it, as
the bench does; without a worker their events stay undelivered until the next bench run.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import os
import pstats
import statistics
import time
from collections.abc import Callable

from bench.measures import web
from bench.measures.fixtures import AGENT, HANDLER, load

PASSWORD = "demo1234"


def _client_paths(app, url: str) -> dict[str, Callable]:
    fx = load(url, 200)
    browser = app.test_client()
    browser.post("/login/", data={"username": HANDLER, "password": PASSWORD})
    api = app.test_client()

    def token(user: str) -> dict[str, str]:
        body = {"username": user, "password": PASSWORD, "provider": "db"}
        answer = api.post("/api/v1/security/login", json=body).json
        return {"Authorization": "Bearer " + answer["access_token"]}

    handler, agent = token(HANDLER), token(AGENT)
    todo = list(fx.to_accept)
    intake = {"subject": "压测来电", "description": "宽带无法上网，请尽快处理。",
              "category_id": fx.intake_category_id, "caller_number": "13800138000"}  # fmt: skip
    views = api.get("/api/v1/saved_view/?q=(page_size:100)", headers=handler).json["result"]
    view = next((v["id"] for v in views if v["name"].startswith("压测")), None)

    def accept():
        pk, version = todo.pop()
        return api.post(f"/api/v1/ticket/{pk}/actions/accept", json={"version": version},
                        headers=handler)  # fmt: skip

    paths = {
        "queue_page": lambda: browser.get("/ticketview/list/?queue=accept"),
        "queue_api": lambda: api.get(web.queue_api_path(fx), headers=handler),
        "ticket_page": lambda: browser.get(f"/ticketview/show/{fx.showcase_id}"),
        "accept": accept,
        "intake": lambda: api.post("/api/v1/ticket/", json=intake, headers=agent),
    }
    if view is not None:  # made by the bench's query measure
        paths["query"] = lambda: browser.get(f"/savedviews/{view}/")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--only", default="")
    parser.add_argument("-n", type=int, default=20)
    parser.add_argument("--sql", action="store_true", help="list each statement kind")
    parser.add_argument("--profile", action="store_true", help="cProfile, by cumulative time")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.url
    os.environ.pop("REDIS_URL", None)  # no enqueueing: the request alone
    from sqlalchemy import event

    from app import create_app
    from app.extensions import db

    app = create_app({"WTF_CSRF_ENABLED": False})
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda _c, _cur, sql, *_a: statements.append(sql))  # fmt: skip
    paths = _client_paths(app, args.url)
    for name in [p for p in args.only.split(",") if p] or list(paths):
        call = paths[name]
        assert call().status_code in (200, 201), name  # warm: caches, plans, pools
        statements.clear()
        profile = cProfile.Profile() if args.profile else None
        times = []
        for _ in range(args.n):
            start = time.perf_counter()
            if profile:
                profile.enable()
            status = call().status_code
            if profile:
                profile.disable()
            times.append((time.perf_counter() - start) * 1000)
            assert status in (200, 201), (name, status)
        print(f"{name:12s} median {statistics.median(times):6.1f} ms  min {min(times):6.1f} ms"
              f"  {len(statements) / args.n:5.1f} SQL")  # fmt: skip
        if args.sql:
            kinds = collections.Counter(s.split("\n")[0][:100] for s in statements)
            for sql, count in kinds.most_common():
                print(f"   {count / args.n:4.1f} × {sql}")
        if profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
