"""Entry points.

`python run.py` starts the whole product (see app/launcher.py). `run:app` is the WSGI app
for `flask --app run:app` and gunicorn; it is built on first access, so the launcher
process, which only supervises children, never builds one.
"""

from __future__ import annotations

import sys
from typing import Any


def __getattr__(name: str) -> Any:
    """Module attribute hook (PEP 562): build `app` the first time someone asks for it."""
    if name == "app":
        from app import create_app

        try:
            application = create_app()
        except AttributeError as exc:
            # Flask and gunicorn look `app` up with getattr(): an AttributeError escaping from
            # here would read as "run has no attribute 'app'" and hide the real error.
            raise RuntimeError(f"create_app() failed: {exc!r}") from exc
        globals()["app"] = application
        return application
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def demo_logins() -> tuple[list[tuple[str, str, str | None]], str]:
    """The demo users (username, role, department) and their password, for the banner.

    Read here, at the top level, because app/ never imports a plugin by name.
    """
    from plugins.tickets.demo import DEMO_PASSWORD, USERS

    return [(user, role, dept) for user, role, dept, *_ in USERS], DEMO_PASSWORD


if __name__ == "__main__":
    from app.launcher import main

    logins, password = demo_logins()
    sys.exit(main(logins, password))
