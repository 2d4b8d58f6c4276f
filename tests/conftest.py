"""Shared fixtures: one user per role, API clients, and the real services (PostgreSQL, Redis, Chromium).

A test that needs a service this machine lacks is skipped with the reason on a laptop, and fails in CI
(CI=true), where every service must be present.
"""

import importlib
import os
import shutil

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from bidders.roles import REGULATORS_GROUP
from tests.factories import FirmFactory, MembershipFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
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


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Reference data that migrations load (the mineral catalogue) is there for every database test.

    Transactional tests empty every table when they end (on PostgreSQL pytest-django runs them last), which
    would leave later tests without the catalogue; it is loaded again, by the migration's own function.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker is not None and marker.kwargs.get("transaction", False))
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    elif marker is not None or "db" in request.fixturenames:
        request.getfixturevalue("db")
    else:
        return
    from django.apps import apps

    from auctions.models import Mineral

    if not Mineral.objects.exists():
        importlib.import_module("auctions.migrations.0002_mineral_catalogue").load(apps, None)


def require_service(available: bool, reason: str):
    """Skip (laptop) or fail (CI) when a real service a test needs is missing."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI must provide this service: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def postgres(db, settings):
    require_service(
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql",
        "needs PostgreSQL: set DATABASE_URL=postgres://... (CI does)",
    )


@pytest.fixture
def regulator(db):
    user = UserFactory(username="regulator1")
    user.groups.add(Group.objects.get_or_create(name=REGULATORS_GROUP)[0])
    return user


@pytest.fixture
def firm_user(db):
    return MembershipFactory(user=UserFactory(username="alice"), firm=FirmFactory(legal_name="Alice Minerals Ltd")).user


@pytest.fixture
def other_firm_user(db):
    return MembershipFactory(user=UserFactory(username="bob"), firm=FirmFactory(legal_name="Bob Metals Ltd")).user


@pytest.fixture
def plain_user(db):
    """Signed in, but neither a regulator nor a member of a firm."""
    return UserFactory(username="carol")


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as():
    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture(scope="session")
def chromium_browser():
    require_service(os.path.exists(CHROMIUM) or shutil.which(CHROMIUM) is not None, f"needs Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM (test database set-up included,
    # when a browser test is the first to need it) must be allowed to run beside it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium_browser, live_server):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-IN", timezone_id="Asia/Kolkata")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
