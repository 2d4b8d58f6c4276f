"""The demo's fictional firms, their affiliates and beneficial owners, and one account per role.

Written directly (get_or_create), not through bidders.services: firm_register makes every firm with its first
administrator, and two of the demo's firms have none (they exist to be affiliates and rivals), while the
accounts' fixed, published passwords and the regulator's group are what no service of the product grants."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from auctions.demo.report import SeedReport
from bidders import ownership_notice
from bidders.models import Affiliation, BeneficialOwner, Firm, Membership
from bidders.roles import REGULATORS_GROUP

PASSWORD_WARNING = "Demo passwords, published in the README: never use them, or this data, in production."

FIRMS = [
    {
        "legal_name": "Demo Minerals Pvt Ltd",
        "cin": "U14100MH2015PTC990101",
        "pan": "AADCD9101K",
        "registered_address": "Demo House, 1 Example Road, Mumbai 400001 (fictional)",
        "net_worth": Decimal("3500000000.00"),
    },
    {
        "legal_name": "Demo Lithium Resources Pvt Ltd",
        "cin": "U14200MH2021PTC990102",
        "pan": "AADCD9102L",
        "registered_address": "Demo House, 1 Example Road, Mumbai 400001 (fictional)",
        "net_worth": Decimal("600000000.00"),
    },
    {
        "legal_name": "Example Metals Ltd",
        "cin": "L27100DL2008PLC990103",
        "pan": "AADCE9103M",
        "registered_address": "12 Sample Marg, New Delhi 110001 (fictional)",
        "net_worth": Decimal("12000000000.00"),
    },
    {
        "legal_name": "Sample Exploration Services Pvt Ltd",
        "cin": "U14290KA2018PTC990104",
        "pan": "AADCS9104N",
        "registered_address": "4 Placeholder Layout, Bengaluru 560001 (fictional)",
        "net_worth": Decimal("300000000.00"),
    },
]
NET_WORTH_AS_OF = datetime.date(2025, 3, 31)
# Demo Lithium Resources is Demo Minerals' subsidiary: in the same auction their bids would both be rejected.
AFFILIATIONS = [("U14100MH2015PTC990101", "U14200MH2021PTC990102", Affiliation.Kind.SUBSIDIARY, Decimal("74.00"))]
BENEFICIAL_OWNERS = [
    ("U14100MH2015PTC990101", "Asha Verma (fictional)", "AAAPV9101A", Decimal("51.00"), True),
    ("U14100MH2015PTC990101", "Rohan Mehta (fictional)", "AAAPM9102B", Decimal("24.00"), False),
    ("U14200MH2021PTC990102", "Asha Verma (fictional)", "AAAPV9101A", Decimal("26.00"), False),
    ("L27100DL2008PLC990103", "Kavita Iyer (fictional)", "AAAPI9103C", Decimal("30.00"), True),
]


@dataclass(frozen=True)
class Account:
    role: str
    username: str
    password: str
    firm: str = ""  # CIN of the firm the user administers


ACCOUNTS = [
    Account("Regulator (regulators group; staff: /admin/)", "regulator", "khanij-regulator"),
    Account("Firm administrator, Demo Minerals Pvt Ltd", "meera", "khanij-meera", firm="U14100MH2015PTC990101"),
    Account("Firm administrator, Example Metals Ltd", "ravi", "khanij-ravi", firm="L27100DL2008PLC990103"),
    Account("Superuser (Django admin)", "admin", "khanij-admin"),
]


def seed_firms(report: SeedReport) -> dict[str, Firm]:
    """The fictional firms by CIN, counted in the report as created now or present already."""
    firms = {}
    with transaction.atomic():
        for data in FIRMS:
            firm, created = Firm.objects.get_or_create(
                cin=data["cin"], defaults={**data, "net_worth_as_of": NET_WORTH_AS_OF}
            )
            firms[firm.cin] = firm
            if created:
                report.firms_created += 1
            else:
                report.firms_present += 1
        for firm_cin, affiliate_cin, kind, share in AFFILIATIONS:
            Affiliation.objects.get_or_create(
                firm=firms[firm_cin], affiliate=firms[affiliate_cin], defaults={"kind": kind, "share": share}
            )
        for cin, name, pan, share, control in BENEFICIAL_OWNERS:
            BeneficialOwner.objects.get_or_create(
                firm=firms[cin],
                pan=pan,
                defaults={
                    "name": name,
                    "share": share,
                    "has_control": control,
                    # The demo's owners are fictional; their consent is recorded as a declaration would record it.
                    "publication_consent_at": timezone.now(),
                    "publication_notice_version": ownership_notice.NOTICE_VERSION,
                },
            )
    return firms


def seed_accounts(report: SeedReport, firms: dict[str, Firm]) -> None:
    """One account per role (each firm administrator a member of its firm), listed in the report."""
    User = get_user_model()
    regulators, _ = Group.objects.get_or_create(name=REGULATORS_GROUP)
    with transaction.atomic():
        for account in ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=account.username, defaults={"email": f"{account.username}@demo.khanij.invalid"}
            )
            if created:
                user.set_password(account.password)
            if account.username == "admin":
                user.is_staff = user.is_superuser = True
            elif account.username == "regulator":
                user.is_staff = True
                user.groups.add(regulators)  # the group's admin permissions: bidders.apps.ensure_regulators_group
            user.save()
            if account.firm:
                Membership.objects.get_or_create(
                    user=user, firm=firms[account.firm], defaults={"role": Membership.Role.ADMIN}
                )
            report.accounts.append((account, created))
