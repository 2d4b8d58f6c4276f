"""The browser tests' set-up: Playwright drives Debian's Chromium (the session fixture `chromium_browser` of
tests/conftest.py launches it, or skips without it, failing in CI); each person's page has a browser context of its
own (fixtures `page` and `browse`), and signs in through the log-in page.

Playwright is imported where it is used, so that the tests without a browser do not load it.
"""

import contextlib
import os

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
PASSWORD = "correct-horse-battery"  # every user's, as the factories make them


@contextlib.contextmanager
def chromium():
    """Chromium at CHROMIUM, headless, with CHROMIUM_ARGS."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM (test database set-up included,
    # when a browser test is the first to need it) must be allowed to run beside it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextlib.contextmanager
def browsing(browser, base_url: str, username: str | None = None):
    """A page in a browser context of its own (its own cookies) on `base_url`, in India's locale and time zone,
    signed in as `username` when one is given; the context is closed when the block ends."""
    context = browser.new_context(base_url=base_url, locale="en-IN", timezone_id="Asia/Kolkata")
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        if username:
            log_in(page, username)
        yield page
    finally:
        context.close()


def submit(page, name, *, within=None):
    """Click the submit button called `name` (in `within`, when given) and wait for the page it leads to."""
    with page.expect_navigation():
        (within or page).get_by_role("button", name=name, exact=True).click()


def log_in(page, username, password=PASSWORD):
    """Sign in through the log-in page, as a person does; the page it leads to must name the user."""
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    submit(page, "Log in")
    assert "/accounts/login/" not in page.url, "log-in failed"
    expect(page.locator(".account .who")).to_contain_text(username)
