"""Who stands behind a firm: its affiliates (common control or beneficial ownership, RULES.md s.3 items 2 and
18) and its beneficial owners."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bidders import ownership_notice
from bidders.models import Affiliation, BeneficialOwner, Firm
from bidders.services.access import require_admin
from bidders.services.input import FieldErrors, clean_text, parse_percent
from bidders.validators import normalise_identifier, validate_pan
from core.errors import ApplicationError, Conflict
from core.money import HUNDRED


def affiliation_add(*, actor, firm: Firm, affiliate_cin: str, kind: str, share=None) -> Affiliation:
    """Declare another registered firm (found by its CIN) an affiliate of `firm`."""
    require_admin(actor, firm, "declare affiliates")
    errors = FieldErrors()
    cin = normalise_identifier(affiliate_cin)
    affiliate = None
    if not cin:
        errors.add("affiliate_cin", "Enter the CIN of the affiliated firm.")
    elif cin == firm.cin:
        errors.add("affiliate_cin", f"{cin} is your own firm's CIN; a firm is not its own affiliate.")
    else:
        affiliate = Firm.objects.filter(cin=cin).first()
        if affiliate is None:
            errors.add(
                "affiliate_cin",
                f"No firm with CIN {cin} is registered on Khanij. Check the CIN; an affiliate must be registered "
                "before it can be declared.",
            )
    if kind not in Affiliation.Kind.values:
        errors.add("kind", f"Choose the kind of affiliation: {', '.join(Affiliation.Kind.values)}.")
    share = parse_percent(share, "share", "Share", errors, required=False)
    errors.raise_if_any()
    if Affiliation.objects.filter(firm=firm, affiliate=affiliate).exists():
        raise Conflict(
            f"{affiliate} is declared as an affiliate already; remove that declaration first to change it.",
            fields={"affiliate_cin": ["Already declared."]},
        )
    try:
        with transaction.atomic():
            return Affiliation.objects.create(firm=firm, affiliate=affiliate, kind=kind, share=share)
    except IntegrityError as exc:
        raise Conflict(f"{affiliate} was declared a moment ago by someone else; reload the page.") from exc


def affiliation_remove(*, actor, affiliation: Affiliation) -> None:
    require_admin(actor, affiliation.firm, "remove affiliates")
    with transaction.atomic():
        Affiliation.objects.filter(pk=affiliation.pk).delete()


def beneficial_owner_add(
    *,
    actor,
    firm: Firm,
    name: str,
    pan: str,
    share,
    nationality: str = "Indian",
    has_control: bool = False,
    publication_consent: bool = False,
) -> BeneficialOwner:
    """Declare a beneficial owner; the shares of a firm's owners add up to at most 100%. The owner's consent to the
    publication of their name, nationality and interest (`bidders.ownership_notice.NOTICE`) is required, and recorded
    with its time and the notice's version (Digital Personal Data Protection Act 2023)."""
    require_admin(actor, firm, "declare beneficial owners")
    errors = FieldErrors()
    if publication_consent is not True:
        errors.add(
            "publication_consent",
            "Confirm that the owner has read the notice and consents to the publication of their name, nationality "
            "and interest (never their PAN or address); without that consent the owner cannot be declared here.",
        )
    name = clean_text(name)
    if not name:
        errors.add("name", "Enter the beneficial owner's full name.")
    elif len(name) > 200:
        errors.add("name", "A name has at most 200 characters.")
    pan = normalise_identifier(pan)
    try:
        validate_pan(pan)
    except ValidationError as exc:
        errors.add("pan", exc.messages[0])
    nationality = clean_text(nationality) or "Indian"
    if len(nationality) > 60:
        errors.add("nationality", "A nationality has at most 60 characters.")
    share = parse_percent(share, "share", "Share", errors, required=True)
    errors.raise_if_any()
    try:
        with transaction.atomic():
            Firm.objects.select_for_update().filter(pk=firm.pk).first()
            if BeneficialOwner.objects.filter(firm=firm, pan=pan).exists():
                raise Conflict(
                    f"A beneficial owner with PAN {pan} is declared already; remove it first to change it.",
                    fields={"pan": ["Already declared."]},
                )
            declared = sum(BeneficialOwner.objects.filter(firm=firm).values_list("share", flat=True), Decimal("0"))
            if declared + share > HUNDRED:
                room = HUNDRED - declared
                raise ApplicationError(
                    f"The beneficial owners' shares would add up to {declared + share}%: at most 100% can be "
                    f"declared. {declared}% is declared already, so this owner's share can be at most {room}%.",
                    fields={"share": [f"At most {room}% is left to declare."]},
                )
            return BeneficialOwner.objects.create(
                firm=firm,
                name=name,
                pan=pan,
                nationality=nationality,
                share=share,
                has_control=bool(has_control),
                publication_consent_at=timezone.now(),
                publication_notice_version=ownership_notice.NOTICE_VERSION,
            )
    except IntegrityError as exc:
        raise Conflict(f"A beneficial owner with PAN {pan} was declared a moment ago; reload the page.") from exc


def beneficial_owner_remove(*, actor, beneficial_owner: BeneficialOwner) -> None:
    require_admin(actor, beneficial_owner.firm, "remove beneficial owners")
    with transaction.atomic():
        BeneficialOwner.objects.filter(pk=beneficial_owner.pk).delete()
