"""Placeholder until the launcher lands."""

from app import create_app

app = create_app()
