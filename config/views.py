from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect

from bidders.roles import firm_of, is_regulator
from config.celery import app as celery_app


def healthz(request):
    """200 when the database and the broker answer; 503 naming what is down."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "down", reported by name
        checks["database"] = f"down: {exc.__class__.__name__}"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["broker"] = f"down: {exc.__class__.__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "down", "checks": checks}, status=200 if healthy else 503)


def after_login(request):
    """Send each role to its own start page after signing in."""
    if is_regulator(request.user):
        return redirect("regulator:block_list")
    if firm_of(request.user) is not None:
        return redirect("firm:dashboard")
    return redirect("portal:home")
