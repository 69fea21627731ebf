"""In Chromium: no page breaks the Content-Security-Policy, and the account forms work by clicking.

The forms here (sign-in, change password, issue a reset link, set a password through it, sign out) are
submitted by clicking their buttons, as a person does.
"""
from __future__ import annotations

import pytest

from genbank_registry.db import make_engine, session_scope
from genbank_registry.accounts import people as accounts

from .browser_support import browser, demo_server, shot  # noqa: F401

pytestmark = pytest.mark.browser
PASSWORD = "mật-khẩu-trình-duyệt"
USERS = (("boss", "admin", None), ("lan", "researcher", "CTU"), ("hoa", "researcher", "CTU"),
         ("tuan", "researcher", "CTU"))


def _users(url: str) -> None:
    engine = make_engine(url)
    with session_scope(engine) as session:
        for username, role, inst in USERS:
            accounts.create_user(session, {"username": username, "full_name": username.title(), "role": role,
                                           "institution_code": inst, "password": PASSWORD})
    engine.dispose()


@pytest.fixture(scope="module")
def server(browser, _factories):
    """The app over a fresh demo SQLite database with an administrator and three researchers."""
    with demo_server(_factories, _users) as base:
        yield base


@pytest.fixture
def new_page(browser, server):
    """new_page() → a page in a browser context of its own (its own cookies); all closed after the test."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN", base_url=server)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _sign_in(page, username: str, password: str) -> None:
    page.goto("/sign-in")
    token = page.locator('form[action="/sign-in"] input[name="csrf_token"]').get_attribute("value")
    assert token, "the sign-in form carries no CSRF token"
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(password)
    page.locator('form[action="/sign-in"] button[type="submit"]').click()
    page.wait_for_url("**/curation")


def _sign_out(page) -> None:
    page.locator('form[action="/sign-out"] button').click()
    page.wait_for_url(lambda url: url.rstrip("/").count("/") == 2)  # the home page


def test_sign_in_with_the_token_of_the_sign_in_form(new_page):
    page = new_page()
    _sign_in(page, "lan", PASSWORD)
    assert page.get_by_test_id("account-link").inner_text() == "lan"
    _sign_out(page)
    assert page.get_by_test_id("sign-in-link").is_visible()


def test_change_own_password_then_sign_in_with_the_new_one(new_page):
    page = new_page()
    _sign_in(page, "hoa", PASSWORD)
    page.get_by_test_id("account-link").click()
    page.wait_for_url("**/account")
    form = page.get_by_test_id("change-password")
    form.locator('input[name="current_password"]').fill(PASSWORD)
    form.locator('input[name="new_password"]').fill("mật-khẩu-mới-của-hoa")
    form.locator('input[name="new_password_repeat"]').fill("mật-khẩu-mới-của-hoa")
    form.locator('button[type="submit"]').click()
    page.wait_for_url("**/account?changed=1")
    assert page.get_by_test_id("password-changed").is_visible()
    shot(page, "account-password-changed")
    _sign_out(page)
    page.goto("/sign-in")
    page.locator('input[name="username"]').fill("hoa")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('form[action="/sign-in"] button[type="submit"]').click()
    assert page.get_by_test_id("sign-in-error").is_visible()  # the old password no longer works
    _sign_in(page, "hoa", "mật-khẩu-mới-của-hoa")


def test_an_admin_issues_a_reset_link_and_the_user_sets_a_password_once(new_page):
    admin = new_page()
    _sign_in(admin, "boss", PASSWORD)
    admin.goto("/account")
    admin.get_by_test_id("admin-users-link").click()
    admin.wait_for_url("**/admin/users")
    admin.get_by_test_id("issue-reset-tuan").click()
    link = admin.get_by_test_id("reset-link").input_value()
    assert "/reset/" in link
    shot(admin, "admin-reset-link")

    user = new_page()
    user.goto(link)
    assert user.get_by_test_id("reset-username").inner_text() == "tuan"
    user.locator('input[name="new_password"]').fill("mật-khẩu-mới-của-tuấn")
    user.locator('input[name="new_password_repeat"]').fill("mật-khẩu-mới-của-tuấn")
    user.locator('form[action^="/reset/"] button[type="submit"]').click()
    user.wait_for_url("**/sign-in?reset=1")
    assert user.get_by_test_id("reset-done").is_visible()
    _sign_in(user, "tuan", "mật-khẩu-mới-của-tuấn")
    again = new_page()
    again.goto(link)
    assert again.get_by_test_id("reset-refused").is_visible()
    assert again.locator('form[action^="/reset/"]').count() == 0


def test_no_page_breaks_the_content_security_policy(new_page, server):
    page = new_page()
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(f"{page.url}: {msg.text}")
            if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda exc: violations.append(f"{page.url}: {exc}"))

    public = ["/", "/catalogue", "/catalogue?q=lua", "/map", "/reports", "/sequences", "/tasks", "/institutions",
              "/downloads", "/about", "/sign-in"]
    for path in public:
        assert page.goto(path).status == 200, path
    page.goto("/catalogue?q=CTU:CAY-0001")
    page.locator(".result-title").first.click()
    page.wait_for_url("**/accessions/CTU/CAY-0001")
    qr = page.get_by_test_id("qr").locator("svg").bounding_box()
    assert qr and qr["width"] > 100
    page.goto("/")
    bar = page.locator("svg.bar-fill rect").first.bounding_box()
    assert bar and bar["width"] > 0 and bar["height"] > 0  # the bars still show without a style attribute
    shot(page, "home-bars-under-csp")

    _sign_in(page, "boss", PASSWORD)
    for path in ("/curation", "/imports", "/account", "/admin/users", "/curation/taxa"):
        assert page.goto(path).status == 200, path
    page.goto("/admin/users")
    page.get_by_test_id("issue-reset-lan").click()
    link = page.get_by_test_id("reset-link").input_value()
    assert page.goto(link).status == 200
    first = page.goto("/curation")
    assert first.status == 200
    drafts = page.locator('[data-testid="worklist"] a')
    if drafts.count():
        drafts.first.click()
        page.wait_for_load_state()
        page.goto(page.url + "/history")
    assert not violations, "\n".join(violations)
