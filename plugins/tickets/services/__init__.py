"""Services: the only code that changes tickets. Each takes (session, actor, ...)."""
