from datetime import timedelta

import pytest
import time_machine

from auctions.selectors.phase import Phase, auction_phase, bids_are_closed
from tests.factories.auction_flow import SCHEDULE, bidder, opened_auction

pytestmark = pytest.mark.django_db


def test_the_phase_follows_the_clock_before_any_sweeper_runs(regulator):
    firms = [bidder(n) for n in ("A", "B", "C")]
    auction = opened_auction(regulator, {firms[0]: "12", firms[1]: "13", firms[2]: "14"})
    s = auction.starts_at
    assert auction_phase(auction, s - timedelta(seconds=1)) == Phase.OPENED
    assert auction_phase(auction, s) == Phase.LIVE
    assert auction_phase(auction, auction.closes_at - timedelta(microseconds=1)) == Phase.LIVE
    assert auction_phase(auction, auction.closes_at) == Phase.CLOSED  # closed for every reader at its time


@pytest.mark.parametrize(
    "moment, phase, closed",
    [
        (SCHEDULE["document_sale_starts_at"] - timedelta(seconds=1), Phase.UPCOMING, False),
        (SCHEDULE["document_sale_starts_at"], Phase.BIDDING, False),
        (SCHEDULE["bid_due_at"] - timedelta(microseconds=1), Phase.BIDDING, False),
        (SCHEDULE["bid_due_at"], Phase.EVALUATION, True),
    ],
)
def test_bidding_phases_from_the_schedule(regulator, moment, phase, closed):
    from tests.factories.auction_flow import notified_auction

    auction = notified_auction(regulator).get()
    with time_machine.travel(moment, tick=False):
        assert auction_phase(auction) == phase
        assert bids_are_closed(auction) is closed
