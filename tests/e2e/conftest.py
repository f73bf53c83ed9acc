"""Real-browser fixtures: the session `app` on a real HTTP server, headless Debian Chromium.

Chromium and its driver come from Debian (`apt-get install chromium chromium-driver`); no
browser is ever downloaded. Without them every e2e test is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT_SECONDS = 10
PASSWORD = "demo1234"

CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1366,900",
    "--lang=zh-CN",
)


class QuietHandler(WSGIRequestHandler):
    """Logs only server errors, not every page and static file."""

    def log_request(self, code="-", size="-") -> None:
        if str(code).startswith("5"):
            super().log_request(code, size)


@dataclass
class LiveServer:
    url: str

    def __call__(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[LiveServer]:
    """The session app served over HTTP from a background thread (each request gets its own
    app context from Flask itself)."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="e2e-http", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _missing_browser() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            return f"{path} not found: apt-get install -y chromium chromium-driver"
    return None


@pytest.fixture(scope="session")
def browser_factory() -> Iterator[Callable[[], object]]:
    """new_browser() → a fresh headless Chromium (own profile dir, so own cookies)."""
    reason = _missing_browser()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    drivers: list[tuple[object, str]] = []

    def new_browser():
        profile = tempfile.mkdtemp(prefix="e2e-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in CHROMIUM_ARGS:
            options.add_argument(arg)
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        driver.set_page_load_timeout(30)
        drivers.append((driver, profile))
        return driver

    yield new_browser
    for driver, profile in drivers:
        try:
            driver.quit()
        finally:
            shutil.rmtree(profile, ignore_errors=True)


_SHOTS: list[str] = []


@pytest.fixture(scope="session")
def shots_dir() -> str:
    """Screenshots go here: E2E_SCREENSHOTS or a temp dir, outside the repository."""
    path = os.environ.get("E2E_SCREENSHOTS") or tempfile.mkdtemp(prefix="e2e-shots-")
    os.makedirs(path, exist_ok=True)
    _SHOTS.append(path)
    return path


def pytest_terminal_summary(terminalreporter) -> None:
    for path in _SHOTS:
        terminalreporter.write_line(f"e2e screenshots: {path}")


class Page:
    """A logged-in browser with a few helpers (explicit waits only)."""

    def __init__(self, driver, server: LiveServer) -> None:
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver = driver
        self.server = server
        self.wait = WebDriverWait(driver, WAIT_SECONDS)

    def open(self, path: str, ready_css: str = "body") -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec

        self.driver.get(self.server(path))
        self.wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ready_css)))

    def css(self, selector: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def all(self, selector: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def visible(self, selector: str):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec

        return self.wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, selector)))

    def submit_and_wait(self, button, ready: Callable[[object], object]) -> None:
        """Click a submit button and wait until the old page is gone and `ready` holds."""
        from selenium.webdriver.support import expected_conditions as ec

        old = self.css("html")
        button.click()
        self.wait.until(ec.staleness_of(old))
        self.wait.until(ready)

    def login(self, username: str, password: str = PASSWORD) -> None:
        """Through the real login form."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec

        self.open("/login/", "input[name=username]")
        self.css("input[name=username]").send_keys(username)
        self.css("input[name=password]").send_keys(password)
        self.submit_and_wait(
            self.css("form [type=submit]"),
            ec.invisibility_of_element_located((By.CSS_SELECTOR, "input[name=password]")),
        )
        assert "/login" not in self.driver.current_url, f"login as {username} failed"

    def screenshot(self, path: str) -> str:
        """A PNG of the whole page (the window grown to the page's height for the shot)."""
        size = self.driver.get_window_size()
        height = self.driver.execute_script(
            "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)"
        )
        self.driver.set_window_size(size["width"], min(max(height, size["height"]), 4000))
        try:
            self.driver.save_screenshot(path)
        finally:
            self.driver.set_window_size(size["width"], size["height"])
        return path

    def session_cookies(self) -> dict[str, str]:
        return {c["name"]: c["value"] for c in self.driver.get_cookies()}


@pytest.fixture(scope="session")
def as_user(browser_factory, live_server) -> Callable[[str], Page]:
    """as_user("agent") → a Page in its own browser, logged in through the form; one browser
    per user for the whole session."""
    pages: dict[str, Page] = {}

    def _as(username: str) -> Page:
        if username not in pages:
            page = Page(browser_factory(), live_server)
            page.login(username)
            pages[username] = page
        return pages[username]

    return _as
