"""The regulators' back office for firms: everything a firm declared, on one page per firm."""

from django.contrib import admin
from django.db.models import Count

from bidders.models import Affiliation, BeneficialOwner, EligibilityDocument, Firm, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    fk_name = "firm"
    extra = 0
    raw_id_fields = ["affiliate"]
    fields = ["affiliate", "kind", "share", "created_at"]
    readonly_fields = ["created_at"]
    verbose_name = "declared affiliate"
    verbose_name_plural = "declared affiliates"


class DeclaredByInline(admin.TabularInline):
    """Other firms' declarations naming this firm: shown, changed on the declaring firm's page."""

    model = Affiliation
    fk_name = "affiliate"
    extra = 0
    fields = ["firm", "kind", "share", "created_at"]
    readonly_fields = fields
    can_delete = False
    verbose_name = "declared as affiliate by"
    verbose_name_plural = "declared as affiliate by"

    def has_add_permission(self, request, obj=None):
        return False


class BeneficialOwnerInline(admin.TabularInline):
    model = BeneficialOwner
    extra = 0
    fields = ["name", "pan", "nationality", "share", "has_control"]


class EligibilityDocumentInline(admin.TabularInline):
    model = EligibilityDocument
    extra = 0
    fields = ["kind", "file", "description", "uploaded_at"]
    readonly_fields = ["uploaded_at"]


@admin.register(Firm)
class FirmAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "cin", "pan", "incorporated_in_india", "net_worth", "net_worth_as_of", "members"]
    list_filter = ["incorporated_in_india"]
    search_fields = ["legal_name", "cin", "pan"]
    readonly_fields = ["created_at"]
    inlines = [
        MembershipInline,
        AffiliationInline,
        DeclaredByInline,
        BeneficialOwnerInline,
        EligibilityDocumentInline,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(description="members", ordering="member_count")
    def members(self, obj):
        return obj.member_count
