from django.contrib import admin

from authorities.models import Authority, Officer


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "state", "supervising_office", "facilitation_desk", "works_cases_here")
    list_filter = ("kind", "facilitation_desk", "works_cases_here")
    search_fields = ("code", "name", "short_name", "state")


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    """Read-only: officers are appointed and removed through `authorities.services` (ledgered)."""

    list_display = ("user", "authority", "designation", "created_at", "removed_at")
    list_filter = ("authority__kind",)
    search_fields = ("user__username", "authority__name", "designation")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
