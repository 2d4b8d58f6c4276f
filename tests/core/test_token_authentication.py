"""core/authentication.py: `Authorization: Token <token>` signs a program in as the token's user, with the user's
real data, in one statement; only a digest of the token is stored; an unknown, revoked or expired token, an inactive
user's token or a malformed header is a 401 in the API's one error shape saying what to do; the OpenAPI schema
declares the token scheme."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework import exceptions
from rest_framework.test import APIClient

from core.authentication import TokenAuthentication
from core.models import ApiToken

pytestmark = pytest.mark.django_db

User = get_user_model()
ME = "/api/v1/firms/me"
FIRMS = "/api/v1/firms"


def client_with(header: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    return client


def token_of(user, name="robot") -> str:
    return ApiToken.objects.create(user=user, name=name)[1]


def assert_refused(response, code: str, *says: str):
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"] == "Token"
    error = response.json()["error"]
    assert (error["code"], error["fields"]) == (code, {})
    for text in says:
        assert text in error["message"], error["message"]


def test_a_valid_token_answers_as_its_own_user(firm_user, other_firm_user, regulator):
    alice, bob, regulator_token = token_of(firm_user), token_of(other_firm_user), token_of(regulator)

    response = client_with(f"Token {alice}").get(ME)
    assert response.status_code == 200 and response.json()["legal_name"] == "Alice Minerals Ltd"
    response = client_with(f"Token {bob}").get(ME)
    assert response.status_code == 200 and response.json()["legal_name"] == "Bob Metals Ltd"

    # Permissions see the token's user: only the regulator may list every firm.
    assert client_with(f"Token {regulator_token}").get(FIRMS).status_code == 200
    assert client_with(f"Token {alice}").get(FIRMS).status_code == 403


def test_only_a_digest_of_the_token_is_stored(firm_user):
    token = token_of(firm_user)

    assert token.startswith("khanij_") and len(token) == len("khanij_") + 64
    row = ApiToken.objects.values().get()
    assert token not in {str(value) for value in row.values()}
    assert row["digest"] == hashlib.sha512(token.encode()).hexdigest()
    assert row["token_key"] == token[:15]  # what finds the row: the prefix and 8 of the 64 random hex digits


def test_a_plain_users_token_is_signed_in_but_not_a_firm_member(plain_user):
    response = client_with(f"Token {token_of(plain_user)}").get(ME)
    assert response.status_code == 403  # authenticated (not 401), refused by the firm-member permission
    assert response.json()["error"]["code"] == "permission_denied"


def test_the_user_and_token_hold_the_databases_values_read_in_one_statement(firm_user, django_assert_num_queries):
    User.objects.filter(pk=firm_user.pk).update(
        first_name="Alice", is_staff=True, date_joined=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    )
    token = token_of(firm_user)
    TokenAuthentication().authenticate_credentials(token.encode())  # the first use writes last_used

    with django_assert_num_queries(1):
        user, auth = TokenAuthentication().authenticate_credentials(token.encode())
        # Every field of the user and what the check needs of the token were read by that one statement.
        assert user.get_deferred_fields() == set()
        assert auth.get_deferred_fields() == {"token_key", "created", "name"}
        assert auth.user is user

    orm = User.objects.get(pk=firm_user.pk)
    for field in User._meta.concrete_fields:
        mine, theirs = getattr(user, field.attname), getattr(orm, field.attname)
        assert type(mine) is type(theirs) and mine == theirs, (field.attname, mine, theirs)
    assert user.username == "alice" and user.is_active is True and user.is_staff is True
    assert user.date_joined == datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    assert user.check_password("correct-horse-battery")

    stored = ApiToken.objects.get()
    for name in ("id", "digest", "user_id", "expiry", "last_used"):
        assert getattr(auth, name) == getattr(stored, name), name
    assert type(auth.expiry) is datetime and type(auth.last_used) is datetime
    with django_assert_num_queries(1):
        assert auth.name == "robot"  # a field the check does not need loads when asked for


def test_when_a_token_was_last_used_is_written_at_most_once_a_minute(firm_user, django_assert_num_queries):
    token = token_of(firm_user).encode()
    start = timezone.now()
    assert ApiToken.objects.get().last_used is None

    with time_machine.travel(start, tick=False):
        with django_assert_num_queries(2):  # the read, and the write of last_used
            TokenAuthentication().authenticate_credentials(token)
        assert ApiToken.objects.get().last_used == start
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        with django_assert_num_queries(1):
            TokenAuthentication().authenticate_credentials(token)
        assert ApiToken.objects.get().last_used == start
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        TokenAuthentication().authenticate_credentials(token)
        assert ApiToken.objects.get().last_used == start + timedelta(seconds=61)


def test_a_token_works_until_its_expiry_then_is_refused_saying_when_and_what_to_do(firm_user, settings):
    issued = timezone.now()
    with time_machine.travel(issued, tick=False):
        token = token_of(firm_user)
    assert ApiToken.objects.get().expiry == issued + timedelta(days=settings.API_TOKEN_DAYS)

    with time_machine.travel(issued + timedelta(days=30) - timedelta(seconds=1), tick=False):
        assert client_with(f"Token {token}").get(ME).status_code == 200
    with time_machine.travel(issued + timedelta(days=30), tick=False):
        response = client_with(f"Token {token}").get(ME)
    when = timezone.localtime(issued + timedelta(days=30)).strftime("%d %B %Y, %H:%M")
    assert_refused(response, "token_expired", f"This token expired on {when} IST", "POST /api/v1/auth/token")


def test_an_unknown_token_is_401_saying_how_to_get_one(firm_user):
    token = token_of(firm_user)
    said = ("This token is not valid: it was revoked, or it was never issued", "Issue a new one with POST /api/v1/auth")

    assert_refused(client_with("Token khanij_" + "0" * 64).get(ME), "token_invalid", *said)
    # Same first characters (the row is found), wrong rest: the digest decides.
    assert_refused(client_with(f"Token {token[:-1]}{'0' if token[-1] != '0' else '1'}").get(ME), "token_invalid")
    # A token of the old kind (40 hex digits, stored in clear until the migration removed them).
    assert_refused(client_with("Token 0123456789abcdef0123456789abcdef01234567").get(ME), "token_invalid", *said)
    with pytest.raises(exceptions.AuthenticationFailed, match="This token is not valid"):
        TokenAuthentication().authenticate_credentials(b"\xff\xfe not utf-8")


def test_an_inactive_users_token_is_401(firm_user):
    token = token_of(firm_user)
    User.objects.filter(pk=firm_user.pk).update(is_active=False)
    assert_refused(client_with(f"Token {token}").get(ME), "account_inactive", "deactivated", "reactivate")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Token", "Invalid token header. No credentials provided."),
        ("Token abc def", "Invalid token header. Token string should not contain spaces."),
    ],
)
def test_a_malformed_token_header_is_401(firm_user, header, message):
    token_of(firm_user)
    assert_refused(client_with(header).get(ME), "authentication_failed", message)


def test_the_openapi_schema_declares_the_token_scheme_and_its_lifetime():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert {k: scheme[k] for k in ("type", "in", "name")} == {"type": "apiKey", "in": "header", "name": "Authorization"}
    assert "`Authorization: Token <token>`" in scheme["description"]
    assert "lasts 30 days (setting `API_TOKEN_DAYS`)" in scheme["description"]
    assert "401 `token_expired`" in scheme["description"]
    assert {"tokenAuth": []} in schema["paths"][ME]["get"]["security"]
    assert {"tokenAuth": []} in schema["paths"]["/api/v1/auctions/{auction_id}/offers"]["post"]["security"]
