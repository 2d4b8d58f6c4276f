"""The public register pages: /licences/ (filters, sort, CSV link), /licences/<pk>/ (facts, map, obligations with
their basis, history with the ledger check, the holder's links), /licences/<pk>.geojson; and the read-only admin."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from licences.models import Licence, Payment, PremiumShare
from licences.services import obligation_add, obligation_settle
from tests.factories import FirmFactory, UserFactory, square_boundary
from tests.factories.auction_flow import notified_auction
from tests.factories.licence_register import el_granted, ml_with_history
from tests.factories.licences import make_licence

pytestmark = pytest.mark.django_db

ORIGINAL = square_boundary(80.0, 20.0, 0.2)
RETAINED = square_boundary(80.0, 20.0, 0.1)  # the south-west quarter of ORIGINAL


@pytest.fixture
def alice_firm(firm_user):
    return firm_user.memberships.get().firm


@pytest.fixture
def ml(alice_firm, regulator):
    auction = notified_auction(regulator).get()
    return ml_with_history(holder=alice_firm, regulator=regulator, number="ML/2027/0007", auction=auction,
                           block=auction.block, area_hectares=Decimal("2858.1234"),
                           original_area_hectares=Decimal("2858.1234"))  # fmt: skip


@pytest.fixture
def roles(plain_user, firm_user, other_firm_user, regulator):
    return {
        "anonymous": None,
        "plain user": plain_user,
        "firm member": firm_user,
        "other firm's member": other_firm_user,
        "regulator": regulator,
    }


def text(response) -> str:
    """The page's visible text, tags removed and spaces collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


# --- The register ---------------------------------------------------------------------------------------------


def test_the_register_lists_every_licence_with_a_link_to_it(client, ml):
    el = el_granted(holder=FirmFactory(legal_name="Ganga Explorers Ltd"), number="EL/2027/0003")
    response = client.get("/licences/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="/licences/{ml.pk}/"' in body and f'href="/licences/{el.pk}/"' in body
    words = text(response)
    assert "2 licences." in words
    assert "Alice Minerals Ltd" in words and "Ganga Explorers Ltd" in words
    assert "12.50%" in words and "In force" in words


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"kind": "EL"}, ["EL/2027/0003"], ["ML/2027/0007"]),
        ({"holder": "alice"}, ["ML/2027/0007"], ["EL/2027/0003"]),
        ({"mineral": "gold"}, ["EL/2027/0003"], ["ML/2027/0007"]),
        ({"state": "Rajasthan"}, ["EL/2027/0003"], ["ML/2027/0007"]),
        ({"status": "active", "year": "2027"}, ["ML/2027/0007", "EL/2027/0003"], []),
    ],
)
def test_the_register_filters(client, ml, query, shown, hidden):
    el_granted(holder=FirmFactory(legal_name="Ganga Explorers Ltd"), number="EL/2027/0003", state="Rajasthan")
    response = client.get("/licences/", query)
    assert response.status_code == 200
    table = text(response)
    for number in shown:
        assert number in table
    for number in hidden:
        assert number not in table
    # the CSV link carries the same filters
    assert "/licences.csv?" in response.content.decode()


def test_the_register_sorts_by_holder(client):
    make_licence(holder=FirmFactory(legal_name="Zeta Mines Ltd"), number="ML/2027/0001")
    make_licence(holder=FirmFactory(legal_name="Alpha Mines Ltd"), number="ML/2027/0002")
    words = text(client.get("/licences/", {"ordering": "holder"}))
    assert words.index("Alpha Mines Ltd") < words.index("Zeta Mines Ltd")
    words = text(client.get("/licences/"))
    assert words.index("Zeta Mines Ltd") < words.index("Alpha Mines Ltd")  # by number


def test_an_unknown_filter_value_is_a_400_page_that_says_what_is_allowed(client, ml):
    response = client.get("/licences/", {"kind": "PL"})
    assert response.status_code == 400
    assert "PL is not a known kind. Allowed values: ML, CL, EL." in text(response)


def test_the_register_pages_by_fifty(client):
    holder = FirmFactory()
    for i in range(51):
        make_licence(holder=holder, number=f"ML/2027/{i + 1:04d}")
    first = text(client.get("/licences/"))
    assert "showing 1–50" in first and "ML/2027/0050" in first and "ML/2027/0051" not in first
    second = text(client.get("/licences/", {"page": 2}))
    assert "ML/2027/0051" in second and "ML/2027/0001" not in second


def test_an_empty_register_says_when_licences_appear(client):
    assert "appears here when an auction declares its preferred bidder" in text(client.get("/licences/"))


# --- One licence ----------------------------------------------------------------------------------------------


def test_the_licence_page_shows_the_holder_area_dates_and_auction(client, ml, alice_firm):
    response = client.get(f"/licences/{ml.pk}/")
    assert response.status_code == 200
    words = text(response)
    for expected in (
        "Mining lease ML/2027/0007",
        "Alice Minerals Ltd",
        alice_firm.cin,
        "Lithium",
        "Chhattisgarh",
        "Korba",
        "2,858.12 ha (28.58 km²)",  # 2858.1234 ha, and / 100 for km²
        "Application 20 Jan 2027",
        "Preferred bidder declared 1 Mar 2027",
        "Award 1 Apr 2027",
        "Start 1 Apr 2028",
        "Expiry 1 Apr 2078",
        "Duration 50 years",
        "In force",
        "12.50%",
    ):
        assert expected in words, expected
    body = response.content.decode()
    assert f'href="/auctions/{ml.auction_id}/"' in body
    assert f"ocds-xxxxxx-{ml.auction_id}" in body


def test_the_licence_page_draws_the_boundary_and_offers_the_coordinates(client, ml):
    body = client.get(f"/licences/{ml.pk}/").content.decode()
    assert re.search(r'<svg[^>]*class="block-map"', body)
    assert body.count('class="block-boundary"') == 1
    assert f'href="/licences/{ml.pk}.geojson"' in body


def test_the_licence_page_lists_obligations_with_how_each_was_computed(client, ml):
    response = client.get(f"/licences/{ml.pk}/")
    words = text(response)
    assert "Upfront payment: first instalment 15 Apr 2027 Rs 10,00,000.00 Met 10 Apr 2027" in words
    assert "10% of the upfront payment Rs 1,00,00,000.00 = Rs 10,00,000.00, due 45 days after 1 Mar 2027." in words
    assert "Mining plan approved 1 Oct 2027 — Missed — Rs 3,00,000.00" in words
    assert (
        "Penalty: 1% of the performance security Rs 1,00,00,000.00 x 3 months or part (due 1 Oct 2027, "
        "met 15 Dec 2027) = Rs 3,00,000.00" in words
    )
    assert "Upfront payment: second instalment 1 Apr 2030 Rs 10,00,000.00 Pending" in words


def test_the_licence_page_shows_the_full_history_and_its_ledger_check(client, ml):
    response = client.get(f"/licences/{ml.pk}/")
    words = text(response)
    assert (
        "1 Apr 2027, 11:00 IST Status changed Preferred bidder declared → Letter of Intent issued "
        "First instalment and performance security paid; Letter of Intent issued (RULES.md s.3 item 11). 1"
    ) in words
    assert "15 Dec 2027, 11:00 IST Penalty levied — Delay penalty Rs 3,00,000.00. 2" in words
    assert "Development agreement signed: successful bidder → In force Lease deed executed. 4" in words
    assert f'href="/api/v1/public/ledger/licence:{ml.pk}"' in response.content.decode()
    assert "Verified: the chain of 4 entries recomputes" in words


def test_a_licence_without_a_recorded_act_says_so(client):
    bare = make_licence()
    words = text(client.get(f"/licences/{bare.pk}/"))
    assert "Nothing has been recorded for this licence yet." in words
    assert "The ledger has no entry for this licence yet." in words
    assert "No obligation has been registered for this licence yet." in words


def test_a_relinquished_el_shows_the_area_now_and_granted(client):
    el = make_licence(kind="EL", boundary=RETAINED, area_hectares=Decimal("520.5000"), original_boundary=ORIGINAL,
                      original_area_hectares=Decimal("2082.0000"))  # fmt: skip
    response = client.get(f"/licences/{el.pk}/")
    words = text(response)
    assert "Area held 520.50 ha (5.21 km²)" in words
    assert "Area granted 2,082.00 ha (20.82 km²) (part relinquished since)" in words
    body = response.content.decode()
    assert body.count('class="block-boundary"') == 1 and 'class="neighbour"' in body  # the granted area outlined


def test_an_el_and_its_lease_link_to_each_other(client):
    el = el_granted(holder=FirmFactory(legal_name="Ganga Explorers Ltd"), number="EL/2027/0003")
    lease = make_licence(kind="ML", holder=FirmFactory(legal_name="Lessee Ltd"), parent_el=el, number="ML/2031/0001")
    el_page = client.get(f"/licences/{el.pk}/").content.decode()
    assert f'href="/licences/{lease.pk}/"' in el_page and "ML/2031/0001" in el_page
    lease_page = text(client.get(f"/licences/{lease.pk}/"))
    assert "On the discovery of EL/2027/0003 (Ganga Explorers Ltd)" in lease_page


def test_the_page_never_shows_a_payment_reference(client, ml, firm_user, regulator):
    Payment.objects.create(
        licence=ml,
        obligation=ml.obligations.get(kind="upfront_1"),
        amount=Decimal("1000000.00"),
        reference="UTR-SECRET-4711",
        paid_on=datetime.date(2027, 4, 10),
        recorded_by=firm_user,
    )
    for user in (None, firm_user, regulator):
        client.logout()
        assert "UTR-SECRET-4711" not in login(client, user).get(f"/licences/{ml.pk}/").content.decode()


def test_an_unknown_licence_is_a_404_page(client):
    response = client.get("/licences/424242/")
    assert response.status_code == 404
    assert "No licence has the id 424242" in text(response)
    assert client.get("/licences/424242.geojson").status_code == 404


# --- The holder's and the regulator's links -------------------------------------------------------------------

ML_LINKS = ("payments/", "milestones/", "premium/")


@pytest.mark.parametrize(
    ("role", "sees_links"),
    [
        ("anonymous", False),
        ("plain user", False),
        ("other firm's member", False),
        ("firm member", True),
        ("regulator", True),
    ],
)
def test_the_holder_and_regulators_get_links_to_the_licence_pages(client, ml, roles, role, sees_links):
    response = login(client, roles[role]).get(f"/licences/{ml.pk}/")
    assert response.status_code == 200  # the page itself is public to everyone
    body = response.content.decode()
    for tail in ML_LINKS:
        assert (f'href="/licences/{ml.pk}/{tail}"' in body) is sees_links
    assert f'href="/licences/{ml.pk}/exploration/"' not in body


def test_an_el_holder_gets_the_exploration_link(client, firm_user):
    el = el_granted(holder=firm_user.memberships.get().firm)
    body = login(client, firm_user).get(f"/licences/{el.pk}/").content.decode()
    assert f'href="/licences/{el.pk}/exploration/"' in body
    assert f'href="/licences/{el.pk}/payments/"' not in body


@pytest.mark.parametrize("role", ["anonymous", "plain user", "firm member", "other firm's member", "regulator"])
def test_the_public_pages_are_open_to_every_role(client, ml, roles, role):
    login(client, roles[role])
    for url in ("/licences/", f"/licences/{ml.pk}/", f"/licences/{ml.pk}.geojson", "/licences.csv"):
        assert client.get(url).status_code == 200, url


def test_the_nav_links_to_the_register_for_everyone(client):
    assert 'href="/licences/"' in client.get("/").content.decode()


# --- GeoJSON --------------------------------------------------------------------------------------------------


def test_the_boundary_downloads_as_geojson(client, ml, alice_firm):
    response = client.get(f"/licences/{ml.pk}.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["Content-Disposition"] == 'attachment; filename="ML-2027-0007.geojson"'
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    [feature] = data["features"]
    assert feature["geometry"] == ml.boundary
    props = feature["properties"]
    assert props["licence"] == "ML/2027/0007" and props["area"] == "held"
    assert props["holder"] == "Alice Minerals Ltd" and props["holder_cin"] == alice_firm.cin
    assert props["minerals"] == ["lithium"] and props["area_hectares"] == "2858.1234"
    assert props["awarded_on"] == "2027-04-01" and props["expires_on"] == "2078-04-01"
    assert props["url"] == f"http://testserver/licences/{ml.pk}/"


def test_a_relinquished_boundary_downloads_with_the_area_granted(client):
    el = make_licence(kind="EL", number="EL/2027/0042", boundary=RETAINED, area_hectares=Decimal("520.5000"),
                      original_boundary=ORIGINAL, original_area_hectares=Decimal("2082.0000"))  # fmt: skip
    features = json.loads(client.get(f"/licences/{el.pk}.geojson").content)["features"]
    assert [(f["properties"]["area"], f["geometry"], f["properties"]["area_hectares"]) for f in features] == [
        ("held", RETAINED, "520.5000"),
        ("granted", ORIGINAL, "2082.0000"),
    ]


# --- The back office -------------------------------------------------------------------------------------------


@pytest.fixture
def staff_regulator(regulator):
    regulator.is_staff = True
    regulator.save(update_fields=["is_staff"])
    return regulator


def test_a_regulator_reads_licences_in_the_admin_but_cannot_change_them(client, ml, staff_regulator):
    client.force_login(staff_regulator)
    listing = client.get(reverse("admin:licences_licence_changelist"))
    assert listing.status_code == 200 and "ML/2027/0007" in listing.content.decode()
    page = client.get(reverse("admin:licences_licence_change", args=[ml.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Mining plan approved" in body and "Lease deed executed." in body  # obligations and history inline
    assert 'name="_save"' not in body
    assert client.get(reverse("admin:licences_licence_add")).status_code == 403
    assert client.post(reverse("admin:licences_licence_delete", args=[ml.pk]), {"post": "yes"}).status_code == 403
    assert Licence.objects.filter(pk=ml.pk).exists()


@pytest.mark.parametrize(
    "model", ["licenceevent", "obligation", "payment", "premiumreturn", "premiumshare", "report", "areaproposal"],
)  # fmt: skip
def test_every_licence_model_is_listed_read_only_in_the_admin(client, ml, model):
    client.force_login(UserFactory(username="backoffice", is_staff=True, is_superuser=True))
    assert client.get(reverse(f"admin:licences_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:licences_{model}_add")).status_code == 403


def test_the_register_page_costs_the_same_number_of_queries_whatever_its_length(client):
    make_licence()

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/licences/", {"ordering": "holder"}).status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for _ in range(8):
        make_licence(kind="EL", parent_el=make_licence(kind="EL"), minerals=("gold", "copper"))
    assert count() == one


# --- The EL holder's share of the premium ----------------------------------------------------------------------


@pytest.fixture
def shared(firm_user, other_firm_user, regulator):
    """Bob's EL found the deposit; Alice's lease on it paid Rs 1,00,000.00 of premium for May 2029, of which the
    EL's 18.00% share is Rs 18,000.00 (1,00,000 x 18 / 100)."""
    el = el_granted(holder=other_firm_user.memberships.get().firm, number="EL/2027/0003")
    lease = make_licence(kind="ML", holder=firm_user.memberships.get().firm, parent_el=el, number="ML/2029/0001")
    with transaction.atomic():
        premium = obligation_add(licence=lease, kind="premium", title="Premium for May 2029",
                                 due_on=datetime.date(2029, 6, 10), amount=Decimal("100000.00"),
                                 period=datetime.date(2029, 5, 1))  # fmt: skip
        obligation_settle(obligation=premium, status="met", met_on=datetime.date(2029, 6, 8))
    payment = Payment.objects.create(
        licence=lease,
        obligation=premium,
        amount=Decimal("100000.00"),
        reference="UTR-PREMIUM-0529",
        paid_on=datetime.date(2029, 6, 8),
        status=Payment.Status.CONFIRMED,
        recorded_by=firm_user,
        decided_by=regulator,
    )
    PremiumShare.objects.create(
        payment=payment,
        lease=lease,
        el=el,
        share_pct=Decimal("18.00"),
        amount=Decimal("18000.00"),
        basis="18.00% of the premium Rs 1,00,000.00 = Rs 18,000.00",
    )
    return el, lease


def test_the_el_page_shows_its_share_of_the_premium_and_the_lease_page_what_it_owes(client, shared):
    el, lease = shared
    el_words = text(client.get(f"/licences/{el.pk}/"))
    assert "ML/2029/0001 May 2029 18.00% Rs 18,000.00 18.00% of the premium Rs 1,00,000.00 = Rs 18,000.00" in el_words
    assert "Earned in all Rs 18,000.00" in el_words
    lease_words = text(client.get(f"/licences/{lease.pk}/"))
    assert "EL/2027/0003 May 2029 18.00% Rs 18,000.00" in lease_words
    for page in (el_words, lease_words):
        assert "UTR-PREMIUM-0529" not in page


def test_the_api_gives_the_premium_shares_on_both_licences(api, shared):
    el, lease = shared
    [earned] = api.get(f"/api/v1/public/licences/{el.pk}").json()["premium_shares_earned"]
    assert (earned["lease"]["number"], earned["month"], earned["share_pct"], earned["amount"]) == (
        "ML/2029/0001",
        "2029-05-01",
        "18.00",
        "18000.00",
    )
    [paid] = api.get(f"/api/v1/public/licences/{lease.pk}").json()["premium_shares_paid"]
    assert paid["el"]["number"] == "EL/2027/0003" and paid["amount"] == "18000.00"
