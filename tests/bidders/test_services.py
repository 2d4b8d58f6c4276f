"""The firm services: what they accept, what they refuse, and the messages of each refusal."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from bidders import services
from bidders.models import Affiliation, BeneficialOwner, EligibilityDocument, Firm, Membership
from bidders.roles import firm_of
from core.errors import ApplicationError, Conflict, PermissionDenied
from tests.factories import FirmFactory, MembershipFactory, UserFactory
from tests.factories.firms_extra import (
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    AffiliationFactory,
    BeneficialOwnerFactory,
    EligibilityDocumentFactory,
    upload,
)

pytestmark = pytest.mark.django_db
User = get_user_model()

FIRM = {
    "legal_name": "Deccan Lithium Pvt Ltd",
    "cin": "U13100KA2021PTC654321",
    "pan": "AABCD1234E",
    "registered_address": "12 MG Road, Bengaluru 560001",
    "incorporated_in_india": True,
    "net_worth": "25,00,00,000",
    "net_worth_as_of": datetime.date(2026, 3, 31),
}
ACCOUNT = {"username": "dora", "email": "dora@deccan.in", "password": "lithium-brine-2026"}


def admin_of(firm, username="admin"):
    return MembershipFactory(firm=firm, user=UserFactory(username=username), role=Membership.Role.ADMIN).user


def member_of(firm, role, username):
    return MembershipFactory(firm=firm, user=UserFactory(username=username), role=role).user


def refusal(call, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        call(**kwargs)
    return caught.value


# --- firm_register -------------------------------------------------------------------------------------


def test_firm_register_creates_the_account_the_firm_and_an_admin_membership():
    membership = services.firm_register(**ACCOUNT, **FIRM)

    firm = membership.firm
    assert membership.role == Membership.Role.ADMIN
    assert membership.user.username == "dora" and membership.user.check_password("lithium-brine-2026")
    assert firm.cin == "U13100KA2021PTC654321"
    assert firm.net_worth == Decimal("250000000.00")  # Indian digit grouping is understood
    assert firm_of(membership.user) == firm


def test_firm_register_for_a_signed_in_user_without_a_firm(plain_user):
    membership = services.firm_register(user=plain_user, **FIRM)
    assert membership.user == plain_user and membership.role == Membership.Role.ADMIN


def test_firm_register_normalises_cin_and_pan():
    firm = services.firm_register(**ACCOUNT, **{**FIRM, "cin": " u13100ka2021ptc654321", "pan": "aabcd 1234e"}).firm
    assert (firm.cin, firm.pan) == ("U13100KA2021PTC654321", "AABCD1234E")


def test_firm_register_refuses_a_cin_already_registered():
    FirmFactory(cin=FIRM["cin"])
    error = refusal(services.firm_register, **ACCOUNT, **FIRM)
    assert "CIN U13100KA2021PTC654321 is already registered" in error.fields["cin"][0]
    assert not User.objects.filter(username="dora").exists()  # nothing half-saved


def test_firm_register_refuses_a_pan_already_registered():
    FirmFactory(pan=FIRM["pan"])
    error = refusal(services.firm_register, **ACCOUNT, **FIRM)
    assert "PAN AABCD1234E is already registered" in error.fields["pan"][0]


def test_firm_register_names_every_wrong_field_at_once():
    error = refusal(
        services.firm_register,
        username="",
        email="not-an-email",
        password="123",
        legal_name=" ",
        cin="U13100KA2021PTC65432",
        pan="AABPD1234E",
        registered_address="",
        net_worth="-5",
        net_worth_as_of=datetime.date.today() + datetime.timedelta(days=1),
    )
    assert set(error.fields) == {
        "username", "email", "password", "legal_name", "cin", "pan", "registered_address", "net_worth",
        "net_worth_as_of",
    }  # fmt: skip
    assert "has 20" in error.fields["cin"][0]
    assert "4th letter of a company's PAN is C" in error.fields["pan"][0]
    assert "cannot be negative" in error.fields["net_worth"][0]
    assert "in the future" in error.fields["net_worth_as_of"][0]
    assert error.message.startswith("Correct these fields:")


@pytest.mark.parametrize(
    ("net_worth", "says"),
    [
        ("twenty crore", "is not a number"),
        ("100.005", "at most 2 decimals"),
        ("", "Enter the net worth in rupees"),
        ("99999999999999999", "beyond what Khanij records"),
    ],
)
def test_firm_register_refuses_a_net_worth_that_is_not_an_amount(net_worth, says):
    error = refusal(services.firm_register, **ACCOUNT, **{**FIRM, "net_worth": net_worth})
    assert says in error.fields["net_worth"][0]


def test_firm_register_refuses_a_taken_username_or_email():
    UserFactory(username="Dora", email="other@deccan.in")
    UserFactory(username="someone", email="DORA@deccan.in")
    error = refusal(services.firm_register, **ACCOUNT, **FIRM)
    assert "username 'dora' is taken" in error.fields["username"][0]
    assert "dora@deccan.in exists already" in error.fields["email"][0]


def test_firm_register_refuses_a_user_who_has_a_firm(firm_user):
    with pytest.raises(Conflict, match="already act for a firm"):
        services.firm_register(user=firm_user, **FIRM)


def test_firm_register_refuses_a_regulator(regulator):
    with pytest.raises(PermissionDenied, match="Regulator accounts cannot act for a firm"):
        services.firm_register(user=regulator, **FIRM)


# --- firm_update ---------------------------------------------------------------------------------------


def test_firm_update_by_an_admin_changes_only_the_fields_given(firm_user):
    firm = firm_of(firm_user)
    services.firm_update(actor=firm_user, firm=firm, net_worth=Decimal("3000000000.00"), legal_name="Alice Minerals")
    firm.refresh_from_db()
    assert firm.net_worth == Decimal("3000000000.00") and firm.legal_name == "Alice Minerals"
    assert firm.registered_address == "1 Mine Road, Mumbai 400001"


@pytest.mark.parametrize("role", [Membership.Role.BIDDER, Membership.Role.VIEWER])
def test_firm_update_is_refused_to_bidders_and_viewers(role):
    firm = FirmFactory()
    user = member_of(firm, role, "ravi")
    error = refusal(services.firm_update, actor=user, firm=firm, legal_name="Taken Over Ltd")
    assert isinstance(error, PermissionDenied)
    assert "Only administrators of" in error.message and "Ask one of your firm's administrators" in error.message
    firm.refresh_from_db()
    assert firm.legal_name != "Taken Over Ltd"


def test_firm_update_is_refused_to_another_firms_admin(firm_user, other_firm_user):
    error = refusal(services.firm_update, actor=other_firm_user, firm=firm_of(firm_user), legal_name="Mine Now")
    assert isinstance(error, PermissionDenied) and "you are not a member of it" in error.message


def test_firm_update_refuses_another_firms_cin(firm_user, other_firm_user):
    error = refusal(services.firm_update, actor=firm_user, firm=firm_of(firm_user), cin=firm_of(other_firm_user).cin)
    assert "already registered" in error.fields["cin"][0]


def test_firm_update_keeps_its_own_cin(firm_user):
    firm = firm_of(firm_user)
    services.firm_update(actor=firm_user, firm=firm, cin=firm.cin.lower(), pan=firm.pan)
    firm.refresh_from_db()
    assert firm.cin == firm.cin.upper()


def test_firm_update_refuses_fields_that_are_not_editable(firm_user):
    error = refusal(services.firm_update, actor=firm_user, firm=firm_of(firm_user), created_at="2020-01-01")
    assert "cannot be changed: created_at" in error.message


# --- members -------------------------------------------------------------------------------------------


def test_member_add_by_username_or_by_email(firm_user):
    firm = firm_of(firm_user)
    UserFactory(username="ravi", email="ravi@example.in")
    UserFactory(username="sita", email="sita@example.in")

    by_name = services.member_add(actor=firm_user, firm=firm, user="ravi", role=Membership.Role.BIDDER)
    by_email = services.member_add(actor=firm_user, firm=firm, user="SITA@example.in", role=Membership.Role.VIEWER)

    assert (by_name.user.username, by_name.role) == ("ravi", "bidder")
    assert (by_email.user.username, by_email.role) == ("sita", "viewer")


def test_member_add_with_a_password_creates_the_account(firm_user):
    firm = firm_of(firm_user)
    membership = services.member_add(
        actor=firm_user, firm=firm, user="tara", email="tara@alice.in", password="tara-first-pass-9", role="bidder"
    )
    assert membership.user.check_password("tara-first-pass-9") and membership.user.email == "tara@alice.in"


def test_member_add_of_an_unknown_person_without_password_says_how_to_invite(firm_user):
    error = refusal(services.member_add, actor=firm_user, firm=firm_of(firm_user), user="ghost", role="bidder")
    assert "No account has the username or email 'ghost'" in error.fields["user"][0]
    assert "give a password to create the account" in error.message


def test_member_add_refuses_a_password_for_an_existing_account(firm_user):
    UserFactory(username="ravi")
    error = refusal(
        services.member_add, actor=firm_user, firm=firm_of(firm_user), user="ravi", role="bidder", password="x"
    )
    assert "has an account already" in error.fields["password"][0]


def test_member_add_refuses_a_weak_password_for_a_new_account(firm_user):
    error = refusal(
        services.member_add,
        actor=firm_user,
        firm=firm_of(firm_user),
        user="tara",
        email="tara@alice.in",
        role="bidder",
        password="123",
    )
    assert "password" in error.fields


def test_member_add_refuses_a_member_twice(firm_user):
    error = refusal(services.member_add, actor=firm_user, firm=firm_of(firm_user), user="alice", role="viewer")
    assert isinstance(error, Conflict) and "is a member of Alice Minerals Ltd already" in error.message


def test_member_add_refuses_a_member_of_another_firm(firm_user, other_firm_user):
    error = refusal(services.member_add, actor=firm_user, firm=firm_of(firm_user), user="bob", role="viewer")
    assert isinstance(error, Conflict) and "acts for another firm" in error.message
    assert "Bob Metals" not in error.message  # the other firm is not named


def test_member_add_refuses_a_regulator(firm_user, regulator):
    error = refusal(services.member_add, actor=firm_user, firm=firm_of(firm_user), user="regulator1", role="viewer")
    assert "regulator accounts cannot act for a firm" in error.message


def test_member_add_refuses_an_unknown_role(firm_user):
    UserFactory(username="ravi")
    error = refusal(services.member_add, actor=firm_user, firm=firm_of(firm_user), user="ravi", role="owner")
    assert "Choose a role: admin, bidder, viewer" in error.fields["role"][0]


@pytest.mark.parametrize("role", [Membership.Role.BIDDER, Membership.Role.VIEWER])
def test_member_add_is_refused_to_bidders_and_viewers(role):
    firm = FirmFactory()
    user = member_of(firm, role, "ravi")
    UserFactory(username="sita")
    error = refusal(services.member_add, actor=user, firm=firm, user="sita", role="admin")
    assert isinstance(error, PermissionDenied)
    assert not Membership.objects.filter(user__username="sita").exists()


def test_member_remove_removes_a_member(firm_user):
    firm = firm_of(firm_user)
    viewer = MembershipFactory(firm=firm, role=Membership.Role.VIEWER)
    services.member_remove(actor=firm_user, membership=viewer)
    assert not Membership.objects.filter(pk=viewer.pk).exists()


def test_member_remove_refuses_the_last_admin(firm_user):
    firm = firm_of(firm_user)
    MembershipFactory(firm=firm, role=Membership.Role.VIEWER)
    error = refusal(services.member_remove, actor=firm_user, membership=firm_user.memberships.get())
    assert "last administrator" in error.message and "make another member an administrator first" in error.message


def test_member_remove_lets_an_admin_leave_when_another_admin_remains(firm_user):
    firm = firm_of(firm_user)
    admin_of(firm, "second")
    services.member_remove(actor=firm_user, membership=firm_user.memberships.get())
    assert list(firm.memberships.values_list("user__username", flat=True)) == ["second"]


def test_member_remove_is_refused_to_a_viewer(firm_user):
    firm = firm_of(firm_user)
    viewer = member_of(firm, Membership.Role.VIEWER, "ravi")
    error = refusal(services.member_remove, actor=viewer, membership=firm_user.memberships.get())
    assert isinstance(error, PermissionDenied)


def test_member_role_set_promotes_and_refuses_to_demote_the_last_admin(firm_user):
    firm = firm_of(firm_user)
    viewer = MembershipFactory(firm=firm, role=Membership.Role.VIEWER)
    services.member_role_set(actor=firm_user, membership=viewer, role=Membership.Role.ADMIN)
    services.member_role_set(actor=firm_user, membership=viewer, role=Membership.Role.BIDDER)
    error = refusal(
        services.member_role_set, actor=firm_user, membership=firm_user.memberships.get(), role=Membership.Role.VIEWER
    )
    assert "last administrator" in error.message
    viewer.refresh_from_db()
    assert viewer.role == Membership.Role.BIDDER


# --- affiliations --------------------------------------------------------------------------------------


def test_affiliation_add_by_the_affiliates_cin(firm_user, other_firm_user):
    other = firm_of(other_firm_user)
    affiliation = services.affiliation_add(
        actor=firm_user, firm=firm_of(firm_user), affiliate_cin=other.cin.lower(), kind="subsidiary", share="51"
    )
    assert affiliation.affiliate == other and affiliation.share == Decimal("51")


def test_affiliation_add_refuses_the_firm_itself(firm_user):
    firm = firm_of(firm_user)
    error = refusal(services.affiliation_add, actor=firm_user, firm=firm, affiliate_cin=firm.cin, kind="holding")
    assert "your own firm's CIN" in error.fields["affiliate_cin"][0]


def test_affiliation_add_refuses_an_unregistered_cin(firm_user):
    error = refusal(
        services.affiliation_add,
        actor=firm_user,
        firm=firm_of(firm_user),
        affiliate_cin="U13100MH2020PTC999999",
        kind="holding",
    )
    assert "No firm with CIN U13100MH2020PTC999999 is registered" in error.fields["affiliate_cin"][0]


def test_affiliation_add_refuses_a_duplicate(firm_user, other_firm_user):
    firm, other = firm_of(firm_user), firm_of(other_firm_user)
    services.affiliation_add(actor=firm_user, firm=firm, affiliate_cin=other.cin, kind="holding")
    error = refusal(services.affiliation_add, actor=firm_user, firm=firm, affiliate_cin=other.cin, kind="subsidiary")
    assert isinstance(error, Conflict) and "declared as an affiliate already" in error.message
    assert Affiliation.objects.count() == 1


def test_affiliation_add_refuses_a_share_beyond_100_and_an_unknown_kind(firm_user, other_firm_user):
    error = refusal(
        services.affiliation_add,
        actor=firm_user,
        firm=firm_of(firm_user),
        affiliate_cin=firm_of(other_firm_user).cin,
        kind="cousin",
        share="120",
    )
    assert "between 0 and 100" in error.fields["share"][0]
    assert "Choose the kind of affiliation" in error.fields["kind"][0]


def test_affiliation_add_and_remove_are_refused_to_a_bidder(firm_user, other_firm_user):
    firm = firm_of(firm_user)
    bidder = member_of(firm, Membership.Role.BIDDER, "ravi")
    affiliation = AffiliationFactory(firm=firm, affiliate=firm_of(other_firm_user))
    assert isinstance(
        refusal(services.affiliation_add, actor=bidder, firm=firm, affiliate_cin=FirmFactory().cin, kind="holding"),
        PermissionDenied,
    )
    assert isinstance(refusal(services.affiliation_remove, actor=bidder, affiliation=affiliation), PermissionDenied)
    assert Affiliation.objects.count() == 1


def test_affiliation_remove(firm_user, other_firm_user):
    affiliation = AffiliationFactory(firm=firm_of(firm_user), affiliate=firm_of(other_firm_user))
    services.affiliation_remove(actor=firm_user, affiliation=affiliation)
    assert not Affiliation.objects.exists()


# --- beneficial owners ---------------------------------------------------------------------------------


def test_beneficial_owner_add(firm_user):
    owner = services.beneficial_owner_add(
        actor=firm_user,
        firm=firm_of(firm_user),
        name=" Asha  Rao ",
        pan="abcpr1234k",
        share="26.5",
        has_control=True,
        publication_consent=True,
    )
    assert (owner.name, owner.pan, owner.share, owner.has_control) == ("Asha Rao", "ABCPR1234K", Decimal("26.5"), True)


def test_beneficial_owners_shares_add_up_to_at_most_100(firm_user):
    firm = firm_of(firm_user)
    BeneficialOwnerFactory(firm=firm, share=Decimal("60"))
    BeneficialOwnerFactory(firm=firm, share=Decimal("30.5"))
    error = refusal(
        services.beneficial_owner_add,
        actor=firm_user,
        firm=firm,
        name="Late",
        pan="ABCPL1234K",
        share="10",
        publication_consent=True,
    )
    assert "would add up to 100.50%" in error.message and "at most 9.50%" in error.message
    services.beneficial_owner_add(
        actor=firm_user, firm=firm, name="Exact", pan="ABCPL1234K", share="9.5", publication_consent=True
    )
    assert firm.beneficial_owners.count() == 3


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"share": "101"}, "share", "between 0 and 100"),
        ({"share": "-1"}, "share", "between 0 and 100"),
        ({"share": ""}, "share", "Enter the share"),
        ({"share": "abc"}, "share", "is not a number"),
        ({"pan": "ABCP1234K"}, "pan", "has 9"),
        ({"name": ""}, "name", "full name"),
    ],
)
def test_beneficial_owner_add_refuses_bad_input(firm_user, fields, field, says):
    data = {"name": "Asha Rao", "pan": "ABCPR1234K", "share": "10", "publication_consent": True, **fields}
    error = refusal(services.beneficial_owner_add, actor=firm_user, firm=firm_of(firm_user), **data)
    assert says in error.fields[field][0]


def test_beneficial_owner_add_refuses_the_same_pan_twice(firm_user):
    firm = firm_of(firm_user)
    BeneficialOwnerFactory(firm=firm, pan="ABCPR1234K")
    error = refusal(
        services.beneficial_owner_add,
        actor=firm_user,
        firm=firm,
        name="Asha",
        pan="ABCPR1234K",
        share="1",
        publication_consent=True,
    )
    assert isinstance(error, Conflict) and "PAN ABCPR1234K is declared already" in error.message


def test_beneficial_owner_add_and_remove_are_refused_to_a_viewer(firm_user):
    firm = firm_of(firm_user)
    viewer = member_of(firm, Membership.Role.VIEWER, "ravi")
    owner = BeneficialOwnerFactory(firm=firm)
    assert isinstance(
        refusal(services.beneficial_owner_add, actor=viewer, firm=firm, name="X", pan="ABCPX1234K", share="1"),
        PermissionDenied,
    )
    assert isinstance(refusal(services.beneficial_owner_remove, actor=viewer, beneficial_owner=owner), PermissionDenied)
    assert BeneficialOwner.objects.count() == 1


def test_beneficial_owner_remove(firm_user):
    owner = BeneficialOwnerFactory(firm=firm_of(firm_user))
    services.beneficial_owner_remove(actor=firm_user, beneficial_owner=owner)
    assert not BeneficialOwner.objects.exists()


# --- documents -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [("net worth.pdf", PDF_BYTES), ("scan.PNG", PNG_BYTES), ("photo.jpg", JPEG_BYTES), ("photo.jpeg", JPEG_BYTES)],
)
def test_document_upload_accepts_pdf_png_and_jpeg(firm_user, name, content):
    document = services.document_upload(
        actor=firm_user, firm=firm_of(firm_user), kind="net_worth", file=upload(name, content), description="FY26"
    )
    assert document.file.read() == content
    assert document.file.name.startswith("eligibility/")


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("accounts.docx", b"PK\x03\x04", "only PDF, PNG and JPEG files are accepted"),
        ("accounts", PDF_BYTES, "no extension"),
        ("fake.pdf", b"<html>not a pdf</html>", "its content is not PDF"),
        ("fake.png", JPEG_BYTES, "its content is not PNG"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_document_upload_refuses_other_files_with_a_clear_message(firm_user, name, content, says):
    error = refusal(
        services.document_upload, actor=firm_user, firm=firm_of(firm_user), kind="other", file=upload(name, content)
    )
    assert says in error.fields["file"][0]
    assert not EligibilityDocument.objects.exists()


def test_document_upload_refuses_a_file_over_10_mb(firm_user):
    big = upload("big.pdf", PDF_BYTES + b"0" * (10 * 1024 * 1024))
    error = refusal(services.document_upload, actor=firm_user, firm=firm_of(firm_user), kind="other", file=big)
    assert "is 10.0 MB; the limit is 10.0 MB" in error.fields["file"][0]


def test_document_upload_refuses_no_file_and_an_unknown_kind(firm_user):
    error = refusal(services.document_upload, actor=firm_user, firm=firm_of(firm_user), kind="selfie", file=None)
    assert "Choose a file" in error.fields["file"][0] and "Choose what the document is" in error.fields["kind"][0]


def test_document_upload_and_remove_are_refused_to_a_bidder(firm_user):
    firm = firm_of(firm_user)
    bidder = member_of(firm, Membership.Role.BIDDER, "ravi")
    document = EligibilityDocumentFactory(firm=firm)
    assert isinstance(
        refusal(services.document_upload, actor=bidder, firm=firm, kind="other", file=upload()), PermissionDenied
    )
    assert isinstance(refusal(services.document_remove, actor=bidder, document=document), PermissionDenied)
    assert EligibilityDocument.objects.count() == 1


def test_document_remove_deletes_the_row_and_the_file(firm_user, django_capture_on_commit_callbacks):
    document = services.document_upload(actor=firm_user, firm=firm_of(firm_user), kind="other", file=upload())
    storage, name = document.file.storage, document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.document_remove(actor=firm_user, document=document)
    assert not EligibilityDocument.objects.exists()
    assert not storage.exists(name)


def test_firm_fields_constant_matches_the_model():
    assert set(services.FIRM_FIELDS) <= {f.name for f in Firm._meta.get_fields()}


@pytest.mark.django_db
def test_a_firm_cannot_take_another_firms_name_whatever_its_case(firm_user):
    """Issue 12: a firm could rename itself to another firm's exact name; the public would read two of them."""
    other = FirmFactory(legal_name="Bharat Rare Earths Ltd")
    firm = firm_of(firm_user)
    with pytest.raises(ApplicationError) as refused:
        services.firm_update(actor=firm_user, firm=firm, legal_name="  bharat rare earths LTD ")
    assert "A firm named bharat rare earths LTD is already registered" in refused.value.fields["legal_name"][0]
    firm.refresh_from_db()
    assert firm.legal_name != other.legal_name


@pytest.mark.django_db
def test_the_database_refuses_a_second_firm_of_the_same_name():
    from django.db import IntegrityError, transaction

    FirmFactory(legal_name="Odisha Nickel Ltd")
    with pytest.raises(IntegrityError), transaction.atomic():
        FirmFactory(legal_name="ODISHA NICKEL LTD")
