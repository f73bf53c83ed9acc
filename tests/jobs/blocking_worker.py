"""The production worker classes plus one test-only outbox handler, for killing a worker
mid-run (test_reliability).

The handler is registered last, so when it runs every real handler (triggers, SLA …) has
already written its effects in the delivery's transaction. On the first delivery of a
`ticket.created` event of a ticket whose subject starts with BLOCK_PREFIX it flushes, writes the
pid of the process running the job (a forking worker's horse, or the in-process worker
itself) to RELIABILITY_DIR/evt-<id> and blocks until the test SIGKILLs it; on a later
delivery it appends to evt-<id>.again and returns, letting the delivery commit.
"""

from __future__ import annotations

import os
import time

from app.worker import AppWorker, InProcessWorker
from plugins.automation.outbox import handlers
from plugins.tickets.models import Ticket

BLOCK_PREFIX = "KILL-ME"
HANDLER = "test-block-first-delivery"


def block_first_delivery(session, row) -> None:
    if row.kind != "ticket.created":
        return
    ticket = session.get(Ticket, row.ticket_id)
    if ticket is None or not ticket.subject.startswith(BLOCK_PREFIX):
        return
    session.flush()  # the other handlers' effects are in the transaction, uncommitted
    path = os.path.join(os.environ["RELIABILITY_DIR"], f"evt-{row.id}")
    if os.path.exists(path):
        with open(path + ".again", "a") as fh:
            fh.write(f"{os.getpid()}\n")
        return
    with open(path + ".tmp", "w") as fh:
        fh.write(str(os.getpid()))
    os.replace(path + ".tmp", path)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        time.sleep(0.2)
    raise RuntimeError("the test did not kill this worker")


class BlockingWorker(AppWorker):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        handlers.register(HANDLER, block_first_delivery)


class BlockingInProcessWorker(InProcessWorker):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        handlers.register(HANDLER, block_first_delivery)
