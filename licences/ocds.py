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
- `awardCancellation` when the preferred bidder's rights are revoked before the deed (the Letter of Intent revoked
  for default): the award `cancelled`, with the reason;
- `contract` when the lease is executed (ML, CL) or the exploration licence granted (EL);
- `contractTermination` when the licence ends after it was made (surrendered, terminated, expired): the contract
  `terminated`, dated by the end.

A historic auction (auctions.history: imported from the published record, never run here) has only the releases
its record supports: the tender, dated by the tranche's launch; the award to the preferred bidder as published
(named without an identifier: the firm is not registered here), dated by the declaration where published; the
cancellation, where annulled (an `awardCancellation` when annulled after its award). A release whose day the record
does not give is dated when the record was imported here, as OCDS defines a release's date (first recorded in any
system); what the record does not give is left out, never invented.

Every release and package validates against the OCDS 1.1.5 schema and its codelists (tests/licences/
test_ocds_schema.py). The ocid prefix is the setting OCDS_OCID_PREFIX (docs/open-data.md).
"""

from datetime import date, datetime, time

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify

from auctions.models import Auction, Tranche
from blocks.constants import AuctionAuthority
from licences import lifecycle

OCDS_VERSION = "1.1"
PUBLISHER = "Khanij: Ministry of Mines, Government of India"
MINERAL_SCHEME = "KHANIJ-MINERAL"  # the portal's mineral catalogue, /api/v1/public/minerals
FIRM_SCHEME = "IN-MCA"  # org-id.guide: the Ministry of Corporate Affairs' Corporate Identification Number
PUBLISHED_FIRM = "KHANIJ-PUBLISHED"  # a firm named in the published record of a historic auction, not registered here
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
    if not firm.get("cin"):  # a historic auction's preferred bidder, as published: no identifier is known
        return {"id": f"{PUBLISHED_FIRM}-{slugify(firm['name'])}", "name": firm["name"], "roles": roles}
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
    kind = LICENCE_TITLES.get(terms["lease_kind"], "Mining lease or composite licence")
    minerals = ", ".join(m["name"] for m in block["minerals"])
    bound = "at least" if terms["direction"] == Auction.Direction.ASCENDING else "at most"
    place = ", ".join(part for part in (block["name"], block["district"], block["state"]) if part)
    if terms["reserve_price_pct"] is None:  # a historic auction: the terms were not published
        terms_text = f"Offered in {public['tranche']['name']} by the Ministry of Mines before Khanij (published record)"
    else:
        terms_text = (
            f"Notified in {public['tranche']['name']}. Initial price offers {bound} {terms['reserve_price_pct']}% "
            f"{OFFER_UNIT[terms['direction']]}."
        )
    tender = {
        "id": f"{block['code']}/{public['attempt']}",
        "title": f"{kind} for block {block['code']} ({block['name']}), attempt {public['attempt']}",
        "description": f"{kind} over {place}: {minerals}. {terms_text}",
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
    }
    period = {
        "startDate": _iso(schedule["document_sale_starts_at"]),
        "endDate": _iso(schedule["bid_due_at"] or auction.tranche.bids_due_on),
    }
    period = {key: value for key, value in period.items() if value is not None}
    if period:
        tender["tenderPeriod"] = period
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


def _award(auction: Auction, public: dict, party: dict) -> dict:
    result = public["result"]
    winner = result["preferred_bidder"]
    unit = OFFER_UNIT[auction.direction]
    offer = result["winning_offer"]
    if auction.historic:
        title = f"Final offer {offer}% {unit}" if offer is not None else "Final offer not published"
        best = "The final offer was not published." if offer is None else f"Final offer {offer}% {unit}."
        description = (
            f"{winner['name']} was declared the preferred bidder by the Ministry of Mines, as published (the firm is "
            f"not registered on Khanij). {best} The offer is a percentage, not an amount: the award has no value."
        )
    else:
        title = f"Winning offer {offer}% {unit}"
        description = (
            f"{winner['name']} is declared the preferred bidder with a final offer of {offer}% {unit}, the best of "
            f"{result['offer_count']} final offers. The offer is a percentage, not an amount: the award has no value."
        )
    award = {
        "id": f"{auction.ocid}-award-1",
        "title": title,
        "description": description,
        "status": "active",
        "date": _iso(auction.declared_on if auction.historic else auction.settled_at),
        "suppliers": [{"id": party["id"], "name": winner["name"]}],
    }
    return {key: value for key, value in award.items() if value is not None}


# A licence's ends after its contract was made (a revocation before the deed cancels the award instead).
CONTRACT_ENDS = frozenset({lifecycle.EXPIRED, lifecycle.SURRENDERED, lifecycle.TERMINATED})


def _contract(licence, award_id: str, *, ended: bool) -> dict:
    """The licence as a contract: `active` from its start (the `contract` release); `terminated` in the
    `contractTermination` release of its end."""
    contract = {
        "id": licence.number,
        "awardID": award_id,
        "title": f"{LICENCE_TITLES[licence.kind]} {licence.number}",
        "description": f"Status in the licence register: {licence.get_status_display()}.",
        "status": "terminated" if ended else "active",
        "dateSigned": _iso(licence.starts_on),
        "period": {"startDate": _iso(licence.starts_on), "endDate": _iso(lifecycle.term_ends(licence))},
    }
    if ended:
        contract["description"] = (
            f"{licence.get_status_display()} on {licence.ended_on:%d %b %Y}{_ending(licence)}; the licence register "
            "holds its history."
        )
    return contract


def _ending(licence) -> str:
    """Why a surrendered or terminated licence ended, as its record says (licences.services.ending)."""
    surrender, termination = licence.details.get("surrender"), licence.details.get("termination")
    if licence.status == lifecycle.TERMINATED and termination:
        return f", for breach after notice and a hearing: {termination['reason']}"
    if licence.status == lifecycle.SURRENDERED and surrender:
        return f", by the holder, after notice given on {surrender['notice_on']}: {surrender['reason']}"
    return ""


def _recorded(auction: Auction, day) -> object:
    """A release's date: the day it happened where known, else when the record was first made here (OCDS: "first
    recorded in, or published by, any system")."""
    return day if day is not None else auction.created_at


def auction_releases(auction: Auction, public: dict, licence=None) -> list[dict]:
    """Every release of `auction`, in date order. `public` is `public_auction(auction, now=...)`; `licence` is the
    auction's licence, if any (a contract is released once it has started: executed or granted)."""
    tranche = auction.tranche
    releases = [
        _release(
            auction,
            suffix="tender",
            at=tranche.notified_at or _recorded(auction, tranche.launched_on),
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
    awarded = result is not None and result["declared"] and result["preferred_bidder"] is not None
    if annulment is not None and not awarded:
        tender = _tender(auction, public, status="cancelled", with_bids=True)
        tender["statusDetails"] = f"Annulled: {annulment['reason'] or 'reason not published'}"
        releases.append(
            _release(
                auction,
                suffix="cancellation",
                at=annulment["annulled_at"] or _recorded(auction, annulment["annulled_on"]),
                tag="tenderCancellation",
                parties=[],
                tender=tender,
            )
        )
    elif awarded:
        releases.extend(_award_releases(auction, public, licence))
    return releases


def _award_releases(auction: Auction, public: dict, licence) -> list[dict]:
    """The award, then what became of it: cancelled (the auction annulled after it, or the Letter of Intent revoked),
    or the contract, and its termination."""
    result, annulment = public["result"], public["annulment"]
    winner_key = result["preferred_bidder"]["cin"] or result["preferred_bidder"]["name"]
    tenderers = {firm["cin"]: firm for firm in public["technically_qualified"] or []}
    tenderers.setdefault(winner_key, result["preferred_bidder"])
    parties = [
        _firm_party(firm, ["tenderer", "supplier"] if key == winner_key else ["tenderer"])
        for key, firm in sorted(tenderers.items(), key=lambda item: item[1]["name"])
    ]
    tender = _tender(auction, public, status="complete", with_bids=True)
    if public["technically_qualified"] is not None:
        tender["tenderers"] = [{"id": party["id"], "name": party["name"]} for party in parties]
    supplier = next(p for p in parties if "supplier" in p["roles"])
    award = _award(auction, public, supplier)
    declared = auction.settled_at or _recorded(auction, auction.declared_on)
    releases = [_release(auction, suffix="award", at=declared, tag="award", parties=parties, tender=tender,
                         awards=[award])]  # fmt: skip
    cancelled = None
    if annulment is not None:  # a historic auction annulled after its award
        cancelled = (annulment["annulled_at"] or _recorded(auction, annulment["annulled_on"]), annulment["reason"])
        tender = {**tender, "status": "cancelled", "statusDetails": f"Annulled: {annulment['reason']}"}
    elif licence is not None and licence.status == lifecycle.LOI_REVOKED:
        cancelled = (licence.ended_on or licence.updated_at, "the preferred bidder defaulted: its rights revoked")
    if cancelled is not None:
        at, reason = cancelled
        withdrawn = {**award, "status": "cancelled", "description": f"{award['description']} Cancelled: {reason}."}
        releases.append(_release(auction, suffix="award-cancellation", at=at, tag="awardCancellation",
                                 parties=parties, tender=tender, awards=[withdrawn]))  # fmt: skip
        return releases
    if licence is None or licence.starts_on is None:
        return releases
    releases.append(
        _release(auction, suffix="contract", at=licence.starts_on, tag="contract", parties=parties, tender=tender,
                 awards=[award], contracts=[_contract(licence, award["id"], ended=False)])
    )  # fmt: skip
    if licence.status in CONTRACT_ENDS and licence.ended_on is not None:
        releases.append(
            _release(auction, suffix="termination", at=licence.ended_on, tag="contractTermination", parties=parties,
                     tender=tender, awards=[award], contracts=[_contract(licence, award["id"], ended=True)])
        )  # fmt: skip
    return releases


def release_package(releases: list[dict], *, uri: str, published: datetime) -> dict:
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": _iso(published),
        "publisher": {"name": PUBLISHER},
        "license": settings.OPEN_DATA_LICENCE_URL,
        "releases": releases,
    }
