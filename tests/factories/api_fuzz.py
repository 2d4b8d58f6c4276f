"""The data the API fuzz test (tests/test_fuzz_api.py) runs on: the demo of `make run` (seed_demo, seed_licences)
and one auction in each phase a request can act in, made through the real services on the real clock, so that the
ids a generated request puts in a path name real objects, visible to the role that asks, as often as not.

`seed()` returns, for each path parameter of the OpenAPI document, the values that name seeded objects
(`Seeded.path_values`); the accounts are the demo's (PASSWORDS), the clearance cases seed_clearances'. The live
auction closes 40 minutes after the seeding: a longer run (`make fuzz`) sees it closed from then on, which is an
answer like any other."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from auctions.demo import ACCOUNTS, seed_demo
from auctions.models import Auction, Participation, Tranche
from bidders.models import Affiliation, BeneficialOwner, Firm, Membership
from bidders.services.members import member_add
from bidders.services.ownership import affiliation_add
from blocks.models import Block
from clearances.demo import seed_clearances
from clearances.models import Case
from ledger.models import Checkpoint, StreamHead
from ledger.services import checkpoint_write
from licences.demo import seed_licences
from licences.models import AreaProposal, Licence, Obligation, Payment
from tests.factories.auction_flow import SCHEDULE, T0, bidder
from tests.factories.public_auctions import staged

PASSWORDS = {account.username: account.password for account in ACCOUNTS}
REGULATOR = "regulator"
FIRM = "ravi"  # Example Metals' administrator: a lease in force, an exploration licence, a bidder below
RIVAL = "meera"  # Demo Minerals' administrator: preferred bidder of a lease, a bidder below
SAMPLE_EXPLORATION = "U14290KA2018PTC990104"  # a demo firm without accounts


@dataclass
class Seeded:
    """The values that name seeded objects in paths, by the path parameter's name or, for `{id}`, by the path's
    segment before it (`licences` for /api/v1/licences/{id}/...)."""

    values: dict[str, list] = field(default_factory=dict)
    headers: dict[str, dict] = field(default_factory=dict)  # each role's Authorization header, set by the test

    def path_values(self, path: str, name: str) -> list:
        if name == "id":
            segments = path.split("/")
            name = segments[segments.index("{id}") - 1]
        return self.values.get(name, [])


def _now_in(phase: str):
    """The notice time (see public_auctions.notified) that puts the real clock now in `phase` of SCHEDULE."""
    into = {
        # the document on sale (meera's bid in, ravi's not), the bids due in four weeks
        "bidding": SCHEDULE["document_sale_starts_at"] + timedelta(hours=2),
        # the bids due a day ago and not yet evaluated: the regulator may evaluate them
        "evaluation": SCHEDULE["bid_due_at"] + timedelta(days=1),
        # the e-auction started 20 minutes ago and closes in 40 (extended by offers near the close)
        "live": SCHEDULE["e_auction_starts_at"] + timedelta(minutes=20),
        # settled ten days ago: a preferred bidder, its licence, a replay and OCDS releases
        "settled": SCHEDULE["e_auction_starts_at"] + timedelta(days=10),
    }[phase]
    return timezone.now() - (into - T0)


def seed() -> Seeded:
    seed_demo()
    seed_licences()
    seed_clearances()
    users = {user.username: user for user in get_user_model().objects.filter(username__in=[REGULATOR, FIRM, RIVAL])}
    regulator, firm, rival = users[REGULATOR], users[FIRM], users[RIVAL]
    third = bidder("Kavya")
    seeded = Seeded()
    for phase, firms in (
        ("bidding", [rival]),
        ("evaluation", [firm, rival, third]),
        ("live", [firm, rival, third]),
        ("settled", [firm, rival, third]),
    ):
        staged(regulator, firms, phase, code=f"FZ-{phase[:3].upper()}-01", base=_now_in(phase))
    own = Firm.objects.get(memberships__user=firm)
    # ravi's firm gets an affiliate and a second member, so that removing either names something real
    affiliation_add(actor=firm, firm=own, affiliate_cin=SAMPLE_EXPLORATION, kind=Affiliation.Kind.COMMON_CONTROL)
    member_add(
        actor=firm,
        firm=own,
        user="kiran",
        role=Membership.Role.VIEWER,
        email="kiran@example.com",
        password="Quartz-Lantern-42",
    )
    checkpoint_write()

    def pks(queryset, limit=40):
        return list(queryset.order_by("pk").values_list("pk", flat=True)[:limit])

    auctions = pks(Auction.objects)
    seeded.values = {
        "auction_id": auctions,
        "auctions": auctions,
        "participation_id": pks(Participation.objects),
        "code": list(Block.objects.order_by("pk").values_list("code", flat=True)[:40]),
        "cin": list(Firm.objects.order_by("pk").values_list("cin", flat=True)),
        "stream": list(StreamHead.objects.order_by("stream").values_list("stream", flat=True)[:40]),
        "licences": pks(Licence.objects),
        "tranches": pks(Tranche.objects),
        "payments": pks(Payment.objects),
        "obligations": pks(Obligation.objects),
        "area-proposals": pks(AreaProposal.objects),
        "members": pks(Membership.objects.filter(firm=own)),
        "affiliations": pks(Affiliation.objects.filter(firm=own)),
        "beneficial-owners": pks(BeneficialOwner.objects.filter(firm=own)),
        "checkpoints": pks(Checkpoint.objects),
        "clearances": pks(Case.objects),
    }
    return seeded
