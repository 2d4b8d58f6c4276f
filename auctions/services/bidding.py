"""Bidding, until the bid due date: the tender document, the technical bid and its document, the sealed initial price
offer, the withdrawal. The offer itself is only ever stored encrypted (auctions.sealing)."""

import os
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from auctions import rules, sealing
from auctions.models import Auction, Participation
from auctions.services.guards import locked_auction, now, percentage, require_bidding_firm
from bidders.models import Firm
from core.errors import ApplicationError, Conflict

# --- Participation: the tender document, the technical bid, the sealed initial price offer ---------------


def participation_buy_document(*, actor, auction_id, payment_reference: str) -> Participation:
    """A firm buys the tender document (the fee paid with this reference), which lets it bid."""
    firm = require_bidding_firm(actor)
    reference = (payment_reference or "").strip()
    if not reference:
        raise ApplicationError(
            "Give the payment reference of the tender fee (the bank's transaction number).",
            fields={"payment_reference": ["Required."]},
        )
    with transaction.atomic():
        auction = locked_auction(auction_id)
        moment = now()
        if auction.status != Auction.Status.NOTIFIED:
            raise Conflict(f"The auction of {auction.block.code} no longer sells tender documents.")
        if not (auction.document_sale_starts_at <= moment < auction.document_sale_ends_at):
            raise Conflict(
                f"Tender documents for {auction.block.code} are sold from "
                f"{timezone.localtime(auction.document_sale_starts_at):%d %b %Y %H:%M} to "
                f"{timezone.localtime(auction.document_sale_ends_at):%d %b %Y %H:%M} IST."
            )
        existing = Participation.objects.filter(auction=auction, firm=firm).first()
        if existing:
            raise Conflict(f"{firm.legal_name} already bought the tender document for {auction.block.code}.")
        _require_el_eligible(auction, firm, doing="buy the tender document")
        return Participation.objects.create(
            auction=auction, firm=firm, tender_fee_reference=reference[:80], tender_fee_paid_at=moment
        )


def _require_el_eligible(auction: Auction, firm: Firm, *, doing: str, declared=None) -> None:
    """An exploration licence is for an Indian national or a company registered in India with a net worth of at
    least Rs 25 crore (RULES.md s.4): the firm's record, and the net worth it declares with its bid, must show it."""
    if auction.lease_kind != rules.EL:
        return
    params = rules.AuctionParams.from_json(auction.params)
    problem = rules.el_bidder_error(
        incorporated_in_india=firm.incorporated_in_india,
        net_worth=firm.net_worth,
        params=params,
        net_worth_label=f"the net worth on {firm.legal_name}'s record (as of {firm.net_worth_as_of:%d %b %Y})",
    )
    fields = {}
    if problem is None and declared is not None:
        problem = rules.el_bidder_error(
            incorporated_in_india=True, net_worth=declared, params=params, net_worth_label="the net worth declared"
        )
        fields = {"net_worth": [problem]} if problem else {}
    if problem:
        raise ApplicationError(
            f"{firm.legal_name} cannot {doing} of the exploration-licence auction of {auction.block.code}. {problem}",
            fields=fields,
            code="not_eligible",
        )


def _own_participation(*, firm: Firm, auction_id) -> Participation:
    participation = Participation.objects.filter(auction_id=auction_id, firm=firm).first()
    if participation is None:
        raise ApplicationError(
            "Buy the tender document of this auction first; then submit your bid.", code="document_not_bought"
        )
    return participation


def participation_submit(*, actor, auction_id, initial_price_offer, net_worth, bid_security_reference: str,
                         declared_affiliates: str = "") -> tuple[Participation, str]:  # fmt: skip
    """Submit or replace the technical bid and the sealed initial price offer before the bid due date.

    Returns the participation and the commitment receipt. The offer itself is only ever stored encrypted.
    """
    firm = require_bidding_firm(actor)
    offer = percentage(initial_price_offer, "initial_price_offer")
    try:
        worth = Decimal(str(net_worth).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ApplicationError(
            "Give your net worth in rupees, e.g. 2500000000.", fields={"net_worth": ["Not an amount."]}
        ) from None
    reference = (bid_security_reference or "").strip()
    errors = {}
    if not reference:
        errors["bid_security_reference"] = ["Give the reference of the bank guarantee for the bid security."]
    if not worth.is_finite() or worth < 0:
        errors["net_worth"] = ["Give your net worth in rupees, zero or more."]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], fields=errors)
    with transaction.atomic():
        auction = locked_auction(auction_id)
        participation = _own_participation(firm=firm, auction_id=auction.pk)
        if auction.status != Auction.Status.NOTIFIED or now() >= auction.bid_due_at:
            raise Conflict(
                f"Bids for {auction.block.code} closed at "
                f"{timezone.localtime(auction.bid_due_at):%d %b %Y %H:%M} IST; nothing was changed."
            )
        _require_el_eligible(auction, firm, doing="submit a bid", declared=worth)
        problem = rules.initial_offer_error(offer, reserve=auction.reserve_price_pct, direction=auction.direction)
        if problem:
            raise ApplicationError(problem, fields={"initial_price_offer": [problem]})
        sealed = sealing.seal(auction=auction.pk, firm=firm.pk, offer=offer)
        participation.status = Participation.Status.SUBMITTED
        participation.sealed_offer = sealed.ciphertext
        participation.commitment = sealed.commitment
        participation.net_worth = worth
        participation.bid_security_reference = reference[:80]
        participation.declared_affiliates = (declared_affiliates or "").strip()
        participation.submitted_at = now()
        participation.save()
    return participation, sealed.commitment


def participation_withdraw(*, actor, auction_id) -> Participation:
    """Withdraw a bid before the bid due date; the sealed offer is destroyed unopened."""
    firm = require_bidding_firm(actor)
    with transaction.atomic():
        auction = locked_auction(auction_id)
        participation = _own_participation(firm=firm, auction_id=auction.pk)
        if auction.status != Auction.Status.NOTIFIED or now() >= auction.bid_due_at:
            raise Conflict("The bid due date has passed: a bid can no longer be withdrawn.")
        if participation.status != Participation.Status.SUBMITTED:
            raise Conflict("There is no submitted bid to withdraw.")
        participation.status = Participation.Status.WITHDRAWN
        participation.sealed_offer = ""
        participation.commitment = ""
        participation.save(update_fields=["status", "sealed_offer", "commitment"])
    return participation


# --- The technical bid document ----------------------------------------------------------------------------

TECHNICAL_BID_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


def _technical_bid_document_error(document) -> str | None:
    if document is None:
        return "Choose the PDF of your technical bid."
    name = os.path.basename(getattr(document, "name", "") or "document")
    if not name.lower().endswith(".pdf"):
        return f"{name} is not a PDF: only PDF files are accepted. Save the technical bid as PDF and upload it again."
    if not document.size:
        return f"{name} is empty; choose the file again."
    if document.size > TECHNICAL_BID_DOCUMENT_MAX_BYTES:
        return (
            f"{name} is {document.size / 1024 / 1024:.1f} MB; the limit is 10 MB. Reduce its resolution or "
            "leave out what the tender does not ask for."
        )
    document.seek(0)
    head = document.read(5)
    document.seek(0)
    if head != b"%PDF-":
        return f"{name} is named as a PDF but its content is not PDF. Export it as PDF again."
    return None


def participation_attach_document(*, actor, auction_id, document) -> Participation:
    """Store the technical bid document (a PDF of at most 10 MB) of the firm's bid, until the bid due date.

    The file is written before the short transaction and removed again if the bid refuses it; the document it
    replaces is removed after the commit.
    """
    firm = require_bidding_firm(actor)
    problem = _technical_bid_document_error(document)
    if problem:
        raise ApplicationError(problem, fields={"technical_bid_document": [problem]})
    field = Participation._meta.get_field("technical_bid_document")
    storage = field.storage
    stored = storage.save(field.generate_filename(None, f"auction-{auction_id}-firm-{firm.pk}.pdf"), document)
    try:
        with transaction.atomic():
            auction = locked_auction(auction_id)
            participation = _own_participation(firm=firm, auction_id=auction.pk)
            if auction.status != Auction.Status.NOTIFIED or now() >= auction.bid_due_at:
                raise Conflict(
                    f"Bids for {auction.block.code} closed at "
                    f"{timezone.localtime(auction.bid_due_at):%d %b %Y %H:%M} IST; the document was not stored."
                )
            replaced = participation.technical_bid_document.name
            participation.technical_bid_document.name = stored
            participation.save(update_fields=["technical_bid_document"])
            if replaced and replaced != stored:
                transaction.on_commit(lambda: storage.delete(replaced))
    except BaseException:
        storage.delete(stored)
        raise
    return participation
