"""`make bench`: seed (when absent), start gunicorn (2 workers) and the RQ workers on the bench
database, run the measures, write bench/results/<date>-<n>.json and the README table.

Usage: python -m bench.run [--n 100000,1000000] [--seconds 15] [--reseed]
(`BENCH_N` sets the sizes too.) PostgreSQL on 127.0.0.1 (user postgres), Redis DB 9, wrk.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time

from bench.measures import dbsetup, fixtures, machine, reports, table, trigger_lag, web
from bench.measures.services import (
    APP_DIR,
    BIN,
    REDIS_URL,
    ROOT,
    RQ_WORKERS,
    Services,
    app_env,
    peak_rss_mb,
)

RESULTS = ROOT / "bench" / "results"


def _timed(name: str, fn, *args) -> dict:
    print(f"  {name} …", end=" ", flush=True)
    start = time.perf_counter()
    try:
        result = fn(*args)
    except Exception as exc:  # noqa: BLE001 - one failed measure must not lose the others
        result = {"failed": f"{type(exc).__name__}: {exc}"[:500]}
    keys = ("rps", "p50_ms", "p95_ms", "p99_ms", "errors", "sweep_ms", "failed", "skipped")
    summary = {k: result[k] for k in keys if k in result}
    print(f"{time.perf_counter() - start:.0f} s {summary or ''}", flush=True)
    return result


def _sla(url: str) -> dict:
    out = subprocess.run(
        [str(BIN / "python"), str(ROOT / "bench" / "measures" / "sla_sweep.py"), "--url", url],
        cwd=APP_DIR, env=app_env(url), capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(next(x for x in out.splitlines() if x.startswith("BENCH_JSON "))[11:])


def run_size(n: int, seconds: int, reseed: bool, only: set[str] | None = None) -> dict:
    """All measures at one size (or `only` some of them, by result key)."""
    print(f"== {n:,} tickets", flush=True)
    url, seeded = dbsetup.ensure(n, reseed)
    result: dict = {"n": n, "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                    "machine": machine.describe(url), "seed_s": seeded,
                    "rq_workers": RQ_WORKERS}  # fmt: skip
    wanted = lambda key: only is None or key in only  # noqa: E731
    trigger_lag.set_trigger(url, False)
    if wanted("sla_sweep"):
        result["sla_sweep"] = _timed("8. SLA sweep", _sla, url)
    services = Services(url)
    services.start()
    try:
        fx = fixtures.load(url)
        result["tickets"] = fx.tickets
        measures = [
            # First, on an empty queue (every measure starts with it drained, see below).
            ("trigger_lag", "7. trigger lag", trigger_lag.measure, (url, fx, REDIS_URL)),
            ("intake", "1. intake", web.intake, (fx, 2 * seconds)),
            ("queue_page", "2. queue page", web.queue_page, (fx, seconds)),
            ("queue_api", "2. queue API", web.queue_api, (fx, seconds)),
            ("ticket_page", "3. ticket page", web.ticket_page, (fx, seconds)),
            ("action", "4. accept", web.action, (fx, seconds)),
            ("query", "5. query", web.query, (fx, seconds)),
            ("reports", "6. reports", reports.measure, ()),
        ]
        for key, label, fn, args in measures:
            if wanted(key):
                # Each measure starts with the worker idle: the events of the one before
                # (1,000+ from intake) must not share the 2 cores with it.
                result.setdefault("backlog_before", {})[key] = trigger_lag.drain(REDIS_URL, 180)
                result[key] = _timed(label, fn, *args)
        web_pids = services.web_worker_pids()
        if only is not None:  # peak RSS means something only after every measure
            return result
        result["rss"] = {
            "web_mb": max((peak_rss_mb(p) or 0) for p in web_pids) if web_pids else None,
            "rq_mb": max((peak_rss_mb(p) or 0) for p in services.rq_pids()),
        }
    finally:
        services.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", default=os.environ.get("BENCH_N", "100000,1000000"))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", 15)))
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--only", help="comma-separated result keys, e.g. reports,query")
    args = parser.parse_args()
    sizes = [int(x.replace("_", "")) for x in args.n.split(",") if x.strip()]
    RESULTS.mkdir(parents=True, exist_ok=True)
    results = {}
    for n in sizes:
        only = set(args.only.split(",")) if args.only else None
        results[n] = run_size(n, args.seconds, args.reseed, only)
        day = dt.date.today().isoformat()
        path = RESULTS / f"{day}-{n}.json"
        if only and path.exists():  # a partial run updates today's full one
            done = json.loads(path.read_text())
            partial = {k: v for k, v in results[n].items() if k not in ("date", "machine")}
            results[n] = {**done, **partial, "partial_run": results[n]["date"]}
        path.write_text(json.dumps(results[n], indent=2, ensure_ascii=False) + "\n")
        print(f"  → {path.relative_to(ROOT)}", flush=True)
    if not args.no_readme:
        table.write_readme(results)
    print(table.render(results))
    for line in table.ratios(results):
        print(line)


if __name__ == "__main__":
    sys.exit(main())
