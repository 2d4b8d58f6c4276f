from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.views import after_login, healthz

handler404 = "config.views.not_found"
handler500 = "config.views.server_error"

admin.site.site_header = "Khanij back office"
admin.site.site_title = "Khanij"

api_v1 = [
    path("public/ledger/", include("ledger.api.urls")),
    path("public/", include("auctions.api.urls.public")),
    path("public/", include("auctions.api.urls.replay")),
    path("public/", include("blocks.api.public_urls")),
    path("", include("blocks.api.urls")),
    path("", include("auctions.api.urls.auctions")),
    path("", include("auctions.api.urls.room")),
    path("", include("bidders.api.urls")),
    path("", include("licences.api.urls")),
    path("", include("clearances.api.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/start/", after_login, name="after-login"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file, and templates/api/swagger_ui.html its style as a
    # file, which the Content Security Policy allows (no inline script or style).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="swagger-ui",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("regulator/", include("blocks.regulator_urls")),
    path("", include("notifications.urls")),
    path("", include("auctions.urls.flow")),
    path("", include("auctions.urls.room")),
    path("", include("auctions.urls.public")),
    path("", include("bidders.urls")),
    path("", include("bidders.account_urls")),
    path("", include("clearances.urls")),
    path("", include("licences.urls")),
    path("", include("blocks.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
