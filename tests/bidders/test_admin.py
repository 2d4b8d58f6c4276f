"""The back office: a regulator finds a firm by name, CIN or PAN and sees everything it declared."""

import pytest
from django.urls import reverse

from tests.factories import FirmFactory, MembershipFactory, UserFactory
from tests.factories.firms_extra import AffiliationFactory, BeneficialOwnerFactory, EligibilityDocumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(username="backoffice", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("field", ["legal_name", "cin", "pan"])
def test_firms_are_searchable_by_name_cin_and_pan(staff, field):
    wanted, other = FirmFactory(legal_name="Wanted Lithium Ltd"), FirmFactory(legal_name="Other Ltd")
    response = staff.get(reverse("admin:bidders_firm_changelist"), {"q": getattr(wanted, field)})
    body = response.content.decode()
    assert response.status_code == 200 and "Wanted Lithium Ltd" in body and other.legal_name not in body


def test_a_firms_page_shows_members_affiliates_owners_and_documents_inline(staff):
    firm = FirmFactory()
    MembershipFactory(firm=firm, user=UserFactory(username="member-one"))
    AffiliationFactory(firm=firm, affiliate=FirmFactory(legal_name="Affiliate Ltd"))
    AffiliationFactory(firm=FirmFactory(legal_name="Parent Ltd"), affiliate=firm, kind="holding")
    BeneficialOwnerFactory(firm=firm, name="Asha Rao")
    EligibilityDocumentFactory(firm=firm, description="FY26 certificate")
    response = staff.get(reverse("admin:bidders_firm_change", args=[firm.pk]))
    body = response.content.decode().lower()
    assert response.status_code == 200
    for expected in (
        "Memberships",
        "declared affiliates",
        "declared as affiliate by",
        "Parent Ltd",
        "Asha Rao",
        "FY26 certificate",
    ):
        assert expected.lower() in body, expected
