"""Back office for the shared kernel: the calendar of closed days, which regulators keep (it is data, RULES.md
"Dates and terms"), and the API tokens, which administrators may revoke (regulators have no permission on them)."""

from django.contrib import admin

from core.models import ApiToken, ClosedDay


@admin.register(ClosedDay)
class ClosedDayAdmin(admin.ModelAdmin):
    list_display = ("date", "description")
    date_hierarchy = "date"
    search_fields = ("description",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators see who holds which token and revoke any (delete). Nothing of the token is shown, neither its
    digest nor its first characters; tokens are issued only to their user, through the API."""

    list_display = ("name", "user", "created", "expiry", "last_used")
    list_filter = ("expiry",)
    search_fields = ("name", "user__username", "user__email")
    fields = ("name", "user", "created", "expiry", "last_used")
    readonly_fields = fields
    list_select_related = ("user",)
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # "revoke" says what deleting a token means
        return actions

    @admin.action(description="Revoke the selected API tokens", permissions=["delete"])
    def revoke(self, request, queryset):
        count = queryset.delete()[0]
        self.message_user(request, f"{count} API token(s) revoked: their programs must be issued new ones.")
