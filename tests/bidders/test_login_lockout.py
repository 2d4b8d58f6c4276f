"""The login lockout (django-axes, kept in the database): after too many wrong passwords for one username from one
address, the login page and /api/v1/auth/token refuse even the right password until the cool-off has passed, and
say so; the address is the peer's unless the peer is a configured proxy; Redis being down changes nothing."""

import ipaddress
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"
LIMIT = 3
TOKEN = "/api/v1/auth/token"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    settings.TRUSTED_PROXIES = []


@pytest.fixture
def alice():
    return UserFactory(username="alice")


@pytest.fixture
def bob():
    return UserFactory(username="bob")


def token(username, password, **meta):
    body = {"username": username, "password": password, "name": "bidding-robot"}
    return APIClient().post(TOKEN, body, format="json", **meta)


def fail(times, username="alice", **meta):
    """Wrong passwords; the one that reaches the limit is already answered as a lockout."""
    statuses = [token(username, "wrong-password", **meta).status_code for _ in range(times)]
    assert statuses == [400] * min(times, LIMIT - 1) + [429] * max(0, times - LIMIT + 1)


def test_login_page_refuses_the_right_password_after_too_many_wrong_ones_and_says_until_when(client, alice):
    url = reverse("login")
    statuses = [client.post(url, {"username": "alice", "password": "wrong-password"}).status_code for _ in range(LIMIT)]
    assert statuses == [200] * (LIMIT - 1) + [429]

    response = client.post(url, {"username": "alice", "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "Signing in is paused" in page
    assert f"Too many wrong passwords for this username from your address ({LIMIT} in a row)" in page
    assert "signing in is refused until" in page and "even with the right password" in page
    assert 14 * 60 < int(response["Retry-After"]) <= 15 * 60
    attempt = AccessAttempt.objects.get(username="alice")
    assert (attempt.ip_address, attempt.failures_since_start) == ("127.0.0.1", LIMIT)


def test_token_endpoint_refuses_the_right_password_after_too_many_wrong_ones_in_the_error_shape(alice):
    fail(LIMIT)

    response = token("alice", PASSWORD)

    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "locked_out" and error["fields"] == {}
    assert "signing in is refused until" in error["message"] and "Try again then" in error["message"]
    assert 14 * 60 < int(response["Retry-After"]) <= 15 * 60
    assert AccessAttempt.objects.get(username="alice", ip_address="127.0.0.1").failures_since_start == LIMIT


def test_a_try_during_the_lockout_does_not_extend_it(alice):
    fail(LIMIT)
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        assert token("alice", "wrong-password").status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert token("alice", PASSWORD).status_code == 201


def test_sign_in_works_again_after_the_cool_off_and_clears_the_failures(client, alice):
    fail(LIMIT)
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(alice.pk)
    assert not AccessAttempt.objects.filter(username="alice").exists()


def test_fewer_wrong_passwords_than_the_limit_do_not_lock(alice):
    fail(LIMIT - 1)
    assert token("alice", PASSWORD).status_code == 201


def test_the_lockout_binds_one_username_from_one_address_only(alice, bob):
    fail(LIMIT, REMOTE_ADDR="198.51.100.1")

    assert token("alice", PASSWORD, REMOTE_ADDR="198.51.100.1").status_code == 429
    assert token("alice", PASSWORD, REMOTE_ADDR="198.51.100.2").status_code == 201
    assert token("bob", PASSWORD, REMOTE_ADDR="198.51.100.1").status_code == 201


def test_a_forwarded_for_header_from_a_client_that_is_not_a_proxy_is_ignored(alice):
    statuses = [
        token("alice", "wrong", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
        for n in range(LIMIT)
    ]
    assert statuses == [400] * (LIMIT - 1) + [429]

    response = token("alice", PASSWORD, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.200")

    assert response.status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.9"]


def test_the_configured_proxy_forwards_the_client_address(settings, alice):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/24")]
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    fail(LIMIT, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.7"]
    # The client cannot dodge by writing its own entries: the proxy appends the address it saw, the right-most.
    spoofed = token("alice", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.7", **proxy)
    assert spoofed.status_code == 429
    # Another client behind the same proxy is not locked out.
    assert token("alice", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8", **proxy).status_code == 201


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2, "retry_after": 60},
        }
    }
)
def test_the_lockout_holds_while_redis_is_down(client, alice):
    url = reverse("login")
    statuses = [client.post(url, {"username": "alice", "password": "wrong-password"}).status_code for _ in range(LIMIT)]
    assert statuses == [200] * (LIMIT - 1) + [429]

    assert client.post(url, {"username": "alice", "password": PASSWORD}).status_code == 429
    assert token("alice", PASSWORD).status_code == 429
    assert AccessAttempt.objects.get(username="alice").failures_since_start == LIMIT
