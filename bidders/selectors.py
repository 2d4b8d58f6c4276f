"""Every read of firms that is more than a get: querysets shaped for their page or endpoint."""

from collections import defaultdict
from decimal import Decimal
from itertools import combinations

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from bidders.models import Affiliation, BeneficialOwner, EligibilityDocument, Firm, Membership
from bidders.roles import REGULATORS_GROUP, is_regulator
from bidders.validators import normalise_identifier
from core.errors import NotFound
from core.models import ApiToken

# --- One firm, as its members see it ---------------------------------------------------------------


def membership_role(*, user, firm: Firm) -> str | None:
    """The user's role in the firm (admin, bidder, viewer), or None."""
    if not getattr(user, "is_authenticated", False) or firm is None:
        return None
    return Membership.objects.filter(user=user, firm=firm).values_list("role", flat=True).first()


def firm_members(*, firm: Firm) -> QuerySet[Membership]:
    return Membership.objects.filter(firm=firm).select_related("user").order_by("role", "user__username")


def firm_affiliations(*, firm: Firm) -> QuerySet[Affiliation]:
    """The affiliates the firm declared."""
    return Affiliation.objects.filter(firm=firm).select_related("affiliate").order_by("affiliate__legal_name")


def firm_declared_by(*, firm: Firm) -> QuerySet[Affiliation]:
    """Declarations by other firms that name this firm as their affiliate."""
    return Affiliation.objects.filter(affiliate=firm).select_related("firm").order_by("firm__legal_name")


def firm_beneficial_owners(*, firm: Firm) -> QuerySet[BeneficialOwner]:
    return BeneficialOwner.objects.filter(firm=firm).order_by("-share", "name")


def firm_beneficial_share_total(*, firm: Firm) -> Decimal:
    return BeneficialOwner.objects.filter(firm=firm).aggregate(total=Coalesce(Sum("share"), Decimal("0")))["total"]


def firm_documents(*, firm: Firm) -> QuerySet[EligibilityDocument]:
    return EligibilityDocument.objects.filter(firm=firm).order_by("-uploaded_at", "-id")


def regulator_users() -> list:
    """Every active regulator account (the regulators group): whom to tell of what waits for a regulator."""
    return list(get_user_model().objects.filter(groups__name=REGULATORS_GROUP, is_active=True).distinct())


def api_tokens(*, user) -> QuerySet[ApiToken]:
    """The user's API tokens, newest first: what is stored of them (never the token, which is not kept)."""
    return ApiToken.objects.filter(user=user).only("id", "name", "created", "expiry", "last_used").order_by("-created")


def _get(queryset, pk, what: str):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"Your firm has no {what} with id {pk}; reload the list to see the current ones.") from None


def membership_get(*, firm: Firm, membership_id) -> Membership:
    return _get(Membership.objects.filter(firm=firm).select_related("user", "firm"), membership_id, "member")


def affiliation_get(*, firm: Firm, affiliation_id) -> Affiliation:
    return _get(Affiliation.objects.filter(firm=firm).select_related("firm", "affiliate"), affiliation_id, "affiliate")


def beneficial_owner_get(*, firm: Firm, beneficial_owner_id) -> BeneficialOwner:
    return _get(
        BeneficialOwner.objects.filter(firm=firm).select_related("firm"), beneficial_owner_id, "beneficial owner"
    )


def document_get(*, firm: Firm, document_id) -> EligibilityDocument:
    return _get(EligibilityDocument.objects.filter(firm=firm).select_related("firm"), document_id, "document")


def document_get_for_reader(*, user, document_id) -> EligibilityDocument:
    """A document its firm's members and regulators may read; to anyone else it does not exist."""
    queryset = EligibilityDocument.objects.select_related("firm")
    if not is_regulator(user):
        queryset = queryset.filter(firm__memberships__user=user) if user.is_authenticated else queryset.none()
    return _get(queryset, document_id, "document")


# --- All firms, as regulators see them --------------------------------------------------------------


def _count(model, **filters):
    return Coalesce(
        Subquery(
            model.objects.filter(firm=OuterRef("pk"), **filters)
            .order_by()
            .values("firm")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def firm_list() -> QuerySet[Firm]:
    """Every firm with its counts and declared affiliates, in a constant number of queries."""
    return (
        Firm.objects.annotate(
            member_count=_count(Membership),
            beneficial_owner_count=_count(BeneficialOwner),
            document_count=_count(EligibilityDocument),
        )
        .prefetch_related(
            Prefetch("affiliations", queryset=Affiliation.objects.select_related("affiliate").order_by("pk"))
        )
        .order_by("legal_name", "pk")
    )


def firm_get_by_cin(*, cin: str) -> Firm:
    """One firm with everything a regulator reviews: members, affiliates, owners and documents."""
    queryset = firm_list().prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("user").order_by("role", "pk")),
        Prefetch("affiliated_by", queryset=Affiliation.objects.select_related("firm").order_by("pk")),
        Prefetch("beneficial_owners", queryset=BeneficialOwner.objects.order_by("-share", "pk")),
        Prefetch("documents", queryset=EligibilityDocument.objects.order_by("-uploaded_at", "-pk")),
    )
    firm = queryset.filter(cin=normalise_identifier(cin)).first()
    if firm is None:
        raise NotFound(f"No firm with CIN {cin} is registered on Khanij.")
    return firm


# --- Affiliates among bidders (Rules: both bids of affiliates are rejected) --------------------------

# Declared kinds read as "who controls whom": for a declaration (firm -> affiliate) of this kind, the
# controller and the controlled. Common control and common beneficial ownership link the two directly.
_CONTROL = {
    Affiliation.Kind.HOLDING: ("affiliate", "firm"),  # the affiliate is the firm's holding company
    Affiliation.Kind.SUBSIDIARY: ("firm", "affiliate"),  # the affiliate is the firm's subsidiary
}


def _pair(a: int, b: int, reason: str) -> tuple[int, int, str]:
    return (a, b, reason) if a < b else (b, a, reason)


def affiliated_pairs(firm_ids) -> set[tuple[int, int, str]]:
    """Pairs of the given firms that are affiliates, each as (smaller id, larger id, reason).

    Two firms are affiliates when
    - either declared the other an affiliate (any kind, in either direction);
    - one firm, bidding or not, controls both (each declared as holding company of, or as having as
      subsidiary, the two of them);
    - the same person (the same PAN) is a beneficial owner with control of both.
    A pair appears once per reason, so a pair linked in two ways appears twice. Two queries, whatever the
    number of firms.
    """
    ids = {int(i) for i in firm_ids}
    pairs: set[tuple[int, int, str]] = set()
    if len(ids) < 2:
        return pairs

    declarations = Affiliation.objects.filter(firm_id__in=ids) | Affiliation.objects.filter(affiliate_id__in=ids)
    controlled_by = defaultdict(dict)  # controller id -> {controlled id: controller name}
    for link in declarations.select_related("firm", "affiliate"):
        if link.firm_id in ids and link.affiliate_id in ids:
            pairs.add(
                _pair(
                    link.firm_id,
                    link.affiliate_id,
                    f"{link.firm.legal_name} declared {link.affiliate.legal_name} an affiliate "
                    f"({link.get_kind_display().lower()})",
                )
            )
        if link.kind in _CONTROL:
            controller_side, controlled_side = _CONTROL[link.kind]
            controller, controlled = getattr(link, controller_side), getattr(link, controlled_side)
            if controlled.pk in ids:
                controlled_by[controller.pk][controlled.pk] = controller.legal_name
    for controller_name_by_firm in controlled_by.values():
        for a, b in combinations(sorted(controller_name_by_firm), 2):
            name = controller_name_by_firm[a]
            pairs.add(_pair(a, b, f"{name} controls both (declared holding and subsidiary)"))

    owners_by_pan = defaultdict(list)
    for owner in BeneficialOwner.objects.filter(firm_id__in=ids, has_control=True).order_by("firm_id"):
        owners_by_pan[owner.pan].append(owner)
    for owners in owners_by_pan.values():
        for x, y in combinations(owners, 2):
            pairs.add(_pair(x.firm_id, y.firm_id, f"{x.name} is a beneficial owner with control of both"))
    return pairs
