"""The back office keeps who is bidding sealed until the bid due date, as the API does (RULES.md s.6)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from auctions.models import Participation
from tests.factories.auction_flow import bidder, notified_auction, submit_bids

pytestmark = pytest.mark.django_db


@pytest.fixture
def bids(regulator):
    auction = notified_auction(regulator).get()
    submit_bids(auction, {bidder("Asha"): "12.50", bidder("Bela"): "13.00"})
    return auction


def test_before_the_bid_due_date_the_admin_shows_no_bidder(admin_client, admin_user, bids):
    participation = Participation.objects.filter(auction=bids).first()
    with time_machine.travel(bids.bid_due_at - timedelta(minutes=1), tick=False):
        admin_client.force_login(admin_user)  # a session of that day
        listing = admin_client.get(reverse("admin:auctions_participation_changelist"))
        searched = admin_client.get(reverse("admin:auctions_participation_changelist"), {"q": "Asha"})
        change = admin_client.get(reverse("admin:auctions_participation_change", args=[participation.pk]))
    assert listing.status_code == 200
    for text in (listing.content.decode(), searched.content.decode()):
        assert "Asha Ltd" not in text and "Bela Ltd" not in text
    assert change.status_code == 302  # Django's admin sends an unknown object back to the list
    assert change["Location"] == reverse("admin:index")


def test_from_the_bid_due_date_the_admin_lists_the_bidders(admin_client, admin_user, bids):
    with time_machine.travel(bids.bid_due_at + timedelta(seconds=1), tick=False):
        admin_client.force_login(admin_user)
        text = admin_client.get(reverse("admin:auctions_participation_changelist")).content.decode()
    assert "Asha Ltd" in text and "Bela Ltd" in text
