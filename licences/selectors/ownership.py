"""Who is published as a beneficial owner (EITI Requirement 2.5): the owners of firms named publicly as bidders or as
holders of a licence, with their consent (bidders.bods builds the statements).

A firm is named publicly (RULES.md s.6) as a technically qualified bidder once its auction's initial offers are opened
or the auction is annulled after the evaluation, and as a preferred bidder or holder once its licence exists. Before
that, publishing its owners would say who bid: it is not published, whatever it declared. The preferred bidders of
historic auctions (auctions.history) are named in the published record but not registered here: Khanij holds no
declaration of their owners and publishes none, and the answer says so.
"""

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from auctions.models import Auction, Origin
from bidders.models import BeneficialOwner, Firm


def named_firms() -> QuerySet[Firm]:
    """Firms named publicly as technically qualified bidders or licence holders, by name, each with its beneficial
    owners (two queries)."""
    decided = Q(participations__auction__opened_at__isnull=False) | Q(
        participations__auction__status=Auction.Status.ANNULLED
    )
    named = Q(licences__isnull=False) | Q(decided, participations__technically_qualified=True)
    firm_ids = Firm.objects.filter(named).values("pk")
    return (
        Firm.objects.filter(pk__in=firm_ids)
        .only("id", "legal_name", "cin")
        .prefetch_related(
            Prefetch("beneficial_owners", queryset=BeneficialOwner.objects.order_by("-share", "name", "id"))
        )
        .order_by("legal_name", "id")
    )


def historic_preferred_bidders() -> list[str]:
    """The preferred bidders named in the published record of historic auctions, each once, by name."""
    names = (
        Auction.objects.filter(origin=Origin.HISTORIC)
        .exclude(published_preferred_bidder="")
        .values_list("published_preferred_bidder", flat=True)
        .distinct()
    )
    return sorted(set(names), key=str.lower)


@dataclass(frozen=True)
class NotPublished:
    name: str
    cin: str | None
    reason: str


NO_OWNERS = "The firm has declared no beneficial owner on Khanij."
NO_CONSENT = "The firm's declared beneficial owners have not consented to publication: nothing is published."
SOME_WITHOUT_CONSENT = "{n} of the firm's declared beneficial owners have not consented to publication: left out."
HISTORIC = (
    "Named as preferred bidder in the published record of an auction the Ministry of Mines ran before Khanij; the "
    "firm is not registered here, so Khanij holds no declaration of its beneficial owners and publishes none."
)


def ownership_gaps(firms, historic_names) -> list[NotPublished]:
    """What the statements leave out, and why: named firms with no owner or no consenting owner (or some owners
    without consent), and the historic auctions' preferred bidders."""
    gaps = []
    for firm in firms:
        owners = list(firm.beneficial_owners.all())
        without = sum(1 for o in owners if o.publication_consent_at is None)
        if not owners:
            gaps.append(NotPublished(firm.legal_name, firm.cin, NO_OWNERS))
        elif without == len(owners):
            gaps.append(NotPublished(firm.legal_name, firm.cin, NO_CONSENT))
        elif without:
            gaps.append(NotPublished(firm.legal_name, firm.cin, SOME_WITHOUT_CONSENT.format(n=without)))
    gaps += [NotPublished(name, None, HISTORIC) for name in historic_names]
    return gaps
