"""Quality addon."""
