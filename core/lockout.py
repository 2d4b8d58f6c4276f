"""The login lockout's two ends that django-axes leaves to the project (settings AXES_CLIENT_IP_CALLABLE and
AXES_LOCKOUT_CALLABLE): which address a login attempt came from, and what a locked-out person is told.

django-axes counts failures per username and address in the database (axes.AccessAttempt), so the lockout holds
while Redis is down. The address is the TCP peer, unless the peer is one of TRUSTED_PROXIES: then the
X-Forwarded-For entries the proxies appended are read from the right, and the first one that is not a trusted
proxy is the client. (django-ipware, axes' default, matches trusted proxies against the header's own entries,
which a client writes; the peer is what a client cannot forge.)
"""

import ipaddress
import math
from datetime import datetime

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format

from core.errors import ApplicationError


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address) -> bool:
    return address is not None and any(address in network for network in settings.TRUSTED_PROXIES)


def client_ip(request) -> str | None:
    """The address a request came from: the peer, or the client a trusted proxy forwarded for."""
    peer_text = request.META.get("REMOTE_ADDR", "")
    peer = _address(peer_text)
    if not _trusted(peer):
        return peer_text or None
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        forwarded = _address(entry)
        if forwarded is None:
            break  # a garbled entry: what lies left of it cannot be trusted
        if not _trusted(forwarded):
            return str(forwarded)
    return peer_text


def lockout_until(request, credentials) -> datetime:
    """When the lockout of this username from this address ends: its last failure plus the cool-off."""
    last = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials), ip_address=client_ip(request)
    ).aggregate(last=Max("attempt_time"))["last"]
    return (last or timezone.now()) + get_cool_off(request)


class LockedOut(ApplicationError):
    status_code = 429
    code = "locked_out"

    def __init__(self, *, until: datetime):
        self.retry_after = max(1, math.ceil((until - timezone.now()).total_seconds()))
        self.until = until
        super().__init__(
            f"Too many wrong passwords for this username from your address ({settings.AXES_FAILURE_LIMIT} in a row): "
            f"signing in is refused until {date_format(timezone.localtime(until), 'j M Y, H:i T')} "
            f"(about {math.ceil(self.retry_after / 60)} minutes), even with the right password. Try again then; "
            "if you have forgotten the password, ask your firm's administrator or the regulator to reset it."
        )


def locked_out(request, credentials) -> LockedOut:
    return LockedOut(until=lockout_until(request, credentials))


def lockout_response(request, original_response, credentials):
    """The page a locked-out person sees on the login page (and the admin's): what happened and when to retry."""
    error = locked_out(request, credentials)
    response = render(
        request,
        "registration/locked_out.html",
        {"message": error.message, "until": error.until, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=error.status_code,
    )
    response["Retry-After"] = str(error.retry_after)
    return response
