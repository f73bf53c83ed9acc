"""The bench databases: created, migrated, given the demo data and seeded when absent;
migrated to the current code when present."""

from __future__ import annotations

import subprocess

import psycopg

from bench import seed_sql
from bench.measures.services import APP_DIR, BIN, app_env

SERVER = "postgresql://postgres@127.0.0.1:5432"
NAMES = {100_000: "tickets_bench_100k", 1_000_000: "tickets_bench_1m"}


def url_for(n: int) -> str:
    return f"{SERVER}/{NAMES.get(n, f'tickets_bench_{n}')}"


def ensure(n: int, reseed: bool = False) -> tuple[str, dict | None]:
    """(url, seed timings or None when the database was already there)."""
    url = url_for(n)
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and reseed:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    env = app_env(url)
    flask = [str(BIN / "python"), "-m", "flask"]
    subprocess.run([*flask, "db", "upgrade"], cwd=APP_DIR, env=env, check=True)
    if exists:
        return url, None
    subprocess.run([*flask, "init"], cwd=APP_DIR, env=env, check=True)
    subprocess.run([*flask, "seed-demo"], cwd=APP_DIR, env=env, check=True)
    print(f"seeding {n} tickets into {name}", flush=True)
    return url, seed_sql.seed(url, n)
