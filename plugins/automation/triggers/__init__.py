"""Triggers (触发器): admin-built rules that react to ticket events.

A trigger is data: conditions on the event and on the ticket, and a list of actions. The
outbox handler "triggers" evaluates the active ones in order for each event and carries out
the actions through the one door as the system user.
"""
