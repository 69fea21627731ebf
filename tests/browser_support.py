"""What the browser tests (tests/test_browser*.py) share: Debian's Chromium under Playwright, a web server in a
subprocess, screenshots, signing in through the sign-in page, and the record of the forms they submitted.

Every browser context made from a Playwright `Browser` in this test run (whichever fixture made it) reports the
forms it posted: `POSTED` holds the path of every top-level POST navigation that got an answer below 400. The
check in tests/test_browser_forms.py compares it with the `<form method="post">` actions of web/templates, so a
form that no browser test submits is a failure, wherever the browser test lives.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("GENBANK_REGISTRY_CHROMIUM", "/usr/bin/chromium")
REQUIRE = os.environ.get("GENBANK_REGISTRY_REQUIRE_BROWSER") == "1"
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
TEMPLATES = ROOT / "web" / "templates"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

# Paths of the POST forms browser tests submitted successfully (status < 400), for the whole test session.
POSTED: set[str] = set()
# What the session collected and left out, filled by tests/conftest.py, so the check knows a partial run.
RUN = {"browser_files": set(), "deselected": []}


def missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright; `make test` installs it)"
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install -y chromium; .ci/run does it)"
    return None


def skip_without_browser() -> None:
    reason = missing()
    if reason:
        if REQUIRE:
            pytest.fail(f"browser tests are required (GENBANK_REGISTRY_REQUIRE_BROWSER=1): {reason}")
        pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="module")
def browser():
    skip_without_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


# --- the record of submitted forms ---------------------------------------------------------------------------

def _watch(context) -> None:
    def answered(response) -> None:
        request = response.request
        if request.method == "POST" and request.resource_type == "document" and response.status < 400:
            POSTED.add(urlsplit(request.url).path)

    context.on("response", answered)


def record_form_posts() -> None:
    """Make every context of every Playwright browser of this run report its form posts (called once, from
    conftest, so that browser tests of any file and any fixture count)."""
    try:
        from playwright.sync_api import Browser
    except ImportError:
        return
    if getattr(Browser, "_records_form_posts", False):
        return
    new_context, new_page = Browser.new_context, Browser.new_page

    def recording_context(self, *args, **kwargs):
        context = new_context(self, *args, **kwargs)
        _watch(context)
        return context

    def recording_page(self, *args, **kwargs):
        page = new_page(self, *args, **kwargs)
        _watch(page.context)
        return page

    Browser.new_context, Browser.new_page = recording_context, recording_page
    Browser._records_form_posts = True


_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.S)
_STATEMENT = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.S)
_FORM = re.compile(r"<form\b([^>]*)>", re.I)
_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
PLACEHOLDER = "{}"


def template_post_forms(root: Path = TEMPLATES) -> dict[str, list[str]]:
    """Every `<form method="post">` action of the templates, `{{ … }}` parts as `{}`, without a query string:
    action → the templates (file:line) that hold it. A form without an action is listed under "" (it posts to
    whatever page shows it, which the check cannot know)."""
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        # Substitutions keep the newlines, so that line numbers stay those of the file.
        normalised = _STATEMENT.sub(lambda m: "\n" * m[0].count("\n"), _EXPRESSION.sub(
            lambda m: PLACEHOLDER + "\n" * m[0].count("\n"), text))
        for match in _FORM.finditer(normalised):
            attrs = {m[1].lower(): next(v for v in m.groups()[1:] if v is not None) for m in _ATTR.finditer(match[1])}
            if attrs.get("method", "get").strip().lower() != "post":
                continue
            action = attrs.get("action", "").strip().split("?", 1)[0].split("#", 1)[0]
            line = normalised.count("\n", 0, match.start()) + 1
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            found.setdefault(action, []).append(f"{shown}:{line}")
    return found


def action_pattern(action: str) -> re.Pattern:
    """The paths a normalised action stands for: `{}` is one path segment (an action that is only `{}` is any)."""
    if action.strip() == PLACEHOLDER:
        return re.compile(r"/.*")
    return re.compile("^" + "[^/]+".join(re.escape(part) for part in action.split(PLACEHOLDER)) + "$")


def uncovered(forms: dict[str, list[str]], posted: set[str]) -> dict[str, list[str]]:
    """The forms (action → where) that no posted path stands for."""
    return {action: where for action, where in forms.items()
            if not any(action_pattern(action).match(path) for path in posted)}


# --- servers, pages, screenshots -----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(command: list[str], env: dict, port: int) -> Iterator[str]:
    """`command` (a web server on 127.0.0.1:`port`) until the block ends; yields its base URL."""
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(command, env=env)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"the web server did not start: {' '.join(command)}")
                time.sleep(0.1)
        else:
            pytest.fail(f"the web server did not answer in 20 s: {' '.join(command)}")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def uvicorn_command(port: int) -> list[str]:
    """The bare web app (no importers): what `uvicorn web.app:create_app --factory` serves."""
    return [sys.executable, "-m", "uvicorn", "web.app:create_app", "--factory", "--host", "127.0.0.1",
            "--port", str(port), "--log-level", "warning"]


def serve_command(port: int) -> list[str]:
    """`genbank-registry serve` itself, importers wired in (the console script's entry point, this interpreter)."""
    return [sys.executable, "-c", "from genbank_registry.cli import app; app()", "serve", "--host", "127.0.0.1",
            "--port", str(port)]


def shot(page, name: str, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def sign_in(page, username: str, password: str) -> None:
    """Sign in through the sign-in page, as a person does; lands on the curation page."""
    page.goto("/sign-in")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(password)
    page.locator('main button[type="submit"]').click()
    page.wait_for_url("**/curation")


# The people of the registry server: a researcher of CTU and a curator, with this password.
PEOPLE = {"lan": ("researcher", "CTU"), "minh": ("curator", None)}
PASSWORD = "mật-khẩu-đủ-dài"


@pytest.fixture(scope="module")
def registry(browser, _factories, tmp_path_factory):
    """`genbank-registry serve` (the importers wired in, the base URL unset) on a free port over a fresh SQLite
    database holding the demo catalogue and survey, with the users of PEOPLE: yields (base URL, database URL)."""
    from genbank_registry.db import make_engine, session_scope
    from genbank_registry.accounts import people as accounts

    factory = _factories("sqlite")
    url = factory.new("surveys")
    engine = make_engine(url)
    with session_scope(engine) as session:
        for username, (role, inst) in PEOPLE.items():
            accounts.create_user(session, {"username": username, "full_name": username.title(), "role": role,
                                           "institution_code": inst, "password": PASSWORD})
    engine.dispose()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "GENBANK_REGISTRY_BASE_URL"} | {
        "GENBANK_REGISTRY_DATABASE_URL": url, "GENBANK_REGISTRY_JOB_QUEUE": "thread",
        "GENBANK_REGISTRY_UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads"))}
    try:
        with running(serve_command(port), env, port) as base:
            yield base, url
    finally:
        factory.drop(url)


@contextmanager
def serve(database_url: str, **env) -> Iterator[str]:
    """The bare web app (uvicorn) on a free 127.0.0.1 port over `database_url`; yields the base URL."""
    port = free_port()
    env = os.environ | {"GENBANK_REGISTRY_DATABASE_URL": database_url,
                        "GENBANK_REGISTRY_BASE_URL": f"http://127.0.0.1:{port}"} | env
    with running(uvicorn_command(port), env, port) as base:
        yield base


@contextmanager
def demo_server(factories, prepare=None) -> Iterator[str]:
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
