from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views import defaults

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


def _api_error(code: str, message: str, status: int) -> JsonResponse:
    """The API's one error shape (docs/architecture.md, APIs), for answers Django gives before any API view runs."""
    return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=status)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception):
    """404: the API's error shape under /api/ (a path no endpoint matches, such as a non-numeric id); the portal's
    page elsewhere."""
    if _is_api(request):
        return _api_error(
            "not_found",
            f"Nothing is at {request.path}. Check the address and its ids (numbers where the API documents "
            "numbers); every endpoint is listed at /api/docs/.",
            404,
        )
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500: the API's error shape under /api/, the portal's page elsewhere. The fault is logged with its trace."""
    if _is_api(request):
        return _api_error(
            "server_error",
            "The server failed while answering this request. Try again in a moment; a request sent with an "
            "Idempotency-Key may be sent again with the same key. If it keeps failing, tell the portal's "
            "administrators the time and the address.",
            500,
        )
    return defaults.server_error(request)
