"""API tokens for programs: issued to the account whose credentials are given, one per program (named), revoked by
their user one at a time or all at once.

The tokens are django-rest-knox's (model core.ApiToken): only a SHA-512 digest is stored and the token is returned
once, by `auth_token_issue`. Each lasts settings.API_TOKEN_DAYS from its issue (core.authentication refuses it
after). Revoking deletes the row: the token is refused at its next request. Administrators revoke any token in the
back office (core/admin.py)."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.db import transaction
from django.utils import timezone

from bidders.services.input import FieldErrors
from core.errors import ApplicationError, Conflict, NotFound
from core.lockout import locked_out
from core.models import ApiToken

NAME_MAX = ApiToken._meta.get_field("name").max_length


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued: `token` is the secret, shown this once; `record` is what is stored (its digest)."""

    record: ApiToken
    token: str
    replaced: bool  # a token of the same name was revoked by this issue


def _clean_name(name: str, errors: FieldErrors) -> str:
    name = " ".join((name or "").split())
    if not name:
        errors.add(
            "name",
            "Name the program this token is for, e.g. bidding-robot: each program gets its own token, so that one "
            "can be revoked without stopping the others.",
        )
    elif len(name) > NAME_MAX:
        errors.add("name", f"Keep the name to {NAME_MAX} characters; this one has {len(name)}.")
    elif not name.isprintable():
        errors.add("name", "Use letters, digits, spaces and punctuation only in the name.")
    return name


def auth_token_issue(*, username: str, password: str, name: str, request) -> IssuedToken:
    """A new API token for the account with these credentials, for the program `name`. A token of that name is
    replaced (the program lost it, or rotates it); the account's expired tokens are removed. After too many wrong
    passwords for the username from one address it is refused for a while even with the right one (django-axes,
    settings LOGIN_FAILURE_LIMIT and LOGIN_COOLOFF_MINUTES), which is why the request (its address) is required."""
    errors = FieldErrors()
    if not username:
        errors.add("username", "Enter your username.")
    if not password:
        errors.add("password", "Enter your password.")
    name = _clean_name(name, errors)
    errors.raise_if_any()
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        # django-axes refused the attempt (too many wrong passwords), whether or not this password was right.
        raise locked_out(request, {"username": username})
    if user is None:
        raise ApplicationError(
            "The username or password is wrong (passwords are case-sensitive). Check both and try again.",
            code="invalid_credentials",
        )
    with transaction.atomic():
        # One issue at a time per account: the name's uniqueness and the limit are then checked against the truth.
        get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
        tokens = ApiToken.objects.filter(user=user)
        tokens.filter(expiry__lte=timezone.now()).delete()
        replaced = tokens.filter(name=name).delete()[0] > 0
        limit = settings.API_TOKENS_PER_USER
        if tokens.count() >= limit:
            raise Conflict(
                f"You hold {limit} API tokens, the most one account may hold. Revoke one you no longer use "
                "(DELETE /api/v1/auth/tokens/{id}, or on your account's API tokens page), or issue this one under the "
                "name of a token it replaces.",
                code="too_many_tokens",
            )
        record, token = ApiToken.objects.create(user=user, name=name)
    return IssuedToken(record=record, token=token, replaced=replaced)


def auth_token_revoke(*, user, token_id: int) -> ApiToken:
    """Revoke one of `user`'s tokens: it is refused from its next request on. Another user's token is not found."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
        if token is None:
            raise NotFound(
                f"You have no API token with id {token_id}: it was revoked already, or it is not yours. "
                "GET /api/v1/auth/tokens lists yours."
            )
        token.delete()
    return token


def auth_tokens_revoke_all(*, user) -> int:
    """Revoke every token of `user` (a program's credentials leaked, a person leaves); returns how many."""
    with transaction.atomic():
        return ApiToken.objects.filter(user=user).delete()[0]


def auth_token_logout(*, token: ApiToken) -> None:
    """Revoke the token a program signed this request with (it signs out); its other tokens keep working."""
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).delete()
