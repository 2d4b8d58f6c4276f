"""The auctions and their licences as Open Contracting Data Standard releases (OCDS 1.1; RULES.md section 6).

Pure-ish: every function takes objects already selected and returns plain JSON dicts (strings, ints, lists).
What is public, and when, is decided in one place, `auctions.selectors.public.public_auction`; these
functions read only its answer (and the licence, public from its award), so the feed never shows more than the
portal. One `ocid` per auction (`Auction.ocid`), and its releases in date order:

- `tender` at the notification: the block's minerals as items, the tender period (the tender-document sale
  to the bid due date), the electronic auction and its award criteria;
- `tenderUpdate` at the bid due date: the number of tenderers (never who, never how much);
- `award` when the preferred bidder is declared: the supplier, and the winning offer as text (it is a
  percentage, not an amount, so `value` is left out rather than invented); the tenderers' names are
  published here, after the e-auction's close, and not before;
- `tenderCancellation` when the auction is annulled: tender status `cancelled` and the reason;
- `contract` when the lease is executed (ML, CL) or the exploration licence granted (EL).
"""

from datetime import date, datetime, time

from django.utils import timezone

from auctions.models import Auction, Tranche
from blocks.constants import AuctionAuthority
from licences import lifecycle

OCDS_VERSION = "1.1"
PUBLISHER = "Khanij: Ministry of Mines, Government of India"
MINERAL_SCHEME = "KHANIJ-MINERAL"  # the portal's mineral catalogue, /api/v1/public/minerals
FIRM_SCHEME = "IN-MCA"  # org-id.guide: the Ministry of Corporate Affairs' Corporate Identification Number
LICENCE_TITLES = {"ML": "Mining lease", "CL": "Composite licence", "EL": "Exploration licence"}
AWARD_CRITERIA = {
    Auction.Direction.ASCENDING: (
        "Two rounds: sealed initial price offers, then an ascending electronic auction among the qualified "
        "bidders. The highest final offer, as a percentage of the value of mineral despatched, wins "
        "(RULES.md s.3)."
    ),
    Auction.Direction.DESCENDING: (
        "Two rounds: sealed initial price offers, then a descending (reverse) electronic auction among the "
        "qualified bidders. The lowest final offer, as a percentage share of the future auction premium, wins "
        "(RULES.md s.4)."
    ),
}
OFFER_UNIT = {
    Auction.Direction.ASCENDING: "of the value of mineral despatched",
    Auction.Direction.DESCENDING: "share of the future auction premium",
}


def _iso(value: datetime | date | None) -> str | None:
    """An OCDS date-time: an aware datetime in IST; a date as its midnight in IST."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = timezone.make_aware(datetime.combine(value, time.min))
    return timezone.localtime(value).isoformat()


def _buyer(auction: Auction) -> dict:
    block = auction.block
    if block.auction_authority == AuctionAuthority.STATE or auction.tranche.kind == Tranche.Kind.EXPLORATION:
        return {"id": f"IN-STATE-{block.state.upper().replace(' ', '-')}", "name": f"Government of {block.state}"}
    return {"id": "IN-GOV-MINISTRY-OF-MINES", "name": "Ministry of Mines, Government of India"}


def _firm_party(firm: dict, roles: list[str]) -> dict:
    return {
        "id": f"{FIRM_SCHEME}-{firm['cin']}",
        "name": firm["name"],
        "identifier": {"scheme": FIRM_SCHEME, "id": firm["cin"], "legalName": firm["name"]},
        "roles": roles,
    }


def _tender(auction: Auction, public: dict, *, status: str, with_bids: bool) -> dict:
    block = public["block"]
    terms = public["terms"]
    schedule = public["schedule"]
    kind = LICENCE_TITLES[terms["lease_kind"]]
    minerals = ", ".join(m["name"] for m in block["minerals"])
    bound = "at least" if terms["direction"] == Auction.Direction.ASCENDING else "at most"
    tender = {
        "id": f"{block['code']}/{public['attempt']}",
        "title": f"{kind} for block {block['code']} ({block['name']}), attempt {public['attempt']}",
        "description": (
            f"{kind} over {block['name']}, {block['district']}, {block['state']}: {minerals}. "
            f"Notified in {public['tranche']['name']}. Initial price offers {bound} {terms['reserve_price_pct']}% "
            f"{OFFER_UNIT[terms['direction']]}."
        ),
        "status": status,
        "items": [
            {
                "id": mineral["slug"],
                "description": f"{mineral['name']} in block {block['code']}",
                "classification": {"scheme": MINERAL_SCHEME, "id": mineral["slug"], "description": mineral["name"]},
            }
            for mineral in block["minerals"]
        ],
        "procurementMethod": "open",
        "procurementMethodDetails": "Electronic auction under the Mineral (Auction) Rules",
        "awardCriteria": "priceOnly",
        "awardCriteriaDetails": AWARD_CRITERIA[terms["direction"]],
        "submissionMethod": ["electronicAuction"],
        "tenderPeriod": {
            "startDate": _iso(schedule["document_sale_starts_at"]),
            "endDate": _iso(schedule["bid_due_at"]),
        },
    }
    if with_bids and public["bids"] is not None:
        tender["numberOfTenderers"] = public["bids"]["bid_count"]
    return tender


def _release(auction: Auction, *, suffix: str, at, tag: str, parties: list[dict], tender: dict, **sections) -> dict:
    buyer = _buyer(auction)
    return {
        "ocid": auction.ocid,
        "id": f"{auction.ocid}-{suffix}",
        "date": _iso(at),
        "tag": [tag],
        "initiationType": "tender",
        "language": "en",
        "parties": [{**buyer, "roles": ["buyer", "procuringEntity"]}, *parties],
        "buyer": buyer,
        "tender": tender,
        **sections,
    }


def _award(auction: Auction, public: dict) -> dict:
    result = public["result"]
    winner = result["preferred_bidder"]
    unit = OFFER_UNIT[auction.direction]
    return {
        "id": f"{auction.ocid}-award-1",
        "title": f"Winning offer {result['winning_offer']}% {unit}",
        "description": (
            f"{winner['name']} is declared the preferred bidder with a final offer of {result['winning_offer']}% "
            f"{unit}, the best of {result['offer_count']} final offers. The offer is a percentage, not an amount: "
            "the award has no value."
        ),
        "status": "active",
        "date": _iso(auction.settled_at),
        "suppliers": [{"id": f"{FIRM_SCHEME}-{winner['cin']}", "name": winner["name"]}],
    }


def _contract(licence, award_id: str) -> dict:
    if lifecycle.is_in_force(licence.status):
        status = "active"
    elif lifecycle.is_ended(licence.status) and licence.status != lifecycle.LOI_REVOKED:
        # A contract ends once it was made: rights revoked before the deed never made one (still "pending").
        status = "terminated"
    else:
        status = "pending"
    return {
        "id": licence.number,
        "awardID": award_id,
        "title": f"{LICENCE_TITLES[licence.kind]} {licence.number}",
        "description": f"Status in the licence register: {licence.get_status_display()}.",
        "status": status,
        "dateSigned": _iso(licence.starts_on),
        "period": {"startDate": _iso(licence.starts_on), "endDate": _iso(lifecycle.term_ends(licence))},
    }


def auction_releases(auction: Auction, public: dict, licence=None) -> list[dict]:
    """Every release of `auction`, in date order. `public` is `public_auction(auction, now=...)`; `licence` is the
    auction's licence, if any (a contract is released once it has started: executed or granted)."""
    releases = [
        _release(
            auction,
            suffix="tender",
            at=auction.tranche.notified_at,
            tag="tender",
            parties=[],
            tender=_tender(auction, public, status="active", with_bids=False),
        )
    ]
    if public["bids"] is not None:
        releases.append(
            _release(
                auction,
                suffix="bids",
                at=auction.bid_due_at,
                tag="tenderUpdate",
                parties=[],
                tender=_tender(auction, public, status="active", with_bids=True),
            )
        )
    annulment = public["annulment"]
    result = public["result"]
    if annulment is not None:
        tender = _tender(auction, public, status="cancelled", with_bids=True)
        tender["statusDetails"] = f"Annulled: {annulment['reason']}"
        releases.append(
            _release(
                auction,
                suffix="cancellation",
                at=annulment["annulled_at"],
                tag="tenderCancellation",
                parties=[],
                tender=tender,
            )
        )
    elif result is not None and result["declared"] and result["preferred_bidder"] is not None:
        winner_cin = result["preferred_bidder"]["cin"]
        tenderers = {firm["cin"]: firm for firm in public["technically_qualified"] or []}
        tenderers.setdefault(winner_cin, result["preferred_bidder"])
        parties = [
            _firm_party(firm, ["tenderer", "supplier"] if cin == winner_cin else ["tenderer"])
            for cin, firm in sorted(tenderers.items(), key=lambda item: item[1]["name"])
        ]
        tender = _tender(auction, public, status="complete", with_bids=True)
        tender["tenderers"] = [{"id": party["id"], "name": party["name"]} for party in parties]
        award = _award(auction, public)
        sections = {"awards": [award]}
        releases.append(_release(auction, suffix="award", at=auction.settled_at, tag="award", parties=parties,
                                 tender=tender, **sections))  # fmt: skip
        if licence is not None and licence.starts_on is not None:
            releases.append(
                _release(
                    auction,
                    suffix="contract",
                    at=licence.starts_on,
                    tag="contract",
                    parties=parties,
                    tender=tender,
                    awards=[award],
                    contracts=[_contract(licence, award["id"])],
                )
            )
    return releases


def release_package(releases: list[dict], *, uri: str, published: datetime) -> dict:
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": _iso(published),
        "publisher": {"name": PUBLISHER},
        "releases": releases,
    }
