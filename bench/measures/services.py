"""The system under test: gunicorn (2 workers) and the RQ workers on the bench database."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
# Where the app under test runs from: this tree, or (BENCH_APP_DIR) another checkout of it,
# e.g. a `git worktree` of a commit, to measure one version while the tree changes.
APP_DIR = Path(os.environ.get("BENCH_APP_DIR") or ROOT)
PORT = int(os.environ.get("BENCH_PORT", "5079"))
BASE = f"http://127.0.0.1:{PORT}"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
# RQ worker processes (BENCH_RQ_WORKERS), each running jobs in process; one also schedules.
# Three: on the 2 shared cores the web (2 gunicorn workers) sends the trigger-lag events
# faster than two workers' share of the CPU delivers them (p95 0.36-0.85 s with two,
# 0.12-0.15 s with three, 138 MB each).
RQ_WORKERS = int(os.environ.get("BENCH_RQ_WORKERS", "3"))
# The Makefile's `worker` command.
WORKER = [
    str(BIN / "rq"), "worker", "--with-scheduler", "--serializer",
    "rq.serializers.JSONSerializer", "--worker-class", "app.worker.InProcessWorker",
    "--maintenance-interval", "60", "--url", REDIS_URL, "default",
]  # fmt: skip


def app_env(db_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        REDIS_URL=REDIS_URL,
        FLASK_APP="run:app",
        SECRET_KEY="bench-secret-key-shared-by-both-workers",
        INSTANCE_DIR=str(ROOT / "instance" / "bench"),
        PYTHONPATH=str(APP_DIR),
    )
    return env


@dataclass
class Services:
    db_url: str
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    logs: Path = ROOT / "bench" / "results" / "logs"

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        env = app_env(self.db_url)
        subprocess.run(
            [str(BIN / "python"), "-c", f"import redis; redis.from_url('{REDIS_URL}').flushdb()"],
            check=True,
        )
        self.procs["web"] = self._spawn(
            [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{PORT}",
             "--no-control-socket", "--access-logfile", "-", "--log-level", "warning",
             "run:app"], env, "gunicorn",
        )  # fmt: skip
        for i in range(RQ_WORKERS):
            name = "worker" if i == 0 else f"worker-{i + 1}"
            self.procs[name] = self._spawn(WORKER, env, "rq-" + name)
        self._wait_ready()

    def _spawn(self, cmd: list[str], env: dict, name: str) -> subprocess.Popen:
        out = open(self.logs / f"{name}.log", "w")  # noqa: SIM115 - lives with the process
        return subprocess.Popen(cmd, cwd=APP_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip

    def _wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.procs["web"].poll() is not None:
                raise RuntimeError("gunicorn exited: see bench/results/logs/gunicorn.log")
            try:
                urllib.request.urlopen(f"{BASE}/login/", timeout=5).read()
                if len(self.web_worker_pids()) >= 2:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError("gunicorn did not answer in time")

    def web_worker_pids(self) -> list[int]:
        return children(self.procs["web"].pid)

    def rq_pids(self) -> list[int]:
        """The RQ workers and their children (the scheduler; a forking worker's horses)."""
        pids = [p.pid for name, p in self.procs.items() if name.startswith("worker")]
        return [pid for parent in pids for pid in (parent, *children(parent))]

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        self.procs.clear()


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM: the process's peak resident set since it started."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None
