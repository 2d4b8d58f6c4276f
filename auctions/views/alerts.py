"""Email alerts of new tranches and results (the form; notifications.services.alerts does the rest) and the public
auction calendar as an iCalendar feed."""

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from auctions.selectors.public import public_calendar
from blocks.constants import STATE_CHOICES
from blocks.models import Mineral
from core.errors import ApplicationError
from core.lockout import client_ip
from notifications.ical import CalendarEvent, calendar_bytes
from notifications.services import alert_request
from notifications.site import mail_domain


class AlertForm(forms.Form):
    email = forms.EmailField(label="Your email address", help_text="We send a link to confirm it first.")
    tranches = forms.BooleanField(label="New tranches (notices inviting bids)", required=False, initial=True)
    results = forms.BooleanField(label="Results (preferred bidders, annulments)", required=False, initial=True)
    minerals = forms.MultipleChoiceField(
        required=False, help_text="None chosen: every mineral.", widget=forms.SelectMultiple(attrs={"size": 8})
    )
    states = forms.MultipleChoiceField(
        label="States", required=False, choices=STATE_CHOICES, help_text="None chosen: every State.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = Mineral.objects.order_by("name").values_list("name", flat=True)
        self.fields["minerals"].choices = [(name, name) for name in names]

    def clean(self):
        data = super().clean()
        if not (data.get("tranches") or data.get("results")):
            raise forms.ValidationError("Choose what to be told of: new tranches, results, or both.")
        return data


@require_http_methods(["GET", "POST"])
def alerts(request):
    user = request.user
    initial = {"email": user.email} if getattr(user, "is_authenticated", False) and user.email else {}
    form = AlertForm(request.POST or None, initial=initial)
    status, sent_to = 200, None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            alert_request(
                email=data["email"],
                ip=client_ip(request) or "0.0.0.0",
                tranches=data["tranches"],
                results=data["results"],
                minerals=data["minerals"],
                states=data["states"],
            )
            sent_to = data["email"]
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            status = exc.status_code
    elif request.method == "POST":
        status = 400
    return render(request, "auctions/public/alerts.html", {"form": form, "sent_to": sent_to}, status=status)


@require_GET
def calendar_ics(request):
    """Every coming date of every notified auction (the calendar page), as an iCalendar feed anyone can subscribe to."""
    domain = mail_domain()
    events = [
        CalendarEvent(
            uid=f"auction-{e['auction_id']}-{e['kind']}@{domain}",
            summary=f"{e['label']}: block {e['block_code']}"
            + (f" (attempt {e['attempt']})" if e["attempt"] > 1 else ""),
            start=e["at"],
            description=f"{e['label']} of the auction of {e['block_code']} {e['block_name']} ({e['tranche']}).",
            url=f"/auctions/{e['auction_id']}/",
        )
        for e in public_calendar(now=timezone.now())
    ]
    body = calendar_bytes(
        name="Khanij: auction calendar",
        description="Every coming date of India's critical-mineral block auctions (times in IST).",
        events=events,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="khanij-auctions.ics"'
    response["Cache-Control"] = "public, max-age=300"
    return response
