from notifications.models import Notification


def unread(request):
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return {"unread_notices": 0}
    return {"unread_notices": Notification.objects.filter(user=user, read_at__isnull=True).count()}
