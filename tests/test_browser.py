"""The catalogue in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright for Python).

Skipped with a visible reason when Chromium or Playwright is missing; CI sets GENBANK_REGISTRY_REQUIRE_BROWSER=1,
which turns that skip into a failure. Screenshots go to test-artifacts/ (gitignored) for a human to look at.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("GENBANK_REGISTRY_CHROMIUM", "/usr/bin/chromium")
REQUIRE = os.environ.get("GENBANK_REGISTRY_REQUIRE_BROWSER") == "1"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

pytestmark = pytest.mark.browser


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright; `make test` installs it)"
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install -y chromium; .ci/run does it)"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        if REQUIRE:
            pytest.fail(f"browser tests are required (GENBANK_REGISTRY_REQUIRE_BROWSER=1): {reason}")
        pytest.skip(f"browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(browser, _factories):
    """uvicorn on a free 127.0.0.1 port over a fresh demo SQLite database."""
    factory = _factories("sqlite")
    url = factory.new("demo")
    port = _free_port()
    env = os.environ | {"GENBANK_REGISTRY_DATABASE_URL": url, "GENBANK_REGISTRY_BASE_URL": f"http://127.0.0.1:{port}"}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "web.app:create_app", "--factory", "--host",
                             "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
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
        factory.drop(url)


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN", base_url=server)
    page = context.new_page()
    yield page
    context.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _total(page) -> str:
    return page.get_by_test_id("total").inner_text()


def test_search_without_diacritics_finds_vietnamese_names(page):
    page.goto("/")
    page.get_by_test_id("search-input").fill("dinh lang")
    page.get_by_test_id("search-input").press("Enter")
    page.wait_for_url("**/catalogue?q=dinh+lang")
    assert page.get_by_test_id("result").count() == 2
    assert page.locator(".result-title").first.inner_text() == "Đinh lăng"
    _shot(page, "search-dinh-lang")
    page.goto("/catalogue?q=Đinh+lăng")
    assert page.get_by_test_id("result").count() == 2


def test_facet_click_narrows_the_result(page):
    page.goto("/catalogue?q=lua")
    before = page.get_by_test_id("result").count()
    total_before = _total(page)
    link = page.locator('[data-facet="district"] a').first
    expected = int(link.locator("xpath=..").locator(".count").inner_text())
    link.click()
    page.wait_for_url("**district=*")
    assert _total(page) != total_before
    assert page.get_by_test_id("result").count() == expected <= before
    assert page.locator('[data-facet="district"] li.selected').count() == 1
    _shot(page, "facet-district")


def test_language_switch_is_visible_and_remembered(page):
    page.goto("/catalogue?q=sam")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "Tìm thấy" in _total(page)
    page.get_by_test_id("lang-switch").click()
    page.wait_for_url("**lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "accessions found for “sam”" in _total(page)
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    _shot(page, "home-en")
    page.get_by_test_id("lang-switch").click()
    assert page.locator("html").get_attribute("lang") == "vi"


def test_accession_page_shows_its_qr_code(page, server):
    page.goto("/catalogue?q=CTU:CAY-0001")
    page.locator(".result-title").first.click()
    page.wait_for_url("**/accessions/CTU/CAY-0001")
    qr = page.get_by_test_id("qr").locator("svg")
    box = qr.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100
    assert page.get_by_test_id("accno").inner_text() == "CTU:CAY-0001"
    assert f"{server}/accessions/CTU/CAY-0001" in page.get_by_test_id("qr").inner_text()
    assert page.locator("h1").inner_text().startswith("Lúa Nàng Thơm Chợ Đào")
    _shot(page, "accession-CAY-0001")
