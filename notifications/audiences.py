"""Audiences: who a due date or a notice is for, named by an opaque key (`firm:12`, `auction:42`, `user:7`,
`authority:spcb-odisha`) and turned into users only when something is sent, by hooks the apps that know what the key
means register at start-up. This app imports no domain app: `bidders` registers `firm:`, `auctions` its auction
audiences, a future `authorities` app `authority:`; `user:` is built in.

A hook is two functions over the part after the colon (the *ident*, a string):

- `users(ident)`: the ids of the users the audience is now (read at send time, so that a member who joined the firm
  after the due date was registered is reminded too, and one who left is not);
- `keys_of(user)`: the keys of every audience of this prefix the user belongs to now (what their calendar and their
  deadlines page list).

    audience_register("firm", users=lambda ident: Membership.objects.filter(firm_id=ident).values_list(...),
                      keys_of=lambda user: [f"firm:{pk}" for pk in user.memberships.values_list("firm_id", ...)])
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model


@dataclass(frozen=True)
class Audience:
    users: Callable[[str], Iterable[int]]
    keys_of: Callable[[object], Iterable[str]]


_HOOKS: dict[str, Audience] = {}


def audience_register(
    prefix: str, *, users: Callable[[str], Iterable[int]], keys_of: Callable[[object], Iterable[str]]
):
    """Say what the audience keys `<prefix>:<ident>` mean (call from an AppConfig.ready). Registering a prefix again
    replaces its hook (a reloaded app); two apps cannot share a prefix, since the last one would win silently."""
    if not prefix or ":" in prefix:
        raise ValueError(f"An audience prefix is a word without a colon, e.g. 'firm'; got {prefix!r}.")
    _HOOKS[prefix] = Audience(users=users, keys_of=keys_of)


def audience_key(prefix: str, ident) -> str:
    """The key of one audience: audience_key("firm", 12) == "firm:12"."""
    if prefix not in _HOOKS:
        raise LookupError(f"No app has registered the audience prefix {prefix!r}.")
    return f"{prefix}:{ident}"


def _split(key: str) -> tuple[str, str]:
    prefix, sep, ident = key.partition(":")
    if not sep or not ident:
        raise ValueError(f"An audience key is '<prefix>:<ident>', e.g. 'firm:12'; got {key!r}.")
    return prefix, ident


def audience_user_ids(key: str) -> list[int]:
    """The ids of the users `key` names now, without duplicates, in ascending order. An unknown prefix raises
    LookupError (a key nobody can resolve is a programming error, not an empty audience)."""
    prefix, ident = _split(key)
    hook = _HOOKS.get(prefix)
    if hook is None:
        raise LookupError(f"No app has registered the audience prefix {prefix!r} (key {key!r}).")
    return sorted({int(pk) for pk in hook.users(ident)})


def audience_users(key: str) -> list:
    """The users `key` names now (active accounts only)."""
    return list(get_user_model().objects.filter(pk__in=audience_user_ids(key), is_active=True).order_by("pk"))


def audience_keys(user) -> list[str]:
    """Every audience key the user belongs to now, over every registered prefix."""
    if not getattr(user, "is_authenticated", False):
        return []
    keys: list[str] = []
    for hook in _HOOKS.values():
        keys.extend(hook.keys_of(user))
    return list(dict.fromkeys(keys))


def registered_prefixes() -> list[str]:
    return sorted(_HOOKS)


def _user_ids(ident: str) -> list[int]:
    return [int(ident)] if ident.isdigit() else []


def _user_keys(user) -> list[str]:
    return [f"user:{user.pk}"]


# A single person: built in, since users are Django's own (notifications may import django.contrib.auth).
audience_register("user", users=_user_ids, keys_of=_user_keys)
