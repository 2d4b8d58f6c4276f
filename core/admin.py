"""Back office for the shared kernel: the calendar of closed days, which regulators keep (it is data, RULES.md
"Dates and terms")."""

from django.contrib import admin

from core.models import ClosedDay


@admin.register(ClosedDay)
class ClosedDayAdmin(admin.ModelAdmin):
    list_display = ("date", "description")
    date_hierarchy = "date"
    search_fields = ("description",)
