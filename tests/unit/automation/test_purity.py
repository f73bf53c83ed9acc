"""The channel layer is a plain library: RQ jobs and CLI commands use it without an app."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("flask", "flask_appbuilder", "sqlalchemy", "rq", "redis", "requests")


def test_channels_import_no_framework():
    code = (
        "import sys, plugins.automation.channels as c, plugins.automation.channels.robots;"
        f"print(','.join(m for m in {FORBIDDEN!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_manager_is_an_addon_manager():
    from flask_appbuilder.basemanager import BaseManager

    from plugins.automation.manager import AutomationManager

    assert issubclass(AutomationManager, BaseManager)
