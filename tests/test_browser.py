"""The catalogue in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright for Python).

Skipped with a visible reason when Chromium or Playwright is missing; CI sets GENBANK_REGISTRY_REQUIRE_BROWSER=1,
which turns that skip into a failure. Screenshots go to test-artifacts/ (gitignored) for a human to look at.
"""
from __future__ import annotations

import os

import pytest

# Shared with the other tests/test_browser*.py files (the names stay importable from here too).
from .browser_support import ARGS, ARTIFACTS, CHROMIUM, REQUIRE, browser, free_port, running, shot, uvicorn_command
from .browser_support import missing as _missing

__all__ = ["ARGS", "ARTIFACTS", "CHROMIUM", "REQUIRE", "browser", "_missing"]
_free_port, _shot = free_port, shot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(browser, _factories):
    """uvicorn on a free 127.0.0.1 port over a fresh demo SQLite database."""
    factory = _factories("sqlite")
    url = factory.new("demo")
    port = free_port()
    env = os.environ | {"GENBANK_REGISTRY_DATABASE_URL": url, "GENBANK_REGISTRY_BASE_URL": f"http://127.0.0.1:{port}"}
    try:
        with running(uvicorn_command(port), env, port) as base:
            yield base
    finally:
        factory.drop(url)


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN", base_url=server)
    page = context.new_page()
    yield page
    context.close()


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
