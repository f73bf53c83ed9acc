"""Reports addon."""
