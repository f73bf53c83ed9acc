"""wrk runs (Debian's wrk, installed by `make bench` when missing) with bench/lua/bench.lua."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from bench.measures.services import BASE

SCRIPT = Path(__file__).resolve().parents[1] / "lua" / "bench.lua"


def available() -> bool:
    return shutil.which("wrk") is not None


def run(path: str, *, concurrency: int, seconds: int, method: str = "GET",
        body: str | None = None, token: str | None = None,
        cookie: str | None = None) -> dict:  # fmt: skip
    """Latency percentiles (ms), requests/s and errors of `concurrency` connections."""
    env = dict(os.environ, BENCH_METHOD=method)
    for key, value in (("BENCH_BODY", body), ("BENCH_COOKIE", cookie),
                       ("BENCH_AUTH", f"Bearer {token}" if token else None)):  # fmt: skip
        if value:
            env[key] = value
    threads = min(2, concurrency)
    cmd = ["wrk", "-t", str(threads), "-c", str(concurrency), "-d", f"{seconds}s",
           "--timeout", "10s", "-s", str(SCRIPT), BASE + path]  # fmt: skip
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH_JSON "))
    return {"tool": "wrk", "concurrency": concurrency, **json.loads(line[len("BENCH_JSON ") :])}
