"""What browser tests share: Debian's Chromium through Playwright, and the app served by uvicorn on 127.0.0.1.

A browser test module imports the `browser` fixture from here and makes its `server` fixture with
`demo_server` (a fresh demo database, optionally prepared by a function, served by uvicorn).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("GENBANK_REGISTRY_CHROMIUM", "/usr/bin/chromium")
REQUIRE = os.environ.get("GENBANK_REGISTRY_REQUIRE_BROWSER") == "1"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright; `make test` installs it)"
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install -y chromium; .ci/run does it)"
    return None


@contextmanager
def chromium():
    """A launched headless Chromium, or a skip (a failure under GENBANK_REGISTRY_REQUIRE_BROWSER=1)."""
    reason = missing()
    if reason:
        if REQUIRE:
            pytest.fail(f"browser tests are required (GENBANK_REGISTRY_REQUIRE_BROWSER=1): {reason}")
        pytest.skip(f"browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@contextmanager
def demo_server(factories, prepare=None):
    """uvicorn over a fresh demo SQLite database, after `prepare(url)` if given; the database is dropped after."""
    factory = factories("sqlite")
    url = factory.new("demo")
    try:
        if prepare is not None:
            prepare(url)
        with serve(url) as base:
            yield base
    finally:
        factory.drop(url)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(database_url: str, **env):
    """uvicorn on a free 127.0.0.1 port over `database_url`; yields the base URL and stops the server after."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {"GENBANK_REGISTRY_DATABASE_URL": database_url, "GENBANK_REGISTRY_BASE_URL": base} | env
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "web.app:create_app", "--factory", "--host",
                             "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("the web server did not start")
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
