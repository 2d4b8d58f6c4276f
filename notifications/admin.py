"""Back office of notifications, read-only but for one act: an email given up (the dead letters: filter "Given up")
can be sent again. Due dates, reminders and subscriptions change only through the services."""

from django.contrib import admin, messages

from notifications.models import AlertSubscription, DueDate, Email, Notification, Reminder
from notifications.services import email_requeue


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Email)
class EmailAdmin(ReadOnly):
    list_display = ("subject", "to", "status", "attempts", "available_at", "sent_at", "last_error_short", "created_at")
    list_filter = ("status",)
    search_fields = ("to", "subject", "key", "message_id")
    readonly_fields = [f.name for f in Email._meta.fields]
    actions = ["send_again"]

    @admin.display(description="last error")
    def last_error_short(self, obj):
        return obj.last_error[:120]

    def has_send_again_permission(self, request):
        return request.user.is_superuser

    @admin.action(description="Send again from now (fresh count of attempts)", permissions=["send_again"])
    def send_again(self, request, queryset):
        count = email_requeue(ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} email(s) will be sent again within a minute.", messages.SUCCESS)


@admin.register(DueDate)
class DueDateAdmin(ReadOnly):
    list_display = ("title", "audience", "kind", "due_on", "status", "next_remind_on", "reminders_sent", "subject")
    list_filter = ("status", "kind")
    search_fields = ("title", "audience", "subject", "key")
    date_hierarchy = "due_on"


@admin.register(Reminder)
class ReminderAdmin(ReadOnly):
    list_display = ("due_date", "due_on", "offset", "user", "created_at")
    list_select_related = ("due_date", "user")
    search_fields = ("due_date__title", "user__username")


@admin.register(Notification)
class NotificationAdmin(ReadOnly):
    list_display = ("title", "user", "created_at", "read_at", "emailed_at")
    list_select_related = ("user",)
    search_fields = ("title", "user__username")


@admin.register(AlertSubscription)
class AlertSubscriptionAdmin(ReadOnly):
    list_display = ("email", "tranches", "results", "minerals", "states", "confirmed_at")
    search_fields = ("email",)
