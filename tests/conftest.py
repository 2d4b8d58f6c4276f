"""Shared fixtures: one user per role, API clients, and the real services (PostgreSQL, Redis, Chromium).

A test that needs a service this machine lacks is skipped with the reason on a laptop, and fails in CI
(CI=true), where every service must be present.
"""

import functools
import importlib
import os
import shutil

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from bidders.roles import REGULATORS_GROUP
from tests.browser import CHROMIUM, browsing, chromium
from tests.factories import FirmFactory, MembershipFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Reference data that migrations load (the mineral catalogue, the public bodies) is there for every database test.

    Transactional tests empty every table when they end (on PostgreSQL pytest-django runs them last), which
    would leave later tests without the catalogue; it is loaded again, by the migration's own function.
    Every transactional test is marked `serialized_rollback=True`: a flush without it runs post_migrate, which
    re-creates the regulators group, and the next serialized test's restore then collides with that group.
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

    from authorities import bodies
    from authorities.models import Authority
    from blocks.models import Mineral

    if not Mineral.objects.exists():
        importlib.import_module("blocks.migrations.0002_mineral_catalogue").load(apps, None)
        importlib.import_module("blocks.migrations.0006_part_b_minerals").load(apps, None)
    if not Authority.objects.exists():
        bodies.load(Authority)
    from blocks.public_cache import new_data_version

    new_data_version()  # answers the public API cached in Redis during an earlier test show rolled-back data


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
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(chromium_browser, live_server):
    """An anonymous visitor's page on the live server."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with browsing(chromium_browser, live_server.url) as page:
        yield page


@pytest.fixture
def browse(chromium_browser, live_server):
    """`with browse("asha") as page:` one more person's page on the live server, in a browser context of its own,
    signed in as the user when one is named (tests.browser.browsing)."""
    return functools.partial(browsing, chromium_browser, live_server.url)
