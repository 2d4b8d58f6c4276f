"""What every read and write of a licence asks: the day in India, and the Rules the licence was auctioned under; who
a user is in the licence's holder."""

import datetime

from django.utils import timezone

from auctions.rules import AuctionParams
from bidders.models import Membership
from licences.models import Licence, Obligation


def today() -> datetime.date:
    """The date in India by the server's clock."""
    return timezone.localdate()


def is_overdue(obligation, on: datetime.date) -> bool:
    """An obligation still owed (pending) after its due date: overdue, on every page and API alike (it may still be
    met late)."""
    return obligation.status == Obligation.Status.PENDING and obligation.due_on < on


def params_of(licence: Licence) -> AuctionParams:
    """The parameters of the Rules the licence was auctioned under (its tranche's)."""
    return AuctionParams.from_json(licence.params)


def holder_role(*, user, licence: Licence) -> str | None:
    """The user's role in the licence's holder (admin, bidder, viewer); None for a non-member or nobody signed in."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(user=user, firm_id=licence.holder_id).values_list("role", flat=True).first()
