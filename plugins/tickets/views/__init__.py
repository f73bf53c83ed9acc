"""Screens of the ticket addon: thin declarative views that call the services."""
