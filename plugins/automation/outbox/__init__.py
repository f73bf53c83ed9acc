"""Events reach RQ without loss: the outbox relay, the dispatch job and the sweeper.

The one door writes an outbox row in the ticket's transaction. After commit the relay
enqueues `dispatch(row id)` (job id `evt-<id>`, JSON serializer); the dispatch job runs every
registered handler once per event (a unique row per event and handler is claimed before the
side effect) and marks the row delivered. A sweeper re-enqueues any row still undelivered,
so a dead worker or a restarted Redis delays events but never loses them.
"""
