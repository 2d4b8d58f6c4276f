"""Email alerts of new tranches and results: double opt-in, rate limits per address and per IP (in the database),
the notice of what is kept, alerts sent through the outbox to the matching subscribers only, a one-click unsubscribe
in every alert; and the Atom feed of notices and results."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from core.models import OutboxMessage
from core.outbox import outbox_relay
from notifications.models import AlertRequest, AlertSubscription, Email
from notifications.services import alerts_fanout
from tests.factories.auction_flow import T0, notified_auction
from tests.factories.public_auctions import moment, notified, staged, three_firms

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def ask(client, email="meera@example.in", *, minerals=("Lithium",), states=("Chhattisgarh",), ip="203.0.113.7",
        tranches=True, results=True):  # fmt: skip
    data = {"email": email, "minerals": list(minerals), "states": list(states)}
    data.update({name: "on" for name, on in (("tranches", tranches), ("results", results)) if on})
    return client.post("/alerts/", data, REMOTE_ADDR=ip)


def link(email: Email, kind: str) -> str:
    found = re.search(rf"http://127\.0\.0\.1:8000(/alerts/{kind}/[^\s]+/)", email.body)
    assert found, email.body
    return found.group(1)


def subscribe(client, email="meera@example.in", **choices) -> AlertSubscription:
    assert ask(client, email, **choices).status_code == 200
    confirmation = Email.objects.filter(to=email, key__startswith="alert-confirm:").latest("pk")
    assert client.get(link(confirmation, "confirm")).status_code == 200
    return AlertSubscription.objects.get(email__iexact=email)


def test_nothing_is_stored_until_the_address_confirms_from_its_inbox(client):
    page = ask(client)
    assert page.status_code == 200 and "Check your inbox" in page.content.decode()
    assert not AlertSubscription.objects.exists()
    assert list(AlertRequest.objects.values_list("ip", flat=True)) == ["203.0.113.7"]
    assert "meera" not in AlertRequest.objects.get().address_hash  # the address only as a keyed hash
    confirmation = Email.objects.get()
    assert confirmation.to == "meera@example.in" and confirmation.subject == "Confirm your Khanij email alerts"
    assert "new tranches and auction results (Lithium; Chhattisgarh)" in confirmation.body
    confirmed = client.get(link(confirmation, "confirm"))
    assert "Your alerts are on" in confirmed.content.decode()
    sub = AlertSubscription.objects.get()
    assert (sub.email, sub.minerals, sub.states, sub.tranches, sub.results) == (
        "meera@example.in", ["Lithium"], ["Chhattisgarh"], True, True,
    )  # fmt: skip


def test_a_confirmation_link_altered_or_too_old_is_refused_with_what_to_do(client):
    ask(client)
    url = link(Email.objects.get(), "confirm")
    altered = client.get(url.replace(url[-6:-2], "abcd"))
    assert altered.status_code == 400 and "not valid" in altered.content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        old = client.get(url)
    assert old.status_code == 400 and "older than 7 days" in old.content.decode()
    assert not AlertSubscription.objects.exists()


def test_confirming_again_replaces_the_choices_of_an_address_already_subscribed(client):
    subscribe(client)
    subscribe(client, "MEERA@example.in", minerals=(), states=("Odisha",), results=False)
    sub = AlertSubscription.objects.get()
    assert (sub.minerals, sub.states, sub.results) == ([], ["Odisha"], False)


def test_the_form_says_what_is_wrong(client):
    page = ask(client, "not-an-address")
    assert page.status_code == 400 and "Enter a valid email address" in page.content.decode()
    page = ask(client, tranches=False, results=False)
    assert page.status_code == 400 and "new tranches, results, or both" in page.content.decode()


def test_too_many_requests_for_one_address_or_from_one_network_are_refused(client, settings):
    settings.ALERT_LIMIT_PER_ADDRESS, settings.ALERT_LIMIT_PER_IP = 3, 5
    for _ in range(3):
        assert ask(client).status_code == 200
    refused = ask(client)
    assert refused.status_code == 429 and "already sent to meera@example.in 3 times" in refused.content.decode()
    assert ask(client, "ravi@example.in").status_code == 200  # another address from the same network: 4th
    assert ask(client, "sita@example.in").status_code == 200  # 5th
    crowded = ask(client, "tara@example.in")
    assert crowded.status_code == 429 and "from your network" in crowded.content.decode()
    assert ask(client, "tara@example.in", ip="198.51.100.9").status_code == 200  # another network
    assert Email.objects.count() == 6
    with time_machine.travel(timezone.now() + timedelta(hours=1, seconds=1), tick=False):
        assert ask(client).status_code == 200  # the window has passed


def test_the_page_says_what_is_kept_and_why(client):
    page = client.get("/alerts/").content.decode()
    assert "Digital Personal" in page and "one-click unsubscribe" in page and 'href="/alerts/privacy/"' in page
    notice = client.get("/alerts/privacy/").content.decode()
    assert "Digital Personal Data Protection Act, 2023" in notice and "Withdraw your consent" in notice


@pytest.fixture
def relay_after(django_capture_on_commit_callbacks):
    """relay_after(moment): relay what the act left in the outbox at `moment`, the Celery tasks run here (eager), and
    what they queue in turn after their own commits (the fan-out queues the emails' delivery)."""

    def relay(moment_):
        with time_machine.travel(moment_, tick=False), django_capture_on_commit_callbacks(execute=True):
            outbox_relay()

    return relay


def test_a_notified_tranche_is_emailed_to_the_matching_subscribers_with_a_one_click_unsubscribe(
    client, regulator, settings, relay_after
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    lithium = subscribe(client)
    subscribe(client, "gold@example.in", minerals=("Gold",), states=())
    everything = subscribe(client, "all@example.in", minerals=(), states=())
    subscribe(client, "results@example.in", minerals=(), states=(), tranches=False)
    Email.objects.all().delete()

    notified_auction(regulator)  # a lithium block in Chhattisgarh
    assert OutboxMessage.objects.filter(task="notifications.alerts", sent_at__isnull=True).count() == 1
    relay_after(T0 + timedelta(minutes=1))
    alerts = {e.to: e for e in Email.objects.all()}
    assert set(alerts) == {lithium.email, everything.email}
    alert = alerts[lithium.email]
    assert alert.subject == "New tranche notified: Tranche CG-LI-01 (1 block)" and alert.status == "sent"
    assert "CG-LI-01" in alert.body and "Lithium; Chhattisgarh" in alert.body
    leave = link(alert, "unsubscribe")
    assert alert.headers["List-Unsubscribe"] == f"<http://127.0.0.1:8000{leave}>"
    assert alert.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The mail client's one-click: a POST without a session or CSRF token.
    one_click = Client(enforce_csrf_checks=True).post(leave, {"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200 and "You are unsubscribed" in one_click.content.decode()
    assert not AlertSubscription.objects.filter(email=lithium.email).exists()  # erased, not flagged


def test_the_unsubscribe_link_shows_a_button_a_link_scanner_cannot_press(client):
    sub = subscribe(client)
    event = {"title": "New tranche", "body": "", "url": "/", "minerals": ["Lithium"], "states": ["Chhattisgarh"]}
    alerts_fanout(topic="tranches", event="t-1", **event)
    leave = link(Email.objects.get(key=f"alert:t-1:{sub.pk}"), "unsubscribe")
    page = client.get(leave)
    assert page.status_code == 200 and "Unsubscribe" in page.content.decode()
    assert AlertSubscription.objects.filter(pk=sub.pk).exists()  # a GET changes nothing
    client.post(leave)
    assert not AlertSubscription.objects.exists()
    assert client.post(leave).status_code == 200  # again: already gone, said the same way
    assert client.post(leave[:-5] + "xxxx/").status_code == 400


def test_an_alert_delivered_twice_is_emailed_once(client):
    sub = subscribe(client, minerals=(), states=())
    event = {"topic": "results", "event": "auction-9-result", "title": "Result", "body": "...", "url": "/results/",
             "minerals": ["Lithium"], "states": ["Odisha"]}  # fmt: skip
    assert alerts_fanout(**event) == 1
    assert alerts_fanout(**event) == 0  # the outbox delivers at least once: the second writes nothing
    assert Email.objects.filter(key=f"alert:auction-9-result:{sub.pk}").count() == 1


def test_a_result_is_emailed_to_the_subscribers_of_results(client, regulator, settings, relay_after):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    subscribe(client, minerals=(), states=(), tranches=False)
    subscribe(client, "tranches@example.in", minerals=(), states=(), results=False)
    Email.objects.all().delete()
    auction = staged(regulator, three_firms(), "settled")
    relay_after(moment(auction, "settled") + timedelta(minutes=1))
    subjects = sorted(Email.objects.filter(to="meera@example.in").values_list("subject", flat=True))
    assert subjects == ["Result: Bharat Ltd is the preferred bidder for block CG-LI-01"]
    assert sorted(Email.objects.filter(to="tranches@example.in").values_list("subject", flat=True)) == [
        "New tranche notified: Tranche CG-LI-01 (1 block)"
    ]


def test_the_atom_feed_lists_notices_and_results_newest_first(client, regulator):
    notified(regulator, code="CG-LI-07")
    settled = staged(regulator, three_firms(), "settled", code="CG-LI-08")
    with time_machine.travel(moment(settled, "settled") + timedelta(minutes=5), tick=False):
        response = client.get("/feeds/notices.atom")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    titles = [entry.find(f"{ATOM}title").text for entry in feed.findall(f"{ATOM}entry")]
    assert titles[:2] == [
        "Result: Bharat Ltd is the preferred bidder for block CG-LI-08",
        "Annulled: block CG-LI-07 (no bid)",  # no bid by its due date: decided by the clock
    ]
    assert set(titles[2:]) == {"Notified: Tranche CG-LI-07 (1 block)", "Notified: Tranche CG-LI-08 (1 block)"}
    links = [e.find(f"{ATOM}link").get("href") for e in feed.findall(f"{ATOM}entry")]
    assert links[0] == f"http://testserver/auctions/{settled.pk}/"
    page = client.get("/tranches/").content.decode()
    assert 'type="application/atom+xml"' in page and 'href="/alerts/"' in page
