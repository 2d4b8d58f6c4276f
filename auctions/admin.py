"""Back office of the central auction: tranches, auctions, participations and offers, read-only. Every change
goes through auctions.services (on the regulator's pages or the API), which checks the rules and writes
the ledger; an admin form would bypass both.

Sealed offers: a participation's `sealed_offer` and `offer_nonce` are never shown, and its
`initial_price_offer` only once its auction is opened (RULES.md s.3 item 1)."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from auctions.models import Auction, Offer, Origin, Participation, Tranche

NEVER_SHOWN = ("sealed_offer", "offer_nonce")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _field_names(model, *, without=()):
    return [f.name for f in model._meta.get_fields() if f.concrete and not f.auto_created and f.name not in without]


@admin.register(Tranche)
class TrancheAdmin(ReadOnly):
    list_display = ("name", "origin", "status", "document_sale_starts_at", "bid_due_at", "notified_at", "page_link")
    list_filter = ("origin", "status")
    search_fields = ("name",)
    readonly_fields = ("page_link",)

    @admin.display(description="Page")
    def page_link(self, obj):
        if obj.origin == Origin.HISTORIC:  # never notified here: its public page
            return format_html('<a href="{}">Open the public page</a>', reverse("public_auctions:tranche_detail",
                                                                               args=[obj.pk]))  # fmt: skip
        return format_html('<a href="{}">Open the tranche page</a>', reverse("flow:tranche_detail", args=[obj.pk]))


@admin.register(Auction)
class AuctionAdmin(ReadOnly):
    list_display = ("__str__", "tranche", "origin", "status", "bid_due_at", "bid_count", "floor_price", "best_offer",
                    "desk")  # fmt: skip
    list_filter = ("origin", "status", "lease_kind", "attempt", "tranche")
    search_fields = ("block__code", "block__name", "tranche__name")
    list_select_related = ("block", "tranche")

    def get_fields(self, request, obj=None):
        hidden = ()
        # The salt links the bidders' pseudonyms to firms: it is published at the close, not before.
        if obj is None or obj.status not in (Auction.Status.SETTLED, Auction.Status.ANNULLED):
            hidden = ("bidder_salt",)
        return [*_field_names(Auction, without=hidden), "desk"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description="Auction desk")
    def desk(self, obj):
        if obj.historic:  # never run here: its public page, with its source
            return format_html('<a href="{}">Open the public page</a>', reverse("public_auctions:auction_detail",
                                                                               args=[obj.pk]))  # fmt: skip
        return format_html('<a href="{}">Open the auction desk</a>', reverse("flow:auction_desk", args=[obj.pk]))


@admin.register(Participation)
class ParticipationAdmin(ReadOnly):
    list_display = (
        "firm",
        "auction",
        "status",
        "submitted_at",
        "commitment",
        "technically_qualified",
        "opened_offer",
        "rank",
        "qualified",
    )
    list_filter = ("status", "technically_qualified", "qualified")
    search_fields = ("firm__legal_name", "auction__block__code")
    list_select_related = ("firm", "auction__block")
    exclude = NEVER_SHOWN

    def get_queryset(self, request):
        """Before an auction's bid due date, who is bidding is sealed too (RULES.md s.6): its bids are not listed,
        found or opened here, as the API refuses them (409 bids_sealed), by the same server clock."""
        return super().get_queryset(request).defer(*NEVER_SHOWN).filter(auction__bid_due_at__lte=timezone.now())

    def get_fields(self, request, obj=None):
        opened = obj is not None and obj.auction.opened_at is not None
        without = NEVER_SHOWN if opened else (*NEVER_SHOWN, "initial_price_offer")
        return _field_names(Participation, without=without)

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split("__")[0] in (*NEVER_SHOWN, "initial_price_offer"):
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description="Initial price offer")
    def opened_offer(self, obj):
        """Shown from the opening only; before it the column says so."""
        if obj.auction.opened_at is None:
            return "sealed until the opening"
        return obj.initial_price_offer if obj.initial_price_offer is not None else "—"


@admin.register(Offer)
class OfferAdmin(ReadOnly):
    list_display = ("auction", "seq", "value", "placed_at", "participation")
    list_filter = ("auction__status",)
    search_fields = ("auction__block__code", "participation__firm__legal_name")
    list_select_related = ("auction__block", "participation__firm")
