"""The child processes of `python run.py`: start them, watch them, stop every one of them.

Each child runs in its own session (process group). Ctrl-C in a terminal sends SIGINT to the
whole foreground group; if the children shared ours, web, worker and Redis would all get it at
once and die in random order (the worker losing Redis mid-shutdown), and we could not tell an
interrupt from a crash. In their own groups only the launcher gets the signal, and it stops the
children itself, newest first, so Redis goes last.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import NoReturn

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
POLL_SECONDS = 0.2
_PR_SET_PDEATHSIG = 1
# Resolved once in the parent: the pre-exec hook below runs between fork and exec.
_PRCTL = ctypes.CDLL(None).prctl if sys.platform.startswith("linux") else None

log = logging.getLogger("run")


class Interrupted(Exception):
    """A stop signal (SIGINT, SIGTERM, SIGHUP) arrived: the user wants everything stopped."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class ChildFailed(Exception):
    """A child exited when it should not have (a service died, or a set-up step failed)."""

    def __init__(self, name: str, returncode: int) -> None:
        super().__init__(f"{name} exited with status {returncode}")
        self.name = name
        self.returncode = returncode


@dataclass
class Child:
    """One process we started, and how long it may take to stop gracefully."""

    name: str
    popen: subprocess.Popen[bytes]
    stop_timeout: float

    @property
    def pid(self) -> int:
        return self.popen.pid


def _die_with_parent() -> None:
    """Runs in the child before exec: ask Linux to SIGTERM it if the launcher dies.

    A launcher killed with SIGKILL cannot clean up; without this its children would linger
    (a Redis on a port nobody knows, a worker polling it). Best effort: Linux only.
    """
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, int(signal.SIGTERM))


class Supervisor:
    """Starts children in their own process groups and turns signals into exceptions.

    The launcher's control flow stays linear: every wait goes through `check()`, which
    raises `Interrupted` after a stop signal and `ChildFailed` when a child exits, and a
    `finally: stop_all()` cleans up whatever was started up to that point.
    """

    def __init__(self, cwd: str, env: Mapping[str, str]) -> None:
        self.cwd = cwd
        self.env = dict(env)
        self.children: list[Child] = []
        self._signal: int | None = None

    def install_signal_handlers(self) -> None:
        """Record stop signals instead of dying, so we get to stop the children first."""
        for signum in STOP_SIGNALS:
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self._signal = signum

    def start(self, name: str, argv: Sequence[str], *, stop_timeout: float = 10.0) -> Child:
        """Start a long-running child; it shares our stdout/stderr but never our stdin."""
        popen = subprocess.Popen(
            list(argv),
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        child = Child(name, popen, stop_timeout)
        self.children.append(child)
        return child

    def run(self, name: str, argv: Sequence[str]) -> None:
        """Run a set-up step to completion; a non-zero exit raises `ChildFailed`."""
        child = self.start(name, argv, stop_timeout=10.0)
        try:
            while child.popen.poll() is None:
                self.check(exclude=child)
                time.sleep(POLL_SECONDS)
        except BaseException:
            self.stop(child)
            raise
        finally:
            self.children.remove(child)
        if child.popen.returncode != 0:
            raise ChildFailed(name, child.popen.returncode)

    def check(self, exclude: Child | None = None) -> None:
        """Raise if a stop signal arrived or a child has exited."""
        if self._signal is not None:
            raise Interrupted(self._signal)
        for child in self.children:
            if child is not exclude and child.popen.poll() is not None:
                raise ChildFailed(child.name, child.popen.returncode)

    def wait_until(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        """Poll `ready` until it holds, checking signals and children in between."""
        deadline = time.monotonic() + timeout
        while not ready():
            self.check()
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} not ready after {timeout:.0f}s")
            time.sleep(POLL_SECONDS)

    def watch(self) -> NoReturn:
        """Block until a stop signal arrives or a child exits (then raise)."""
        while True:
            self.check()
            time.sleep(POLL_SECONDS)

    def forget(self, child: Child) -> None:
        """Stop a child and drop it from the list (e.g. a Redis that lost a port race)."""
        self.stop(child)
        self.children.remove(child)

    def stop_all(self) -> None:
        """Stop every child, newest first: web and worker before the Redis they depend on."""
        for child in reversed(self.children):
            self.stop(child)

    def stop(self, child: Child) -> None:
        """SIGTERM the child (its own graceful shutdown), then SIGKILL its whole group.

        Only the group leader gets SIGTERM: gunicorn and rq stop their own workers and
        work-horses; signalling the group would kill a running job mid-flight. The final
        SIGKILL to the group catches anything the leader left behind.
        """
        if child.popen.poll() is None:
            _signal_quietly(child.pid, signal.SIGTERM)
            try:
                child.popen.wait(timeout=child.stop_timeout)
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in %.0fs, killing it", child.name, child.stop_timeout)
        _signal_group_quietly(child.pid, signal.SIGKILL)
        child.popen.wait()


def _signal_quietly(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _signal_group_quietly(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        # Empty group (the usual case after a clean stop); PermissionError is what macOS
        # reports for a group whose members are all zombies.
        pass
