"""Beneficial ownership as open data (EITI Requirement 2.5), GET /api/v1/public/beneficial-ownership: BODS 0.4
statements of the owners of firms named publicly as bidders or licence holders, valid against the standard; only the
name, nationality, nature and share of the interest, never an identity number or an address; only with the owner's
consent, recorded at the declaration; nothing for the firms of historic auctions, and a word saying so."""

import json

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bidders import services
from bidders.models import BeneficialOwner
from core.errors import ApplicationError
from tests.factories import FirmFactory
from tests.factories.auction_flow import open_offers
from tests.factories.firms_extra import BeneficialOwnerFactory
from tests.factories.licences import make_licence
from tests.factories.public_auctions import moment, staged, three_firms
from tests.standards import bods_errors

pytestmark = pytest.mark.django_db

URL = "/api/v1/public/beneficial-ownership"


def declare(actor, firm, name, pan, share, **extra):
    return services.beneficial_owner_add(
        actor=actor, firm=firm, name=name, pan=pan, share=share, publication_consent=True, **extra
    )


@pytest.fixture
def holder(firm_user):
    """Alice's firm holds a licence; two owners declared with consent, one of them in control."""
    firm = firm_user.memberships.get().firm
    firm.registered_address = "7 Quarry Road, Raipur 492001"
    firm.save()
    make_licence(kind="ML", holder=firm)
    declare(firm_user, firm, "Asha Rao", "ABCPR1234K", "51.00", has_control=True)
    declare(firm_user, firm, "Jean Dupont", "ABCPD5678L", "24.50", nationality="French")
    return firm


def test_the_statements_are_valid_bods_with_only_what_is_published(client, holder):
    response = client.get(URL)
    assert response.status_code == 200
    data = response.json()
    assert bods_errors(data["statements"]) == []
    by_type = {}
    for statement in data["statements"]:
        by_type.setdefault(statement["recordType"], []).append(statement["recordDetails"])
    (entity,) = by_type["entity"]
    assert entity["name"] == holder.legal_name and entity["identifiers"][0] == {
        "id": holder.cin, "scheme": "IN-MCA", "schemeName": "Ministry of Corporate Affairs, Corporate Identification "
        "Number"}  # fmt: skip
    people = {p["names"][0]["fullName"]: p for p in by_type["person"]}
    assert set(people) == {"Asha Rao", "Jean Dupont"}
    assert all(set(p) == {"isComponent", "personType", "names", "nationalities"} for p in people.values())
    assert people["Asha Rao"]["nationalities"] == [{"name": "India", "code": "IN"}]
    assert people["Jean Dupont"]["nationalities"] == [{"name": "French"}]  # as declared, no code guessed
    interests = {r["interestedParty"]: r["interests"] for r in by_type["relationship"]}
    asha = next(i for i in interests.values() if i[0]["share"]["exact"] == 51)
    assert [i["type"] for i in asha] == ["shareholding", "otherInfluenceOrControl"]
    assert all(i["beneficialOwnershipOrControl"] and i["directOrIndirect"] == "unknown" for i in asha)
    assert {len(i) for i in interests.values()} == {1, 2}
    assert data["fields_published"] == [
        "name", "nationality", "nature of the interest (shareholding, control)", "share of the interest",
    ]  # fmt: skip


def test_no_identity_number_or_address_ever_appears(client, holder):
    text = client.get(URL).content.decode()
    for secret in ("ABCPR1234K", "ABCPD5678L", holder.pan, "Quarry Road", "492001"):
        assert secret not in text
    for key in ('"addresses"', '"birthDate"', '"taxResidencies"', '"placeOfBirth"'):
        assert key not in text
    persons = [s for s in json.loads(text)["statements"] if s["recordType"] == "person"]
    assert all("identifiers" not in s["recordDetails"] for s in persons)


def test_consent_is_required_and_recorded_with_its_time_and_notice(firm_user, api_as, client):
    firm = firm_user.memberships.get().firm
    with pytest.raises(ApplicationError) as refused:
        services.beneficial_owner_add(actor=firm_user, firm=firm, name="Asha Rao", pan="ABCPR1234K", share="10")
    assert "publication_consent" in refused.value.fields and not BeneficialOwner.objects.exists()
    body = {"name": "Asha Rao", "pan": "ABCPR1234K", "share": "10.00"}
    response = api_as(firm_user).post("/api/v1/firms/me/beneficial-owners", body, format="json")
    assert response.status_code == 400 and "publication_consent" in response.json()["error"]["fields"]
    client.force_login(firm_user)
    page = client.post("/firm/owners/add", {"owner-name": "Asha Rao", "owner-pan": "ABCPR1234K",
                                                    "owner-share": "10"})  # fmt: skip
    assert page.status_code == 400 and "without that consent the owner cannot be declared" in page.content.decode()
    assert not BeneficialOwner.objects.exists()
    response = api_as(firm_user).post("/api/v1/firms/me/beneficial-owners", {**body, "publication_consent": True},
                                      format="json")  # fmt: skip
    assert response.status_code == 201
    owner = BeneficialOwner.objects.get()
    assert owner.publication_consent_at is not None and owner.publication_notice_version == "bo-publication-2026-12"
    assert (
        response.json()["publication_consent_at"]
        and "Notice to the beneficial owner" in client.get("/firm/").content.decode()
    )


def test_an_owner_without_recorded_consent_is_never_published(client, holder):
    BeneficialOwnerFactory(firm=holder, name="Hidden Owner", share="5.00")  # declared before consent was asked
    other = FirmFactory(legal_name="Quiet Metals Ltd")
    make_licence(kind="CL", holder=other)
    BeneficialOwnerFactory(firm=other, name="Also Hidden")
    data = client.get(URL).json()
    text = json.dumps(data["statements"])
    assert "Hidden Owner" not in text and "Also Hidden" not in text and "Quiet Metals Ltd" not in text
    reasons = {g["name"]: g["reason"] for g in data["not_published"]}
    assert "1 of the firm's declared beneficial owners have not consented" in reasons[holder.legal_name]
    assert "have not consented to publication: nothing is published" in reasons["Quiet Metals Ltd"]


def test_a_bidder_is_published_only_once_the_public_knows_it_bid(client, regulator):
    firms = three_firms()
    auction = staged(regulator, firms, "evaluated")
    for user, letter in zip(firms, "ABC", strict=True):
        firm = user.memberships.get().firm
        declare(user, firm, f"Owner of {firm.legal_name}", f"ABCP{letter}1234K", "60")
    with time_machine.travel(moment(auction, "evaluated"), tick=False):
        sealed = client.get(URL).content.decode()
    for name in ("Asha Ltd", "Bharat Ltd", "Chitra Ltd"):
        assert name not in sealed  # who bid is still sealed: neither its owners nor its name
    with time_machine.travel(auction.opening_at, tick=False):
        open_offers(regulator, auction.pk)  # the regulator's opening and the worker's task it queues
        data = client.get(URL).json()
    assert bods_errors(data["statements"]) == []
    entities = {s["recordDetails"]["name"] for s in data["statements"] if s["recordType"] == "entity"}
    people = {s["recordDetails"]["names"][0]["fullName"] for s in data["statements"] if s["recordType"] == "person"}
    assert entities == {"Asha Ltd", "Bharat Ltd", "Chitra Ltd"}
    assert people == {"Owner of Asha Ltd", "Owner of Bharat Ltd", "Owner of Chitra Ltd"}


def test_historic_firms_have_nothing_published_and_the_answer_says_so(client):
    from auctions.services.history import historic_import
    from tests.auctions.test_history_import import register_blocks

    register_blocks()
    historic_import()
    data = client.get(URL).json()
    assert data["statements"] == []
    historic = {g["name"]: g for g in data["not_published"] if g["cin"] is None}
    assert "Maiki South Mining Pvt Ltd" in historic and "Vedanta Ltd" in historic
    assert "not registered here" in historic["Vedanta Ltd"]["reason"]
    assert len(historic) == len(set(historic))


@pytest.mark.parametrize("role", ["anonymous", "plain_user", "other_firm_user", "firm_user", "regulator"])
def test_every_role_reads_the_same_public_data_and_none_writes_it(request, api_as, holder, role):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    client = api_as(user)
    response = client.get(URL)
    assert response.status_code == 200
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=60"}
    assert {s["recordId"] for s in response.json()["statements"]} == {
        s["recordId"] for s in api_as(None).get(URL).json()["statements"]
    }
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(URL, {}, format="json").status_code == 405


def test_the_query_count_does_not_grow_with_the_firms(client, holder):
    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    one = count()
    for _ in range(3):
        firm = FirmFactory()
        make_licence(kind="EL", holder=firm)
        BeneficialOwnerFactory(firm=firm, publication_consent_at="2026-01-01T00:00:00Z")
    assert count() == one
    assert len(client.get(URL).json()["statements"]) == 5 + 3 * 3
