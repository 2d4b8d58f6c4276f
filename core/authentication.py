"""API tokens (`Authorization: Token <token>`): django-rest-knox's tokens, read in one statement written once.

knox stores only a SHA-512 digest of each token and its first characters (`token_key`) to find the row; the model
is `core.ApiToken` (settings KNOX_TOKEN_MODEL). knox's own check builds an ORM query for the token and another for
the user's other tokens on every request; on the e-auction's hot path that costs more CPU than the rest of a
refused offer (docs/benchmarks.md), so the row and its user are read here by one prewritten statement (core.sql),
and the digest is compared as knox compares it (`hmac.compare_digest`). Refusals are 401 in the API's one error
shape, saying what to do: `token_invalid` (revoked, or never issued), `token_expired` (with its date).

When the token was last used is written at most once per LAST_USED_PRECISION, by one prewritten UPDATE outside
any transaction of the request, so that a program sending many requests a second does not write on each."""

import binascii
from datetime import timedelta
from functools import cache
from hmac import compare_digest

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox import auth
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS
from rest_framework import exceptions

from core.sql import ModelRow, ModelWrite, quote

LAST_USED_PRECISION = timedelta(minutes=1)
ISSUE = "Issue a new one with POST /api/v1/auth/token (your username, password and the program's name)"
INVALID = (
    "This token is not valid: it was revoked, or it was never issued (tokens issued before tokens were stored hashed "
    f"no longer work). {ISSUE}."
)
INACTIVE = (
    "The account this token belongs to is deactivated, so its tokens are refused. Ask your firm's administrator or "
    "the portal's administrators to reactivate it."
)


@cache
def _statements() -> tuple[str, ModelRow, ModelRow, ModelWrite]:
    """The read of a token with its user by `token_key`, the rows' builders, and the write of `last_used`. Of the
    token only what the check needs is read; its other fields (name, created...) load if a view asks for them."""
    token_model, user_model = get_token_model(), get_user_model()
    token = ModelRow(token_model, ["digest", "user", "expiry", "last_used"])
    user = ModelRow(user_model, [f.name for f in user_model._meta.concrete_fields])
    field = token_model._meta.get_field
    read = (
        f"SELECT {', '.join(token.columns('t') + user.columns('u'))} FROM {quote(token_model._meta.db_table)} t "
        f"JOIN {quote(user_model._meta.db_table)} u ON u.{quote(user_model._meta.pk.column)} = "
        f"t.{quote(field('user').column)} WHERE t.{quote(field('token_key').column)} = %s"
    )
    return read, token, user, ModelWrite(token_model, ["last_used"])


def expired_message(expiry) -> str:
    when = timezone.localtime(expiry).strftime("%d %B %Y, %H:%M %Z")
    return f"This token expired on {when}: tokens last a limited time. {ISSUE}."


class TokenAuthentication(auth.TokenAuthentication):
    """knox's token authentication (its header parsing, its `WWW-Authenticate: Token`), with the token read in one
    statement and refusals a person can act on."""

    def authenticate_credentials(self, token: bytes):
        try:
            text = token.decode()
            digest = hash_token(text)
        except (UnicodeDecodeError, TypeError, binascii.Error):
            raise exceptions.AuthenticationFailed(INVALID, code="token_invalid") from None
        read, token_row, user_row, touch = _statements()
        with connection.cursor() as cursor:
            cursor.execute(read, [text[: CONSTANTS.TOKEN_KEY_LENGTH]])
            rows = cursor.fetchall()
        digest_at = token_row.attnames.index("digest")
        found = next((row for row in rows if compare_digest(row[digest_at], digest)), None)
        if found is None:
            raise exceptions.AuthenticationFailed(INVALID, code="token_invalid")
        api_token = token_row.build(found[: len(token_row)])
        user = user_row.build(found[len(token_row) :])
        now = timezone.now()
        if api_token.expiry <= now:
            raise exceptions.AuthenticationFailed(expired_message(api_token.expiry), code="token_expired")
        if not user.is_active:
            raise exceptions.AuthenticationFailed(INACTIVE, code="account_inactive")
        if api_token.last_used is None or now - api_token.last_used >= LAST_USED_PRECISION:
            api_token.last_used = now
            touch.update(api_token.pk, now)
        api_token.user = user
        return (user, api_token)


class TokenScheme(OpenApiAuthenticationExtension):
    """The scheme in the OpenAPI document (drf-spectacular): the `Authorization: Token <token>` header, under the
    name `tokenAuth` it has always had, saying where a token comes from and how long it lasts."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                'Token-based authentication with required prefix "Token": `Authorization: Token <token>`. Get a token '
                "from `POST /api/v1/auth/token` (username, password and the program's name); it is shown once, lasts "
                f"{settings.API_TOKEN_DAYS} days (setting `API_TOKEN_DAYS`), and can be revoked "
                "(`DELETE /api/v1/auth/tokens/{id}`, `DELETE /api/v1/auth/tokens`, `POST /api/v1/auth/logout`). "
                "A revoked or unknown token is refused with 401 `token_invalid`, an expired one with 401 "
                "`token_expired`."
            ),
        }
