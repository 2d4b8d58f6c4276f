"""Email alerts of new tranches and results, by mineral and State, for anyone (firms and the public).

- **Double opt-in.** `alert_request` stores nothing but a keyed hash of the address and the IP for the rate limits; it
  emails a confirmation link whose token carries the choices, signed (django.core.signing) and valid
  ALERT_CONFIRM_DAYS. Only `alert_confirm` writes the subscription: an address that never confirms is never stored.
- **Rate limits** per address and per IP (ALERT_LIMIT_PER_ADDRESS, ALERT_LIMIT_PER_IP requests per
  ALERT_LIMIT_WINDOW_SECONDS), counted in the database (`AlertRequest`), so they hold while Redis is down.
- **One-click unsubscribe.** Every alert carries a link and the List-Unsubscribe / List-Unsubscribe-Post headers
  (RFC 8058) with a signed token of the subscription; `alert_unsubscribe` deletes it (erasure on withdrawal of
  consent, Digital Personal Data Protection Act 2023 s.6(4) and s.8(7)).
- **Sending.** The app that notifies a tranche or publishes a result calls `alert_publish` in its own transaction:
  one outbox message; the worker's `alerts_fanout` writes one email per matching subscription (once: the email's key
  names the event and the subscription) and delivers them (notifications.services.email).
"""

import hashlib
import hmac
import uuid
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from core.outbox import outbox_enqueue
from notifications.models import AlertRequest, AlertSubscription, Email
from notifications.services.email import email_write, emails_queue
from notifications.site import absolute

CONFIRM_SALT = "notifications.alerts.confirm"
UNSUBSCRIBE_SALT = "notifications.alerts.unsubscribe"
TOPICS = ("tranches", "results")
FANOUT_TASK = "notifications.alerts"


class TooManyRequests(ApplicationError):
    status_code = 429
    code = "too_many_requests"


def address_hash(address: str) -> str:
    """A keyed hash of an address (HMAC-SHA-256 with SECRET_KEY): the rate limit counts it without keeping it."""
    return hmac.new(settings.SECRET_KEY.encode(), address.strip().lower().encode(), hashlib.sha256).hexdigest()


def _clean_list(values) -> list[str]:
    return sorted({str(v).strip() for v in values or [] if str(v).strip()})


def _limit(address: str, ip: str) -> None:
    now = timezone.now()
    window = timedelta(seconds=settings.ALERT_LIMIT_WINDOW_SECONDS)
    recent = AlertRequest.objects.filter(at__gt=now - window)
    minutes = max(1, settings.ALERT_LIMIT_WINDOW_SECONDS // 60)
    if recent.filter(address_hash=address_hash(address)).count() >= settings.ALERT_LIMIT_PER_ADDRESS:
        error = TooManyRequests(
            f"A confirmation was already sent to {address} {settings.ALERT_LIMIT_PER_ADDRESS} times in the last "
            f"{minutes} minutes. Look for it in your inbox (and spam folder), or try again later.",
            fields={"email": ["Too many requests for this address; try again later."]},
        )
        error.retry_after = settings.ALERT_LIMIT_WINDOW_SECONDS
        raise error
    if recent.filter(ip=ip).count() >= settings.ALERT_LIMIT_PER_IP:
        error = TooManyRequests(
            f"Too many subscription requests from your network in the last {minutes} minutes; try again later."
        )
        error.retry_after = settings.ALERT_LIMIT_WINDOW_SECONDS
        raise error


def alert_request(*, email: str, ip: str, tranches: bool, results: bool, minerals=(), states=()) -> None:
    """Ask to subscribe `email`: checks the rate limits, then emails a confirmation link. Stores no address."""
    address = (email or "").strip()
    if "@" not in address:
        raise ApplicationError("Give an email address, e.g. name@example.in.", fields={"email": ["Required."]})
    if not (tranches or results):
        message = "Choose what to be told of: new tranches, results, or both."
        raise ApplicationError(message, fields={"tranches": [message]})
    with transaction.atomic():
        _limit(address, ip)
        AlertRequest.objects.create(address_hash=address_hash(address), ip=ip, at=timezone.now())
        choices = {
            "e": address,
            "t": bool(tranches),
            "r": bool(results),
            "m": _clean_list(minerals),
            "s": _clean_list(states),
        }
        token = signing.dumps(choices, salt=CONFIRM_SALT, compress=True)
        link = absolute(reverse("notifications:alert_confirm", args=[token]))
        what = _describe(choices["t"], choices["r"], choices["m"], choices["s"])
        body = (
            f"Someone (we hope you) asked Khanij to email {address} {what}.\n\n"
            f"To confirm, open this link within {settings.ALERT_CONFIRM_DAYS} days:\n{link}\n\n"
            "If it was not you, ignore this email: nothing is stored and you will hear nothing more.\n\n"
            f"What we keep and why: {absolute(reverse('notifications:alert_privacy'))}"
        )
        confirmation = email_write(
            key=f"alert-confirm:{uuid.uuid4().hex}", to=address, subject="Confirm your Khanij email alerts", body=body
        )
        emails_queue([confirmation.pk])


def _describe(tranches: bool, results: bool, minerals, states) -> str:
    topics = " and ".join(t for t, on in (("new tranches", tranches), ("auction results", results)) if on)
    minerals_text = ", ".join(minerals) if minerals else "every mineral"
    states_text = ", ".join(states) if states else "every State"
    return f"about {topics} ({minerals_text}; {states_text})"


def alert_confirm(*, token: str) -> AlertSubscription:
    """Confirm a subscription from its emailed link: written now (or its choices replaced, for an address already
    subscribed). A link that is altered or older than ALERT_CONFIRM_DAYS is refused with what to do."""
    try:
        choices = signing.loads(token, salt=CONFIRM_SALT, max_age=timedelta(days=settings.ALERT_CONFIRM_DAYS))
    except signing.SignatureExpired:
        raise ApplicationError(
            f"This confirmation link is older than {settings.ALERT_CONFIRM_DAYS} days. "
            "Subscribe again to get a new one."
        ) from None
    except signing.BadSignature:
        raise ApplicationError("This confirmation link is not valid. Copy the whole link from the email.") from None
    fields = {
        "tranches": choices["t"],
        "results": choices["r"],
        "minerals": choices["m"],
        "states": choices["s"],
        "confirmed_at": timezone.now(),
    }
    with transaction.atomic():
        existing = AlertSubscription.objects.select_for_update().filter(email__iexact=choices["e"]).first()
        if existing is None:
            return AlertSubscription.objects.create(email=choices["e"], **fields)
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.save(update_fields=list(fields))
        return existing


def unsubscribe_token(subscription: AlertSubscription) -> str:
    return signing.dumps(subscription.pk, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(subscription: AlertSubscription) -> str:
    return absolute(reverse("notifications:alert_unsubscribe", args=[unsubscribe_token(subscription)]))


def alert_unsubscribe(*, token: str) -> bool:
    """Delete the subscription the token names; True if there was one. An altered token is refused."""
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise ApplicationError("This unsubscribe link is not valid. Copy the whole link from the email.") from None
    deleted, _ = AlertSubscription.objects.filter(pk=pk).delete()
    return bool(deleted)


def alert_publish(*, topic: str, event: str, title: str, body: str, url: str, minerals=(), states=()) -> None:
    """Tell the subscribers of `topic` ("tranches" or "results") whose minerals and States match, after the caller's
    transaction commits. `event` names the event once (e.g. "tranche-12"): published twice, it is emailed once."""
    if topic not in TOPICS:
        raise ValueError(f"An alert's topic is one of {TOPICS}; got {topic!r}.")
    outbox_enqueue(
        FANOUT_TASK,
        kwargs={
            "topic": topic,
            "event": event,
            "title": title,
            "body": body,
            "url": url,
            "minerals": _clean_list(minerals),
            "states": _clean_list(states),
        },
    )


def _matches(subscription: AlertSubscription, minerals: list[str], states: list[str]) -> bool:
    wanted_minerals = {m.lower() for m in subscription.minerals}
    wanted_states = {s.lower() for s in subscription.states}
    mineral_ok = not wanted_minerals or bool(wanted_minerals & {m.lower() for m in minerals})
    state_ok = not wanted_states or bool(wanted_states & {s.lower() for s in states})
    return mineral_ok and state_ok


def alerts_fanout(*, topic: str, event: str, title: str, body: str, url: str, minerals, states) -> int:
    """Write and queue one email per matching subscription (the worker's side of `alert_publish`); idempotent."""
    written = []
    prefix = f"alert:{event}:"
    with transaction.atomic():
        done = set(Email.objects.filter(key__startswith=prefix).values_list("key", flat=True))
        for subscription in AlertSubscription.objects.filter(**{topic: True}).iterator():
            if not _matches(subscription, minerals, states) or f"{prefix}{subscription.pk}" in done:
                continue
            leave = unsubscribe_url(subscription)
            what = _describe(subscription.tranches, subscription.results, subscription.minerals, subscription.states)
            text = (
                f"{body}\n\n{absolute(url)}\n\n--\nYou receive this because {subscription.email} subscribed to "
                f"Khanij's alerts {what}.\nUnsubscribe with one click: {leave}"
            )
            email = email_write(
                key=f"{prefix}{subscription.pk}",
                to=subscription.email,
                subject=title,
                body=text,
                headers={"List-Unsubscribe": f"<{leave}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
            )
            written.append(email.pk)
        emails_queue(written)
    return len(written)


def alert_requests_purge(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete the rate limits' records older than a day (they are kept no longer than the limits need)."""
    deleted, _ = AlertRequest.objects.filter(at__lt=timezone.now() - older_than).delete()
    return deleted
