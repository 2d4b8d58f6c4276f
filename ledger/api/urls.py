from django.urls import path

from ledger.api.views import CheckpointListView, CheckpointView, PublicKeyListView, StreamView

urlpatterns = [
    path("checkpoints", CheckpointListView.as_view(), name="public-ledger-checkpoints"),
    path("checkpoints/<int:pk>", CheckpointView.as_view(), name="public-ledger-checkpoint"),
    path("keys", PublicKeyListView.as_view(), name="public-ledger-keys"),
    path("<text:stream>", StreamView.as_view(), name="public-ledger-stream"),
]
