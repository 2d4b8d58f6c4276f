import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from bidders.models import Firm, Membership


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.in")
    password = factory.django.Password("correct-horse-battery")


class FirmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Firm

    legal_name = factory.Sequence(lambda n: f"Test Minerals {n} Pvt Ltd")
    cin = factory.Sequence(lambda n: f"U13100MH2020PTC{n:06d}")
    pan = factory.Sequence(lambda n: f"AAAC{chr(65 + n // 10000 % 26)}{n % 10000:04d}F")
    registered_address = "1 Mine Road, Mumbai 400001"
    net_worth = Decimal("2500000000.00")
    net_worth_as_of = datetime.date(2026, 3, 31)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    firm = factory.SubFactory(FirmFactory)
    role = Membership.Role.ADMIN
