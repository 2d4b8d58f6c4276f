from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.views import after_login, healthz

admin.site.site_header = "Khanij back office"
admin.site.site_title = "Khanij"

api_v1 = [
    path("public/ledger/", include("ledger.api.urls")),
    path("public/", include("auctions.api.public_auction_urls")),
    path("public/", include("auctions.api.replay_urls")),
    path("public/", include("blocks.api.public_urls")),
    path("", include("blocks.api.urls")),
    path("", include("auctions.api.auction_urls")),
    path("", include("auctions.api.room_urls")),
    path("", include("bidders.api.urls")),
    path("", include("licences.api.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/start/", after_login, name="after-login"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("regulator/", include("blocks.regulator_urls")),
    path("", include("notifications.urls")),
    path("", include("auctions.flow_urls")),
    path("", include("auctions.room_urls")),
    path("", include("auctions.public_auction_urls")),
    path("", include("bidders.urls")),
    path("", include("licences.urls")),
    path("", include("blocks.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
