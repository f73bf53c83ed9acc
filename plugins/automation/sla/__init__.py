"""SLA policies, clocks and escalation chains.

Clocks are rows (budget, consumed business minutes, paused, warn/due instants) rebuilt from
the ticket's trajectory by an outbox handler; RQ jobs scheduled at warn_at/due_at fire them
early, and a sweeper claims whatever is due with one atomic UPDATE, so each warning, breach
and escalation step happens exactly once and the work scales with what is due.
"""
