"""REST API of the ticket addon (JWT or browser session)."""
