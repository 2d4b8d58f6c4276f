"""Token authentication in one statement written once (core.sql): DRF's TokenAuthentication builds its
`select_related("user")` query anew on every request, which cost more CPU than the rest of a refused e-auction
offer (docs/benchmarks.md). Same answers, same errors, same OpenAPI scheme (a subclass of DRF's)."""

from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from core.sql import ModelRow, quote


@cache
def _read(token_model) -> tuple[str, ModelRow, ModelRow]:
    """The statement and the row builders for DRF's Token model (or the view's own, with key, user, created)."""
    user_model = get_user_model()
    token = ModelRow(token_model, ["key", "user", "created"])
    user = ModelRow(user_model, [f.name for f in user_model._meta.concrete_fields])
    sql = (
        f"SELECT {', '.join(token.columns('t') + user.columns('u'))} FROM {quote(token_model._meta.db_table)} t "
        f"JOIN {quote(user_model._meta.db_table)} u ON u.{quote(user_model._meta.pk.column)} = "
        f"t.{quote(token_model._meta.get_field('user').column)} "
        f"WHERE t.{quote(token_model._meta.get_field('key').column)} = %s"
    )
    return sql, token, user


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        sql, token_row, user_row = _read(self.get_model())
        with connection.cursor() as cursor:
            cursor.execute(sql, [key])
            found = cursor.fetchone()
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = token_row.build(found[: len(token_row)])
        user = user_row.build(found[len(token_row) :])
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token.user = user
        return (user, token)
