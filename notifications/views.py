from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from notifications.models import Notification
from notifications.services import notification_mark_read


@login_required
def inbox(request):
    notices = Notification.objects.filter(user=request.user).order_by("-created_at", "-id")[:200]
    return render(request, "notifications/inbox.html", {"notices": notices})


@login_required
@require_POST
def mark_all_read(request):
    notification_mark_read(user=request.user)
    return redirect("notifications:inbox")
