from django.urls import path

from bidders import views

app_name = "account"

urlpatterns = [
    path("account/tokens/", views.api_tokens, name="api_tokens"),
    path("account/tokens/<int:pk>/revoke", views.api_token_revoke, name="api_token_revoke"),
    path("account/tokens/revoke-all", views.api_tokens_revoke_all, name="api_tokens_revoke_all"),
]
