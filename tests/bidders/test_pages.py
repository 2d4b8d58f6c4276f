"""The firm's pages through Django's test client: sign-up, the dashboard and its add/remove forms."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from bidders.models import Affiliation, BeneficialOwner, EligibilityDocument, Firm, Membership
from tests.factories import FirmFactory, MembershipFactory, UserFactory
from tests.factories.firms_extra import (
    PDF_BYTES,
    AffiliationFactory,
    BeneficialOwnerFactory,
    EligibilityDocumentFactory,
    upload,
)

pytestmark = pytest.mark.django_db
User = get_user_model()
DASHBOARD = reverse("firm:dashboard")
SIGNUP = reverse("firm:signup")

SIGNUP_FORM = {
    "username": "dora",
    "email": "dora@deccan.in",
    "password": "lithium-brine-2026",
    "password_confirm": "lithium-brine-2026",
    "legal_name": "Deccan Lithium Pvt Ltd",
    "cin": "U13100KA2021PTC654321",
    "pan": "AABCD1234E",
    "registered_address": "12 MG Road, Bengaluru 560001",
    "incorporated_in_india": "on",
    "net_worth": "25,00,00,000",
    "net_worth_as_of": "2026-03-31",
}


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


# --- sign-up -------------------------------------------------------------------------------------------


def test_sign_up_creates_account_and_firm_logs_in_and_lands_on_the_dashboard(client):
    page = client.get(SIGNUP)
    assert page.status_code == 200 and "Your account" in text(page) and "Your firm" in text(page)

    response = client.post(SIGNUP, SIGNUP_FORM, follow=True)

    assert response.redirect_chain == [(DASHBOARD, 302)]
    body = text(response)
    assert "Deccan Lithium Pvt Ltd is registered, and you are its administrator" in body
    assert "U13100KA2021PTC654321" in body and "Rs 25,00,00,000.00" in body and "Rs 25.00 crore" in body
    assert response.context["user"].username == "dora"
    membership = Membership.objects.get(user__username="dora")
    assert membership.role == Membership.Role.ADMIN and membership.firm.legal_name == "Deccan Lithium Pvt Ltd"


def test_sign_up_shows_every_mistake_next_to_its_field_and_saves_nothing(client):
    response = client.post(SIGNUP, {**SIGNUP_FORM, "cin": "U13100KA2021PTC65432", "pan": "AABPD1234E"})
    assert response.status_code == 400
    body = text(response)
    assert "Nothing was saved" in body
    assert "A CIN has 21 characters" in body and "4th letter of a company&#x27;s PAN is C" in body
    assert 'value="Deccan Lithium Pvt Ltd"' in body  # what was typed stays
    assert not User.objects.filter(username="dora").exists() and not Firm.objects.exists()


def test_sign_up_refuses_different_passwords(client):
    response = client.post(SIGNUP, {**SIGNUP_FORM, "password_confirm": "something-else-2026"})
    assert response.status_code == 400 and "The two passwords differ" in text(response)
    assert not Firm.objects.exists()


def test_sign_up_refuses_a_cin_already_registered_and_says_so(client):
    FirmFactory(cin=SIGNUP_FORM["cin"])
    response = client.post(SIGNUP, SIGNUP_FORM)
    assert response.status_code == 400
    assert "A firm with CIN U13100KA2021PTC654321 is already registered on Khanij" in text(response)
    assert not User.objects.filter(username="dora").exists()


def test_sign_up_refuses_a_pan_already_registered_and_says_so(client):
    FirmFactory(pan=SIGNUP_FORM["pan"])
    response = client.post(SIGNUP, SIGNUP_FORM)
    assert response.status_code == 400 and "A firm with PAN AABCD1234E is already registered" in text(response)


def test_a_signed_in_user_without_a_firm_registers_only_the_firm(as_user, plain_user):
    client = as_user(plain_user)
    page = client.get(SIGNUP)
    assert "Your account" not in text(page) and "You are signed in as <strong>carol</strong>" in text(page)
    firm_only = {k: v for k, v in SIGNUP_FORM.items() if k not in ("username", "email", "password", "password_confirm")}
    response = client.post(SIGNUP, firm_only)
    assert response.status_code == 302 and response["Location"] == DASHBOARD
    assert Membership.objects.get(user=plain_user).role == Membership.Role.ADMIN


def test_a_member_opening_sign_up_is_sent_to_the_dashboard(as_user, firm_user):
    response = as_user(firm_user).get(SIGNUP, follow=True)
    assert response.redirect_chain == [(DASHBOARD, 302)] and "You act for Alice Minerals Ltd already" in text(response)


def test_a_regulator_cannot_sign_up_a_firm(as_user, regulator):
    response = as_user(regulator).post(SIGNUP, SIGNUP_FORM)
    assert response.status_code == 302 and not Firm.objects.exists()


# --- who reaches the dashboard -------------------------------------------------------------------------


def test_the_dashboard_sends_anonymous_visitors_to_log_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response["Location"] == f"{reverse('login')}?next={DASHBOARD}"


def test_the_dashboard_sends_a_user_without_a_firm_to_sign_up_with_a_message(as_user, plain_user):
    response = as_user(plain_user).get(DASHBOARD, follow=True)
    assert response.redirect_chain == [(SIGNUP, 302)]
    assert "You are signed in as carol but do not act for a firm yet" in text(response)


def test_the_dashboard_sends_a_regulator_to_the_back_office(as_user, regulator):
    response = as_user(regulator).get(DASHBOARD)
    assert response.status_code == 302 and response["Location"] == reverse("admin:bidders_firm_changelist")


def test_the_dashboard_shows_the_firm_and_everything_it_declared(as_user, firm_user, other_firm_user):
    firm = firm_user.memberships.get().firm
    MembershipFactory(firm=firm, user=UserFactory(username="ravi"), role=Membership.Role.VIEWER)
    AffiliationFactory(firm=firm, affiliate=other_firm_user.memberships.get().firm, kind="subsidiary")
    AffiliationFactory(firm=FirmFactory(legal_name="Gamma Holdings Ltd"), affiliate=firm, kind="holding")
    BeneficialOwnerFactory(firm=firm, name="Asha Rao", share="26")
    EligibilityDocumentFactory(firm=firm, description="FY26 certificate")

    body = text(as_user(firm_user).get(DASHBOARD))

    for expected in (
        "Alice Minerals Ltd", firm.cin, "ravi", "Bob Metals Ltd", "Subsidiary", "Gamma Holdings Ltd", "Asha Rao",
        "26.00%", "FY26 certificate", "Add a member", "Declare an affiliate", "Upload a document",
    ):  # fmt: skip
        assert expected in body, expected


def test_a_viewer_sees_the_dashboard_without_forms(as_user, firm_user):
    viewer = MembershipFactory(firm=firm_user.memberships.get().firm, role=Membership.Role.VIEWER).user
    body = text(as_user(viewer).get(DASHBOARD))
    assert "Alice Minerals Ltd" in body and "only its administrators can change it" in body
    assert "Add a member" not in body and "Remove" not in body


# --- add and remove as an admin ------------------------------------------------------------------------


def test_admin_edits_the_registered_data(as_user, firm_user):
    firm = firm_user.memberships.get().firm
    data = {
        "firm-legal_name": "Alice Minerals Limited",
        "firm-cin": firm.cin,
        "firm-pan": firm.pan,
        "firm-registered_address": "2 Mine Road, Mumbai 400001",
        "firm-net_worth": "3000000000",
        "firm-net_worth_as_of": "2026-06-30",
    }
    response = as_user(firm_user).post(reverse("firm:update"), data, follow=True)
    assert "The registered data of Alice Minerals Limited are saved" in text(response)
    firm.refresh_from_db()
    assert firm.legal_name == "Alice Minerals Limited" and firm.incorporated_in_india is False


def test_admin_adds_changes_and_removes_a_member(as_user, firm_user):
    UserFactory(username="ravi", email="ravi@example.in")
    client = as_user(firm_user)
    response = client.post(reverse("firm:member_add"), {"member-user": "ravi@example.in", "member-role": "viewer"})
    assert response.status_code == 302 and response["Location"] == f"{DASHBOARD}#members"
    ravi = Membership.objects.get(user__username="ravi")

    client.post(reverse("firm:member_role", args=[ravi.pk]), {"role": "bidder"})
    ravi.refresh_from_db()
    assert ravi.role == Membership.Role.BIDDER

    response = client.post(reverse("firm:member_remove", args=[ravi.pk]), follow=True)
    assert "ravi no longer acts for Alice Minerals Ltd" in text(response)
    assert not Membership.objects.filter(pk=ravi.pk).exists()


def test_admin_invites_a_person_without_account(as_user, firm_user):
    data = {
        "member-user": "tara",
        "member-role": "bidder",
        "member-email": "tara@alice.in",
        "member-password": "t-9x!kq2-zw",
    }
    as_user(firm_user).post(reverse("firm:member_add"), data)
    assert User.objects.get(username="tara").check_password("t-9x!kq2-zw")


def test_a_refused_form_comes_back_open_with_its_message(as_user, firm_user):
    response = as_user(firm_user).post(reverse("firm:member_add"), {"member-user": "ghost", "member-role": "viewer"})
    assert response.status_code == 400
    body = text(response)
    assert "No account has the username or email &#x27;ghost&#x27;" in body
    assert 'value="ghost"' in body and '<details class="card add" open>' in body


def test_the_last_admin_cannot_remove_themselves(as_user, firm_user):
    own = firm_user.memberships.get()
    response = as_user(firm_user).post(reverse("firm:member_remove", args=[own.pk]))
    assert response.status_code == 400 and "is the last administrator" in text(response)
    assert Membership.objects.filter(pk=own.pk).exists()


def test_admin_declares_and_removes_an_affiliate(as_user, firm_user, other_firm_user):
    other = other_firm_user.memberships.get().firm
    client = as_user(firm_user)
    client.post(
        reverse("firm:affiliation_add"), {"affiliation-affiliate_cin": other.cin, "affiliation-kind": "holding"}
    )
    affiliation = Affiliation.objects.get()
    assert affiliation.affiliate == other and affiliation.share is None

    response = client.post(reverse("firm:affiliation_remove", args=[affiliation.pk]), follow=True)
    assert "Bob Metals Ltd is no longer declared as an affiliate" in text(response)
    assert not Affiliation.objects.exists()


def test_admin_declares_and_removes_a_beneficial_owner(as_user, firm_user):
    client = as_user(firm_user)
    data = {
        "owner-name": "Asha Rao",
        "owner-pan": "ABCPR1234K",
        "owner-share": "51",
        "owner-has_control": "on",
        "owner-publication_consent": "on",
    }
    response = client.post(reverse("firm:beneficial_owner_add"), data, follow=True)
    assert "Asha Rao is declared as a beneficial owner (51" in text(response)
    owner = BeneficialOwner.objects.get()
    assert owner.has_control and owner.nationality == "Indian"

    client.post(reverse("firm:beneficial_owner_remove", args=[owner.pk]))
    assert not BeneficialOwner.objects.exists()


def test_admin_uploads_downloads_and_removes_a_document(as_user, firm_user):
    client = as_user(firm_user)
    data = {"document-kind": "net_worth", "document-file": upload("Net worth FY26.pdf"), "document-description": "FY26"}
    response = client.post(reverse("firm:document_upload"), data, follow=True)
    assert "Net-worth certificate uploaded" in text(response)
    document = EligibilityDocument.objects.get()

    download = client.get(reverse("firm:document_download", args=[document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"

    client.post(reverse("firm:document_remove", args=[document.pk]))
    assert not EligibilityDocument.objects.exists()


def test_an_upload_of_another_type_is_refused_with_its_message(as_user, firm_user):
    data = {"document-kind": "other", "document-file": upload("accounts.docx", b"PK\x03\x04")}
    response = as_user(firm_user).post(reverse("firm:document_upload"), data)
    assert response.status_code == 400 and "only PDF, PNG and JPEG files are accepted" in text(response)
    assert not EligibilityDocument.objects.exists()


# --- refused to viewers, bidders and other firms -------------------------------------------------------


@pytest.mark.parametrize("role", [Membership.Role.VIEWER, Membership.Role.BIDDER])
def test_viewers_and_bidders_cannot_change_anything(as_user, firm_user, other_firm_user, role):
    firm = firm_user.memberships.get().firm
    user = MembershipFactory(firm=firm, role=role).user
    owner = BeneficialOwnerFactory(firm=firm)
    affiliation = AffiliationFactory(firm=firm, affiliate=other_firm_user.memberships.get().firm)
    document = EligibilityDocumentFactory(firm=firm)
    admin_membership = firm_user.memberships.get()
    UserFactory(username="ravi")
    client = as_user(user)

    attempts = [
        (reverse("firm:update"), {"firm-legal_name": "Taken Over Ltd"}),
        (reverse("firm:member_add"), {"member-user": "ravi", "member-role": "admin"}),
        (reverse("firm:member_role", args=[admin_membership.pk]), {"role": "viewer"}),
        (reverse("firm:member_remove", args=[admin_membership.pk]), {}),
        (
            reverse("firm:affiliation_add"),
            {"affiliation-affiliate_cin": FirmFactory().cin, "affiliation-kind": "holding"},
        ),
        (reverse("firm:affiliation_remove", args=[affiliation.pk]), {}),
        (
            reverse("firm:beneficial_owner_add"),
            {"owner-name": "X", "owner-pan": "ABCPX1234K", "owner-share": "1", "owner-publication_consent": "on"},
        ),
        (reverse("firm:beneficial_owner_remove", args=[owner.pk]), {}),
        (reverse("firm:document_upload"), {"document-kind": "other", "document-file": upload()}),
        (reverse("firm:document_remove", args=[document.pk]), {}),
    ]
    for url, data in attempts:
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert "Only administrators of Alice Minerals Ltd" in text(response), url

    firm.refresh_from_db()
    assert firm.legal_name == "Alice Minerals Ltd"
    assert firm.memberships.count() == 2 and Membership.objects.get(pk=admin_membership.pk).role == "admin"
    assert (Affiliation.objects.count(), BeneficialOwner.objects.count(), EligibilityDocument.objects.count()) == (
        1,
        1,
        1,
    )


def test_an_admin_cannot_reach_another_firms_rows(as_user, firm_user, other_firm_user):
    other = other_firm_user.memberships.get()
    owner = BeneficialOwnerFactory(firm=other.firm)
    document = EligibilityDocumentFactory(firm=other.firm)
    client = as_user(firm_user)
    assert client.post(reverse("firm:member_remove", args=[other.pk])).status_code == 404
    assert client.post(reverse("firm:beneficial_owner_remove", args=[owner.pk])).status_code == 404
    assert client.post(reverse("firm:document_remove", args=[document.pk])).status_code == 404
    assert client.get(reverse("firm:document_download", args=[document.pk])).status_code == 404
    assert Membership.objects.filter(pk=other.pk).exists() and BeneficialOwner.objects.filter(pk=owner.pk).exists()


def test_a_regulator_may_download_a_firms_document(as_user, firm_user, regulator):
    document = EligibilityDocumentFactory(firm=firm_user.memberships.get().firm)
    assert as_user(regulator).get(reverse("firm:document_download", args=[document.pk])).status_code == 200


def test_dashboard_actions_need_post_and_a_signed_in_user(client, as_user, firm_user):
    assert client.post(reverse("firm:member_add"), {}).status_code == 302  # to log in
    assert as_user(firm_user).get(reverse("firm:member_add")).status_code == 405
