"""`python run.py`: the whole product in one command, for a laptop or a demo.

Order matters: Redis first (the worker and the app's enqueueing need it), then the database
migrations, roles and demo data as separate `flask` processes (exactly what an operator runs
on deploy, so the launcher adds no second code path), then the web server and the RQ worker.
The launcher itself never builds the Flask app: it only supervises processes.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from app import embedded_redis
from app.processes import ChildFailed, Interrupted, Supervisor

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLASK_APP = "run:app"
# Jobs are JSON, never pickles (a pickle from Redis could run code).
SERIALIZER = "rq.serializers.JSONSerializer"
SETUP_STEPS: list[list[str]] = [
    ["db", "upgrade"],
    ["init"],
    ["seed-demo", "--if-empty"],
]
WEB_START_TIMEOUT = 120.0
WEB_GRACEFUL_TIMEOUT = 10
WORKER_STOP_TIMEOUT = 30.0

# username, role, department code (None for company-wide roles)
DemoLogin = tuple[str, str, str | None]

log = logging.getLogger("run")


class LaunchError(Exception):
    """Something the user can fix before we start (a busy port, an unreachable REDIS_URL)."""


@dataclass(frozen=True)
class Settings:
    """What the environment asks for; everything else comes from config.py."""

    host: str
    port: int
    redis_url: str | None
    instance_dir: str
    database_url: str
    queues: list[str]
    app_name: str

    @classmethod
    def from_env(cls) -> Settings:
        import config  # creates instance/ and the secret key once, before any child races for it

        return cls(
            host=os.environ.get("HOST") or "127.0.0.1",
            port=_port(os.environ.get("PORT") or "5000"),
            redis_url=os.environ.get("REDIS_URL") or None,
            instance_dir=config.INSTANCE_DIR,
            database_url=config.SQLALCHEMY_DATABASE_URI,
            queues=list(config.RQ_QUEUES),
            app_name=config.APP_NAME,
        )


def child_env(redis_url: str | None = None) -> dict[str, str]:
    """Environment for every child: ours, plus the app to load and the Redis to use."""
    env = dict(os.environ, FLASK_APP=FLASK_APP, PYTHONUNBUFFERED="1")
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def flask_argv(*args: str) -> list[str]:
    """The Flask CLI of this interpreter (the venv's), whatever PATH says."""
    return [sys.executable, "-m", "flask", *args]


def web_argv(host: str, port: int) -> list[str]:
    """gunicorn, as in production. No control socket: gunicorn 27 would otherwise share one
    under ~/.gunicorn between every instance on the machine."""
    return [
        sys.executable, "-m", "gunicorn",
        "--bind", f"{_bracket(host)}:{port}",
        "--workers", os.environ.get("WEB_CONCURRENCY") or "2",
        "--threads", "4",
        "--graceful-timeout", str(WEB_GRACEFUL_TIMEOUT),
        "--access-logfile", "-",
        "--no-control-socket",
        FLASK_APP,
    ]  # fmt: skip


def worker_argv(redis_url: str, queues: Sequence[str]) -> list[str]:
    """One RQ worker that also runs the scheduler (jobs enqueued with enqueue_in/at). It runs
    jobs in process (app.worker.InProcessWorker): a fork per job would cap it at a few jobs
    a second."""
    rq = [sys.executable, "-m", "rq.cli"]
    return [
        *rq, "worker", "--with-scheduler", "--serializer", SERIALIZER,
        "--worker-class", "app.worker.InProcessWorker",
        "--maintenance-interval", "60", "--url", redis_url, *queues,
    ]  # fmt: skip


def port_is_free(host: str, port: int) -> bool:
    """Can we bind host:port? Checked up front so a busy port gets a clear message."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def web_answers(url: str) -> bool:
    """Any HTTP response means a gunicorn worker has loaded the app (the port alone opens
    in the master before any worker has imported it)."""
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False


def public_url(host: str, port: int) -> str:
    """The URL to open in a browser: a wildcard bind is reachable on loopback."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    return f"http://{_bracket(shown)}:{port}/"


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def banner(
    settings: Settings,
    url: str,
    redis_url: str,
    embedded: bool,
    logins: Sequence[DemoLogin],
    password: str,
) -> str:
    """What the user needs on screen: where to go, what runs, and how to log in."""
    from sqlalchemy.engine import make_url

    database = make_url(settings.database_url).render_as_string(hide_password=True)
    redis_kind = "embedded, no persistence" if embedded else "from REDIS_URL"
    lines = [
        "",
        f"  {settings.app_name} is running",
        f"  Web:      {url}",
        f"  API docs: {url}swagger/v1",
        f"  Database: {database}",
        f"  Redis:    {redis_url} ({redis_kind})",
        f"  Worker:   rq worker --with-scheduler ({', '.join(settings.queues)})",
    ]
    if logins:
        lines += ["", f"  Demo logins, password {password} (demo data only):", ""]
        lines.append(f"    {'username':<12}{'role':<12}department")
        lines += [f"    {user:<12}{role:<12}{dept or '-'}" for user, role, dept in logins]
    lines += ["", "  Press Ctrl-C to stop everything.", ""]
    return "\n".join(lines)


def main(demo_logins: Sequence[DemoLogin] = (), demo_password: str = "") -> int:
    """Start Redis (unless REDIS_URL), prepare the database, serve web + worker until told
    to stop. Returns 0 after a stop signal, non-zero when anything failed."""
    logging.basicConfig(level=logging.INFO, format="[run] %(message)s")
    supervisor = Supervisor(cwd=BASE_DIR, env=child_env())
    supervisor.install_signal_handlers()
    try:
        settings = Settings.from_env()
        if not port_is_free(settings.host, settings.port):
            raise LaunchError(f"{settings.host}:{settings.port} is in use; set PORT or HOST")
        redis_url, embedded = _redis(supervisor, settings)
        supervisor.env = child_env(redis_url)
        for args in SETUP_STEPS:
            log.info("flask %s", " ".join(args))
            supervisor.run(f"flask {args[0]}", flask_argv(*args))
        supervisor.start("web", web_argv(settings.host, settings.port), stop_timeout=15.0)
        supervisor.start(
            "worker", worker_argv(redis_url, settings.queues), stop_timeout=WORKER_STOP_TIMEOUT
        )
        url = public_url(settings.host, settings.port)
        supervisor.wait_until(partial(web_answers, url + "login/"), WEB_START_TIMEOUT, "web")
        print(banner(settings, url, redis_url, embedded, demo_logins, demo_password), flush=True)
        supervisor.watch()
    except Interrupted as exc:
        log.info("%s received, stopping", exc)
        return 0
    except ChildFailed as exc:
        log.error("%s; stopping the rest", exc)
        return 1
    except (LaunchError, TimeoutError) as exc:
        log.error("%s", exc)
        return 1
    finally:
        supervisor.stop_all()
        if supervisor.children:
            log.info("stopped: %s", ", ".join(c.name for c in supervisor.children))


def _redis(supervisor: Supervisor, settings: Settings) -> tuple[str, bool]:
    """The Redis to use and whether we started it: REDIS_URL if set (and it answers)."""
    if settings.redis_url:
        try:
            if not embedded_redis.answers(settings.redis_url):
                raise LaunchError(f"REDIS_URL {settings.redis_url} does not answer")
        except ValueError as exc:  # redis-py's verdict on a malformed URL
            raise LaunchError(f"REDIS_URL {settings.redis_url}: {exc}") from exc
        return settings.redis_url, False
    return embedded_redis.start(supervisor, settings.instance_dir), True


def _port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise LaunchError(f"PORT must be a TCP port number, not {value!r}")
    return int(value)
