"""API tokens for programs, issued to the account whose credentials are given."""

from django.contrib.auth import authenticate
from django.db import transaction
from rest_framework.authtoken.models import Token

from bidders.services.input import FieldErrors
from core.errors import ApplicationError
from core.lockout import locked_out


def auth_token_issue(*, username: str, password: str, request) -> Token:
    """The API token of the account with these credentials (created on first use). After too many wrong
    passwords for the username from one address, it is refused for a while even with the right one (django-axes,
    settings LOGIN_FAILURE_LIMIT and LOGIN_COOLOFF_MINUTES), which is why the request (its address) is required."""
    errors = FieldErrors()
    if not username:
        errors.add("username", "Enter your username.")
    if not password:
        errors.add("password", "Enter your password.")
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
        token, _ = Token.objects.get_or_create(user=user)
    return token
