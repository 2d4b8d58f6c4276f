"""Leases with their Letter of Intent (and so their milestones), the people around a clearance case (the holder's
members, officers of the bodies, a regulator), and moving the clock (time-machine, noon IST of a day)."""

from datetime import date, datetime, time
from decimal import Decimal

import time_machine
from django.db import transaction
from django.utils import timezone

from authorities.models import Officer
from bidders.models import Membership
from blocks.models import Block
from licences import services as licence_services
from licences.models import Licence
from tests.factories import MembershipFactory, UserFactory
from tests.factories.licences import make_licence

LOI_ON = date(2027, 3, 20)


def at(day: date):
    return timezone.make_aware(datetime.combine(day, time(12)))


def on(day: date):
    """Travel to noon IST of `day` (a context manager)."""
    return time_machine.travel(at(day), tick=False)


def lease(*, minerals=("graphite",), forest_ha="0", distance=None, esz=False, state="Odisha", kind="ML",
          loi_on: date = LOI_ON) -> Licence:  # fmt: skip
    """A lease whose Letter of Intent was issued on `loi_on` (its milestones registered by `loi_record`), on a block
    with this forest land, distance to a protected area and eco-sensitive-zone flag."""
    licence = make_licence(kind=kind, status="preferred_bidder", minerals=minerals, state=state, awarded_on=None)
    Block.objects.filter(pk=licence.block_id).update(
        forest_land_ha=Decimal(forest_ha), protected_area_distance_km=distance, eco_sensitive_zone=esz, state=state
    )
    with on(loi_on), transaction.atomic():
        licence_services.loi_record(licence=licence, loi_on=loi_on)
    licence.refresh_from_db()
    return licence


def member(licence, username="asha", role=Membership.Role.ADMIN):
    return MembershipFactory(user=UserFactory(username=username), firm=licence.holder, role=role).user


def officer(code: str, username: str, designation: str = "Officer"):
    user = UserFactory(username=username)
    Officer.objects.create(user=user, authority_id=_authority_id(code), designation=designation)
    return user


def _authority_id(code):
    from authorities.models import Authority

    return Authority.objects.get(code=code).pk
