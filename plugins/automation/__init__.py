"""Automation addon: notification channels now; triggers, automations and SLA clocks later.

Depends on `plugins.tickets` (reacting to its events), never the other way round. The
channel layer in `channels/` is plain Python (standard library only) so RQ jobs, CLI commands
and tests can use it without an application context.
"""
