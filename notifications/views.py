"""Pages of notifications: the inbox, a person's calendar address, the feed itself, and the alerts' confirmation,
unsubscription and privacy notice (the subscription form is the auctions app's: it knows the minerals and States)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ApplicationError
from notifications import selectors
from notifications.ical import due_dates_calendar
from notifications.services import (
    alert_confirm,
    alert_unsubscribe,
    calendar_token_issue,
    notification_mark_read,
)
from notifications.site import absolute


@login_required
def inbox(request):
    return render(request, "notifications/inbox.html", {"notices": selectors.inbox(request.user)})


@login_required
@require_POST
def mark_all_read(request):
    notification_mark_read(user=request.user)
    return redirect("notifications:inbox")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def my_calendar(request):
    """The person's calendar address: created (or replaced) by a POST, and shown in that answer only."""
    feed_url = None
    if request.method == "POST":
        token = calendar_token_issue(user=request.user)
        feed_url = absolute(reverse("notifications:calendar_feed", args=[token]))
    context = {
        "feed_url": feed_url,
        "has_feed": feed_url is not None or selectors.has_calendar_feed(request.user),
        "due_dates": selectors.user_due_dates(request.user)[:20],
    }
    return render(request, "notifications/calendar.html", context)


@require_GET
def calendar_feed(request, token):
    """The iCalendar feed of the person whose secret address this is; 404 for any other token (a replaced one too)."""
    user = selectors.calendar_feed_user(token)
    if user is None:
        raise Http404("No calendar has this address; it may have been replaced.")
    body = due_dates_calendar(selectors.user_due_dates(user), name=f"Khanij: due dates of {user.get_username()}")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="khanij-due-dates.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def alert_confirmed(request, token):
    try:
        subscription = alert_confirm(token=token)
    except ApplicationError as exc:
        return render(request, "notifications/alerts/message.html", {"problem": exc.message}, status=400)
    return render(request, "notifications/alerts/confirmed.html", {"subscription": subscription})


@csrf_exempt  # RFC 8058 one-click: the mail client POSTs "List-Unsubscribe=One-Click" without a session or CSRF token
@require_http_methods(["GET", "POST"])
def alert_unsubscribed(request, token):
    """GET shows one button (a link scanner that follows links must not unsubscribe anyone); POST unsubscribes,
    from that button or from the mail client's one-click (List-Unsubscribe-Post)."""
    if request.method == "GET":
        return render(request, "notifications/alerts/unsubscribe.html", {"token": token})
    try:
        alert_unsubscribe(token=token)
    except ApplicationError as exc:
        return render(request, "notifications/alerts/message.html", {"problem": exc.message}, status=400)
    return render(request, "notifications/alerts/message.html", {"done": True})


@require_GET
def alert_privacy(request):
    return render(request, "notifications/alerts/privacy.html")
