"""Selectors: which bidders are affiliates (Rules: both their bids are rejected), and the firm lists."""

from decimal import Decimal

import pytest

from bidders.models import Affiliation
from bidders.selectors import affiliated_pairs, document_get_for_reader, firm_get_by_cin, firm_list
from core.errors import NotFound
from tests.factories import FirmFactory, MembershipFactory
from tests.factories.firms_extra import AffiliationFactory, BeneficialOwnerFactory, EligibilityDocumentFactory

pytestmark = pytest.mark.django_db

HOLDING, SUBSIDIARY = Affiliation.Kind.HOLDING, Affiliation.Kind.SUBSIDIARY
COMMON, BENEFICIAL = Affiliation.Kind.COMMON_CONTROL, Affiliation.Kind.BENEFICIAL_OWNERSHIP
ASHA, RAVI = "ABCPA1111K", "ABCPR2222K"

# Each case: declarations (declarer, affiliate, kind); beneficial owners (firm, name, PAN, has control);
# the firms asked about; the expected pairs (firm, firm, reason), firms named by letter, X never bidding.
CASES = {
    "no links": ([], [], "ABC", set()),
    "one firm only": ([("A", "B", COMMON)], [], "A", set()),
    "declared, common control": (
        [("A", "B", COMMON)],
        [],
        "ABC",
        {("A", "B", "Alpha Ltd declared Beta Ltd an affiliate (under common control)")},
    ),
    "declared the other way round": (
        [("B", "A", BENEFICIAL)],
        [],
        "AB",
        {("A", "B", "Beta Ltd declared Alpha Ltd an affiliate (common beneficial ownership)")},
    ),
    "declared by both: one reason each": (
        [("A", "B", SUBSIDIARY), ("B", "A", HOLDING)],
        [],
        "AB",
        {
            ("A", "B", "Alpha Ltd declared Beta Ltd an affiliate (subsidiary)"),
            ("A", "B", "Beta Ltd declared Alpha Ltd an affiliate (holding company)"),
        },
    ),
    "declared with a firm that does not bid": ([("A", "X", COMMON)], [], "AB", set()),
    "a holding company that does not bid controls two bidders": (
        [("A", "X", HOLDING), ("C", "X", HOLDING)],
        [],
        "ABC",
        {("A", "C", "Xeno Ltd controls both (declared holding and subsidiary)")},
    ),
    "control declared from both sides": (
        [("X", "A", SUBSIDIARY), ("B", "X", HOLDING)],
        [],
        "AB",
        {("A", "B", "Xeno Ltd controls both (declared holding and subsidiary)")},
    ),
    "two firms controlled by the same firm that bids too": (
        [("X", "A", SUBSIDIARY), ("X", "B", SUBSIDIARY)],
        [],
        "ABX",
        {
            ("A", "B", "Xeno Ltd controls both (declared holding and subsidiary)"),
            ("A", "X", "Xeno Ltd declared Alpha Ltd an affiliate (subsidiary)"),
            ("B", "X", "Xeno Ltd declared Beta Ltd an affiliate (subsidiary)"),
        },
    ),
    "common control alone does not reach a third firm": ([("A", "X", COMMON), ("B", "X", COMMON)], [], "AB", set()),
    "a person with control of both": (
        [],
        [("A", "Asha Rao", ASHA, True), ("B", "Asha Rao", ASHA, True)],
        "AB",
        {("A", "B", "Asha Rao is a beneficial owner with control of both")},
    ),
    "the same person without control of one": (
        [],
        [("A", "Asha Rao", ASHA, True), ("B", "Asha Rao", ASHA, False)],
        "AB",
        set(),
    ),
    "different people with control": (
        [],
        [("A", "Asha Rao", ASHA, True), ("B", "Ravi Rao", RAVI, True)],
        "AB",
        set(),
    ),
    "a person controlling a firm that does not bid": (
        [],
        [("A", "Asha Rao", ASHA, True), ("X", "Asha Rao", ASHA, True)],
        "AB",
        set(),
    ),
    "a person controlling three bidders": (
        [],
        [("A", "Asha Rao", ASHA, True), ("B", "Asha Rao", ASHA, True), ("C", "Asha Rao", ASHA, True)],
        "ABC",
        {
            ("A", "B", "Asha Rao is a beneficial owner with control of both"),
            ("A", "C", "Asha Rao is a beneficial owner with control of both"),
            ("B", "C", "Asha Rao is a beneficial owner with control of both"),
        },
    ),
    "declared and common owner: both reasons": (
        [("A", "B", COMMON)],
        [("A", "Asha Rao", ASHA, True), ("B", "Asha Rao", ASHA, True)],
        "AB",
        {
            ("A", "B", "Alpha Ltd declared Beta Ltd an affiliate (under common control)"),
            ("A", "B", "Asha Rao is a beneficial owner with control of both"),
        },
    ),
}
NAMES = {"A": "Alpha Ltd", "B": "Beta Ltd", "C": "Gamma Ltd", "X": "Xeno Ltd"}


@pytest.mark.parametrize(("declarations", "owners", "bidders", "expected"), CASES.values(), ids=CASES.keys())
def test_affiliated_pairs(declarations, owners, bidders, expected, django_assert_max_num_queries):
    firms = {letter: FirmFactory(legal_name=name) for letter, name in NAMES.items()}
    for declarer, affiliate, kind in declarations:
        AffiliationFactory(firm=firms[declarer], affiliate=firms[affiliate], kind=kind)
    for letter, name, pan, control in owners:
        BeneficialOwnerFactory(firm=firms[letter], name=name, pan=pan, has_control=control)

    with django_assert_max_num_queries(2):
        pairs = affiliated_pairs([firms[letter].pk for letter in bidders])

    def ordered(a, b, reason):
        x, y = firms[a].pk, firms[b].pk
        return (x, y, reason) if x < y else (y, x, reason)

    assert pairs == {ordered(*pair) for pair in expected}


def test_affiliated_pairs_takes_any_iterable_of_ids():
    a, b = FirmFactory(), FirmFactory()
    AffiliationFactory(firm=a, affiliate=b)
    assert len(affiliated_pairs(str(pk) for pk in (a.pk, b.pk))) == 1


def test_firm_list_counts_and_affiliates():
    firm, other = FirmFactory(legal_name="Alpha Ltd"), FirmFactory(legal_name="Beta Ltd")
    MembershipFactory(firm=firm)
    MembershipFactory(firm=firm)
    BeneficialOwnerFactory(firm=firm, share=Decimal("10"))
    AffiliationFactory(firm=firm, affiliate=other)
    alpha, beta = firm_list()
    assert (alpha.member_count, alpha.beneficial_owner_count, alpha.document_count) == (2, 1, 0)
    assert (beta.member_count, beta.beneficial_owner_count) == (0, 0)
    assert [a.affiliate.legal_name for a in alpha.affiliations.all()] == ["Beta Ltd"]


def test_firm_get_by_cin_normalises_and_says_when_missing():
    firm = FirmFactory()
    assert firm_get_by_cin(cin=firm.cin.lower()) == firm
    with pytest.raises(NotFound, match="No firm with CIN U13100MH2020PTC999999"):
        firm_get_by_cin(cin="U13100MH2020PTC999999")


def test_a_document_is_readable_by_its_firm_and_regulators_only(firm_user, other_firm_user, regulator, plain_user):
    document = EligibilityDocumentFactory(firm=firm_user.memberships.get().firm)
    assert document_get_for_reader(user=firm_user, document_id=document.pk) == document
    assert document_get_for_reader(user=regulator, document_id=document.pk) == document
    for outsider in (other_firm_user, plain_user):
        with pytest.raises(NotFound):
            document_get_for_reader(user=outsider, document_id=document.pk)
