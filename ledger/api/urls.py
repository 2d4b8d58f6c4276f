from django.urls import path

from ledger.api.views import StreamView

urlpatterns = [path("<str:stream>", StreamView.as_view(), name="public-ledger-stream")]
