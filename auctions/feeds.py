"""The Atom feed of notices and results (`/feeds/notices.atom`, Django's syndication framework): each notified
tranche and each result (a preferred bidder declared, an auction annulled), newest first. It shows no more than the
public pages: it is built from the same selectors."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from auctions.selectors.public import public_auction, public_results, public_tranches

LIMIT = 50


class NoticesFeed(Feed):
    feed_type = Atom1Feed
    title = "Khanij: auction notices and results"
    subtitle = "New tranches of critical-mineral blocks, and the result of every auction, as soon as they are public."

    def link(self):
        return reverse("public_auctions:tranche_list")

    def feed_url(self):
        return reverse("public_auctions:notices_feed")

    def items(self):
        now = timezone.now()
        items = []
        for tranche in public_tranches()[:LIMIT]:
            rows = tranche.public_auction_rows
            blocks = ", ".join(a.block.code for a in rows)
            items.append(
                {
                    "guid": f"tranche-{tranche.pk}",
                    "title": f"Notified: {tranche.name} ({len(rows)} block{'' if len(rows) == 1 else 's'})",
                    "description": f"{tranche.name} invites bids for {blocks}. Bids are due by "
                    f"{timezone.localtime(tranche.bid_due_at):%d %b %Y %H:%M} IST.",
                    "link": reverse("public_auctions:tranche_detail", args=[tranche.pk]),
                    "at": tranche.notified_at,
                }
            )
        for auction in public_results(now=now)[:LIMIT]:
            data = public_auction(auction, now=now)
            items.append(_result_item(data, auction.settled_at or auction.closes_at or auction.bid_due_at))
        items.sort(key=lambda item: item["at"], reverse=True)
        return items[:LIMIT]

    def item_title(self, item):
        return item["title"]

    def item_description(self, item):
        return item["description"]

    def item_link(self, item):
        return item["link"]

    def item_guid(self, item):
        return item["guid"]

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item["at"]

    def item_updateddate(self, item):
        return item["at"]


def _result_item(data: dict, at) -> dict:
    block = data["block"]
    if data["annulment"]:
        title = f"Annulled: block {block['code']} ({data['annulment']['reason']})"
        text = f"The auction of {block['code']} {block['name']} (attempt {data['attempt']}) was annulled: "
        text += f"{data['annulment']['reason']}."
    elif data["result"] and data["result"]["preferred_bidder"]:
        bidder = data["result"]["preferred_bidder"]["name"]
        title = f"Result: {bidder} is the preferred bidder for block {block['code']}"
        text = f"The e-auction of {block['code']} {block['name']} closed with a winning offer of "
        text += f"{data['result']['winning_offer']}%."
    else:
        title = f"Closed: the e-auction of block {block['code']}"
        text = f"The e-auction of {block['code']} {block['name']} has closed; the result is being declared."
    return {
        "guid": f"auction-{data['id']}-result",
        "title": title,
        "description": text,
        "link": reverse("public_auctions:auction_detail", args=[data["id"]]),
        "at": at,
    }
