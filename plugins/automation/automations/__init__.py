"""Automations (自动化): admin-built rules evaluated on time, not on events.

An automation is data: conditions in the saved-view language plus time fields ("24 hours
since created"), and actions from the trigger registry. One scheduled job sweeps the
active ones in order every few minutes; each compiles to one SQL query, and a ticket fires
a given automation at most once (the automation_run guard).
"""
