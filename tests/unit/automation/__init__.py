"""Unit tests of the automation addon (pure: no app, database or network)."""
