"""The words of an auction, by its direction (RULES.md s.3 and s.4): what an offer is a percentage of, which
offer is the best, what bounds the first offers. Pages, notices and messages take their words from here so that
an exploration-licence auction never speaks of the "highest" offer or of the value of mineral despatched."""

from auctions import rules

WORDS = {
    rules.ASCENDING: {
        "kind": "lease",
        "best": "highest",
        "Best": "Highest",
        "unit": "of the value of mineral despatched",
        "unit_label": "% of the value of mineral despatched",
        "bid_parameter": "percentage of the value of mineral despatched",
        "limit": "reserve price",
        "Limit": "Reserve price",
        "limit_rule": "your offer must be at least that",
        "floor": "floor price",
        "Floor": "Floor price",
        "step": "increment",
        "next_valid": "The smallest valid offer now is",
        "outbid": "Outbid",
        "ranking": "highest first",
        "winner_rule": "The highest final offer at the close makes its bidder the preferred bidder.",
    },
    rules.DESCENDING: {
        "kind": "exploration",
        "best": "lowest",
        "Best": "Lowest",
        "unit": "share of the future auction premium",
        "unit_label": "% share of the future auction premium",
        "bid_parameter": "percentage share of the future auction premium",
        "limit": "ceiling",
        "Limit": "Ceiling",
        "limit_rule": "your offer must be at most that",
        "floor": "cap",
        "Floor": "Cap",
        "step": "decrement",
        "next_valid": "Your offer must be at most",
        "outbid": "Undercut",
        "ranking": "lowest first",
        "winner_rule": "The lowest final offer at the close makes its bidder the preferred bidder.",
    },
}


def words(direction: str) -> dict:
    """The words of an auction running in `direction` (ascending when unknown: the central auction's)."""
    return WORDS.get(direction, WORDS[rules.ASCENDING])
