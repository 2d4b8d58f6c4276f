"""core/authentication.py: `Authorization: Token <key>` signs a program in as the token's user, with the user's
real data, in one statement; an unknown key, an inactive user's key or a malformed header is a 401 in the API's
one error shape; the OpenAPI schema still declares the token scheme."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from drf_spectacular.generators import SchemaGenerator
from rest_framework import exceptions
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.authentication import TokenAuthentication

pytestmark = pytest.mark.django_db

User = get_user_model()
ME = "/api/v1/firms/me"
FIRMS = "/api/v1/firms"


def client_with(header: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    return client


def token_of(user) -> Token:
    return Token.objects.create(user=user)


def assert_refused(response, message: str):
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"error": {"code": "authentication_failed", "message": message, "fields": {}}}


def test_a_valid_token_answers_as_its_own_user(firm_user, other_firm_user, regulator):
    alice, bob, regulator_token = token_of(firm_user), token_of(other_firm_user), token_of(regulator)

    response = client_with(f"Token {alice.key}").get(ME)
    assert response.status_code == 200 and response.json()["legal_name"] == "Alice Minerals Ltd"
    response = client_with(f"Token {bob.key}").get(ME)
    assert response.status_code == 200 and response.json()["legal_name"] == "Bob Metals Ltd"

    # Permissions see the token's user: only the regulator may list every firm.
    assert client_with(f"Token {regulator_token.key}").get(FIRMS).status_code == 200
    assert client_with(f"Token {alice.key}").get(FIRMS).status_code == 403


def test_a_plain_users_token_is_signed_in_but_not_a_firm_member(plain_user):
    response = client_with(f"Token {token_of(plain_user).key}").get(ME)
    assert response.status_code == 403  # authenticated (not 401), refused by the firm-member permission
    assert response.json()["error"]["code"] == "permission_denied"


def test_the_user_and_token_hold_the_databases_values(firm_user, django_assert_num_queries):
    User.objects.filter(pk=firm_user.pk).update(
        first_name="Alice", is_staff=True, date_joined=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    )
    token = token_of(firm_user)

    with django_assert_num_queries(1):
        user, auth = TokenAuthentication().authenticate_credentials(token.key)
        # Every field of both was read by that one statement: none is deferred.
        assert user.get_deferred_fields() == set() and auth.get_deferred_fields() == set()
        assert auth.user is user

    orm = User.objects.get(pk=firm_user.pk)
    for field in User._meta.concrete_fields:
        mine, theirs = getattr(user, field.attname), getattr(orm, field.attname)
        assert type(mine) is type(theirs) and mine == theirs, (field.attname, mine, theirs)
    assert user.username == "alice" and user.is_active is True and user.is_staff is True
    assert user.date_joined == datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    assert user.check_password("correct-horse-battery")

    stored = Token.objects.get(pk=token.key)
    assert (auth.key, auth.user_id) == (stored.key, firm_user.pk)
    assert type(auth.created) is datetime and auth.created == stored.created


def test_an_unknown_token_is_401(firm_user):
    token_of(firm_user)
    assert_refused(client_with("Token 0123456789abcdef0123456789abcdef01234567").get(ME), "Invalid token.")
    with pytest.raises(exceptions.AuthenticationFailed, match="Invalid token."):
        TokenAuthentication().authenticate_credentials("not-a-token")


def test_an_inactive_users_token_is_401(firm_user):
    token = token_of(firm_user)
    User.objects.filter(pk=firm_user.pk).update(is_active=False)
    assert_refused(client_with(f"Token {token.key}").get(ME), "User inactive or deleted.")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Token", "Invalid token header. No credentials provided."),
        ("Token abc def", "Invalid token header. Token string should not contain spaces."),
    ],
)
def test_a_malformed_token_header_is_401(firm_user, header, message):
    token_of(firm_user)
    assert_refused(client_with(header).get(ME), message)


def test_the_openapi_schema_declares_the_token_scheme():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }
    assert {"tokenAuth": []} in schema["paths"][ME]["get"]["security"]
