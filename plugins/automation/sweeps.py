"""The automation addon's sweep chains, kept alive by every RQ worker (app/worker.py calls
the hook this addon registers): outbox, SLA, notifications, call-back reminders and
time-based automations. A sweep is what turns "RQ lost a job" into "RQ was late".
"""

from __future__ import annotations

import logging

from flask import current_app

from plugins.automation.outbox.queue import queue_for

log = logging.getLogger(__name__)


def keep_sweepers(starting: bool) -> None:
    """At a worker's start: one run of the outbox and SLA sweeps now (a crash or an outage
    is caught up at once); always: re-arm every chain that is gone. Never raises."""
    from plugins.automation.automations import jobs as automation_jobs
    from plugins.automation.notify import callbacks
    from plugins.automation.notify import jobs as notify_jobs
    from plugins.automation.outbox import jobs as outbox_jobs
    from plugins.automation.outbox import sweepers
    from plugins.automation.sla import jobs as sla_jobs

    app = current_app._get_current_object()
    queue = queue_for(app.config.get("REDIS_URL"))
    if queue is None:
        return
    if starting:
        for module in (outbox_jobs, sla_jobs):
            sweepers.run_now(queue, module.SWEEP_JOB_ID, module.sweep)
    for module in (outbox_jobs, sla_jobs, notify_jobs, callbacks):
        module.ensure_sweeper(queue)
    automation_jobs.ensure_sweeper(queue, app)
