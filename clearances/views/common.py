"""What the clearance pages share: the day in India, how a day is written, and the pages' guards."""

import datetime
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from clearances.selectors.viewer import viewer_of


def today() -> datetime.date:
    return timezone.localdate()


def day(value: datetime.date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else "—"


def for_viewers(allowed, *, title: str, message: str):
    """A signed-in page (else the log-in page) for the viewers `allowed(viewer)` accepts; anyone else gets 403
    with `title` and `message`, which say who may see it."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            viewer = viewer_of(request.user)
            if not allowed(viewer):
                context = {"title": title, "message": message, "viewer": viewer}
                return render(request, "clearances/forbidden.html", context, status=403)
            return view(request, viewer, *args, **kwargs)

        return wrapper

    return decorator
