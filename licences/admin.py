"""Back office of the licence register, read-only. Every change to a licence, an obligation, a payment, a report
goes through licences.services and the other licence services (on the regulator's and the
firm's pages or the API), which check the lifecycle and the rules and write the history and the ledger; an
admin form would bypass all three."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from core.money import format_inr
from licences.models import (
    AreaProposal,
    Licence,
    LicenceEvent,
    Obligation,
    Payment,
    PremiumReturn,
    PremiumShare,
    Report,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LicenceEventInline(ReadOnlyInline):
    model = LicenceEvent
    fields = ("at", "kind", "from_status", "to_status", "note", "actor", "ledger_seq")
    readonly_fields = fields
    ordering = ("at", "id")


class ObligationInline(ReadOnlyInline):
    model = Obligation
    fields = ("title", "kind", "due_on", "amount", "status", "met_on", "penalty")
    readonly_fields = fields
    ordering = ("due_on", "id")


@admin.register(Licence)
class LicenceAdmin(ReadOnly):
    list_display = ("number", "kind", "holder", "state", "status", "awarded_on", "expires_on", "area_hectares", "page")
    list_filter = ("kind", "status", "state")
    search_fields = ("number", "holder__legal_name", "holder__cin", "block__code")
    list_select_related = ("holder",)
    date_hierarchy = "awarded_on"
    inlines = [ObligationInline, LicenceEventInline]
    fieldsets = (
        (None, {"fields": ("number", "kind", "status", "holder", "block", "auction", "parent_el", "page")}),
        ("Where and what", {"fields": ("state", "district", "minerals", "area_hectares", "original_area_hectares")}),
        ("Dates", {"fields": ("applied_on", "declared_on", "awarded_on", "starts_on", "expires_on", "extended_to")}),
        ("End", {"fields": ("ended_on",)}),
        ("Terms", {"fields": ("winning_offer_pct", "ver", "security", "upfront", "params")}),
        ("Boundary", {"fields": ("boundary", "original_boundary"), "classes": ["collapse"]}),
        ("Record", {"fields": ("details", "created_at", "updated_at")}),
    )

    def get_readonly_fields(self, request, obj=None):
        return [name for _title, options in self.fieldsets for name in options["fields"]]

    @admin.display(description="VER", ordering="value_of_estimated_resources")
    def ver(self, obj):
        return format_inr(obj.value_of_estimated_resources)

    @admin.display(description="Performance security")
    def security(self, obj):
        return format_inr(obj.performance_security)

    @admin.display(description="Upfront payment")
    def upfront(self, obj):
        return format_inr(obj.upfront_payment)

    @admin.display(description="Public page")
    def page(self, obj):
        return format_html('<a href="{}">Open the register page</a>', reverse("licence_detail", args=[obj.pk]))


@admin.register(LicenceEvent)
class LicenceEventAdmin(ReadOnly):
    list_display = ("licence", "at", "kind", "from_status", "to_status", "actor", "ledger_seq")
    list_filter = ("kind", "to_status")
    search_fields = ("licence__number", "note")
    list_select_related = ("licence", "actor")


@admin.register(Obligation)
class ObligationAdmin(ReadOnly):
    list_display = ("title", "licence", "kind", "due_on", "amount", "status", "met_on", "penalty")
    list_filter = ("kind", "status")
    search_fields = ("licence__number", "title")
    list_select_related = ("licence",)
    date_hierarchy = "due_on"


@admin.register(Payment)
class PaymentAdmin(ReadOnly):
    list_display = ("licence", "obligation", "amount", "reference", "paid_on", "status", "recorded_by", "decided_by")
    list_filter = ("status",)
    search_fields = ("licence__number", "reference")
    list_select_related = ("licence", "obligation", "recorded_by", "decided_by")


@admin.register(PremiumReturn)
class PremiumReturnAdmin(ReadOnly):
    list_display = ("licence", "month", "mineral", "quantity_tonnes", "value_despatched", "premium", "filed_by")
    search_fields = ("licence__number",)
    list_select_related = ("licence", "mineral", "filed_by")


@admin.register(PremiumShare)
class PremiumShareAdmin(ReadOnly):
    list_display = ("el", "lease", "share_pct", "amount", "created_at")
    search_fields = ("el__number", "lease__number")
    list_select_related = ("el", "lease")


@admin.register(Report)
class ReportAdmin(ReadOnly):
    list_display = ("licence", "kind", "submitted_by", "submitted_at", "retained_area_hectares")
    list_filter = ("kind",)
    search_fields = ("licence__number", "summary")
    list_select_related = ("licence", "submitted_by")


@admin.register(AreaProposal)
class AreaProposalAdmin(ReadOnly):
    list_display = ("title", "firm", "state", "area_hectares", "status", "submitted_at", "decided_by")
    list_filter = ("status", "state")
    search_fields = ("title", "firm__legal_name")
    list_select_related = ("firm", "decided_by")
